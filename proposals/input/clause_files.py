"""The clause library's files: where the built-in ones are, and which clause ids exist
(deals and services name clauses by id; the cross-checks need the ids, not the texts)."""

from __future__ import annotations

from pathlib import Path

from ..builtin import BUILTIN


BUILTIN_CLAUSES = BUILTIN / "clauses"


def known_ids(workspace_templates: Path | None) -> set[str]:
    """Ids of every clause file, built-in or the workspace's, in any language."""
    folders = [BUILTIN_CLAUSES] + ([workspace_templates / "clauses"] if workspace_templates is not None else [])
    return {path.stem for folder in folders if folder.is_dir() for path in folder.glob("*/*.md")}
