"""``proposals init``: the built-in scaffold (seller profile, catalog, one deal, template
overrides, CI workflow) copied into a new or empty folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..builtin import BUILTIN


def create_workspace(folder: Path) -> None:
    """Copy the scaffold into ``folder`` and list what was created."""
    from ..errors import UsageError

    source = BUILTIN / "scaffold"
    if folder.exists() and any(folder.iterdir()):
        raise UsageError(f"{folder} is not empty; init writes only into a new or empty folder")
    try:
        shutil.copytree(source, folder, dirs_exist_ok=True)
        (folder / "gitignore").rename(folder / ".gitignore")  # a dot-file would be left out of the package data
    except OSError as exc:
        raise UsageError(f"cannot create the workspace in {folder}: {exc.strerror}") from None
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        click.echo(f"created {path}")
    click.echo(f"next: cd {folder} && proposals check && proposals build")
