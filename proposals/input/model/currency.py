"""Several currencies: price lists per currency, exchange rates, and how converted prices are rounded."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ...money import is_currency
from .common import Day, Identifier, Model, Number, Text, _visible

Amount = Annotated[Number, Field(ge=0)]


def _pair(value: str) -> str:
    _visible(value)
    match = re.fullmatch(r"([A-Z]{3})/([A-Z]{3})", value)
    if not match or not all(is_currency(c) for c in match.groups()):
        raise PydanticCustomError("pair", "write the pair as two ISO 4217 codes, e.g. EUR/CHF (1 EUR = rate CHF)", {})
    if match[1] == match[2]:
        raise PydanticCustomError("pair", "a rate needs two different currencies", {})
    return value


CurrencyPair = Annotated[str, AfterValidator(_pair)]


class ExchangeRate(Model):
    """An exchange rate as the finance team states it: ``pair: EUR/CHF``, ``rate: "0.9412"`` reads 1 EUR = 0.9412 CHF."""

    pair: CurrencyPair
    """Base and quote currency, e.g. ``EUR/CHF``; the rate converts either way (CHF to EUR divides by it)."""
    rate: Annotated[Number, Field(gt=0)]
    """Units of the second currency for one unit of the first, e.g. "0.9412"."""
    date: Day
    """The day the rate is from, e.g. 2026-11-30; printed in the offer."""
    source: Text
    """Where the rate comes from, as printed, e.g. "ECB euro foreign exchange reference rate"."""

    @property
    def currencies(self) -> tuple[str, str]:
        base, quote = self.pair.split("/")
        return base, quote

    @property
    def key(self) -> str:
        """The pair whichever way round it is written: EUR/CHF and CHF/EUR are one pair."""
        return "/".join(sorted(self.currencies))

    def factor(self, source: str, target: str) -> Decimal | None:
        """The multiplier from ``source`` to ``target`` money, or None when this rate is for another pair."""
        if (source, target) == self.currencies:
            return self.rate
        if (target, source) == self.currencies:
            return 1 / self.rate
        return None


class PriceConversion(Model):
    """How unit prices converted into another currency are rounded: a declared policy (EN 16931 has none)."""

    rounding: Literal["minor_unit", "increment", "ending"] = "minor_unit"
    """minor_unit: half up to the currency's minor unit, plus the places the list price has beyond its own currency's minor unit (a usage price of EUR 0.0000166667 keeps ten places; EUR 0.10 becomes whole yen); increment: half up to a multiple of ``step`` (e.g. 0.05, 1); ending: up to the next price ending in ``step`` (0.90: 1,149.37 becomes 1,149.90)."""
    step: Annotated[Number, Field(gt=0)] | None = None
    """The increment, or the price ending (below 1), for those roundings."""


class ListRate(Model):
    """A role's rate in another currency's price list."""

    role: Identifier
    """Role key of the item's rate card, e.g. ``senior``."""
    price: Amount
    """Rate per unit in this currency."""
    cost: Amount | None = None
    """Internal cost per unit in this currency, for margin guardrails."""


class ListTier(Model):
    """A price band in another currency's price list; the bands are the item's own."""

    up_to: Annotated[Number, Field(gt=0)] | None = None
    """Last quantity of this band, as in the item's tiers; empty on the last band."""
    price: Amount
    """Price per price-base quantity within this band, in this currency."""


class PriceList(Model):
    """The item's prices in one more currency; what it leaves out is converted from the item's own."""

    price: Amount | None = None
    """Price per price-base quantity (per_unit and package items)."""
    tiers: list[ListTier] = []
    """Bands of graduated and volume items, with the same up_to as the item's tiers."""
    rates: list[ListRate] = []
    """Role rates of rate_card items, for the same roles as the item's rates."""
    cost: Amount | None = None
    """Internal cost per price-base quantity in this currency; without it, the item's cost is converted."""
