"""``proposals build``: the named deals loaded and rendered, checked against their issued
records, and written to OUTPUT/<offer-number>-r<revision>/ (nothing unless every deal is valid).
With ``--json`` the outcome is printed as the pack's summary (``pack.SUMMARY_SCHEMA``), in
every case: the lines a build prints go to stderr then, so stdout is the JSON alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import click

from ..errors import ProposalsError
from .pdf_engines import pdf_engines


def run_build(workspace: Path, paths: list[Path] | None, output: Path | None, formats: tuple[str, ...], jobs: int | None,
              time_limit: float, strict: bool, report: Callable[[list, bool], None], as_json: bool = False) -> None:
    """Build ``paths`` (None: all of deals/); ``report(warnings, strict)`` shows the warnings
    (and under strict fails the run) after rendering, before anything is written."""
    try:
        _build(workspace, paths, output, formats, jobs, time_limit, strict, report, as_json)
    except ProposalsError as exc:
        if as_json:  # CI that parses the summary gets one in every case (issue #20)
            from .pack_output import failure_summary

            click.echo(json.dumps(failure_summary(_deal_names(workspace, paths), exc.problems), indent=2))
        raise


def _deal_names(workspace: Path, paths: list[Path] | None) -> list[str]:
    from ..input.loading import relative_name
    from .pack import deal_paths

    try:
        return [relative_name(workspace, p) for p in deal_paths(workspace, list(paths or []))]
    except ProposalsError:  # a named file that is not there: the problem says so, no deal to list
        return []


def _build(workspace, paths, output, formats, jobs, time_limit, strict, report, as_json) -> None:
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
    shown = sorted(ws.warnings + warnings, key=lambda p: p.sort_key())
    if as_json and strict and shown:  # under --strict, warnings fail the run before anything is written
        raise ProposalsError(shown)
    report(shown, strict)
    problems, recorded = verify_records(ws, rendered, target)
    if problems:
        raise InputError(problems)
    for built in rendered:
        if built.folder in recorded:
            click.echo(f"verified {target / built.folder}: identical to the issued record, left untouched", err=as_json)
            _write_after_signature(ws, built, target / built.folder, as_json)
    for folder in write_built(ws, [b for b in rendered if b.folder not in recorded], target):
        click.echo(f"built {folder}: {', '.join(sorted(p.name for p in folder.iterdir()))}", err=as_json)
    for note in (n for deal in rendered for n in deal.notes):
        click.echo(note, err=as_json)
    if as_json:
        from .pack_output import built_summary

        click.echo(json.dumps(built_summary(ws, rendered, recorded), indent=2))


def _write_after_signature(ws, built, folder: Path, as_json: bool = False) -> None:
    """Beside a verified record: the accepted deal's plan and reviews, which a new review changes."""
    from .aftercare_run import _replace
    from .output import written_as
    from .records import after_signature

    for name, data in sorted(built.files.items()):
        path = folder / name
        if after_signature(name) and not (path.is_file() and path.read_bytes() == data):
            with written_as(ws.relative(path)):
                _replace(path, data)
            click.echo(f"wrote {ws.relative(path)}", err=as_json)
