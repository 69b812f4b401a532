"""Document allowances, VAT breakdown and totals against figures worked out by hand (issue #23).

Each case's arithmetic is in its docstring; the expected values are literals, never results of
the pricing code."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price
from proposals.pricing.taxes import cash_round

from .pricing_fixtures import SELLER, catalog, deal, seller, service

OUTSIDE = {"id": "outside", "code": "O", "rate": D(0), "exemption_reason": "Not subject to VAT"}


def priced(items, services, seller_=None, **fields):
    return price(deal(items, **fields), catalog(*services), seller_ or seller())


def vat_rows(quote):
    return [(v.category, v.rate, v.taxable_amount, v.tax_amount) for v in quote.vat_breakdown]


def totals(quote):
    t = quote.totals
    return (t.line_net_total, t.allowance_total, t.charge_total, t.tax_exclusive_total, t.tax_total, t.tax_inclusive_total, t.prepaid, t.rounding, t.payable)


def test_per_line_and_per_category_tax_rounding_differ_on_small_lines():
    """Three lines of 0.03 at 19 %: per category 0.09 x 19 % = 0.0171 -> 0.02; per line 0.0057 -> 0.01
    three times = 0.03. Kills: the per_line switch inverted, per-line tax not summed."""
    items = [{"sku": s, "quantity": "1"} for s in "ABC"]
    services = [service(s, "0.03") for s in "ABC"]
    assert vat_rows(priced(items, services)) == [("S", D(19), D("0.09"), D("0.02"))]
    assert vat_rows(priced(items, services, seller(tax_rounding="per_line"))) == [("S", D(19), D("0.09"), D("0.03"))]


def test_breakdown_lists_standard_rates_highest_first_then_other_codes():
    """200 at 19 % -> 38.00; 100 at 7 % -> 7.00. Order S 19, S 7. Kills: -rate -> rate, the S-first key."""
    q = priced([{"sku": "R", "quantity": "1"}, {"sku": "S", "quantity": "1"}],
               [service("R", "100.00", tax_category="reduced"), service("S", "200.00")])
    assert vat_rows(q) == [("S", D(19), D("200.00"), D("38.00")), ("S", D(7), D("100.00"), D("7.00"))]
    assert totals(q) == (D("300.00"), D("0.00"), D("0.00"), D("300.00"), D("45.00"), D("345.00"), D("0.00"), D("0.00"), D("345.00"))


def test_a_percentage_allowance_is_split_by_largest_remainder():
    """4.5 % of 1.00: target 0.045 -> 0.05. Parts: 0.70 x 4.5 % = 0.0315 -> 0.03, 0.30 x 4.5 % = 0.0135
    -> 0.01; they sum to 0.04, one cent short, and it goes to the larger remainder (0.0035 > 0.0015):
    the 7 % part, 0.02. VAT: 19 % of 0.67 = 0.1273 -> 0.13; 7 % of 0.28 = 0.0196 -> 0.02.
    Kills: the step sign, the sort by remainder reversed, the target from the rounded parts."""
    q = priced([{"sku": "S", "quantity": "1"}, {"sku": "R", "quantity": "1"}],
               [service("S", "0.70"), service("R", "0.30", tax_category="reduced")],
               allowances_charges=[{"kind": "allowance", "reason": "Framework", "percent": D("4.5")}])
    ac = q.allowances_charges[0]
    assert (ac.amount, ac.base, ac.percent) == (D("0.05"), D("1.00"), D("4.5"))
    assert [(p.tax_rate, p.base, p.amount) for p in ac.parts] == [(D(19), D("0.70"), D("0.03")), (D(7), D("0.30"), D("0.02"))]
    assert vat_rows(q) == [("S", D(19), D("0.67"), D("0.13")), ("S", D(7), D("0.28"), D("0.02"))]
    assert totals(q) == (D("1.00"), D("0.05"), D("0.00"), D("0.95"), D("0.15"), D("1.10"), D("0.00"), D("0.00"), D("1.10"))


def test_a_percentage_charge_with_one_cent_too_many_takes_it_back_from_the_smallest_remainder():
    """1.5 % of 1.00: target 0.015 -> 0.02. Parts 0.50 x 1.5 % = 0.0075 -> 0.01 twice = 0.02: equal, no
    correction. Then 2.5 % of 0.70 + 0.30: 0.0175 -> 0.02, 0.0075 -> 0.01, sum 0.03, target 0.025 -> 0.03.
    Then 3.5 %: 0.0245 -> 0.02, 0.0105 -> 0.01 = 0.03, target 0.035 -> 0.04: the cent goes to the larger
    remainder 0.0045 (19 %), so 0.03 + 0.01. Kills: `target > sum` -> `>=`, the loop's break dropped."""
    def parts(percent, a, b):
        q = priced([{"sku": "S", "quantity": "1"}, {"sku": "R", "quantity": "1"}],
                   [service("S", a), service("R", b, tax_category="reduced")],
                   allowances_charges=[{"kind": "charge", "reason": "Travel", "percent": D(percent)}])
        return [p.amount for p in q.allowances_charges[0].parts], q.totals.charge_total
    assert parts("1.5", "0.50", "0.50") == ([D("0.01"), D("0.01")], D("0.02"))
    assert parts("2.5", "0.70", "0.30") == ([D("0.02"), D("0.01")], D("0.03"))
    assert parts("3.5", "0.70", "0.30") == ([D("0.03"), D("0.01")], D("0.04"))


