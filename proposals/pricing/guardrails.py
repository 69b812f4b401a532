"""Guardrails: internal findings for the seller (never printed in customer documents).

Each finding has one name, the rule it comes from (the setting in the catalog or the
seller profile): the warning shows it, and an approval names it to approve the finding:
``services[LIC-PLAT].max_discount_percent``, ``guardrails.max_discount_percent``,
``guardrails.margin_floor_percent``, ``guardrails.credit_rules[C]``,
``guardrails.min_buffer_percent``, ``guardrails.max_spread_percent``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Iterator

from ..input.model import Deal, SellerProfile, Service
from ..money import total
from .quote import Finding, Quote, QuoteLine

ZERO = Decimal(0)


def findings(deal: Deal, lines: Iterable[QuoteLine], services: dict[str, Service], seller: SellerProfile, payment_days: int) -> Iterator[Finding]:
    lines = list(lines)
    yield from _discounts(lines, services, seller)
    yield from _margins(lines, seller)
    yield from _packages(lines, seller)
    yield from _credit(deal, seller, payment_days)


def _discounts(lines: list[QuoteLine], services: dict[str, Service], seller: SellerProfile) -> Iterator[Finding]:
    for line in lines:
        own = services[line.sku].max_discount_percent
        limit = own if own is not None else seller.guardrails.max_discount_percent
        if line.discount_percent > limit:
            rule = f"services[{line.sku}].max_discount_percent" if own is not None else "guardrails.max_discount_percent"
            yield Finding(f"items[{line.source_index}].discount_percent",
                f"discount {line.discount_percent} % above the limit of {limit} % for {line.sku}; needs approval",
                rule,
            )


def margin(net: Decimal, cost: Decimal) -> Decimal:
    """Margin in percent of the net price."""
    return (net - cost) / net * Decimal(100)


def _margins(lines: list[QuoteLine], seller: SellerProfile) -> Iterator[Finding]:
    floor = seller.guardrails.margin_floor_percent
    if floor is None:
        return
    for line in lines:
        if line.cost is None or line.net_amount <= 0:
            continue
        value = margin(line.net_amount, line.cost)
        if value < floor:
            yield Finding(f"items[{line.source_index}]",
                f"margin {value.quantize(Decimal('0.1'))} % on {line.sku} is below the floor of {floor} %",
                "guardrails.margin_floor_percent",
            )
    firm = [l for l in lines if l.kind == "firm"]
    net = total(l.net_amount for l in firm)
    if firm and net > 0 and all(l.cost is not None for l in firm):
        overall = margin(net, total(l.cost for l in firm))  # type: ignore[misc]
        if overall < floor:
            yield Finding("items", f"total margin {overall.quantize(Decimal('0.1'))} % is below the floor of {floor} %", "guardrails.margin_floor_percent")


def _packages(lines: list[QuoteLine], seller: SellerProfile) -> Iterator[Finding]:
    """A work package's buffer below the seller's floor; a fixed price resting on too wide a spread."""
    floor, limit = seller.guardrails.min_buffer_percent, seller.guardrails.max_spread_percent
    for line in lines:
        est = line.estimate
        if est is None:
            continue
        where = f"items[{line.source_index}].work_package"
        if floor is not None and est.buffer_percent is not None and est.buffer_percent < floor:
            yield Finding(where, f"risk buffer {est.buffer_percent.quantize(Decimal('0.1'))} % on {line.name} "
                          f"is below the floor of {floor} %", "guardrails.min_buffer_percent")
        spread = est.spread_percent
        if limit is not None and est.pricing == "fixed" and spread is not None and spread > limit:
            yield Finding(where, f"the fixed price of {line.name} rests on an estimate with a spread of "
                          f"{spread.quantize(Decimal('0.1'))} %, wider than the limit of {limit} %", "guardrails.max_spread_percent")


def _credit(deal: Deal, seller: SellerProfile, payment_days: int) -> Iterator[Finding]:
    rating = deal.customer.credit_rating
    rule = next((r for r in seller.guardrails.credit_rules if r.rating == rating), None)
    if rule is None:
        return
    name = f"guardrails.credit_rules[{rating}]"
    field = "customer.credit_rating"
    if rule.blocked:
        yield Finding(field, f"credit rating {rating}: offers need approval", name)
    if rule.max_payment_days is not None and payment_days > rule.max_payment_days:
        yield Finding(field, f"credit rating {rating} allows at most net {rule.max_payment_days} days (terms give {payment_days})", name)
    if rule.prepayment_percent:
        milestones = deal.terms.payment.milestones
        first = milestones[0].percent if milestones and milestones[0].percent is not None else ZERO
        if first < rule.prepayment_percent:
            yield Finding(field, f"credit rating {rating} requires {rule.prepayment_percent} % prepayment (first instalment is {first} %)", name)


def approved(deal: Deal, finding: Finding) -> bool:
    return any(a.rule == finding.rule and (a.field is None or a.field == finding.field) for a in deal.approvals)


def unapproved(deal: Deal, quote: Quote) -> list[Finding]:
    return [f for f in quote.findings if not approved(deal, f)]
