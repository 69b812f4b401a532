"""The figures of the full proposal (a new task): its milestone timeline and its cost over the term.

The compact quote (a straight rebuy) and a modified rebuy get none; ``check`` renders
without figures, so only a build or preview of a new task imports matplotlib.
"""

from __future__ import annotations

from ..input.loading import Workspace
from ..money import format_money
from ..pricing.quote import Quote
from ..pricing.term_cost import cost_by_year


def _style(ws: Workspace) -> tuple[str, str]:
    branding = ws.seller.model.branding
    return branding.primary_color, branding.font


def _day(quote: Quote):
    from babel.dates import format_date

    return lambda day: format_date(day, format="medium", locale=quote.locale)


def timeline_chart(ws: Workspace, deal, quote: Quote, labels: dict[str, str]):
    """Delivery milestones (with their derived dates), review dates and the delivery period; None when there are none."""
    from ..writers.charts import timeline

    delivery = deal.terms.delivery
    milestones = [(f"{m.id} {m.name}", m.date) for m in quote.milestones if m.date is not None]
    reviews = [(labels["review_n"].format(n=i), d) for i, d in enumerate(deal.success_monitoring.reviews, 1)]
    if not milestones and not reviews:
        return None
    span = (labels["delivery_period"], delivery.start, delivery.end) if delivery.start and delivery.end else None
    day = _day(quote)
    items = "; ".join(f"{label} {day(d)}" for label, d in milestones + reviews)
    return timeline(milestones, reviews, span, *_style(ws), labels["alt_timeline"].format(items=items), day)


def offer_charts(ws: Workspace, deal, quote: Quote, labels: dict[str, str]) -> dict:
    """The full proposal's charts by name (``timeline``, ``cost``); empty for any other offer."""
    if deal.decision_situation != "new_task":
        return {}
    from ..writers.charts import cost_over_term

    charts = {}
    found = timeline_chart(ws, deal, quote, labels)
    if found is not None:
        charts["timeline"] = found
    years = cost_by_year(quote)
    if years:
        money = lambda amount: format_money(amount, quote.currency, quote.locale)  # noqa: E731
        rows = [(labels["year_n"].format(n=y.year), float(y.one_off), float(y.recurring), money(y.one_off + y.recurring)) for y in years]  # floats for drawing only
        alt = labels["alt_cost"].format(items="; ".join(f"{labels['year_n'].format(n=y.year)}: {money(y.one_off)} + {money(y.recurring)}" for y in years))
        charts["cost"] = cost_over_term(rows, {"one_off": labels["cost_one_off"], "recurring": labels["cost_recurring"]}, *_style(ws), alt)
    return charts
