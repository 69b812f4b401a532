"""Success review files: ``reviews/<deal file name>/*.yaml``, validated against their deal.

A review names KPIs and milestones by the deal's ids and people by the names of
the deal's buying center (or its seller contact); every mistake is located in
the review file like any other input. A review's chart shows every review of
the same deal up to its date, so its siblings are loaded and checked too.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem, ProblemList
from .findings import error
from .loading import load_file
from .model.review import Review
from .workspace import Loaded, Workspace

REVIEWS = "reviews"


def review_folder(ws: Workspace, deal: Loaded) -> Path:
    """Where the reviews of ``deal`` live: ``reviews/<deal file name without .yaml>/``."""
    return ws.root / REVIEWS / deal.path.stem


def load_reviews(ws: Workspace, deal: Loaded, path: Path) -> list[Loaded]:
    """The review at ``path`` and the others of its folder up to its date, oldest first; InputError with every problem."""
    problems = ProblemList()
    named = load_file(path, ws.root, Review, problems)
    siblings = [p for p in sorted(path.parent.glob("*.yaml")) if p.resolve() != path.resolve()] if path.is_file() else []
    others = [load_file(p, ws.root, Review, problems) for p in siblings]
    found = [r for r in [named, *others] if r is not None]
    for review in found:
        problems.extend(review_problems(deal, review))
    problems.raise_if_errors(InputError)
    assert named is not None
    dates = [r.model.date for r in found]
    for review in found:
        if dates.count(review.model.date) > 1:
            problems.add(error(review.where("date"), "date", f"two reviews of {review.model.date.isoformat()} in {path.parent.name}/"))
    problems.raise_if_errors(InputError)
    return sorted((r for r in found if r.model.date <= named.model.date), key=lambda r: r.model.date)


def review_problems(deal: Loaded, review: Loaded) -> list[Problem]:
    """What a review names that its deal does not have, or dates before the deal."""
    d, r = deal.model, review.model
    found: list[Problem] = []
    if r.date < d.date:
        found.append(error(review.where("date"), "date", f"{r.date.isoformat()} is before the deal's date {d.date.isoformat()}"))
    kpis = {k.id for k in d.success_monitoring.kpis if k.id}
    for key in r.kpis:
        if key not in kpis:
            known = ", ".join(sorted(kpis)) or "none: give the deal's KPIs an id"
            found.append(error(review.where("kpis", key, key=True), f"kpis.{key}", f"unknown KPI id {key!r} (the deal's: {known})"))
    milestones = {m.id for m in d.terms.delivery.milestones}
    for key, day in r.milestones.items():
        if key not in milestones:
            found.append(error(review.where("milestones", key, key=True), f"milestones.{key}", f"unknown milestone {key!r} (the deal's: {', '.join(sorted(milestones)) or 'none'})"))
        elif day < d.date:
            found.append(error(review.where("milestones", key), f"milestones.{key}", f"{day.isoformat()} is before the deal's date {d.date.isoformat()}"))
    people = {p.name for p in d.buying_center} | ({d.seller_contact} if d.seller_contact else set())
    for i, remark in enumerate(r.remarks):
        if remark.by not in people:
            found.append(error(review.where("remarks", i, "by"), f"remarks[{i}].by", f"{remark.by!r} is neither in the deal's buying center nor its seller contact"))
    return found
