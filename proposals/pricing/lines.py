"""(deal, catalog, seller) -> Quote. Pure: no I/O, no templates, Decimal only.

Calculation model (EN 16931)
----------------------------
Per line and period, in this order (each step is kept in the line's waterfall):

1. list amount = quantity x (price / price base quantity); graduated tiers
   price each band at its own rate (each band rounded, the line their sum), volume tiers price all units at the rate
   of the band reached; a package costs its price per package; a rate card
   uses the role's rate. Rounded to the currency's minor unit.
2. the discount: list amount - round(list amount x (1 - discount %)), so the
   rounded steps add up exactly.
3. line allowances and charges (BG-27/28): fixed, or a percent of the amount
   after the discount, each rounded.
4. a time-and-material cap: the line is never more than its cap (a capped work package's cap is
   its fixed price through steps 1-3, see ``_package_cap``).
5. recurring items: the period amount x the periods of the term (a monthly
   item over 36 months: 36 periods; a yearly one: one per year, the term being whole years).
6. credit lines (explicitly marked) are negated.

Optional and alternative lines are priced but stay out of every total; each
carries its ``delta`` against the offer (an alternative: against the lines it
would replace). Document-level allowances and charges, VAT and totals are in
:mod:`proposals.pricing.taxes`, the payment schedule in :mod:`proposals.pricing.schedule`,
guardrails in :mod:`proposals.pricing.guardrails`. Every invariant is checked before
the Quote is returned.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Iterable

from .currency import accounting_vat, conversions, in_currency, line_converted
from .guardrails import findings
from ..input.model import Deal, DealItem, SellerProfile, Service
from ..money import percent_of, round_money, total
from .quote import LineAdjustment, PackageEstimate, Quote, QuoteLine, Step, TierStep
from .schedule import payment_schedule
from .issues import PricingIssue
from .taxes import document_allowances_charges, invariants, tax_category_for, totals_and_vat
from .work import estimate, milestones, package_of, planned, shown_effort

ZERO = Decimal(0)


def price(deal: Deal, services: dict[str, Service], seller: SellerProfile) -> Quote:
    """Price a validated deal (cross-checks passed); raise PricingIssue for unpriceable input."""
    currency = deal.currency or seller.default_currency
    local, rates, converted = {}, {}, {}
    lang = (deal.locale or seller.default_locale).split("_")[0]
    packages = {i: p for i, item in enumerate(deal.items) if (p := package_of(item, services[item.sku])) is not None}
    for sku in dict.fromkeys([item.sku for item in deal.items] + [p.rate_card for p in packages.values()]):
        local[sku], rates[sku], converted[sku] = in_currency(services[sku], currency, deal, seller)  # type: ignore[index]
    estimates = planned(deal, {i: (deal.items[i], estimate(deal.items[i], p, local[p.rate_card], currency, lang)) for i, p in packages.items()})  # type: ignore[index]
    ordered = _ordered(deal.items, local)
    lines = [_line(i, n, item, local[item.sku], deal, seller, currency, estimates.get(i)) for n, (i, item) in enumerate(ordered, 1)]
    for i, p in packages.items():  # a work package's prices are its rate card's: converted where the card's rates were
        rates[deal.items[i].sku] = rates[deal.items[i].sku] or rates[p.rate_card]  # type: ignore[index]
    origin = {i: (services[p.rate_card], converted[p.rate_card], tuple(r.role for r in estimates[i].roles)) for i, p in packages.items()}  # type: ignore[index]
    lines = _with_deltas([_marked(l, services, converted, origin) for l in lines])
    firm = [line for line in lines if line.kind == "firm"]
    acs = document_allowances_charges(deal, firm, seller, currency, services)
    totals, vat, one_off, recurring = totals_and_vat(deal, firm, acs, seller, currency)
    terms = deal.terms.payment
    payment_days = terms.days if terms.days is not None else seller.default_terms.payment_days
    early = terms.early_payment or seller.default_terms.early_payment
    planned_milestones = milestones(deal, {e.id: e for e in estimates.values() if e.id})
    quote = Quote(
        offer_number=deal.offer_number,
        revision=deal.revision,
        currency=currency,
        locale=deal.locale or seller.default_locale,
        date=deal.date,
        valid_until=deal.valid_until or deal.date + timedelta(days=seller.default_terms.validity_days),
        lines=tuple(lines),
        allowances_charges=acs,
        vat_breakdown=vat,
        totals=totals,
        one_off_net=one_off,
        recurring_net=recurring,
        schedule=payment_schedule(deal, one_off, payment_days, early, currency, {m.id: m.date for m in planned_milestones}),
        payment_days=payment_days,
        recurring_billing=terms.recurring_billing,
        early_payment_percent=early.percent if early else None,
        early_payment_days=early.days if early else None,
        margin_percent=_margin(firm, totals.tax_exclusive_total),
        findings=tuple(findings(deal, lines, local, seller, payment_days, one_off)),
        conversions=conversions(lines, rates, currency),
        accounting_vat=accounting_vat(totals, currency, deal, seller),
        milestones=planned_milestones,
    )
    invariants(quote)
    return quote


def _marked(line: QuoteLine, services: dict[str, Service], converted: dict, origin: dict) -> QuoteLine:
    """The line with ``converted_from`` where its prices were converted (a work package: any of its roles' rates)."""
    if line.source_index in origin:
        card, done, roles = origin[line.source_index]
        return replace(line, converted_from=card.currency) if any(f"rate:{r}" in done for r in roles) else line
    return replace(line, converted_from=services[line.sku].currency) if line_converted(converted[line.sku], line.role) else line


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


def _line(index: int, position: int, item: DealItem, service: Service, deal: Deal, seller: SellerProfile, currency: str,
          package: PackageEstimate | None = None) -> QuoteLine:
    if package is None:
        unit_price, tiers, list_amount, cost = list_price(item, service)
    else:  # a work package: its price per package, built up from the effort (pricing/work.py)
        unit_price, tiers, list_amount = package.price, [], item.quantity * package.price
        cost = None if package.cost is None else item.quantity * package.cost
    cap = item.cap if package is None or package.cap is None else _package_cap(index, item, package.cap, currency)
    steps, period_net, adjustments = _waterfall(index, item, list_amount, currency, cap)
    periods = _periods(item, service)
    recurring = service.billing != "once"
    sign = Decimal(-1) if item.credit else Decimal(1)
    if recurring and periods != 1:
        steps.append(Step("periods", f"x {periods} periods", period_net * (periods - 1)))
    if item.credit:
        steps.append(Step("credit", "credit", -2 * period_net * periods))
    tax = tax_category_for(service.tax_category, deal, seller)
    lang = (deal.locale or seller.default_locale).split("_")[0]
    text = wording(service, lang) if package is None else package_wording(service, item, lang)
    role_name = next((r.name for r in service.rates if r.role == item.role), None)
    list_rounded = round_money(list_amount, currency)
    return QuoteLine(
        position=position,
        sku=service.sku,
        name=text["name"] if role_name is None else f"{text['name']} ({role_name})",
        description=item.description or text["description"],
        scope=text["scope"],
        category=text["category"],
        unit=text["unit"],
        unit_plural=text["unit_plural"],
        pricing=service.pricing if package is None else "work_package",
        goods=service.goods,
        estimate=package,
        deliverables=package.deliverables if package else (),
        assumptions=package.assumptions if package else (),
        effort=shown_effort(item, package) if package else (),
        package_pricing=package.pricing if package else None,
        quantity=item.quantity,
        unit_price=unit_price,
        price_base_quantity=service.price_base_quantity,
        list_amount=sign * list_rounded * periods,
        discount_percent=item.discount_percent,
        discount_amount=sign * (list_rounded - round_money(list_amount - percent_of(list_amount, item.discount_percent), currency)) * periods,
        net_amount=sign * period_net * periods,
        tax_category=tax.id,
        tax_code=tax.code,
        tax_rate=tax.rate,
        kind="optional" if item.optional else "alternative" if item.alternative_to else "firm",
        role=item.role,
        billing=service.billing,
        periods=periods,
        term_months=(item.months or service.minimum_term_months or 12) if recurring else None,
        period_amount=sign * period_net if recurring else None,
        first_year_amount=sign * period_net * min(periods, 12 if service.billing == "monthly" else 1) if recurring else None,
        tiers=tuple(TierStep(q, p, round_money(a, currency)) for q, p, a in tiers),
        adjustments=adjustments,
        waterfall=tuple(steps),
        cap=cap,
        credit=item.credit,
        alternative_to=item.alternative_to,
        notes=item.notes,
        cost=None if cost is None else sign * cost * periods,
        source_index=index,
        clauses=tuple(service.clauses),
    )


def wording(service: Service, lang: str) -> dict[str, str | None]:
    """The service's texts in ``lang``: its translation where given, else the catalog's own."""
    own = {"name": service.name, "description": service.description, "scope": service.scope or service.description,
           "category": service.category, "unit": service.unit, "unit_plural": service.unit_plural}
    translated = service.translations.get(lang)
    if translated is None:
        return own
    given = {k: v for k, v in translated.model_dump().items() if v is not None}
    if "description" in given and "scope" not in given and service.scope is None:
        given["scope"] = given["description"]
    return {**own, **given}


PACKAGE_UNIT = {"de": ("Paket", "Pakete")}  # a package of its own on a rate card counts packages, not the card's days


def package_wording(service: Service, item: DealItem, lang: str) -> dict[str, str | None]:
    """A work-package line's texts: the package's name and description over the service's wording."""
    text = wording(service, lang)
    own = item.work_package
    if service.pricing == "rate_card":
        unit, plural = PACKAGE_UNIT.get(lang, ("package", "packages"))
        text = {**text, "unit": unit, "unit_plural": plural, "description": None}  # not the card's; scope follows below
    template = service.work_package
    name = (own.name if own is not None else None) or (template.name if template is not None else None)
    if name:
        text["name"] = name  # the deal's own, else the template's ("Name as printed"), else the service's
    if own is not None and own.description:
        text["description"] = text["scope"] = own.description
    elif text["description"] is None:  # always so on a rate card
        text["description"] = text["scope"] = template.description if template else None
    return text


def _waterfall(index: int, item: DealItem, list_amount: Decimal, currency: str, cap: Decimal | None) -> tuple[list[Step], Decimal, tuple[LineAdjustment, ...]]:
    """Steps 1-4 of the module policy for one period; returns steps, the period net and adjustments."""
    list_rounded = round_money(list_amount, currency)
    after_discount = round_money(list_amount - percent_of(list_amount, item.discount_percent), currency)
    steps = [Step("list", "list price", list_rounded)]
    if item.discount_percent:
        steps.append(Step("discount", f"discount {item.discount_percent} %", after_discount - list_rounded))
    adjustments = []
    net = after_discount
    for ac in item.allowances_charges:
        amount = round_money(percent_of(after_discount, ac.percent) if ac.percent is not None else ac.amount, currency)
        if not amount:
            continue  # EN 16931 allows 0.00; it changes nothing, so it is neither printed nor kept
        adjustments.append(LineAdjustment(ac.kind, ac.reason, amount, ac.percent))
        signed = -amount if ac.kind == "allowance" else amount
        steps.append(Step(ac.kind, ac.reason, signed))
        net += signed
    if net < 0:
        raise PricingIssue(f"items[{index}].allowances_charges", f"the allowances take the line below zero ({net}); a credit must be marked credit: true")
    if cap is not None and net > round_money(cap, currency):
        capped = round_money(cap, currency)
        steps.append(Step("cap", f"capped at {capped}", capped - net))
        net = capped
    return steps, net, tuple(adjustments)


def _package_cap(index: int, item: DealItem, per_package: Decimal, currency: str) -> Decimal:
    """A capped package's cap: what the line would be at the fixed price, after the same discount and
    line allowances and charges. The cap is the fixed price the package stands in for, so a discount
    granted on the line lowers it as it would lower that price (a cap at list would be above the
    discounted fixed price); a cap the deal states (``items[].cap``) is a figure agreed as such."""
    return _waterfall(index, item, item.quantity * per_package, currency, None)[1]


def _periods(item: DealItem, service: Service) -> int:
    months = item.months or service.minimum_term_months or 12
    if service.billing == "monthly":
        return months
    if service.billing == "yearly":
        return months // 12  # the cross-checks allow yearly terms in whole years only
    return 1


def list_price(item: DealItem, s: Service) -> tuple[Decimal, list, Decimal, Decimal | None]:
    """Unit price shown, tier steps, list amount per period (unrounded), cost per period."""
    per = s.price_base_quantity
    qty = item.quantity
    unit_cost = s.cost
    if s.pricing == "rate_card":
        rate = next(r for r in s.rates if r.role == item.role)
        unit_price, unit_cost = rate.price, rate.cost
        amount, steps = qty * unit_price / per, []
    elif s.pricing == "graduated":
        steps = graduated(qty, s)
        amount = total(a for _, _, a in steps)
        # Informational average; the tiers are what the amount is made of (and what is printed).
        unit_price = (amount / qty * per).quantize(Decimal("0.0001"))
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


def graduated(qty: Decimal, s: Service) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Each band priced at its own rate and rounded, as a sub-line of its own: [(units in band, band price, amount)].

    The line is the sum of the rounded bands, so the printed bands add up to the printed line."""
    steps, lower = [], ZERO
    for tier in s.tiers:
        upper = qty if tier.up_to is None else min(qty, tier.up_to)
        if upper <= lower:
            break
        band = upper - lower
        steps.append((band, tier.price, round_money(band * tier.price / s.price_base_quantity, s.currency)))
        lower = upper
    return steps


def _with_deltas(lines: list[QuoteLine]) -> list[QuoteLine]:
    """Optional lines add their amount; an alternative adds the difference to the lines it replaces."""
    firm = {}
    for line in lines:
        if line.kind == "firm":
            firm.setdefault(line.sku, []).append(line)
    out = []
    for line in lines:
        if line.kind == "firm":
            out.append(line)
            continue
        # An optional line has no alternative_to and replaces nothing; nor does an alternative to an optional item.
        replaced = firm.get(line.alternative_to, [])  # type: ignore[arg-type]
        delta = line.net_amount - total(r.net_amount for r in replaced)
        out.append(replace(line, delta=delta, period_delta=_period_delta(line, replaced)))
    return out


def _period_delta(line: QuoteLine, replaced: list[QuoteLine]) -> Decimal | None:
    """Per-period delta ("+ EUR 4,200.00 per year") where the lines share billing and term."""
    if not line.recurring or any(r.billing != line.billing or r.periods != line.periods for r in replaced):
        return None
    return line.period_amount - total(r.period_amount for r in replaced)  # type: ignore[operator]


def _margin(firm: list[QuoteLine], net: Decimal) -> Decimal | None:
    if not firm or any(line.cost is None for line in firm) or net <= 0:
        return None
    cost = total(line.cost for line in firm)  # type: ignore[misc]
    return (net - cost) / net * Decimal(100)
