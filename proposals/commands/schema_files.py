"""``proposals schema``: the JSON Schema of the deal, catalog or seller files, printed or
written as <kind>.schema.json files; in a workspace, with its SKUs, tax categories,
rate-card roles and clause ids as enumerations."""

from __future__ import annotations

from pathlib import Path

import click


def workspace_names(root: Path | None) -> dict[str, list[str]] | None:
    """What the workspace at ``root`` defines, for the schema's enumerations; None without one
    (no catalog/ there): the plain schema. An invalid seller profile or catalog is its error (exit 2)."""
    if root is None or not (root / "catalog").is_dir():
        return None
    from ..documents.clauses import BUILTIN_CLAUSES
    from ..input.loading import load_workspace

    ws = load_workspace(root, [])  # the seller profile and the catalog; no deal is needed
    folders = [*BUILTIN_CLAUSES.glob("*/"), *(root / "templates" / "clauses").glob("*/")]
    return {
        "skus": list(ws.services),
        "tax_categories": [c.id for c in ws.seller.model.tax_categories],
        "roles": sorted({rate.role for service in ws.services.values() for rate in service.rates}),
        "clauses": sorted({path.stem for folder in folders for path in folder.glob("*.md")}),
    }


def print_schema(kind: str, root: Path | None = None) -> None:
    from ..input.schema import dumps

    click.echo(dumps(kind, workspace_names(root)), nl=False)


def write_schemas(kind: str | None, output: Path, root: Path | None = None) -> None:
    """``kind``'s schema (None: every kind) into the folder ``output``, made if missing."""
    from ..input.schema import KINDS, dumps

    names = workspace_names(root)
    output.mkdir(parents=True, exist_ok=True)
    for name in [kind] if kind else KINDS:
        (output / f"{name}.schema.json").write_text(dumps(name, names), encoding="utf-8")
        click.echo(f"wrote {output / f'{name}.schema.json'}")
