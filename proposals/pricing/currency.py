"""Prices in the offer's currency: the item's own, its price list for that currency, or converted.

Conversion policy
-----------------
- An item priced in the offer's currency is used as it is.
- Otherwise its price list for that currency (``price_lists``) supplies what it gives.
- What is left is converted at the exchange rate the deal states for the pair, else the seller
  profile's; the conversion happens on each unit price, tier rate and role rate, before anything is
  discounted, rounded or summed, and the converted price is rounded by the seller's declared policy
  (:func:`proposals.money.convert_price`).
- A cost is converted unrounded, so that the margin guardrails compare exactly as they would in the
  cost's own currency; without a rate for it, that item's margin is not checked.
- The offer records each rate it used and the lines priced by it; the cross-checks have already
  refused a missing rate, one dated after the offer and one older than the seller allows.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

from ..input.model import Deal, SellerProfile, Service
from ..input.model.currency import ExchangeRate
from ..money import CENT_CONTEXT_PRECISION, convert_price, round_money
from .issues import PricingIssue
from .quote import AccountingVat, Conversion, QuoteLine, Totals


def rate_for(source: str, target: str, deal: Deal, seller: SellerProfile) -> ExchangeRate | None:
    """The deal's rate for the pair (either way round), else the seller profile's."""
    return next((r for r in (*deal.exchange_rates, *seller.exchange_rates) if r.factor(source, target) is not None), None)


def _factor(rate: ExchangeRate, source: str, target: str) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = CENT_CONTEXT_PRECISION
        return rate.factor(source, target)  # type: ignore[return-value]


def in_currency(service: Service, currency: str, deal: Deal, seller: SellerProfile) -> tuple[Service, ExchangeRate | None, frozenset[str]]:
    """The service with every price in ``currency``, the rate for its pair (None: none stated), and what was
    converted: ``"price"``, ``"tiers"`` and ``"rate:ROLE"`` (empty: everything came from a price list)."""
    if service.currency == currency:
        return service, None, frozenset()
    own = service.price_lists.get(currency)
    rate = rate_for(service.currency, currency, deal, seller)
    factor = _factor(rate, service.currency, currency) if rate else None
    converted: set[str] = set()

    def price(what: str, listed: Decimal | None, base: Decimal | None) -> Decimal | None:
        if listed is not None or base is None:
            return listed
        converted.add(what)
        policy = seller.price_conversion
        return convert_price(base, factor, service.currency, currency, policy.rounding, policy.step)  # type: ignore[arg-type]

    def cost(listed: Decimal | None, base: Decimal | None) -> Decimal | None:
        return listed if listed is not None else base * factor if base is not None and factor is not None else None

    listed_tiers = own.tiers if own else []
    listed_rates = {r.role: r for r in own.rates} if own else {}
    tiers = [t.model_copy(update={"price": price("tiers", listed_tiers[i].price if listed_tiers else None, t.price)}) for i, t in enumerate(service.tiers)]
    rates = [r.model_copy(update={"price": price(f"rate:{r.role}", getattr(listed_rates.get(r.role), "price", None), r.price),
                                  "cost": cost(getattr(listed_rates.get(r.role), "cost", None), r.cost)}) for r in service.rates]
    update = {"currency": currency, "tiers": tiers, "rates": rates,
              "price": price("price", own.price if own else None, service.price), "cost": cost(own.cost if own else None, service.cost)}
    return service.model_copy(update=update), rate, frozenset(converted)


def line_converted(converted: frozenset[str], role: str | None) -> bool:
    """Whether a line's price was converted: its role's rate on a rate card, else the item's price or tiers."""
    return f"rate:{role}" in converted if role is not None else bool(converted & {"price", "tiers"})


def conversions(lines: list[QuoteLine], rates: dict[str, ExchangeRate], currency: str) -> tuple[Conversion, ...]:
    """Each rate used, once, with the positions it priced (in order of first use); ``rates`` by SKU."""
    used: dict[str, tuple[ExchangeRate, str, list[int]]] = {}  # by pair
    for line in lines:
        rate = rates.get(line.sku)
        if rate is not None and line.converted_from:
            used.setdefault(rate.pair, (rate, line.converted_from, []))[2].append(line.position)
    return tuple(Conversion(r.pair, r.rate, r.date, r.source, source, currency, tuple(sorted(p))) for r, source, p in used.values())


def accounting_vat(totals: Totals, currency: str, deal: Deal, seller: SellerProfile) -> AccountingVat | None:
    """The VAT total in the seller's VAT accounting currency (BT-111) where the offer is in another and has VAT."""
    accounting = seller.vat_accounting_currency
    if accounting is None or accounting == currency or not totals.tax_total:
        return None
    rate = rate_for(currency, accounting, deal, seller)
    if rate is None:
        raise PricingIssue("currency", f"the VAT total in {accounting}, the seller's VAT accounting currency (EN 16931 BT-111), needs an exchange rate "
                                       f"{accounting}/{currency} in the deal or seller profile")
    with localcontext() as ctx:
        ctx.prec = CENT_CONTEXT_PRECISION
        amount = round_money(totals.tax_total * _factor(rate, currency, accounting), accounting)
    return AccountingVat(accounting, amount, rate.pair, rate.rate, rate.date, rate.source)
