"""Located problems of the cross-checks, and the hints they give ("did you mean ...?")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from ..errors import Location, Problem
from .yamlsource import format_path

if TYPE_CHECKING:
    from .workspace import Loaded


def error(where: Location, field: str, message: str, kind: str = "input.cross-check") -> Problem:
    return Problem(where, field, message, kind)


def warning(where: Location, field: str, message: str, kind: str) -> Problem:
    return Problem(where, field, message, kind, "warning")


def _close(word: str, known: Iterable[str]) -> str:
    import difflib

    # mutmut: n=1 -> n=2 or the default n=3 is equivalent: only match[0] is used, and the best match comes first
    # whatever n (heapq.nlargest(n) is sorted(reverse=True)[:n] over (score, word)).
    match = difflib.get_close_matches(word, list(known), n=1)
    return f"; did you mean {match[0]}?" if match else ""


def _duplicates(loaded: "Loaded", path: str | tuple, ids: list[str], what: str) -> Iterator[Problem]:
    path = (path,) if isinstance(path, str) else path
    seen: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in seen:
            where = loaded.where(*path, i)
            field = format_path(path + (i,))
            yield error(where, field, f"duplicate {what} {ident} (also at entry {seen[ident]})", "input.duplicate-id")
        else:
            seen[ident] = i
