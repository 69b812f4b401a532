"""One deal -> its files: offer and contract as PDF and DOCX, quote.json, manifest.json.

Deals are priced in this process, then rendered in forked workers (one task
per document, or per document and format when there are fewer tasks than
workers to fill), each step under a time limit. Everything is rendered in
memory first; only when every document of every requested deal rendered
without error are the files written, each deal into a temporary folder
inside ``output/`` that is then renamed into place.
"""

from __future__ import annotations

from pathlib import Path

from ..runtime import cache
from ..runtime.processes import collect_task_garbage
from ..runtime.workers import StepLimitHit, can_fork, default_jobs
from ..errors import InputError, PricingError, Problem, ProblemList, ProposalsError, TemplateError
from ..input.loading import Loaded, Workspace
from .aftercare import AFTERCARE, check_reviews, timed_task
from .render import RenderCrash, _limit_problem, _preload, check_reference, render_documents
from .output import write_built
from .deal import DOCUMENTS, complete_deal, prepare_deal
from .built import BuiltDeal


DEFAULT_TIME_LIMIT = 60.0


def work_units(sizes: list[int], formats: tuple[str, ...], jobs: int, accepted: frozenset[int] = frozenset()) -> list[tuple[int, str, tuple[str, ...]]]:
    """How the rendering of deals (``sizes``: a rough measure of each deal's length) is cut
    into tasks: ``(deal, document, formats)``.

    One task per document, so offer and contract lay out side by side; when that
    leaves workers idle (a single deal), one task per document and format. The
    longest tasks go first (PDF before DOCX, bigger deals before smaller, offer
    before contract), so the last tasks are short and the workers finish together.
    An ``accepted`` deal has one more task: its implementation plan and reviews (``aftercare``).
    """
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    units = [(i, document, formats) for i in order for document in DOCUMENTS]
    if len(units) < 2 * jobs and len(formats) > 1:
        units = [(i, document, (fmt,)) for fmt in formats for i in order for document in DOCUMENTS]
    return units + [(i, AFTERCARE, formats) for i in order if i in accepted]


def render_prepared(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...], time_limit: float, jobs: int, engines=None):
    """Render priced deals in forked workers; yield ``(deal, errors)`` as each deal completes.

    A deal without errors has its files, warnings and seconds (summed over its
    tasks) filled in; otherwise ``errors`` holds what its tasks raised
    (StepLimitHit, ChildCrashed or a ProposalsError). ``engines``: the command's
    PDF engines, if it started any (engine.py).
    """
    from collections import Counter

    from ..runtime.workers import run_many

    accepted = frozenset(i for i, built in enumerate(prepared) if built.deal.model.status == "accepted")
    units = work_units([_size(built) for built in prepared], formats, jobs, accepted)
    tasks = [(ws, prepared[i].deal, prepared[i].quote, fmts, (document,)) for i, document, fmts in units]
    left = Counter(i for i, _, _ in units)
    files: dict[int, dict[str, bytes]] = {i: {} for i in left}
    warnings: dict[int, list[Problem]] = {i: [] for i in left}
    errors: dict[int, list[Exception]] = {i: [] for i in left}
    seconds: dict[int, float] = dict.fromkeys(left, 0.0)
    for n, result, error in run_many(timed_task, tasks, time_limit, jobs, engines=engines):
        i = units[n][0]
        if error is None:
            files[i].update(result[0])
            warnings[i] += result[1]
            seconds[i] += result[2]
        else:
            errors[i].append(error)
        left[i] -= 1
        if left[i] == 0:
            built = prepared[i]
            if not errors[i]:
                complete_deal(ws, built, files[i], list(dict.fromkeys(warnings[i])))
                built.seconds = seconds[i]
            yield built, errors[i]


def _size(built: BuiltDeal) -> int:
    """A deal's length for scheduling: its lines and the text of the deal (criteria, stakeholders, notes)."""
    return 400 * len(built.quote.lines) + len(built.deal.model.model_dump_json())


def render_errors(ws: Workspace, errors: list[Exception]) -> list[Problem]:
    """The problems of a deal's failed tasks; a crash is a bug of ours and raised as such."""
    problems: list[Problem] = []
    for error in errors:
        if isinstance(error, StepLimitHit):
            problems.append(_limit_problem(ws, error))
        elif isinstance(error, ProposalsError):
            problems += error.problems
        else:
            raise RenderCrash(str(error))
    return list(dict.fromkeys(problems))


def _render_or_raise(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...], time_limit: float | None, jobs: int, engines=None) -> list[BuiltDeal]:
    """Render every prepared deal; raise with every deal's problems if any failed."""
    if time_limit is None or not can_fork():
        from ..runtime.deepstack import on_deep_stack

        return on_deep_stack(_render_here, ws, prepared, formats)
    problems = ProblemList()
    for built, errors in render_prepared(ws, prepared, formats, time_limit, jobs, engines):
        problems.extend(render_errors(ws, errors))
    problems.raise_if_errors(TemplateError)
    return prepared


def _render_here(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...]) -> list[BuiltDeal]:
    """Render every prepared deal in this process, one after the other (no time limit)."""
    for n, built in enumerate(prepared):
        if n:
            collect_task_garbage()  # as a worker does between tasks
        files, warnings = render_documents(ws, built.deal, built.quote, formats, progress=lambda step: None)
        if built.deal.model.status == "accepted":
            more, later, _ = timed_task(ws, built.deal, built.quote, formats, (AFTERCARE,), lambda step: None)
            files, warnings = files | more, warnings + later
        complete_deal(ws, built, files, warnings + cache.take_warnings())
    return prepared


def render_all(ws: Workspace, deals: list[Loaded], formats: tuple[str, ...] = ("pdf", "docx"), time_limit: float | None = DEFAULT_TIME_LIMIT, jobs: int | None = None, engines=None) -> tuple[list[BuiltDeal], list[Problem]]:
    """Price every deal, then render them all in workers; raise with every deal's problems if any failed.
    ``engines``: PDF engines the command started (engine.py); the workers send them their HTML."""
    check_reference(ws, formats)
    _preload(formats, engines)
    problems = ProblemList()
    prepared = []
    _check_reviews(ws, deals)
    for loaded in deals:
        try:
            prepared.append(prepare_deal(ws, loaded))
        except PricingError as exc:
            problems.extend(exc.problems)
    try:
        rendered = _render_or_raise(ws, prepared, formats, time_limit, jobs or default_jobs(), engines)
    except TemplateError as exc:
        problems.extend(exc.problems)
    if any(p.kind.startswith(("pricing", "offer.")) for p in problems.errors):
        problems.raise_if_errors(PricingError)  # a deal must change: exit 2, with the template problems too
    problems.raise_if_errors(TemplateError)
    return rendered, [w for b in rendered for w in b.warnings]


def _check_reviews(ws: Workspace, deals: list[Loaded]) -> None:
    """The review files of every accepted deal, validated before anything renders: one InputError (exit 2) with all their problems."""
    problems = ProblemList()
    for loaded in deals:
        if loaded.model.status == "accepted":
            try:
                check_reviews(ws, loaded)
            except InputError as exc:
                problems.extend(exc.problems)
    problems.raise_if_errors(InputError)


def build(ws: Workspace, deals: list[Loaded], output: Path, formats: tuple[str, ...] = ("pdf", "docx"), time_limit: float | None = DEFAULT_TIME_LIMIT) -> tuple[list[Path], list[Problem]]:
    """Render every deal, then write them all; nothing is written if any deal fails."""
    rendered, warnings = render_all(ws, deals, formats, time_limit)
    return write_built(ws, rendered, output), warnings
