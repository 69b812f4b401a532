"""Work packages: the price from the work it takes, and the plan from the effort.

Pricing policy (per package; a line of quantity N is N packages)
----------------------------------------------------------------
1. Each role's expected effort is its one figure, or the PERT mean (o + 4m + p) / 6,
   rounded half up to 0.01 of the rate card's unit; its spread is (p - o) / 6, likewise.
2. Each role's amount = round(expected x the role's rate); the effort amount is their sum.
3. The risk buffer = round(effort amount x buffer_percent), or, derived from the estimate,
   round(buffer_spreads x sum of spread x rate): the spreads are added, not squared and
   summed, because the roles of one package tend to be late together (the cautious reading).
4. fixed: price = effort amount + buffer, rounded up to a multiple of ``round_up_to``
   (default: the currency's minor unit); the difference is the rounding step.
   time_and_material: price = effort amount, no buffer, no rounding (the effort is an estimate).
   capped: price = effort amount; the cap (not to exceed) = what fixed would give.
5. Internal cost = sum of expected effort x the role's cost (None if a role has no cost).

Plan policy
-----------
With ``terms.delivery.start`` and an ``allocation`` of people per role, each package takes
ceil(effort x quantity / allocation) working days (Monday to Friday; an hourly rate card counts
8 hours a day) for its slowest role, starts on the first working day on or after the start and
after every package it depends on has ended, and ends on its last working day. Packages without
a dependency between them run side by side, each with the full allocation (no levelling). Only firm
packages are planned: an optional or alternative one may never be ordered, so nothing waits for it
(the checks refuse a firm package depending on one) and it has no dates.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from ..input.model import Deal, DealItem, Service
from ..input.model.work import WorkPackage, expected, merged
from ..money import percent_of, round_money, total
from .issues import PricingIssue
from .quote import PackageEstimate, PlannedMilestone, RoleEstimate, ShownEffort, Step

ZERO = Decimal(0)
HOURS_PER_DAY = Decimal(8)


def package_of(item: DealItem, service: Service) -> WorkPackage | None:
    """The item's work package, its deal adjustments over the catalog template (None: not a work-package line)."""
    if service.pricing != "work_package" and item.work_package is None:
        return None
    package = merged(service.work_package, item.work_package)
    if service.pricing == "rate_card":
        package = package.model_copy(update={"rate_card": service.sku})
    return package


def estimate(item: DealItem, package: WorkPackage, rate_card: Service, currency: str, lang: str = "en") -> PackageEstimate:
    """The package's price build-up (module policy, steps 1-5)."""
    rates = {r.role: r for r in rate_card.rates}
    roles = tuple(_role(e, rates[e.role], currency) for e in package.effort or [])
    effort_amount = total(r.amount for r in roles)
    spread_amount = total(r.spread * r.rate for r in roles)
    mode = package.pricing or "fixed"
    buffer = ZERO
    if package.buffer_percent is not None:
        buffer = round_money(percent_of(effort_amount, package.buffer_percent), currency)
    elif package.buffer_spreads is not None:
        buffer = round_money(package.buffer_spreads * spread_amount, currency)
    fixed = _round_up(effort_amount + buffer, package.round_up_to, currency)
    price = fixed if mode == "fixed" else effort_amount
    shown_buffer, rounding = (buffer, fixed - effort_amount - buffer) if mode == "fixed" else (ZERO, ZERO)
    costs = [r.cost for r in roles]
    qty = item.quantity
    words = rate_card.translations.get(lang)
    unit = (words.unit if words else None) or rate_card.unit
    plural = (words.unit_plural if words else None) or rate_card.unit_plural or unit
    times = "" if qty == 1 else f" x {qty}"
    own_plural = rate_card.unit_plural or rate_card.unit  # the labels are the catalog's words: "1 day", "2 days"
    steps = [Step("effort", f"{r.name}: {r.expected} {rate_card.unit if r.expected == 1 else own_plural} x {r.rate}{times}", qty * r.amount)
             for r in roles]
    if shown_buffer:
        steps.append(Step("buffer", _buffer_label(package) + times, qty * shown_buffer))
    if rounding:
        steps.append(Step("rounding", f"rounded up to a multiple of {package.round_up_to}{times}", qty * rounding))
    steps = _rounded(steps, round_money(qty * price, currency), currency)
    return PackageEstimate(
        id=package.id, pricing=mode, unit=unit, unit_plural=plural, roles=roles, effort_amount=effort_amount, spread_amount=spread_amount,
        buffer=buffer if mode != "time_and_material" else ZERO,
        buffer_percent=buffer / effort_amount * 100 if effort_amount and mode != "time_and_material" else None,
        rounding=rounding, price=price, cap=fixed if mode == "capped" else None,
        cost=None if any(c is None for c in costs) else total(costs),  # type: ignore[misc]
        steps=tuple(steps), deliverables=tuple(package.deliverables or ()), assumptions=tuple(package.assumptions or ()),
        show_effort=bool(package.show_effort), depends_on=tuple(package.depends_on),
        buffer_rule_percent=package.buffer_percent, buffer_spreads=package.buffer_spreads,
        hourly=rate_card.unit.strip().lower() in ("hour", "hours", "h", "hr"), round_up_to=package.round_up_to,
    )


