"""Offer lines, step by step, against amounts worked out by hand (issue #23: mutation testing).

Each docstring carries the arithmetic; expected values are literals, never the pricing code's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price

from .pricing_fixtures import catalog, deal, seller, service


def priced(items, services, seller_=None, **fields):
    return price(deal(items, **fields), catalog(*services), seller_ or seller())


def steps(line):
    return [(s.kind, s.label, s.amount) for s in line.waterfall]


def test_waterfall_discount_then_percentage_allowance_then_charge():
    """3 x 333.33 = 999.99; 12.5 % off: 999.99 x 0.875 = 874.99125 -> 874.99 (step -125.00); 2 % allowance
    of 874.99 = 17.4998 -> 17.50; fixed charge 10.004 -> 10.00; net 874.99 - 17.50 + 10.00 = 867.49.
    Kills: the allowance on the list amount, allowance and charge signs, the discount rounded separately."""
    q = priced([{"sku": "A", "quantity": "3", "discount_percent": "12.5",
                 "allowances_charges": [{"kind": "allowance", "reason": "Loyalty", "percent": D(2)}, {"kind": "charge", "reason": "Travel", "amount": D("10.004")}]}],
               [service("A", "333.33")])
    line = q.lines[0]
    assert steps(line) == [("list", "list price", D("999.99")), ("discount", "discount 12.5 %", D("-125.00")),
                           ("allowance", "Loyalty", D("-17.50")), ("charge", "Travel", D("10.00"))]
    assert (line.list_amount, line.discount_amount, line.net_amount) == (D("999.99"), D("125.00"), D("867.49"))
    assert [(a.kind, a.amount, a.percent) for a in line.adjustments] == [("allowance", D("17.50"), D(2)), ("charge", D("10.00"), None)]


def test_no_discount_step_without_a_discount_and_the_allowance_limit():
    """100.00 with a 100.00 allowance is 0 (allowed); 100.01 takes the line to -0.01 (refused).
    Kills: `if item.discount_percent` inverted, `net < 0` -> `<= 0`."""
    q = priced([{"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "allowance", "reason": "r", "amount": D(100)}]},
                {"sku": "B", "quantity": "1"}], [service("A"), service("B")])
    assert steps(q.lines[0]) == [("list", "list price", D("100.00")), ("allowance", "r", D("-100.00"))]
    with pytest.raises(PricingIssue) as raised:
        priced([{"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "allowance", "reason": "r", "amount": D("100.01")}]}], [service("A")])
    assert (raised.value.field, str(raised.value)) == ("items[0].allowances_charges", "the allowances take the line below zero (-0.01); a credit must be marked credit: true")


def test_a_cap_limits_time_and_material_and_equal_is_not_capped():
    """12 days x 950.00 = 11,400.00 capped at 10,000.004 -> 10,000.00: step -1,400.00. A cap of 11,400
    leaves the line alone. Kills: `net > cap` -> `>=`, the cap unrounded, the step sign."""
    tm = service("TM", None, pricing="rate_card", rates=[{"role": "dev", "name": "Developer", "price": D(950), "cost": D(600)}])
    q = priced([{"sku": "TM", "quantity": "12", "role": "dev", "cap": "10000.004"}], [tm])
    assert steps(q.lines[0])[-1] == ("cap", "capped at 10000.00", D("-1400.00"))
    assert q.lines[0].net_amount == D("10000.00")
    assert q.lines[0].name == "Tm (Developer)" and q.lines[0].unit_price == D(950)
    assert q.lines[0].cost == D(7200)  # 12 x 600 from the role's cost
    q = priced([{"sku": "TM", "quantity": "12", "role": "dev", "cap": "11400"}], [tm])
    assert [s[0] for s in steps(q.lines[0])] == ["list"]


def test_graduated_tiers_price_each_band_and_volume_prices_all_units_at_the_band_reached():
    """Tiers up to 10 at 50, up to 25 at 40, then 30. Graduated 30 units: 10 x 50 + 15 x 40 + 5 x 30 =
    500 + 600 + 150 = 1,250.00, average 41.6667. Volume 25 units (the boundary): all at 40 = 1,000.00;
    26 units: all at 30 = 780.00. Graduated 10 units stops after the first band.
    Kills: `<=` -> `<` at the boundary, `min` -> `max`, the band from the wrong lower bound, the break."""
    tiers = [{"up_to": D(10), "price": D(50)}, {"up_to": D(25), "price": D(40)}, {"price": D(30)}]
    g = priced([{"sku": "G", "quantity": "30"}], [service("G", None, pricing="graduated", tiers=tiers)]).lines[0]
    assert [(t.quantity, t.unit_price, t.amount) for t in g.tiers] == [(D(10), D(50), D("500.00")), (D(15), D(40), D("600.00")), (D(5), D(30), D("150.00"))]
    assert (g.net_amount, g.unit_price) == (D("1250.00"), D("41.6667"))
    g10 = priced([{"sku": "G", "quantity": "10"}], [service("G", None, pricing="graduated", tiers=tiers)]).lines[0]
    assert [(t.quantity, t.amount) for t in g10.tiers] == [(D(10), D("500.00"))]
    v = lambda qty: priced([{"sku": "V", "quantity": qty}], [service("V", None, pricing="volume", tiers=tiers)]).lines[0]  # noqa: E731
    assert (v("25").net_amount, v("25").unit_price, v("26").net_amount, v("26").unit_price) == (D("1000.00"), D(40), D("780.00"), D(30))


def test_price_base_quantity_divides_price_and_cost():
    """250 units at 12.50 per 100 = 31.25; cost 5 per 100 -> 12.50. Kills: `/ per` -> `* per`."""
    line = priced([{"sku": "A", "quantity": "250"}], [service("A", "12.50", price_base_quantity=D(100), cost=D(5))]).lines[0]
    assert (line.net_amount, line.cost) == (D("31.25"), D("12.50"))


@pytest.mark.parametrize(
    ("billing", "months", "minimum", "periods", "term", "first_year"),
    [("monthly", 36, None, 36, 36, "1200.00"), ("monthly", None, None, 12, 12, "1200.00"), ("monthly", None, 24, 24, 24, "1200.00"),
     ("monthly", 6, None, 6, 6, "600.00"), ("yearly", 24, None, 2, 24, "100.00"), ("yearly", None, None, 1, 12, "100.00")],
    ids=["36 months", "default 12", "minimum term", "half a year", "two years", "yearly default"],
)
def test_recurring_periods_term_and_first_year(billing, months, minimum, periods, term, first_year):
    """A 100.00 item: monthly x months (default: the minimum term, else 12); yearly per started year.
    First year: 12 monthly periods at most, one yearly. Kills: the defaults, `min` -> `max`, 12 -> 13."""
    item = {"sku": "R", "quantity": "1", **({"months": months} if months else {})}
    svc = service("R", "100.00", billing=billing, **({"minimum_term_months": minimum} if minimum else {}))
    line = priced([item], [svc]).lines[0]
    assert (line.periods, line.term_months, line.period_amount, line.first_year_amount) == (periods, term, D("100.00"), D(first_year))
    assert line.net_amount == D(100) * periods
    if periods != 1:
        assert steps(line)[-1] == ("periods", f"x {periods} periods", D(100) * (periods - 1))
    else:
        assert [s[0] for s in steps(line)] == ["list"]


def test_a_credit_line_is_negated_everywhere():
    """A credit of 2 x 150.00 = 300.00 monthly over 3 months: -900.00, step -2 x 900 = -1,800 after the
    periods step (+600). Kills: the sign, -2 -> 2, credit cost not negated."""
    q = priced([{"sku": "A", "quantity": "10"}, {"sku": "C", "quantity": "2", "months": 3, "credit": True}],
               [service("A", "100.00"), service("C", "150.00", billing="monthly", cost=D(10))])
    line = q.lines[1]
    assert steps(line) == [("list", "list price", D("300.00")), ("periods", "x 3 periods", D("600.00")), ("credit", "credit", D("-1800.00"))]
    assert (line.list_amount, line.net_amount, line.period_amount, line.first_year_amount, line.cost) == (D("-900.00"), D("-900.00"), D("-300.00"), D("-900.00"), D("-60"))
    assert q.totals.line_net_total == D("100.00")


def test_lines_are_grouped_by_category_in_order_of_first_appearance_then_extras():
    """Items: B (cat y), O (optional, cat x), A (cat x), C (cat y). Firm order: B, C (y first seen at 0),
    A (x first seen at 1, by the optional item); then O. Kills: the category key, extras not last."""
    services = [service("A", category="x"), service("B", category="y"), service("C", category="y"), service("O", category="x")]
    q = priced([{"sku": "B", "quantity": "1"}, {"sku": "O", "quantity": "1", "optional": True}, {"sku": "A", "quantity": "1"}, {"sku": "C", "quantity": "1"}], services)
    assert [(l.position, l.sku, l.source_index, l.kind) for l in q.lines] == [(1, "B", 0, "firm"), (2, "C", 3, "firm"), (3, "A", 2, "firm"), (4, "O", 1, "optional")]


def test_deltas_of_optional_and_alternative_lines():
    """Firm monthly M 100.00 x 12 = 1,200.00; optional O 50.00 once: delta +50.00, no period delta.
    Alternative P to M, 130.00 x 12 = 1,560.00: delta +360.00, per period +30.00. Alternative Y to M,
    yearly 1,000.00 over 12 months: delta -200.00, no period delta (billing differs).
    Kills: the replaced lines not subtracted, the billing/periods comparison, period_delta's sign."""
    services = [service("M", "100.00", billing="monthly"), service("O", "50.00"), service("P", "130.00", billing="monthly"), service("Y", "1000.00", billing="yearly")]
    q = priced([{"sku": "M", "quantity": "1", "months": 12}, {"sku": "O", "quantity": "1", "optional": True},
                {"sku": "P", "quantity": "1", "months": 12, "alternative_to": "M"}, {"sku": "Y", "quantity": "1", "months": 12, "alternative_to": "M"}], services)
    assert [(l.sku, l.kind, l.delta, l.period_delta) for l in q.lines] == [
        ("M", "firm", None, None), ("O", "optional", D("50.00"), None), ("P", "alternative", D("360.00"), D("30.00")), ("Y", "alternative", D("-200.00"), None)]
    assert q.totals.line_net_total == D("1200.00")