def test_a_fixed_amount_may_stand_in_a_category_no_line_has_but_not_below_zero():
    """EN 16931 BR-E-08, BR-Z-08 and siblings: a document charge of 5.00 recurring with no recurring line is
    the recurring part (5.00, its own share of the standard row: 100 + 5 = 105.00). An allowance of 5.00 in
    the reduced category, which no line has, would leave that category at -5.00: refused, naming it.
    Kills: the negative-base test dropped or inverted, the message's wording and field."""
    q = priced([{"sku": "S", "quantity": "1"}], [service("S", "100.00")],
               allowances_charges=[{"kind": "charge", "reason": "x", "amount": D(5), "applies_to": "recurring"}])
    assert (q.one_off_net, q.recurring_net, vat_rows(q)) == (D("100.00"), D("5.00"), [("S", D(19), D("105.00"), D("19.95"))])
    with pytest.raises(PricingIssue) as raised:
        priced([{"sku": "S", "quantity": "1"}], [service("S", "100.00")],
               allowances_charges=[{"kind": "charge", "reason": "c", "amount": D(1)}, {"kind": "allowance", "reason": "x", "amount": D(5), "tax_category": "reduced"}])
    assert (raised.value.field, str(raised.value)) == ("allowances_charges[1]", "the allowance takes the taxable amount of tax category reduced below zero (-5.00)")


def test_a_fixed_allowance_and_charge_move_the_totals():
    """100.00 - 10.004 (rounded 10.00) + 2.50 = 92.50 taxable at 19 % = 17.575 -> 17.58; 110.08.
    Kills: allowance and charge swapped in the exclusive total, the fixed amount not rounded."""
    q = priced([{"sku": "S", "quantity": "1"}], [service("S", "100.00")],
               allowances_charges=[{"kind": "allowance", "reason": "a", "amount": D("10.004")}, {"kind": "charge", "reason": "c", "amount": D("2.50")}])
    assert totals(q) == (D("100.00"), D("10.00"), D("2.50"), D("92.50"), D("17.58"), D("110.08"), D("0.00"), D("0.00"), D("110.08"))


def test_a_negative_net_total_and_overpayment_are_refused_at_their_edges():
    """An allowance of 100.01 on 100.00 leaves -0.01; an allowance of exactly 100.00 leaves 0 (allowed).
    Prepaid 119.01 on 119.00 is refused, 119.00 leaves 0.00 payable. Kills: `< 0` -> `<= 0`, `>` -> `>=`."""
    def with_allowance(amount):
        return priced([{"sku": "S", "quantity": "1"}], [service("S", "100.00")], allowances_charges=[{"kind": "allowance", "reason": "a", "amount": D(amount)}])
    with pytest.raises(PricingIssue) as raised:
        with_allowance("100.01")
    assert (raised.value.field, str(raised.value)) == ("allowances_charges", "the offer's net total would be negative (-0.01); credits and allowances exceed the order")
    assert totals(with_allowance("100.00"))[3:6] == (D("0.00"), D("0.00"), D("0.00"))
    def prepaid(amount):
        return priced([{"sku": "S", "quantity": "1"}], [service("S", "100.00")], terms={"payment": {"prepaid": D(amount)}})
    with pytest.raises(PricingIssue) as raised:
        prepaid("119.01")
    assert (raised.value.field, str(raised.value)) == ("terms.payment.prepaid", "more was paid (119.01) than the offer's total (119.00)")
    assert totals(prepaid("119.00"))[6:] == (D("119.00"), D("0.00"), D("0.00"))
    assert totals(prepaid("19.004"))[6:] == (D("19.00"), D("0.00"), D("100.00"))


@pytest.mark.parametrize(
    ("amount", "increment", "expected"),
    [("10.024", "0.05", "10.00"), ("10.025", "0.05", "10.05"), ("10.074", "0.05", "10.05"), ("10.5", "1", "11"), ("10.49", "1", "10"), ("10.024", None, "10.024")],
)
def test_cash_round_half_up_to_the_increment(amount, increment, expected):
    """10.025 / 0.05 = 200.5 -> 201 -> 10.05. Kills: HALF_UP -> HALF_EVEN (10.5 SEK would be 10), `/` -> `*`."""
    assert cash_round(D(amount), D(increment) if increment else None) == D(expected)


