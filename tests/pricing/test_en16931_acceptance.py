"""Inputs EN 16931 allows and the engine once refused (issue #17, part 1), with figures from the standard's
rules and the public examples they come from; the arithmetic is in each docstring."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price

from .pricing_fixtures import SELLER, catalog, deal, seller, service

BELGIAN = seller(tax_categories=[
    {"id": "standard", "code": "S", "rate": D(21)},
    {"id": "exempt", "code": "E", "rate": D(0), "exemption_reason": "Exempt: cash discount neutralised"},
])


def vat_rows(quote):
    return [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in quote.vat_breakdown]


def totals(quote):
    t = quote.totals
    return (t.line_net_total, t.allowance_total, t.charge_total, t.tax_exclusive_total, t.tax_total, t.tax_inclusive_total, t.payable)


def test_a_charge_in_a_category_no_line_has_gets_its_own_vat_row():
    """The Belgian / Odoo "cash discount neutralised" pattern (EN 16931 BR-E-08: a document charge may be in
    category E with no E line): one line of 99.00 at 21 %, a 1.98 allowance at 21 % and a 1.98 charge in E.
    S: 99.00 - 1.98 = 97.02 taxable, 97.02 x 21 % = 20.3742 -> 20.37; E: 1.98 taxable, no tax.
    BT-109 = 99.00 - 1.98 + 1.98 = 99.00; BT-112 = 99.00 + 20.37 = 119.37."""
    q = price(deal([{"sku": "A", "quantity": "1"}], allowances_charges=[
        {"kind": "allowance", "reason": "Cash discount", "amount": D("1.98")},
        {"kind": "charge", "reason": "Cash discount neutralised", "amount": D("1.98"), "tax_category": "exempt"},
    ]), catalog(service("A", "99.00")), BELGIAN)
    assert vat_rows(q) == [("S", D(21), D("97.02"), D("20.37")), ("E", D(0), D("1.98"), D("0.00"))]
    assert totals(q) == (D("99.00"), D("1.98"), D("1.98"), D("99.00"), D("20.37"), D("119.37"), D("119.37"))
    assert q.vat_breakdown[1].exemption_reason == "Exempt: cash discount neutralised"


@pytest.mark.parametrize("where", ["document", "line"])
def test_an_allowance_or_charge_of_zero_changes_no_total(where):
    """EN 16931 allows BT-92 / BT-136 = 0.00 (and a percentage of 0). 2 x 150.00 = 300.00 net, 19 % = 57.00,
    357.00, as without them; they leave no trace to print."""
    items = [{"sku": "A", "quantity": "2"}]
    zero = [{"kind": "allowance", "reason": "Goodwill", "amount": D(0)}, {"kind": "charge", "reason": "Travel", "percent": D(0)}]
    if where == "line":
        items = [{**items[0], "allowances_charges": zero}]
        fields = {}
    else:
        fields = {"allowances_charges": zero}
    q = price(deal(items, **fields), catalog(service("A", "150.00")), seller())
    assert totals(q) == (D("300.00"), D("0.00"), D("0.00"), D("300.00"), D("57.00"), D("357.00"), D("357.00"))
    assert q.lines[0].net_amount == D("300.00")
    # Nothing to print: no adjustment, no waterfall step, no document allowance row.
    assert (q.lines[0].adjustments, [s.kind for s in q.lines[0].waterfall], q.allowances_charges) == ((), ["list"], ())


def test_a_percentage_allowance_does_not_need_a_category_named_standard():
    """The seller's only category is "full" (S 19 %): a 10 % allowance on 200.00 is 20.00 in it, whatever its
    tax_category says; 180.00 x 19 % = 34.20."""
    own = seller(tax_categories=[{"id": "full", "code": "S", "rate": D(19)}])
    q = price(deal([{"sku": "A", "quantity": "2"}], allowances_charges=[{"kind": "allowance", "reason": "Framework", "percent": D(10)}]),
              catalog(service("A", "100.00", tax_category="full")), own)
    assert vat_rows(q) == [("S", D(19), D("180.00"), D("34.20"))]
    assert [(p.tax_category, p.amount) for p in q.allowances_charges[0].parts] == [("full", D("20.00"))]


@pytest.mark.parametrize(("code", "rate", "net", "tax"), [
    ("L", "7", "1250.00", "87.50"),   # IGIC general rate, Canary Islands: 1,250.00 x 7 % = 87.50
    ("M", "4", "1250.00", "50.00"),   # IPSI (Ceuta, Melilla), 4 %: 1,250.00 x 4 % = 50.00
    ("B", "22", "1250.00", "275.00"),  # Italian split payment at the 22 % standard rate: 275.00
])
def test_split_payment_igic_and_ipsi_are_categories_with_their_own_rows(code, rate, net, tax):
    """UNTDID 5305 codes B, L and M; the breakdown row carries the code and rate the seller states."""
    own = seller(tax_categories=[*SELLER["tax_categories"], {"id": "local", "code": code, "rate": D(rate)}])
    q = price(deal([{"sku": "A", "quantity": "5"}]), catalog(service("A", "250.00", tax_category="local")), own)
    assert vat_rows(q) == [(code, D(rate), D(net), D(tax))]


def test_usage_prices_keep_their_ten_places_and_the_line_is_rounded_once():
    """The issue's reproduction: 278,362.5 kWh x 0.0111051596 = 3,091.25998915500 -> 3,091.26 (BT-131 rounded
    to the cent, the unit price BT-146 kept whole); 1,200,000 GB-s x 0.0000166667 = 20.00004 -> 20.00."""
    q = price(deal([{"sku": "KWH", "quantity": "278362.5"}, {"sku": "GBS", "quantity": "1200000"}]),
              catalog(service("KWH", "0.0111051596"), service("GBS", "0.0000166667")), seller())
    assert [(l.unit_price, l.net_amount) for l in q.lines] == [(D("0.0111051596"), D("3091.26")), (D("0.0000166667"), D("20.00"))]


def test_graduated_bands_are_rounded_one_by_one_so_they_add_up_to_the_line():
    """Bands of 0.0005 per unit: 10 units in the first band = 0.005 -> 0.01, 10 in the second at 0.0005 = 0.005
    -> 0.01; the line is 0.01 + 0.01 = 0.02 (rounding the unrounded 0.01 once would print 0.01 beside bands of
    0.01 + 0.01). A tier at 49.999: 10 x 49.999 = 499.99, 25 x 39.0001 = 975.0025 -> 975.00; line 1,474.99."""
    tiny = service("T", None, pricing="graduated", tiers=[{"up_to": D(10), "price": D("0.0005")}, {"price": D("0.0005")}])
    api = service("API", None, pricing="graduated", tiers=[{"up_to": D(10), "price": D("49.999")}, {"price": D("39.0001")}])
    q = price(deal([{"sku": "T", "quantity": "20"}, {"sku": "API", "quantity": "35"}]), catalog(tiny, api), seller())
    assert [[(t.quantity, t.unit_price, t.amount) for t in l.tiers] for l in q.lines] == [
        [(D(10), D("0.0005"), D("0.01")), (D(10), D("0.0005"), D("0.01"))],
        [(D(10), D("49.999"), D("499.99")), (D(25), D("39.0001"), D("975.00"))]]
    assert [l.net_amount for l in q.lines] == [D("0.02"), D("1474.99")]


def test_a_zero_amount_does_not_stop_the_amounts_after_it():
    """Line: 0.00 allowance, then 5 % of 300.00 = 15.00 -> 285.00; document: 0.00 charge, then 10.00 allowance
    -> 275.00. Kills: `continue` -> `break` after a zero amount (the later ones would vanish)."""
    items = [{"sku": "A", "quantity": "2", "allowances_charges": [{"kind": "allowance", "reason": "zero", "amount": D(0)},
                                                                   {"kind": "allowance", "reason": "five", "percent": D(5)}]}]
    q = price(deal(items, allowances_charges=[{"kind": "charge", "reason": "zero", "amount": D(0)}, {"kind": "allowance", "reason": "ten", "amount": D(10)}]),
              catalog(service("A", "150.00")), seller())
    assert [(a.reason, a.amount) for a in q.lines[0].adjustments] == [("five", D("15.00"))]
    assert [(a.reason, a.amount, a.source_index) for a in q.allowances_charges] == [("ten", D("10.00"), 1)]
    assert q.totals.tax_exclusive_total == D("275.00")


def test_the_allowance_that_breaks_a_part_is_named_not_a_charge_beside_it():
    """A 5.00 charge in "reduced" (no such line), then a 20.00 allowance in it: reduced is 5 - 20 = -15.00, and
    the allowance (entry 1) is named. A one-off allowance of 150.00 beside a 100.00 one-off line and 1,200.00
    recurring: the one-off part is -50.00. Kills: charges checked as allowances, the field or wording dropped."""
    services = [service("A", "100.00"), service("M", "100.00", billing="monthly")]
    with pytest.raises(PricingIssue) as raised:
        price(deal([{"sku": "A", "quantity": "1"}], allowances_charges=[{"kind": "charge", "reason": "c", "amount": D(5), "tax_category": "reduced"},
                                                                         {"kind": "allowance", "reason": "a", "amount": D(20), "tax_category": "reduced"}]),
              catalog(*services), seller())
    assert (raised.value.field, str(raised.value)) == ("allowances_charges[1]", "the allowance takes the taxable amount of tax category reduced below zero (-15.00)")
    with pytest.raises(PricingIssue) as raised:
        price(deal([{"sku": "A", "quantity": "1"}, {"sku": "M", "quantity": "1", "months": 12}], allowances_charges=[{"kind": "allowance", "reason": "a", "amount": D(150)}]),
              catalog(*services), seller())
    assert (raised.value.field, str(raised.value)) == ("allowances_charges[0]", "the allowance takes the one-off part of the offer below zero (-50.00)")