def test_margin_validity_payment_days_and_early_payment_defaults():
    """Net 200.00, cost 2 x 60 = 120: margin 40 %. Valid until: 2026-11-20 + 30 days = 2026-12-20 (seller's
    default), payment days 30 unless the deal says 14; the seller's 2 % / 10 days unless the deal has its
    own. Kills: the defaults swapped, `net <= 0` -> `< 0`, any() -> all()."""
    s = seller(default_terms={"payment_days": 30, "validity_days": 30, "early_payment": {"percent": D(2), "days": 10}})
    q = priced([{"sku": "A", "quantity": "2"}], [service("A", "100.00", cost=D(60))], s)
    assert (q.margin_percent, q.valid_until, q.payment_days, q.early_payment_percent, q.early_payment_days) == (D(40), date(2026, 12, 20), 30, D(2), 10)
    q = priced([{"sku": "A", "quantity": "2"}, {"sku": "B", "quantity": "1"}], [service("A", "100.00", cost=D(60)), service("B", "1.00")], s,
               valid_until=date(2027, 1, 15), terms={"payment": {"days": 14, "early_payment": {"percent": D(3), "days": 7}}})
    assert (q.margin_percent, q.valid_until, q.payment_days, q.early_payment_percent, q.early_payment_days) == (None, date(2027, 1, 15), 14, D(3), 7)


def test_translations_fill_what_they_give_and_scope_follows_the_translated_description():
    """German deal: name and description from the translation; scope (not given, none in the catalog)
    follows the translated description; unit stays the catalog's. Kills: the scope fallback, the language
    taken from the wrong part of the locale."""
    svc = service("A", "10.00", description="Workshop day", translations={"de": {"name": "Workshoptag", "description": "Ein Tag vor Ort"}})
    line = priced([{"sku": "A", "quantity": "1"}], [svc], locale="de_DE").lines[0]
    assert (line.name, line.description, line.scope, line.unit) == ("Workshoptag", "Ein Tag vor Ort", "Ein Tag vor Ort", "piece")
    line = priced([{"sku": "A", "quantity": "1", "description": "Custom"}], [svc], locale="en_GB").lines[0]
    assert (line.name, line.description, line.scope) == ("A", "Custom", "Workshop day")
