"""``proposals schema``: the JSON Schema of the deal, catalog or seller files, printed or
written as <kind>.schema.json files."""

from __future__ import annotations

from pathlib import Path

import click


def print_schema(kind: str) -> None:
    from ..input.schema import dumps

    click.echo(dumps(kind), nl=False)


def write_schemas(kind: str | None, output: Path) -> None:
    """``kind``'s schema (None: every kind) into the folder ``output``, made if missing."""
    from ..input.schema import KINDS, dumps

    output.mkdir(parents=True, exist_ok=True)
    for name in [kind] if kind else KINDS:
        (output / f"{name}.schema.json").write_text(dumps(name), encoding="utf-8")
        click.echo(f"wrote {output / f'{name}.schema.json'}")
