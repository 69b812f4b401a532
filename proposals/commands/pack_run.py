"""``proposals pack``: the deals chosen (named or all of deals/, one shard of them), loaded,
validated and handed to the pack with its PDF engines; ``pack merge`` joins shard manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from .pdf_engines import pdf_engines


def run_pack(deals: list[Path], workspace: Path, output: Path | None, formats: tuple[str, ...], shard: tuple[int, int] | None,
             jobs: int | None, keep_going: bool, force: bool, make_zip: bool, as_json: bool, time_limit: float, strict: bool,
             report: Callable[[list, bool], None]) -> int:
    """Pack the deals and print the outcome; the exit code (see :func:`pack_output.finish`).
    ``report(warnings, strict)`` shows the workspace's warnings before the deals render."""
    import time

    started = time.monotonic()
    with pdf_engines(workspace, deals or None, formats, jobs) as engines:  # first, as for build
        from ..runtime.workers import default_jobs
        from ..errors import ProposalsError, UsageError
        from ..input.loading import relative_name
        from .pack import deal_paths, in_shard, load_valid, pack as build_pack
        from .render import check_reference
        from .pack_output import progress

        paths = [p for p in deal_paths(workspace, deals) if in_shard(relative_name(workspace, p), shard)]
        if not paths and shard is None:
            searched = ", ".join(str(d) for d in deals) if deals else str(workspace / "deals")
            raise UsageError(f"no deals (*.yaml) found in {searched}")
        try:
            ws, invalid = load_valid(workspace, paths, keep_going)
            check_reference(ws, formats)
            report(ws.warnings, False)
            show = progress(as_json, len(paths))
            result = build_pack(ws, output or workspace / "output", formats, jobs=jobs or default_jobs(), keep_going=keep_going, force=force,
                                time_limit=time_limit, make_zip=make_zip, strict=strict, invalid=invalid, on_result=show, engines=engines)
        except ProposalsError as exc:
            if as_json:  # CI that parses the summary gets one in every case (issue #20)
                import json

                import click

                from .pack_output import failure_summary

                click.echo(json.dumps(failure_summary([relative_name(workspace, p) for p in paths], exc.problems), indent=2))
            raise
    from .pack_output import finish

    return finish(result, as_json, strict, time.monotonic() - started)


def merge_shards(manifests: list[Path], output: Path | None) -> Path:
    """``pack merge MANIFEST... -o FILE``: the merged manifest's path."""
    from ..errors import UsageError
    from .pack import merge

    if not manifests or output is None:
        raise UsageError("pack merge needs shard manifests (or their folders) and -o FILE")
    return merge(manifests, output)
