"""(deal, catalog, seller) -> Quote. Pure: no I/O, no templates, Decimal only.

Calculation model (EN 16931, first pass)
----------------------------------------
* Line list amount = quantity x (price / price base quantity); graduated tiers
  price each band at its own rate, volume tiers price all units at the rate
  of the band reached; a package costs its price per package; a rate card
  uses the role's rate.
* Line net amount = list amount - discount, rounded once to the currency's
  minor unit (see :mod:`proposals.money`). Recurring items are priced per
  period (rounded), then multiplied by the number of periods in the term, so
  the period amount x periods is exactly the line amount.
* Optional and alternative lines are priced but stay out of every total.
* Document allowances/charges in percent take the line net total as base.
* VAT per category and rate on the sum of its taxable amounts (default), or
  per line and summed, as the seller profile says. Reverse-charge deals move
  standard-rated lines to the seller's AE category.
* The payment schedule splits the one-off net amount; the last instalment
  takes the rounding remainder so the instalments sum exactly.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Iterable

from .errors import InvariantViolation
from .model import Deal, DealItem, SellerProfile, Service, TaxCategory
from .money import percent_of, round_money
from .quote import (
    DocumentAllowanceCharge,
    Finding,
    Instalment,
    Quote,
    QuoteLine,
    Totals,
    TierStep,
    VatBreakdown,
)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def price(deal: Deal, services: dict[str, Service], seller: SellerProfile) -> Quote:
    """Price a validated deal (cross-checks passed) and check the invariants."""
    currency = deal.currency or seller.default_currency
    ordered = _ordered(deal.items, services)
    lines = tuple(_line(i, n, item, services[item.sku], deal, seller, currency) for n, (i, item) in enumerate(ordered, 1))
    firm = [line for line in lines if line.kind == "firm"]
    line_net_total = sum((line.net_amount for line in firm), ZERO)
    doc_acs = tuple(_allowance_charge(ac, line_net_total, deal, seller, currency) for ac in deal.allowances_charges)
    vat = _vat_breakdown(firm, doc_acs, seller, currency)
    allowance_total = sum((a.amount for a in doc_acs if a.kind == "allowance"), ZERO)
    charge_total = sum((a.amount for a in doc_acs if a.kind == "charge"), ZERO)
    tax_exclusive = line_net_total - allowance_total + charge_total
    tax_total = sum((v.tax_amount for v in vat), ZERO)
    recurring_net = sum((line.net_amount for line in firm if line.recurring), ZERO)
    one_off_net = tax_exclusive - recurring_net
    totals = Totals(
        line_net_total=line_net_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive_total=tax_exclusive,
        tax_total=tax_total,
        tax_inclusive_total=tax_exclusive + tax_total,
        prepaid=ZERO,
        payable=tax_exclusive + tax_total,
    )
    payment_days = deal.terms.payment.days if deal.terms.payment.days is not None else seller.default_terms.payment_days
    early = deal.terms.payment.early_payment or seller.default_terms.early_payment
    quote = Quote(
        offer_number=deal.offer_number,
        revision=deal.revision,
        currency=currency,
        locale=deal.locale or seller.default_locale,
        date=deal.date,
        valid_until=deal.valid_until or deal.date + timedelta(days=seller.default_terms.validity_days),
        lines=lines,
        allowances_charges=doc_acs,
        vat_breakdown=vat,
        totals=totals,
        one_off_net=one_off_net,
        recurring_net=recurring_net,
        schedule=_schedule(deal, one_off_net, payment_days, currency),
        payment_days=payment_days,
        early_payment_percent=early.percent if early else None,
        early_payment_days=early.days if early else None,
        margin_percent=_margin(firm, tax_exclusive),
        findings=tuple(_findings(deal, lines, seller)),
    )
    check_invariants(quote)
    return quote


def _ordered(items: Iterable[DealItem], services: dict[str, Service]) -> list[tuple[int, DealItem]]:
    """Firm lines grouped by catalog category (in order of first appearance), then extras.

    Positions are numbered in this order, so the grouped price table counts 1, 2, 3.
    """
    indexed = list(enumerate(items))
    first_seen: dict[str, int] = {}
    for i, item in indexed:
        first_seen.setdefault(services[item.sku].category, i)
    firm = sorted((p for p in indexed if not _extra(p[1])), key=lambda p: (first_seen[services[p[1].sku].category], p[0]))
    return firm + [p for p in indexed if _extra(p[1])]


def _extra(item: DealItem) -> bool:
    return item.optional or item.alternative_to is not None


def _tax_category(service_category: str, deal: Deal, seller: SellerProfile) -> TaxCategory:
    category = seller.tax_category(service_category)
    assert category is not None  # cross-checks guarantee it
    if deal.reverse_charge and category.code == "S":
        return next(t for t in seller.tax_categories if t.code == "AE")
    return category


def _line(index: int, position: int, item: DealItem, service: Service, deal: Deal, seller: SellerProfile, currency: str) -> QuoteLine:
    unit_price, tiers, list_per_period, cost = _list_price(item, service)
    discount = percent_of(list_per_period, item.discount_percent)
    period_net = round_money(list_per_period - discount, currency)
    periods = _periods(item, service)
    tax = _tax_category(service.tax_category, deal, seller)
    kind = "optional" if item.optional else "alternative" if item.alternative_to else "firm"
    recurring = service.billing != "once"
    role_name = next((r.name for r in service.rates if r.role == item.role), None)
    return QuoteLine(
        position=position,
        sku=service.sku,
        name=service.name if role_name is None else f"{service.name}: {role_name}",
        description=item.description or service.description,
        category=service.category,
        unit=service.unit,
        quantity=item.quantity,
        unit_price=unit_price,
        price_base_quantity=service.price_base_quantity,
        list_amount=round_money(list_per_period * periods, currency),
        discount_percent=item.discount_percent,
        discount_amount=round_money(list_per_period * periods, currency) - period_net * periods,
        net_amount=period_net * periods,
        tax_category=tax.id,
        tax_code=tax.code,
        tax_rate=tax.rate,
        kind=kind,
        role=item.role,
        billing=service.billing,
        periods=periods,
        term_months=(item.months or service.minimum_term_months or 12) if recurring else None,
        period_amount=period_net if recurring else None,
        first_year_amount=period_net * min(periods, 12 if service.billing == "monthly" else 1) if recurring else None,
        tiers=tuple(TierStep(q, p, round_money(a, currency)) for q, p, a in tiers),
        alternative_to=item.alternative_to,
        notes=item.notes,
        cost=None if cost is None else cost * periods,
        source_index=index,
        clauses=tuple(service.clauses),
    )


def _periods(item: DealItem, service: Service) -> int:
    if service.billing == "once":
        return 1
    months = item.months or service.minimum_term_months or 12
    # A yearly item is billed per started year: 18 months are two yearly periods.
    return months if service.billing == "monthly" else max(1, -(-months // 12))


def _list_price(item: DealItem, s: Service) -> tuple[Decimal, list, Decimal, Decimal | None]:
    """Unit price shown, tier steps, list amount per period (unrounded), cost per period."""
    per = s.price_base_quantity
    qty = item.quantity
    unit_cost = s.cost
    if s.pricing == "rate_card":
        rate = next(r for r in s.rates if r.role == item.role)
        unit_price, unit_cost = rate.price, rate.cost
        amount, steps = qty * unit_price / per, []
    elif s.pricing == "graduated":
        steps = _graduated(qty, s)
        amount = sum((a for _, _, a in steps), ZERO)
        unit_price = amount / qty * per
    elif s.pricing == "volume":
        tier = next(t for t in s.tiers if t.up_to is None or qty <= t.up_to)
        unit_price = tier.price
        amount = qty * unit_price / per
        steps = [(qty, unit_price, amount)]
    else:  # per_unit and package: a package is one unit of a fixed price
        unit_price = s.price or ZERO
        amount, steps = qty * unit_price / per, []
    cost = None if unit_cost is None else qty * unit_cost / per
    return unit_price, steps, amount, cost


def _graduated(qty: Decimal, s: Service) -> list[tuple[Decimal, Decimal, Decimal]]:
    steps, lower = [], ZERO
    for tier in s.tiers:
        upper = qty if tier.up_to is None else min(qty, tier.up_to)
        if upper <= lower:
            break
        band = upper - lower
        steps.append((band, tier.price, band * tier.price / s.price_base_quantity))
        lower = upper
    return steps


def _allowance_charge(ac, base: Decimal, deal: Deal, seller: SellerProfile, currency: str) -> DocumentAllowanceCharge:
    amount = round_money(percent_of(base, ac.percent) if ac.percent is not None else ac.amount, currency)
    tax = _tax_category(ac.tax_category, deal, seller)
    return DocumentAllowanceCharge(ac.kind, ac.reason, amount, ac.percent, base if ac.percent is not None else None, tax.id, tax.code, tax.rate)


def _vat_breakdown(firm: list[QuoteLine], acs: tuple[DocumentAllowanceCharge, ...], seller: SellerProfile, currency: str) -> tuple[VatBreakdown, ...]:
    taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    per_line_tax: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[tuple[str, Decimal], str | None] = {}
    entries = [(l.tax_code, l.tax_rate, l.tax_category, l.net_amount) for l in firm]
    entries += [(a.tax_code, a.tax_rate, a.tax_category, a.amount if a.kind == "charge" else -a.amount) for a in acs]
    for code, rate, category_id, amount in entries:
        key = (code, rate)
        taxable[key] += amount
        per_line_tax[key] += round_money(percent_of(amount, rate), currency)
        reasons.setdefault(key, seller.tax_category(category_id).exemption_reason)  # type: ignore[union-attr]
    per_line = seller.tax_rounding == "per_line"
    return tuple(
        VatBreakdown(code, rate, taxable[(code, rate)], per_line_tax[(code, rate)] if per_line else round_money(percent_of(taxable[(code, rate)], rate), currency), reasons[(code, rate)])
        for code, rate in sorted(taxable, key=lambda k: (k[0], -k[1]))
    )


def _schedule(deal: Deal, base: Decimal, payment_days: int, currency: str) -> tuple[Instalment, ...]:
    milestones = deal.terms.payment.milestones
    if not milestones or base <= 0:
        return ()
    amounts = [round_money(percent_of(base, m.percent), currency) for m in milestones]
    amounts[-1] = base - sum(amounts[:-1], ZERO)
    return tuple(
        Instalment(m.name, m.percent, amount, m.due + timedelta(days=payment_days) if m.due else None)
        for m, amount in zip(milestones, amounts)
    )


def _margin(firm: list[QuoteLine], net: Decimal) -> Decimal | None:
    if not firm or any(line.cost is None for line in firm) or net <= 0:
        return None
    cost = sum((line.cost for line in firm), ZERO)  # type: ignore[misc]
    return (net - cost) / net * HUNDRED


def _findings(deal: Deal, lines: tuple[QuoteLine, ...], seller: SellerProfile) -> Iterable[Finding]:
    floor = seller.guardrails.margin_floor_percent
    if floor is None:
        return
    for line in lines:
        if line.cost is None or line.net_amount <= 0:
            continue
        margin = (line.net_amount - line.cost) / line.net_amount * HUNDRED
        if margin < floor:
            yield Finding(
                "pricing.margin-below-floor",
                f"items[{line.source_index}]",
                f"margin {margin.quantize(Decimal('0.1'))} % on {line.sku} is below the floor of {floor} %",
            )


def check_invariants(quote: Quote) -> None:
    """Everything printed adds up; a violation is a bug in proposals, never user error."""
    t = quote.totals
    _expect(sum((l.net_amount for l in quote.firm_lines), ZERO) == t.line_net_total, "lines do not sum to the line net total")
    _expect(t.line_net_total - t.allowance_total + t.charge_total == t.tax_exclusive_total, "tax exclusive total")
    _expect(sum((v.taxable_amount for v in quote.vat_breakdown), ZERO) == t.tax_exclusive_total, "VAT taxable amounts")
    _expect(sum((v.tax_amount for v in quote.vat_breakdown), ZERO) == t.tax_total, "VAT breakdown does not sum to the tax total")
    _expect(t.tax_exclusive_total + t.tax_total == t.tax_inclusive_total, "tax inclusive total")
    _expect(t.tax_inclusive_total - t.prepaid == t.payable, "payable")
    if quote.schedule:
        _expect(sum((i.amount for i in quote.schedule), ZERO) == quote.one_off_net, "schedule does not sum to the one-off total")


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise InvariantViolation(f"pricing invariant violated: {what}")
