"""What the offer costs year by year over its term: the one-off part and the recurring part.

Policy: contract year 1 carries the whole one-off net (``Quote.one_off_net``). The
recurring net (``Quote.recurring_net``, after document-level allowances and charges)
is spread over the contract years in proportion to each recurring firm line's net
amount per month of its term; each year is rounded to the cent and the last year
takes the rounding remainder, so the years add up to the quote's figures exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..money import round_money, total


@dataclass(frozen=True)
class TermYear:
    year: int  # 1 = the first contract year
    one_off: Decimal
    recurring: Decimal


def cost_by_year(quote) -> tuple[TermYear, ...]:
    """One row per contract year; empty when nothing recurs (a single one-off bar says nothing)."""
    recurring = [line for line in quote.firm_lines if line.recurring]
    if not recurring:
        return ()
    months = {id(line): line.term_months or 12 for line in recurring}
    years = max(-(-m // 12) for m in months.values())
    weights = [total((line.net_amount / months[id(line)]) * max(0, min(12, months[id(line)] - 12 * y)) for line in recurring) for y in range(years)]
    whole = total(weights)
    shares = [round_money(quote.recurring_net * w / whole, quote.currency) if whole else Decimal(0) for w in weights]
    shares[-1] = quote.recurring_net - total(shares[:-1])
    return tuple(TermYear(y + 1, quote.one_off_net if y == 0 else Decimal(0), shares[y]) for y in range(years))
