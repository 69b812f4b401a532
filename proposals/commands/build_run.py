"""``proposals build``: the named deals loaded and rendered, checked against their issued
records, and written to OUTPUT/<offer-number>-r<revision>/ (nothing unless every deal is valid)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import click

from .pdf_engines import pdf_engines


def run_build(workspace: Path, paths: list[Path] | None, output: Path | None, formats: tuple[str, ...], jobs: int | None,
              time_limit: float, strict: bool, report: Callable[[list, bool], None]) -> None:
    """Build ``paths`` (None: all of deals/); ``report(warnings, strict)`` shows the warnings
    (and under strict fails the run) after rendering, before anything is written."""
    with pdf_engines(workspace, paths, formats, jobs) as engines:  # first: they import WeasyPrint while this process imports and loads
        from .build import render_all
        from .output import write_built
        from ..errors import InputError, UsageError
        from ..input.loading import load_workspace
        from .records import records_before_rendering, verify_records

        ws = load_workspace(workspace, paths)
        if not ws.deals:
            raise UsageError(f"no deals found in {workspace / 'deals'}")
        target = output or workspace / "output"
        refused = records_before_rendering(ws, ws.deals, target)  # a changed issued deal: said before any rendering
        if refused:
            raise InputError(refused)
        rendered, warnings = render_all(ws, ws.deals, formats, time_limit, jobs, engines)
    # Under --strict, warnings fail the run before anything is written.
    report(sorted(ws.warnings + warnings, key=lambda p: p.sort_key()), strict)
    problems, recorded = verify_records(ws, rendered, target)
    if problems:
        raise InputError(problems)
    for built in rendered:
        if built.folder in recorded:
            click.echo(f"verified {target / built.folder}: identical to the issued record, left untouched")
            _write_after_signature(ws, built, target / built.folder)
    for folder in write_built(ws, [b for b in rendered if b.folder not in recorded], target):
        click.echo(f"built {folder}: {', '.join(sorted(p.name for p in folder.iterdir()))}")
    for note in (n for deal in rendered for n in deal.notes):
        click.echo(note)


def _write_after_signature(ws, built, folder: Path) -> None:
    """Beside a verified record: the accepted deal's plan and reviews, which a new review changes."""
    from .aftercare_run import _replace
    from .output import written_as
    from .records import after_signature

    for name, data in sorted(built.files.items()):
        path = folder / name
        if after_signature(name) and not (path.is_file() and path.read_bytes() == data):
            with written_as(ws.relative(path)):
                _replace(path, data)
            click.echo(f"wrote {ws.relative(path)}")
