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


def show_changes(workspace: Path, old: Path, new: Path, as_json: bool) -> None:
    """What changed from deal file OLD to NEW, as text in NEW's locale (or as JSON); notes on
    OLD's issued record go to stderr."""
    from .deal import previous_record_note
    from .revisions import changes_between
    from ..input.loading import load_workspace
    from .revisions import as_data, render_text

    ws = load_workspace(workspace, [old, new])
    before, after = ws.deals
    changes = changes_between(ws, before, after)
    for note in previous_record_note(ws, before):
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(json.dumps(as_data(changes), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(changes, after.model.locale or ws.seller.model.default_locale), nl=False)
