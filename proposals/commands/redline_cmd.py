"""The body of ``proposals redline``: load, compare, print, and with ``--write`` create the next revision."""

from __future__ import annotations

from pathlib import Path

import click


def run_redline(workspace: Path, deal: Path, returned: Path, output: Path | None, write: bool, force: bool) -> None:
    from ..input.loading import load_workspace
    from .next_revision import write_next
    from .returned_contract import read_redline, report_lines

    ws = load_workspace(workspace, [deal])
    loaded = ws.deals[0]
    result = read_redline(ws, loaded, returned, output or ws.root / "output", force)
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    for line in report_lines(result):
        click.echo(line)
    if not write:
        if any(c.action for c in result.clauses):
            click.echo(f"run again with --write to create revision {loaded.model.revision + 1} with these changes as deviations")
        return
    path, count = write_next(ws, loaded, result)
    click.echo(f"wrote {ws.relative(path)}: revision {loaded.model.revision + 1} (draft), {count} deviation{'s' if count != 1 else ''}; "
               f"build it with: proposals build {ws.relative(path)}")