def test_chf_payable_rounds_to_five_rappen_and_shows_the_rounding():
    """CHF 100.06 at 19 %: tax 19.0114 -> 19.01, inclusive 119.07; to 0.05: 119.07 / 0.05 = 2381.4 ->
    2381 -> 119.05, rounding -0.02. A seller's own increment (0.10) wins: 1190.7 -> 1191 -> 119.10, +0.03.
    Kills: the default CHF increment, the seller's increment ignored, rounding = due - payable."""
    items, services = [{"sku": "S", "quantity": "1"}], [service("S", "100.06", currency="CHF")]
    assert totals(priced(items, services, currency="CHF"))[5:] == (D("119.07"), D("0.00"), D("-0.02"), D("119.05"))
    own = seller(payable_rounding={"CHF": D("0.10")})
    assert totals(priced(items, services, own, currency="CHF"))[5:] == (D("119.07"), D("0.00"), D("0.03"), D("119.10"))


def test_reverse_charge_and_outside_scope_move_standard_rated_lines_only():
    """Reverse charge: both S categories (19 %, 7 %) become AE at 0; outside scope: they become O.
    Kills: the `code == "S"` test, AE and O swapped, the target ignored."""
    items = [{"sku": "S", "quantity": "1"}, {"sku": "R", "quantity": "1"}]
    services = [service("S", "200.00"), service("R", "100.00", tax_category="reduced")]
    customer = {"legal_name": "Klant BV", "vat_id": "NL123456789B01", "address": {"street": "A 1", "postal_code": "1011", "city": "Amsterdam", "country": "NL"}}
    q = priced(items, services, reverse_charge=True, customer=customer)
    assert [(v.category, v.rate, v.taxable_amount, v.tax_amount, v.exemption_reason) for v in q.vat_breakdown] == [("AE", D(0), D("300.00"), D("0.00"), "Reverse charge")]
    with_outside = seller(tax_categories=[*SELLER["tax_categories"], OUTSIDE])
    q = priced(items, services, with_outside, outside_scope=True, customer={**customer, "address": {**customer["address"], "country": "CH"}})
    assert vat_rows(q) == [("O", D(0), D("300.00"), D("0.00"))]


def test_one_off_and_recurring_nets_carry_their_own_share_of_a_percentage_allowance():
    """One-off 1,000.00 and monthly 100.00 x 12 = 1,200.00; 10 % allowance: 100.00 one-off, 120.00
    recurring. One-off net 900.00, recurring net 1,080.00. Kills: the recurring share counted as one-off,
    _signed's sign."""
    q = priced([{"sku": "O", "quantity": "1"}, {"sku": "M", "quantity": "1", "months": 12}],
               [service("O", "1000.00"), service("M", "100.00", billing="monthly")],
               allowances_charges=[{"kind": "allowance", "reason": "a", "percent": D(10)}])
    assert [(p.recurring, p.amount) for p in q.allowances_charges[0].parts] == [(False, D("100.00")), (True, D("120.00"))]
    assert (q.one_off_net, q.recurring_net) == (D("900.00"), D("1080.00"))


def test_document_allowances_keep_reason_index_and_base():
    """One-off lines 100.00 and 50.00 and a monthly 10.00 x 12 = 120.00, all standard: a 10 % allowance
    "Framework" of 270.00 = 27.00 splits into a one-off part (base 100 + 50 = 150.00, 15.00) and a
    recurring one (120.00, 12.00); a fixed charge "Travel" of 30.00 has no base and is the second entry (index 1);
    a fixed recurring charge stands on the recurring part. Guards against the bucket sum replaced by the
    last line, the reason, the source index or the recurring flag dropped, and a base for a fixed amount."""
    q = priced([{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}, {"sku": "M", "quantity": "1", "months": 12}],
               [service("A", "100.00"), service("B", "50.00"), service("M", "10.00", billing="monthly")],
               allowances_charges=[{"kind": "allowance", "reason": "Framework", "percent": D(10)},
                                   {"kind": "charge", "reason": "Travel", "amount": D(30)},
                                   {"kind": "charge", "reason": "Hosting", "amount": D(6), "applies_to": "recurring"}])
    rows = [(a.kind, a.reason, a.source_index, a.base, a.amount, [(p.recurring, p.base, p.amount) for p in a.parts]) for a in q.allowances_charges]
    assert rows == [("allowance", "Framework", 0, D("270.00"), D("27.00"), [(False, D("150.00"), D("15.00")), (True, D("120.00"), D("12.00"))]),
                    ("charge", "Travel", 1, None, D("30.00"), [(False, None, D("30.00"))]),
                    ("charge", "Hosting", 2, None, D("6.00"), [(True, None, D("6.00"))])]
    # one-off 150 - 15 + 30 = 165.00; recurring 120 - 12 + 6 = 114.00; together 279.00
    assert (q.one_off_net, q.recurring_net, q.totals.tax_exclusive_total) == (D("165.00"), D("114.00"), D("279.00"))
