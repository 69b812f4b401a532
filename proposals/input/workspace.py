"""The loaded workspace: every validated file with its place, as all later stages see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location, Problem
from .model import Service
from .yamlsource import SourceMap


@dataclass(frozen=True)
class Loaded:
    """A validated model with the file it came from and its source map."""

    model: Any
    path: Path
    source: SourceMap

    def where(self, *field_path: str | int, key: bool = False) -> Location:
        return self.source.locate(tuple(field_path), key=key)


@dataclass
class Workspace:
    """Everything a build needs: seller, catalog, deals, and their places."""

    root: Path
    seller: Loaded
    catalog_files: list[Loaded]
    deals: list[Loaded]
    services: dict[str, Service] = field(default_factory=dict)
    service_places: dict[str, Location] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    previous: dict[Path, Loaded] = field(default_factory=dict)
    unusable_skus: set[str] = field(default_factory=set)  # SKUs of catalog entries that did not validate

    def previous_of(self, loaded: Loaded) -> Loaded | None:
        """The loaded previous revision of a deal, if it names one."""
        return self.previous.get(loaded.path)

    def relative(self, path: Path) -> str:
        return relative_name(self.root, path)

    def input_files(self) -> list[Path]:
        return [self.seller.path, *(c.path for c in self.catalog_files)]


def relative_name(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
