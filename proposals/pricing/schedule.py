"""The payment schedule of the one-off part.

Policy: fixed-amount instalments (deposits) are taken first; percentages
apply to what remains, so 30/40/30 with a 5,000 deposit splits the rest.
Each instalment is rounded to the currency's minor unit; the instalment
marked ``remainder`` (default: the last percentage instalment) takes the
rounding difference, so the instalments always sum exactly to the one-off
net total. Due date = milestone date + payment days; an instalment tied to a
delivery milestone (``milestone``) without a date of its own takes that
milestone's date, fixed or derived from the work packages. With an early-payment
discount each instalment also carries its discounted amount.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from ..input.model import Deal
from ..input.model.seller import EarlyPaymentDiscount
from ..money import percent_of, round_money, total
from .issues import PricingIssue
from .quote import Instalment


def payment_schedule(deal: Deal, base: Decimal, payment_days: int, early: EarlyPaymentDiscount | None, currency: str,
                     milestone_dates: dict[str, date | None] | None = None) -> tuple[Instalment, ...]:
    """The instalments; a milestone without ``due`` is planned at the date of the delivery milestone it names."""
    milestones = deal.terms.payment.milestones
    if not milestones:
        return ()
    if base < 0:
        raise PricingIssue("terms.payment.milestones", f"the one-off total is negative ({base}); there is nothing to split into instalments")
    fixed = total(round_money(m.amount, currency) for m in milestones if m.amount is not None)
    rest = base - fixed
    has_percent = any(m.percent is not None for m in milestones)
    if rest < 0 or (not has_percent and rest != 0):
        raise PricingIssue("terms.payment.milestones", f"fixed instalments add up to {fixed}, the one-off total is {base}")
    amounts = [round_money(m.amount, currency) if m.amount is not None else round_money(percent_of(rest, m.percent), currency) for m in milestones]
    absorber = _remainder_index(deal)
    dates = milestone_dates or {}
    # mutmut: "if m.milestone" -> "or True" is equivalent: dates are keyed by delivery milestone ids, which are required,
    # so without a milestone dates.get(None) is None and the planned date is m.due either way.
    planned = [m.due or dates.get(m.milestone) if m.milestone else m.due for m in milestones]
    amounts[absorber] += base - total(amounts)
    return tuple(
        Instalment(
            name=m.name,
            percent=m.percent,
            amount=amount,
            due=when + timedelta(days=payment_days) if when else None,
            early_payment_amount=amount - round_money(percent_of(amount, early.percent), currency) if early else None,
            remainder=i == absorber,
        )
        for i, (m, amount, when) in enumerate(zip(milestones, amounts, planned))
    )


def _remainder_index(deal: Deal) -> int:
    milestones = deal.terms.payment.milestones
    marked = [i for i, m in enumerate(milestones) if m.remainder]
    if marked:
        return marked[0]
    percents = [i for i, m in enumerate(milestones) if m.percent is not None]
    return percents[-1] if percents else len(milestones) - 1
