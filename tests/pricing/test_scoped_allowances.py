"""Scoped document percentages (issue #17 part 3) against figures worked out by hand.

A percentage limited by ``applies_to``, ``categories`` or ``skus`` (all given limits at once) is
taken of the net total of the firm lines in scope, rounded once, and split over the VAT and
one-off/recurring buckets of those lines by largest remainder. Expected values are literals.

The deal of most cases, in line order (grouped by category, Software first):
  1 LIC-CORE   Software,   one-off,  19 %: 1 x 1,000.00                    = 1,000.00
  2 SUB-CLOUD  Software,   monthly,  19 %: 100.00 x 12 months              = 1,200.00
  3 CONS-DAY   Consulting, one-off,  19 %: 2 x 1,200.00                    = 2,400.00
  line net total 4,600.00; one-off 3,400.00, recurring 1,200.00."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price
from proposals.pricing.quote import AllowanceScope

from .pricing_fixtures import catalog, deal, seller, service

SERVICES = [
    service("LIC-CORE", "1000.00", category="Software", translations={"de": {"category": "Programme"}}),
    service("SUB-CLOUD", "100.00", category="Software", billing="monthly", translations={"de": {"category": "Programme"}}),
    service("CONS-DAY", "1200.00", category="Consulting", translations={"de": {"category": "Beratung"}}),
    service("TRAIN-DAY", "900.00", category="Training"),
]
ITEMS = [{"sku": "LIC-CORE", "quantity": "1"}, {"sku": "SUB-CLOUD", "quantity": "1", "months": 12}, {"sku": "CONS-DAY", "quantity": "2"}]


def priced(percent, items=ITEMS, services=SERVICES, kind="allowance", **fields):
    scope = {k: fields.pop(k) for k in ("applies_to", "categories", "skus") if k in fields}
    ac = {"kind": kind, "reason": "Framework", "percent": D(percent), **scope}
    return price(deal(items, allowances_charges=[ac], **fields), catalog(*services), seller())


def parts(ac):
    return [(p.tax_rate, p.recurring, p.base, p.amount) for p in ac.parts]


def test_one_off_services_only():
    """3 % of the one-off lines 1,000.00 + 2,400.00 = 3,400.00 -> 102.00, all in the one-off 19 % part;
    the recurring 1,200.00 is untouched. Net 4,600.00 - 102.00 = 4,498.00; VAT 19 % = 854.62; one-off
    3,400.00 - 102.00 = 3,298.00. Guards against: the scope ignored (3 % of 4,600.00 = 138.00), the
    part test inverted (36.00 off the recurring part)."""
    q = priced("3", applies_to="one_off")
    ac = q.allowances_charges[0]
    assert (ac.amount, ac.base) == (D("102.00"), D("3400.00"))
    assert parts(ac) == [(D(19), False, D("1000.00") + D("2400.00"), D("102.00"))]
    assert ac.scope == AllowanceScope("one_off", (), (), (1, 3), ())
    assert (q.totals.tax_exclusive_total, q.totals.tax_total, q.one_off_net, q.recurring_net) == (D("4498.00"), D("854.62"), D("3298.00"), D("1200.00"))


def test_recurring_services_only():
    """10 % of the recurring 1,200.00 = 120.00, in the recurring part; one-off stays 3,400.00, recurring
    1,200.00 - 120.00 = 1,080.00. Guards against applies_to: recurring read as one-off or as everything."""
    q = priced("10", applies_to="recurring")
    ac = q.allowances_charges[0]
    assert (ac.amount, ac.base, parts(ac)) == (D("120.00"), D("1200.00"), [(D(19), True, D("1200.00"), D("120.00"))])
    assert ac.scope.positions == (2,)
    assert (q.one_off_net, q.recurring_net) == (D("3400.00"), D("1080.00"))


def test_a_catalog_category_matches_by_its_catalog_name_and_prints_its_translation():
    """5 % of Software: 1,000.00 (one-off) + 1,200.00 (recurring) = 2,200.00 -> 110.00, split 50.00
    one-off and 60.00 recurring (exact, no remainder). The German offer prints the category as its
    translation, Programme, while the deal names it Software. Guards against: matching the printed
    (translated) category, which would find no line and price 0.00; the category names not translated."""
    q = priced("5", categories=["Software"], locale="de_DE")
    ac = q.allowances_charges[0]
    assert (ac.amount, ac.base) == (D("110.00"), D("2200.00"))
    assert parts(ac) == [(D(19), False, D("1000.00"), D("50.00")), (D(19), True, D("1200.00"), D("60.00"))]
    assert ac.scope == AllowanceScope(None, ("Software",), (), (1, 2), ("Programme",))


def test_listed_skus_only():
    """10 % of CONS-DAY (position 3): 2,400.00 -> 240.00. Guards against the SKU limit ignored
    (460.00) or matched by category."""
    ac = priced("10", skus=["CONS-DAY"]).allowances_charges[0]
    assert (ac.amount, ac.base, ac.scope.positions, ac.scope.skus) == (D("240.00"), D("2400.00"), (3,), ("CONS-DAY",))


def test_limits_combine_by_intersection():
    """One-off AND Software: LIC-CORE only, 1,000.00 x 5 % = 50.00 (a union would be all three lines,
    230.00; Software alone 110.00; one-off alone 170.00). With skus: [CONS-DAY] added the intersection
    is empty, so the percentage is 0.00 and neither kept nor printed (the checks refuse such a deal
    first). Guards against: scopes joined by "or", a later limit replacing an earlier one."""
    ac = priced("5", applies_to="one_off", categories=["Software", "Consulting"], skus=["LIC-CORE", "SUB-CLOUD"]).allowances_charges[0]
    assert (ac.amount, ac.base, ac.scope.positions) == (D("50.00"), D("1000.00"), (1,))
    assert ac.scope.category_names == ("Software",)  # Consulting is named but no line of it is in the base
    assert priced("5", applies_to="one_off", categories=["Software"], skus=["CONS-DAY"]).allowances_charges == ()


def test_a_scoped_base_is_split_by_largest_remainder_over_two_rates_and_both_parts():
    """Scope Soft: A 0.70 (one-off, 19 %), B 0.30 (one-off, 7 %), C 0.04 x 6 months = 0.24 (recurring,
    19 %); out of scope X 5.00 (Other, one-off, 19 %). Base 1.24; 4.5 % = 0.0558 -> 0.06. Exact parts:
    A 0.0315 -> 0.03, B 0.0135 -> 0.01, C 0.0108 -> 0.01 = 0.05, one cent short: it goes to the largest
    remainder, B (0.0035 > 0.0015 > 0.0008) -> 0.02. VAT 19 %: 0.70 + 5.00 + 0.24 - 0.03 - 0.01 = 5.90
    -> 1.121 -> 1.12; 7 %: 0.30 - 0.02 = 0.28 -> 0.0196 -> 0.02. Net 6.24 - 0.06 = 6.18; recurring
    0.24 - 0.01 = 0.23, one-off 5.95. Unscoped it would be 4.5 % of 6.24 = 0.28. Guards against: the
    target taken of all lines (0.28), the buckets of all lines (X's 19 % one-off bucket in the split),
    the remainder cent given to the wrong bucket."""
    services = [service("A", "0.70", category="Soft"), service("B", "0.30", category="Soft", tax_category="reduced"),
                service("C", "0.04", category="Soft", billing="monthly"), service("X", "5.00", category="Other")]
    items = [{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}, {"sku": "C", "quantity": "1", "months": 6}, {"sku": "X", "quantity": "1"}]
    q = priced("4.5", items, services, categories=["Soft"])
    ac = q.allowances_charges[0]
    assert (ac.amount, ac.base) == (D("0.06"), D("1.24"))
    assert parts(ac) == [(D(19), False, D("0.70"), D("0.03")), (D(7), False, D("0.30"), D("0.02")), (D(19), True, D("0.24"), D("0.01"))]
    assert [(v.rate, v.taxable_amount, v.tax_amount) for v in q.vat_breakdown] == [(D(19), D("5.90"), D("1.12")), (D(7), D("0.28"), D("0.02"))]
    assert (q.totals.line_net_total, q.totals.tax_exclusive_total, q.totals.tax_total, q.one_off_net, q.recurring_net) == (
        D("6.24"), D("6.18"), D("1.14"), D("5.95"), D("0.23"))


def test_a_scoped_charge_adds_to_its_part_only():
    """A 2 % charge on recurring: 1,200.00 x 2 % = 24.00 added to the recurring part (1,224.00); the
    one-off part stays 3,400.00. Guards against the scope applied to allowances only."""
    q = priced("2", kind="charge", applies_to="recurring")
    assert (q.totals.charge_total, q.one_off_net, q.recurring_net) == (D("24.00"), D("3400.00"), D("1224.00"))


def test_a_scope_only_optional_lines_match_prices_as_nothing():
    """TRAIN-DAY is optional: a Training scope has no firm line, so its base is 0.00 and 10 % of it is
    0.00, which is neither kept nor printed; the totals are those of the deal without it (4,600.00).
    The checks refuse this deal before pricing (tests/input/test_allowance_scope_checks.py); this is
    what pricing does if asked anyway. Guards against optional lines counted into a scoped base."""
    q = priced("10", ITEMS + [{"sku": "TRAIN-DAY", "quantity": "1", "optional": True}], categories=["Training"])
    assert q.allowances_charges == ()
    assert (q.totals.allowance_total, q.totals.tax_exclusive_total) == (D("0.00"), D("4600.00"))


def test_an_unscoped_percentage_is_taken_of_every_line_and_has_no_scope():
    """3 % of 4,600.00 = 138.00, split 3 % of 3,400.00 = 102.00 one-off and 3 % of 1,200.00 = 36.00
    recurring; no scope, so documents and quote.json print it as before scopes existed. Guards against:
    applies_to's new empty default read as one_off for a percentage, a scope made for an unscoped one."""
    ac = priced("3").allowances_charges[0]
    assert (ac.amount, ac.base, ac.scope) == (D("138.00"), D("4600.00"), None)
    assert parts(ac) == [(D(19), False, D("3400.00"), D("102.00")), (D(19), True, D("1200.00"), D("36.00"))]


def test_a_fixed_amount_without_applies_to_still_reduces_the_one_off_part():
    """applies_to is now empty by default; for a fixed amount that still means one_off: 50.00 off
    3,400.00 = 3,350.00, recurring 1,200.00. Guards against the empty default moving it to recurring."""
    fixed = {"kind": "allowance", "reason": "Goodwill", "amount": D(50)}
    q = price(deal(ITEMS, allowances_charges=[fixed]), catalog(*SERVICES), seller())
    assert (q.one_off_net, q.recurring_net, q.allowances_charges[0].scope) == (D("3350.00"), D("1200.00"), None)


def test_a_scope_of_credit_lines_only_is_refused():
    """A credit of 1 x 500.00 (net -500.00) is the only line of SKU TRADE: 10 % of -500.00 would be an
    "allowance" of -50.00, a charge in disguise, printed as "less minus". Pricing refuses it, located at
    the entry. Guards against a negative scoped base priced silently."""
    services = SERVICES + [service("TRADE", "500.00", category="Credits")]
    with pytest.raises(PricingIssue) as raised:
        priced("10", ITEMS + [{"sku": "TRADE", "quantity": "1", "credit": True}], services, skus=["TRADE"])
    assert (raised.value.field, str(raised.value)) == (
        "allowances_charges[0]", "the firm lines in the percentage's scope add up to -500.00, below zero (credit lines); a percentage needs a base of more than zero")
