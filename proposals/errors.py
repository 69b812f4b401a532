"""Problems, their locations, and the error hierarchy.

Every expected problem is a :class:`Problem` with a :class:`Location`; a run
collects all of them and raises one :class:`ProposalsError` (or a subclass
that names the stage) carrying the whole list. Warnings are problems with
severity ``warning`` and a dotted ``kind`` (``offer.expired``; for a guardrail
finding its rule, ``guardrails.max_discount_percent``, the id an approval gives)
that ``--strict`` turns into failures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a workspace file; line and column count from 1."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the input, with where it is."""

    location: Location
    field: str
    message: str
    kind: str = "input.invalid"
    severity: Severity = "error"
    context: str = ""  # lines shown under the message on a terminal (the source line and a caret), never in JSON

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location.file else ""
        what = f"{self.field}: " if self.field else ""
        if self.severity == "warning":
            return f"{where}WARNING: {what}{self.message} [{self.kind}]"
        return f"{where}{what}{self.message}"

    def sort_key(self) -> tuple:
        return (self.location.file, self.location.line, self.location.column, self.field)


class ProposalsError(Exception):
    """An expected failure: bad input, a template mistake, a failed write."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(Location(""), "", problems, kind=self.default_kind)]
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    default_kind = "error"


class InputError(ProposalsError):
    """Invalid workspace input (YAML, models, cross-checks): exit code 2."""

    exit_code = 2
    default_kind = "input.invalid"


class UsageError(ProposalsError):
    """A command was called wrongly (missing file, unknown format): exit code 2."""

    exit_code = 2
    default_kind = "usage"


class PricingError(ProposalsError):
    """The deal cannot be priced as written (exit code 2: the input must change)."""

    exit_code = 2
    default_kind = "pricing.invalid"


class TemplateError(ProposalsError):
    """A template failed to render; the location names the template file."""

    default_kind = "template.error"


class WriterError(ProposalsError):
    """A writer could not produce its file."""

    default_kind = "writer.error"


def note_internal_error(line: str) -> None:
    """Append an internal error's one-line report to the file ``$PROPOSALS_INTERNAL_ERRORS`` names,
    if any: CI (and this project's test suite) fail a run in which any process hit a bug of ours."""
    import os

    log = os.environ.get("PROPOSALS_INTERNAL_ERRORS", "").strip()
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()}: {line}\n")
        except OSError:
            pass


class InvariantViolation(AssertionError):
    """A computed document broke an invariant: a bug in proposals, never user error."""


@dataclass
class ProblemList:
    """Collects problems during a stage; ``raise_if_errors`` ends the stage."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self, error_type: type[ProposalsError] = InputError) -> None:
        if self.errors:
            raise error_type(self.items)
