"""The commands that only look at deal files: ``quote`` prints one deal priced, ``diff``
compares two deal files (no git needed); neither writes anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import click


def show_quote(workspace: Path, deal: Path, as_json: bool, strict: bool, report: Callable[[list, bool], None]) -> None:
    """DEAL priced, printed as a table (or as internal JSON); then ``report(warnings, strict)``."""
    from .deal import price_deal, quote_warnings
    from ..input.loading import load_workspace
    from .quote_table import render_table
    from ..writers.json import quote_document

    ws = load_workspace(workspace, [deal])
    loaded = ws.deals[0]
    priced = price_deal(ws, loaded)
    if as_json:
        click.echo(json.dumps(quote_document(priced, internal=True), indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(priced, loaded.model.title), nl=False)
    report(ws.warnings + quote_warnings(loaded, priced), strict)


def show_changes(workspace: Path, old: Path, new: Path | None, as_json: bool, against: str | None = None) -> None:
    """What changed from deal file OLD to NEW, as text in NEW's locale (or as JSON); notes on OLD's issued
    record go to stderr. Without NEW: from OLD as git has it at ``against`` (default HEAD) to OLD as it is now."""
    from .deal import previous_record_note
    from .revisions import changes_between
    from ..input.loading import load_workspace
    from .revisions import as_data, render_text

    ws = load_workspace(workspace, [new if new is not None else old])
    after = ws.deals[0]
    if new is None:
        before = _deal_from_text(ws, _git_show(workspace, old, against or "HEAD"), f"{ws.relative(old)}@{against or 'HEAD'}")
    else:
        before = _deal_from_text(ws, old.read_text(encoding="utf-8-sig"), ws.relative(old))
    for note in _pair_notes(before.model, after.model) + previous_record_note(ws, before):
        click.echo(f"note: {note}", err=True)
    changes = changes_between(ws, before, after)
    if as_json:
        click.echo(json.dumps(as_data(changes), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(changes, after.model.locale or ws.seller.model.default_locale, ws.root / "templates"), nl=False)


def _pair_notes(before, after) -> list[str]:
    """Two files of one revision, or of two offers, are compared as asked, and said so."""
    if before.offer_number != after.offer_number:
        return [f"the files are different offers ({before.offer_number} and {after.offer_number}); compared as asked"]
    if before.revision == after.revision:
        return [f"both are {after.offer_number} revision {after.revision}: two versions of one revision, compared as asked"]
    return []


def _git_show(workspace: Path, deal: Path, rev: str) -> str:
    """The deal file as git has it at ``rev``, read by git itself (the working tree is not touched)."""
    import subprocess

    from ..errors import UsageError

    def git(*args: str) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", "-C", str(workspace), *args], capture_output=True, text=True, timeout=30, check=False)
        except FileNotFoundError:
            raise UsageError("git is not installed; name two deal files to compare") from None

    top = git("rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise UsageError(f"{workspace} is not in a git repository; name two deal files to compare")
    path = deal.resolve().relative_to(Path(top.stdout.strip()).resolve()).as_posix()
    shown = git("show", f"{rev}:{path}")
    if shown.returncode != 0:
        reason = shown.stderr.strip().splitlines()[-1] if shown.stderr.strip() else "unknown revision"
        raise UsageError(f"{path} at {rev}: git cannot show it ({reason})")
    return shown.stdout


def _deal_from_text(ws, text: str, name: str):
    """A deal read from text and cross-checked against the workspace, under ``name`` in its messages."""
    from ..errors import ProblemList
    from ..input.checks_deal import deal_problems
    from ..input.loading import load_text
    from ..input.model import Deal

    problems = ProblemList()
    loaded = load_text(text, ws.root / name, name, Deal, problems)
    if loaded is not None:
        problems.extend(p for p in deal_problems(loaded, ws.seller.model, ws.services) if p.severity == "error")
    problems.raise_if_errors()
    return loaded
