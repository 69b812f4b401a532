"""Cross-checks of work packages: catalog templates, the packages of a deal, and the plan they give."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from ..errors import Location, Problem
from .findings import _close, error
from .model import Deal, Service
from .model.work import WorkPackage, merged

if TYPE_CHECKING:
    from .workspace import Loaded

At = Callable[..., Location]


def template_problems(at: At, name: str, s: Service, services: dict[str, Service]) -> Iterator[Problem]:
    """A catalog service's work-package template (``pricing: work_package``), or one where none belongs."""
    if s.pricing != "work_package":
        if s.work_package is not None:
            yield error(at("work_package"), f"{name}.work_package", f"a work_package template needs pricing: work_package (this item is {s.pricing})")
        return
    package = s.work_package
    if package is None:
        yield error(at(), f"{name}.work_package", "work_package pricing needs a work_package template (rate_card, effort)")
        return
    if package.depends_on:
        yield error(at("work_package", "depends_on"), f"{name}.work_package.depends_on", "dependencies belong to the deal's packages, not to a catalog template")
    card = services.get(package.rate_card) if package.rate_card else None
    if package.rate_card is None:
        yield error(at("work_package"), f"{name}.work_package.rate_card", "name the rate-card service whose roles price the effort, e.g. rate_card: CONS-TM-DAY")
    elif card is None or card.pricing != "rate_card":
        what = f"unknown SKU {package.rate_card}{_close(package.rate_card, services)}" if card is None else f"{package.rate_card} is {card.pricing}, not a rate card"
        yield error(at("work_package", "rate_card"), f"{name}.work_package.rate_card", what)
    if not package.effort:
        yield error(at("work_package"), f"{name}.work_package.effort", "give the effort of at least one role")
    usable = card if card is not None and card.pricing == "rate_card" else None  # roles of no rate card are not checked twice
    yield from package_problems(lambda *f: at("work_package", *f), f"{name}.work_package", package, usable)


def package_problems(at: At, name: str, package: WorkPackage, card: Service | None) -> Iterator[Problem]:
    """One package's own fields: each effort, its roles, buffer and rounding against its mode."""
    roles = [r.role for r in card.rates] if card is not None else None
    for j, effort in enumerate(package.effort or []):
        here, field = (lambda *f, j=j: at("effort", j, *f)), f"{name}.effort[{j}]"
        points = [effort.optimistic, effort.likely, effort.pessimistic]
        if roles is not None and effort.role not in roles:
            yield error(here("role"), f"{field}.role", f"unknown role {effort.role} for {card.sku}{_close(effort.role, roles) or ' (known: ' + ', '.join(roles) + ')'}")  # type: ignore[union-attr]
        if (effort.effort is None) == all(p is None for p in points) or (effort.effort is None and None in points):
            yield error(here(), field, "give effort (one figure) or optimistic, likely and pessimistic (a three-point estimate), not both and not part")
        elif effort.effort is None:
            o, m, p = points
            if p < o:  # type: ignore[operator]
                yield error(here("pessimistic"), f"{field}.pessimistic", f"pessimistic {p} is below optimistic {o}")
            elif not o <= m <= p:  # type: ignore[operator]
                yield error(here("likely"), f"{field}.likely", f"likely {m} lies outside optimistic {o} to pessimistic {p}")
    if package.buffer_percent is not None and package.buffer_spreads is not None:
        yield error(at("buffer_spreads"), f"{name}.buffer_spreads", "give buffer_percent or buffer_spreads, not both")
    if package.pricing == "time_and_material":
        for extra in ("buffer_percent", "buffer_spreads", "round_up_to"):
            if getattr(package, extra) is not None:
                yield error(at(extra), f"{name}.{extra}", f"a time_and_material package is billed at the rates; {extra} applies to fixed and capped packages")


def deal_package_problems(loaded: "Loaded", deal: Deal, services: dict[str, Service]) -> Iterator[Problem]:
    """Every work package of the deal, their dependencies and the plan."""
    packages: dict[int, WorkPackage] = {}
    # Ids of every package the deal names, sound or not, so a flaw in one is not also reported where it is named.
    named = {item.work_package.id for item in deal.items if item.work_package is not None and item.work_package.id}
    for i, item in enumerate(deal.items):
        service = services.get(item.sku)
        if service is None or (item.work_package is None and service.pricing != "work_package"):
            continue
        problems = list(_item_package(loaded, i, item, service, services))
        yield from problems
        if not problems:
            packages[i] = _effective(item, service)
    known: dict[str, int] = {}
    for i, package in packages.items():
        if package.id in known:
            yield error(loaded.where("items", i, "work_package", "id"), f"items[{i}].work_package.id",
                        f"duplicate work package id {package.id} (also items[{known[package.id]}])", "input.duplicate-id")
        elif package.id:
            known[package.id] = i
    yield from _dependencies(loaded, packages, known, named)
    yield from _firm_on_extra(loaded, deal, packages)
    yield from _plan(loaded, deal, packages, known, named)


def _firm_on_extra(loaded: "Loaded", deal: Deal, packages: dict[int, WorkPackage]) -> Iterator[Problem]:
    """Only firm packages are planned: a firm package cannot wait for, nor a milestone end with, an optional
    or alternative one (the customer may never order it)."""
    extra = {p.id: "optional" if deal.items[i].optional else "an alternative" for i, p in packages.items()
             if p.id and (deal.items[i].optional or deal.items[i].alternative_to is not None)}
    for i, package in packages.items():
        if deal.items[i].optional or deal.items[i].alternative_to is not None:
            continue
        for j, dep in enumerate(package.depends_on):
            if dep in extra:
                yield error(loaded.where("items", i, "work_package", "depends_on", j), f"items[{i}].work_package.depends_on[{j}]",
                            f"a firm package cannot depend on {dep}, which is {extra[dep]} (the customer may not order it); "
                            "remove the dependency or make both firm")
    for k, m in enumerate(deal.terms.delivery.milestones):
        if m.date is None and m.work_package in extra:
            yield error(loaded.where("terms", "delivery", "milestones", k, "work_package"), f"terms.delivery.milestones[{k}].work_package",
                        f"work package {m.work_package} is {extra[m.work_package]} and is not planned; give the milestone a date")


