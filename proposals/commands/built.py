"""A deal's rendered files on their way to disk: what the workers return and the writers write."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import Problem
from ..input.loading import Loaded
from ..pricing.quote import Quote


@dataclass
class BuiltDeal:
    """The rendered files of one deal, not yet on disk."""

    deal: Loaded
    quote: Quote
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recorded: bool = False  # an issued revision whose record was verified (nothing to write)
    seconds: float = 0.0

    @property
    def folder(self) -> str:
        return self.deal.model.folder_name