def _rounded(steps: list[Step], line: Decimal, currency: str) -> list[Step]:
    """Each step rounded to the minor unit (a quantity such as 0.5 gives half cents); what that leaves
    against the rounded line is a step of its own, so the build-up adds up to the line's list amount."""
    out = [replace(s, amount=round_money(s.amount, currency)) for s in steps]
    rest = line - total(s.amount for s in out)
    return out + [Step("rounding", "rounding of the quantity's amounts", rest)] if rest else out


def _role(effort, rate, currency: str) -> RoleEstimate:
    mean, spread = expected(effort)
    return RoleEstimate(effort.role, rate.name, mean, spread, rate.price, round_money(mean * rate.price, currency),
                        None if rate.cost is None else mean * rate.cost, effort.optimistic, rate.cost, effort.likely, effort.pessimistic)


def _buffer_label(package: WorkPackage) -> str:
    if package.buffer_percent is not None:
        return f"risk buffer {package.buffer_percent} %"
    return f"risk buffer {package.buffer_spreads} x the estimate's spread"


def _round_up(amount: Decimal, step: Decimal | None, currency: str) -> Decimal:
    if step is None:
        return round_money(amount, currency)
    return round_money((amount / step).to_integral_value(ROUND_CEILING) * step, currency)


def planned(deal: Deal, estimates: dict[int, tuple[DealItem, PackageEstimate]]) -> dict[int, PackageEstimate]:
    """Start, end and working days of every package (plan policy); unchanged without a start and an allocation."""
    delivery = deal.terms.delivery
    if delivery.start is None or not delivery.allocation:
        return {i: e for i, (_, e) in estimates.items()}
    firm = {i for i, (item, _) in estimates.items() if not item.optional and item.alternative_to is None}
    by_id = {e.id: i for i, (_, e) in estimates.items() if e.id}
    done: dict[int, PackageEstimate] = {i: e for i, (_, e) in estimates.items() if i not in firm}  # an extra is not planned

    def place(i: int) -> PackageEstimate:
        if i in done:
            return done[i]
        item, est = estimates[i]
        begin = _working_day(delivery.start)
        for dep in est.depends_on:
            begin = max(begin, _working_day(place(by_id[dep]).end + timedelta(days=1)))  # type: ignore[operator]
        days = _days(item, est, delivery.allocation)
        done[i] = replace(est, start=begin, end=_add_working_days(begin, days - 1), working_days=days)
        return done[i]

    for i in firm:
        place(i)  # the checks refused cycles, unknown dependencies and firm packages waiting for extras
    return done


def shown_effort(item: DealItem, est: PackageEstimate) -> tuple[ShownEffort, ...]:
    """The effort per role as the offer prints it (only where the deal says show_effort)."""
    if not est.show_effort:
        return ()
    return tuple(ShownEffort(r.name, item.quantity * r.expected, est.unit if item.quantity * r.expected == 1 else est.unit_plural) for r in est.roles)


def _days(item: DealItem, est: PackageEstimate, allocation: dict) -> int:
    per_day = HOURS_PER_DAY if est.hourly else Decimal(1)
    needs = [item.quantity * r.expected / per_day / allocation[r.role] for r in est.roles if r.expected]
    return max([int(n.to_integral_value(ROUND_CEILING)) for n in needs] or [1])


def _working_day(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _add_working_days(day: date, count: int) -> date:
    while count > 0:
        day = _working_day(day + timedelta(days=1))
        count -= 1
    return day


def milestones(deal: Deal, packages: dict[str, PackageEstimate]) -> tuple[PlannedMilestone, ...]:
    """Delivery milestones with their dates: fixed by the deal, else the end of the package they name."""
    delivery = deal.terms.delivery
    out = []
    for i, m in enumerate(delivery.milestones):
        when, derived = m.date, False
        if when is None and m.work_package in packages:
            when, derived = packages[m.work_package].end, True
            if when and delivery.end and when > delivery.end:
                raise PricingIssue(f"terms.delivery.milestones[{i}].work_package",
                                   f"work package {m.work_package} ends on {when.isoformat()}, after the end of delivery {delivery.end.isoformat()}")
        out.append(PlannedMilestone(m.id, m.name, when, derived))
    return tuple(out)
