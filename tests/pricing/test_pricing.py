"""Pricing rules, one test each, with hand-computed expectations; and the trackers' traps."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from proposals.money import Money, round_money, to_decimal, MoneyInputError
from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price

from .pricing_fixtures import SELLER, catalog, deal, seller, service

SELLER_TAX = SELLER["tax_categories"]


def priced(items, services, seller_=None, **deal_fields):
    return price(deal(items, **deal_fields), catalog(*services), seller_ or seller())


def test_round_half_up_on_a_tie_and_minor_units():
    assert round_money(D("0.005"), "EUR") == D("0.01")
    assert round_money(D("0.004999"), "EUR") == D("0.00")
    assert round_money(D("2.5"), "JPY") == D("3")
    assert round_money(D("1.2345"), "KWD") == D("1.235")


def test_money_refuses_floats_bools_and_mixed_currencies():
    with pytest.raises(MoneyInputError, match="quoted decimal"):
        to_decimal(0.1)
    with pytest.raises(MoneyInputError):
        to_decimal(True)
    assert to_decimal("0.10") == D("0.10")
    with pytest.raises(ValueError, match="cannot combine EUR and USD"):
        Money(D(1), "EUR") + Money(D(1), "USD")


def test_per_unit_line_and_price_base_quantity():
    q = priced([{"sku": "A", "quantity": "250"}], [service("A", "12.50", price_base_quantity=D(100))])
    line = q.lines[0]
    assert (line.unit_price, line.net_amount) == (D("12.50"), D("31.25"))
    assert q.totals.tax_total == D("5.94")  # 31.25 x 19 % = 5.9375


def test_three_equal_thirds_of_30000_add_up():
    q = priced(
        [{"sku": "P", "quantity": "1"}],
        [service("P", "30000.00", pricing="package")],
        terms={"payment": {"milestones": [{"name": f"Third {i}", "percent": D("33.333333")} for i in range(2)] + [{"name": "Third 3", "percent": D("33.333334")}]}},
    )
    amounts = [i.amount for i in q.schedule]
    # 33.333333 % of 30,000 = 9,999.9999 -> 10,000.00 twice; the last takes 30,000 - 20,000 = 10,000.00
    assert amounts == [D("10000.00"), D("10000.00"), D("10000.00")]


def test_thirds_with_rounding_remainder_on_the_last_instalment():
    q = priced(
        [{"sku": "P", "quantity": "1"}],
        [service("P", "100.00", pricing="package")],
        terms={"payment": {"milestones": [{"name": "A", "percent": D("33")}, {"name": "B", "percent": D("33")}, {"name": "C", "percent": D("34")}]}},
    )
    assert [i.amount for i in q.schedule] == [D("33.00"), D("33.00"), D("34.00")]  # 33 % and 34 % of 100.00
    q = priced(
        [{"sku": "P", "quantity": "1"}],
        [service("P", "100.01", pricing="package")],
        terms={"payment": {"milestones": [{"name": "A", "percent": D("50"), "remainder": True}, {"name": "B", "percent": D("50")}]}},
    )
    # 50 % of 100.01 = 50.005 rounds half up to 50.01; the marked first instalment takes the remainder.
    assert [i.amount for i in q.schedule] == [D("50.00"), D("50.01")]
    assert [i.remainder for i in q.schedule] == [True, False]


def test_deposit_first_then_percentages_of_the_rest_with_early_payment_amounts():
    q = priced(
        [{"sku": "P", "quantity": "1"}],
        [service("P", "10000.00", pricing="package")],
        terms={"payment": {"early_payment": {"percent": D("2"), "days": 10}, "milestones": [{"name": "Deposit", "amount": D("1000")}, {"name": "Delivery", "percent": D("50")}, {"name": "Acceptance", "percent": D("50")}]}},
    )
    assert [i.amount for i in q.schedule] == [D("1000.00"), D("4500.00"), D("4500.00")]
    assert [i.early_payment_amount for i in q.schedule] == [D("980.00"), D("4410.00"), D("4410.00")]


def test_fixed_instalments_that_do_not_match_the_total_are_a_pricing_issue():
    with pytest.raises(PricingIssue, match="fixed instalments add up to 500.00, the one-off total is 1000.00"):
        priced([{"sku": "P", "quantity": "1"}], [service("P", "1000.00", pricing="package")], terms={"payment": {"milestones": [{"name": "Deposit", "amount": D("500")}]}})


def test_monthly_licence_over_12_months():
    q = priced([{"sku": "L", "quantity": "1", "months": 12}], [service("L", "10.00", billing="monthly")])
    line = q.lines[0]
    assert (line.period_amount, line.periods, line.first_year_amount, line.net_amount) == (D("10.00"), 12, D("120.00"), D("120.00"))
    assert q.recurring_net == D("120.00") and q.one_off_net == D("0.00")


def test_yearly_item_is_priced_per_year():
    q = priced([{"sku": "Y", "quantity": "1", "months": 24}], [service("Y", "1200.00", billing="yearly")])
    assert (q.lines[0].periods, q.lines[0].net_amount, q.lines[0].first_year_amount) == (2, D("2400.00"), D("1200.00"))


def test_outside_scope_moves_standard_lines_to_o():
    s = seller(tax_categories=SELLER_TAX + [{"id": "outside", "code": "O", "rate": D("0"), "exemption_reason": "Not taxable in Germany"}])
    q = priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], s, outside_scope=True)
    assert [(v.category, v.tax_amount) for v in q.vat_breakdown] == [("O", D("0.00"))]


TIERS = [{"up_to": D(10), "price": D("10.00")}, {"up_to": D(20), "price": D("8.00")}, {"price": D("5.00")}]


@pytest.mark.parametrize(
    "model, quantity, expected",
    [
        ("graduated", "10", D("100.00")),  # boundary: all in the first band
        ("graduated", "11", D("108.00")),  # 10 x 10 + 1 x 8
        ("graduated", "25", D("205.00")),  # 100 + 80 + 25
        ("volume", "10", D("100.00")),  # boundary: rate of the first band
        ("volume", "11", D("88.00")),  # all 11 at 8
        ("volume", "25", D("125.00")),  # all at 5
    ],
)
def test_graduated_versus_volume_at_tier_boundaries(model, quantity, expected):
    q = priced([{"sku": "T", "quantity": quantity}], [service("T", None, pricing=model, tiers=TIERS)])
    assert q.lines[0].net_amount == expected
    assert sum(s.amount for s in q.lines[0].tiers) == expected


def test_jpy_has_no_minor_unit():
    q = priced([{"sku": "J", "quantity": "3"}], [service("J", "333", currency="JPY")], currency="JPY")
    assert q.lines[0].net_amount == D("999")
    assert q.totals.tax_total == D("190")  # 999 x 19 % = 189.81
    assert str(q.totals.payable) == "1189"


def test_rate_card_with_cap_and_waterfall():
    card = service("TM", None, pricing="rate_card", unit="day", rates=[{"role": "senior", "name": "Senior", "price": D("1350")}])
    q = priced([{"sku": "TM", "role": "senior", "quantity": "10", "discount_percent": "10", "cap": "12000"}], [card])
    line = q.lines[0]
    # 10 x 1,350 = 13,500; 10 % off = -1,350 -> 12,150; capped at 12,000: -150
    assert line.net_amount == D("12000.00")
    assert [(s.kind, s.amount) for s in line.waterfall] == [("list", D("13500.00")), ("discount", D("-1350.00")), ("cap", D("-150.00"))]


def test_line_allowance_and_charge_after_discount():
    q = priced(
        [{"sku": "A", "quantity": "10", "discount_percent": "10", "allowances_charges": [{"kind": "allowance", "reason": "Reuse", "percent": D("5")}, {"kind": "charge", "reason": "Rush", "amount": D("20")}]}],
        [service("A", "100.00")],
    )
    # 1000 - 100 = 900; - 45 (5 % of 900) + 20
    assert q.lines[0].net_amount == D("875.00")


def test_document_allowance_is_split_per_vat_rate_and_part():
    q = priced(
        [{"sku": "S", "quantity": "1"}, {"sku": "R", "quantity": "1"}, {"sku": "M", "quantity": "1", "months": 12}],
        [service("S", "1000.00"), service("R", "100.00", tax_category="reduced"), service("M", "10.00", billing="monthly")],
        allowances_charges=[{"kind": "allowance", "reason": "Framework", "percent": D("10")}],
    )
    ac = q.allowances_charges[0]
    # 10 % of 1,000 (19 %) = 100, of 100 (7 %) = 10, of 10 x 12 = 120 (19 %, recurring) = 12.
    # Taxable 19 %: 1,000 + 120 - 100 - 12 = 1,008 -> VAT 191.52; 7 %: 100 - 10 = 90 -> 6.30.
    # One-off 1,100 - 110 = 990; recurring 120 - 12 = 108.
    assert sorted((p.tax_rate, p.recurring, p.amount) for p in ac.parts) == [(D("7"), False, D("10.00")), (D("19"), False, D("100.00")), (D("19"), True, D("12.00"))]
    vat = {(v.category, v.rate): (v.taxable_amount, v.tax_amount) for v in q.vat_breakdown}
    assert vat == {("S", D("19")): (D("1008.00"), D("191.52")), ("S", D("7")): (D("90.00"), D("6.30"))}
    assert (q.one_off_net, q.recurring_net) == (D("990.00"), D("108.00"))


def test_per_line_tax_rounding_differs_from_per_category():
    items = [{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}]
    services = [service("A", "0.03"), service("B", "0.03")]
    assert priced(items, services).totals.tax_total == D("0.01")  # 0.06 x 19 % = 0.0114
    assert priced(items, services, seller(tax_rounding="per_line")).totals.tax_total == D("0.02")  # 0.0057 -> 0.01 twice


def test_reverse_charge_moves_standard_lines_to_ae():
    q = priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], reverse_charge=True)
    assert [(v.category, v.tax_amount, v.exemption_reason) for v in q.vat_breakdown] == [("AE", D("0.00"), "Reverse charge")]


def test_prepaid_and_chf_cash_rounding():
    q = priced([{"sku": "A", "quantity": "1"}], [service("A", "10.03", currency="CHF")], currency="CHF", terms={"payment": {"prepaid": D("1.00")}})
    t = q.totals  # 10.03 + 1.91 VAT = 11.94; - 1.00 prepaid = 10.94; CHF cash rounding to 0.05 -> 10.95
    assert (t.tax_inclusive_total, t.prepaid, t.rounding, t.payable) == (D("11.94"), D("1.00"), D("0.01"), D("10.95"))


def test_credit_line_is_negative_only_when_marked():
    q = priced([{"sku": "A", "quantity": "2"}, {"sku": "T", "quantity": "1", "credit": True}], [service("A", "100.00"), service("T", "50.00")])
    assert [l.net_amount for l in q.lines] == [D("200.00"), D("-50.00")]  # 2 x 100; one credit of 50, negated
    assert q.totals.line_net_total == D("150.00")


def test_optional_and_alternative_lines_stay_out_of_totals_with_deltas():
    q = priced(
        [{"sku": "G", "quantity": "1", "months": 12}, {"sku": "B", "quantity": "1", "months": 12, "alternative_to": "G"}, {"sku": "X", "quantity": "1", "optional": True}],
        [service("G", "300.00", billing="monthly"), service("B", "100.00", billing="monthly"), service("X", "4200.00", billing="yearly")],
    )
    # G: 300 x 12 = 3,600 (the only firm line); B replaces it: 100 x 12 - 3,600 = -2,400; X: one year, +4,200
    assert q.totals.line_net_total == D("3600.00")
    assert [(l.kind, l.delta) for l in q.lines] == [("firm", None), ("alternative", D("-2400.00")), ("optional", D("4200.00"))]


def test_guardrail_findings_name_their_rule():
    s = seller(guardrails={"max_discount_percent": D("10"), "margin_floor_percent": D("30"), "credit_rules": [{"rating": "C", "max_payment_days": 14}]})
    q = priced(
        [{"sku": "A", "quantity": "1", "discount_percent": "20"}, {"sku": "B", "quantity": "1", "discount_percent": "12"}],
        [service("A", "100.00", cost=D("60")), service("B", "100.00", max_discount_percent=D("15"))],
        s,
        customer={"legal_name": "K", "credit_rating": "C", "address": {"street": "A 1", "postal_code": "1", "city": "B", "country": "DE"}},
    )
    found = [(f.field, f.rule) for f in q.findings]
    assert found == [
        ("items[0].discount_percent", "guardrails.max_discount_percent"),
        ("items[0]", "guardrails.margin_floor_percent"),
        ("customer.credit_rating", "guardrails.credit_rules[C]"),
    ]
    assert q.findings[1].message == "margin 25.0 % on A is below the floor of 30 %"


def test_allowance_that_takes_a_line_below_zero_is_refused_unless_credit():
    with pytest.raises(PricingIssue, match=r"the allowances take the line below zero \(-400.00\); a credit must be marked credit: true"):
        priced([{"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "allowance", "reason": "x", "amount": D("500")}]}], [service("A", "100.00")])


def test_negative_offer_and_overpayment_are_refused():
    with pytest.raises(PricingIssue, match="net total would be negative"):
        priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], allowances_charges=[{"kind": "allowance", "reason": "x", "amount": D("150")}])
    with pytest.raises(PricingIssue, match=r"more was paid \(200.00\) than the offer's total \(119.00\)"):
        priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], terms={"payment": {"prepaid": D("200")}})


def test_fixed_allowance_cannot_take_its_part_below_zero():
    # 100.00 one-off, nothing recurring: a recurring allowance of 10.00 leaves the recurring part at -10.00.
    with pytest.raises(PricingIssue, match=r"the allowance takes the recurring part of the offer below zero \(-10.00\)"):
        priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], allowances_charges=[{"kind": "allowance", "reason": "x", "amount": D("10"), "applies_to": "recurring"}])


def test_percentage_allowance_is_exactly_the_percentage_of_the_printed_base():
    # Parts rounded one by one would give 0.17 + 0.17 = 0.34; 3.33 % of 10.00 is 0.333 -> 0.33.
    q = priced(
        [{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}],
        [service("A", "5.00"), service("B", "5.00", tax_category="reduced")],
        allowances_charges=[{"kind": "allowance", "reason": "x", "percent": D("3.33")}],
    )
    ac = q.allowances_charges[0]
    assert ac.amount == D("0.33") and sum(p.amount for p in ac.parts) == D("0.33")


def test_option_deltas_per_period_and_over_the_term():
    q = priced(
        [{"sku": "G", "quantity": "1", "months": 12}, {"sku": "X", "quantity": "1", "months": 12, "optional": True}],
        [service("G", "300.00", billing="monthly"), service("X", "350.00", billing="yearly")],
    )
    # X is yearly over 12 months: one period of 350, so +350 over the term and +350 per year
    assert (q.lines[1].delta, q.lines[1].period_delta) == (D("350.00"), D("350.00"))


def test_graduated_unit_price_is_an_informational_average():
    q = priced([{"sku": "T", "quantity": "15"}], [service("T", None, pricing="graduated", tiers=TIERS)])
    assert q.lines[0].net_amount == D("140.00")  # 10 x 10 + 5 x 8
    assert q.lines[0].unit_price == D("9.3333")  # 140 / 15 = 9.33333... to four places