def _effective(item, service: Service) -> WorkPackage:
    package = merged(service.work_package, item.work_package)
    return package.model_copy(update={"rate_card": service.sku}) if service.pricing == "rate_card" else package


def _item_package(loaded: "Loaded", i: int, item, service: Service, services: dict[str, Service]) -> Iterator[Problem]:
    field = f"items[{i}].work_package"
    at = lambda *f: loaded.where("items", i, "work_package", *f)  # noqa: E731
    if service.pricing not in ("work_package", "rate_card"):
        yield error(at(), field, f"{item.sku} is {service.pricing}; a work package is priced from a rate card (a work_package or rate_card item)")
        return
    if item.role is not None:
        yield error(loaded.where("items", i, "role"), f"items[{i}].role", "a work package names its roles under effort; remove role")
    if item.cap is not None:
        yield error(loaded.where("items", i, "cap"), f"items[{i}].cap", "a work package derives its cap from the effort: give it pricing: capped")
    own = item.work_package
    if service.pricing == "rate_card" and own is not None:
        if own.rate_card is not None:
            yield error(at("rate_card"), f"{field}.rate_card", f"a package on a rate-card item is priced by that item ({item.sku}); remove rate_card")
        for needed in ("name", "effort"):
            if not getattr(own, needed):
                yield error(at(), f"{field}.{needed}", f"a package of its own on {item.sku} needs {needed}")
    if own is not None and own.rate_card is not None and service.pricing == "work_package":
        yield error(at("rate_card"), f"{field}.rate_card", f"{item.sku} is priced by its template's rate card; remove rate_card")
    if own is not None:
        card = service if service.pricing == "rate_card" else services.get(service.work_package.rate_card or "") if service.work_package else None
        yield from package_problems(at, field, own, card if card is not None and card.pricing == "rate_card" else None)


def _dependencies(loaded: "Loaded", packages: dict[int, WorkPackage], known: dict[str, int], named: set[str]) -> Iterator[Problem]:
    for i, package in packages.items():
        for j, dep in enumerate(package.depends_on):
            where, field = loaded.where("items", i, "work_package", "depends_on", j), f"items[{i}].work_package.depends_on[{j}]"
            if dep not in named:
                yield error(where, field, f"no work package {dep} in this deal{_close(dep, named - {package.id})}")
            elif dep == package.id:
                yield error(where, field, "a work package cannot depend on itself")
    cycle = _cycle(packages, known)
    if cycle:
        i = known[cycle[0]]
        j = packages[i].depends_on.index(cycle[1])
        yield error(loaded.where("items", i, "work_package", "depends_on", j), f"items[{i}].work_package.depends_on[{j}]",
                    f"the dependencies go round in a circle: {' -> '.join(cycle)}")


def _cycle(packages: dict[int, WorkPackage], known: dict[str, int]) -> list[str] | None:
    """The first circle of dependencies (through at least two packages), as ids from and back to its start."""
    state: dict[str, int] = {}

    def visit(ident: str, path: list[str]) -> list[str] | None:
        state[ident] = 1
        for dep in packages[known[ident]].depends_on:
            if dep not in known or dep == ident:
                continue
            if state.get(dep) == 1:
                return path[path.index(dep):] + [ident, dep] if dep in path else [ident, dep]
            if dep not in state and (found := visit(dep, path + [ident])):
                return found
        state[ident] = 2
        return None

    for ident in known:
        if ident not in state and (found := visit(ident, [])):
            return found
    return None


def _plan(loaded: "Loaded", deal: Deal, packages: dict[int, WorkPackage], known: dict[str, int], named: set[str]) -> Iterator[Problem]:
    delivery = deal.terms.delivery
    scheduled = delivery.start is not None and bool(delivery.allocation)
    if scheduled:
        for i, package in packages.items():
            for j, effort in enumerate(package.effort or []):
                if effort.role not in delivery.allocation:
                    yield error(loaded.where("terms", "delivery", "allocation"), "terms.delivery.allocation",
                                f"no allocation for role {effort.role} (work package of items[{i}]); say how many people of it work on a package")
    for k, m in enumerate(delivery.milestones):
        field, where = f"terms.delivery.milestones[{k}]", loaded.where("terms", "delivery", "milestones", k)
        if m.work_package is not None and m.work_package not in named:
            yield error(loaded.where("terms", "delivery", "milestones", k, "work_package"), f"{field}.work_package", f"no work package {m.work_package} in this deal{_close(m.work_package, named)}")
        elif m.date is None and m.work_package is None:
            yield error(where, f"{field}.date", "give the milestone a date, or the work_package whose end it is")
        elif m.date is None and not scheduled:
            yield error(where, f"{field}.date", "a date from the work package needs terms.delivery.start and an allocation per role; or give the date")
    ids = {m.id for m in delivery.milestones}
    for k, m in enumerate(deal.terms.payment.milestones):
        if m.milestone is not None and m.milestone not in ids:
            yield error(loaded.where("terms", "payment", "milestones", k, "milestone"), f"terms.payment.milestones[{k}].milestone",
                        f"no delivery milestone {m.milestone}{_close(m.milestone, ids) or ' (known: ' + ', '.join(sorted(ids)) + ')'}")
