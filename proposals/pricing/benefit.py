"""How a deal's KPIs stand at a success review, and what the improvement is worth.

Policy: the target is due at the deal's last review date (``success_monitoring.reviews``;
without review dates, at the review itself). A KPI is **met** when the measurement
reaches the target in the KPI's direction (lower is better when the target is below
the baseline); **on track** when the share of the way from baseline to target already
covered is at least the share of the time from the start of delivery (else the deal's
date) to the due date that has passed; else **behind**. The benefit is the improvement
over the baseline in the good direction (never negative) times ``value_per_unit`` (a
year's worth), in Decimal and rounded to the cent like every amount; it is set against
the contract's value, the quote's payable total.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from ..money import round_money

Status = str  # "met", "on_track", "behind", or "" for a KPI without numbers or measurement


@dataclass(frozen=True)
class KpiStanding:
    id: str
    name: str
    unit: str
    baseline: Decimal | None
    target: Decimal | None
    measured: Decimal | None
    status: Status
    progress: Decimal | None  # share of the way from baseline to target, 0..1 and beyond
    expected: Decimal | None  # share of the time to the due date that has passed
    benefit: Decimal | None  # per year, in the offer's currency
    history: tuple[tuple[datetime.date, Decimal], ...]  # every review's measurement up to this one


def standings(deal, reviews: list, currency: str) -> list[KpiStanding]:
    """Each KPI of ``deal`` at the last of ``reviews`` (Review models, oldest first)."""
    review = reviews[-1]
    start = deal.terms.delivery.start or deal.date
    due = deal.success_monitoring.reviews[-1] if deal.success_monitoring.reviews else review.date
    elapsed = _share(start, review.date, due)
    out = []
    for kpi in deal.success_monitoring.kpis:
        history = tuple((r.date, r.kpis[kpi.id]) for r in reviews if kpi.id and kpi.id in r.kpis)
        measured = review.kpis.get(kpi.id) if kpi.id else None
        out.append(_standing(kpi, measured, elapsed, history, currency))
    return out


def _standing(kpi, measured: Decimal | None, elapsed: Decimal, history, currency: str) -> KpiStanding:
    base, target = kpi.baseline_value, kpi.target_value
    progress = status = benefit = None
    if base is not None and target is not None and measured is not None:
        progress = (measured - base) / (target - base)
        status = "met" if progress >= 1 else "on_track" if progress >= elapsed else "behind"
        if kpi.value_per_unit is not None:
            gained = (measured - base) if target > base else (base - measured)
            benefit = round_money(max(gained, Decimal(0)) * kpi.value_per_unit, currency)
    return KpiStanding(kpi.id or "", kpi.name, kpi.unit or "", base, target, measured, status or "", progress, elapsed if progress is not None else None, benefit, history)


def _share(start: datetime.date, day: datetime.date, due: datetime.date) -> Decimal:
    if due <= start:
        return Decimal(1)
    return min(Decimal(1), max(Decimal(0), Decimal((day - start).days) / Decimal((due - start).days)))


@dataclass(frozen=True)
class MilestoneAdherence:
    id: str
    name: str
    planned: datetime.date | None
    actual: datetime.date | None
    days_late: int | None  # negative: early


def adherence(deal, reviews: list) -> list[MilestoneAdherence]:
    """Each delivery milestone's planned and (latest recorded) actual date."""
    actual: dict = {}
    for review in reviews:
        actual.update(review.milestones)
    out = []
    for m in deal.terms.delivery.milestones:
        got = actual.get(m.id)
        late = (got - m.date).days if got is not None and m.date is not None else None
        out.append(MilestoneAdherence(m.id, m.name, m.date, got, late))
    return out
