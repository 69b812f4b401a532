"""What a priced line and quote carry beyond their amounts, and the price base of every pricing model
(issue #23: mutation testing). Documents print these fields, so a line that loses its unit plural, role,
cap or clauses is as wrong as a wrong amount. Amounts are worked out by hand in each docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from proposals.pricing.lines import price

from .pricing_fixtures import catalog, deal, seller, service


def priced(items, services, seller_=None, **fields):
    return price(deal(items, **fields), catalog(*services), seller_ or seller())


def test_a_line_carries_the_catalog_and_deal_fields_the_documents_print():
    """Guards against any of unit_plural, category, pricing, goods, role, cap, credit, notes, clauses
    being dropped or replaced by None while the amounts stay right."""
    tm = service("TM", None, pricing="rate_card", unit="day", unit_plural="days", category="Consulting", goods=True,
                 clauses=["nda", "sla"], rates=[{"role": "dev", "name": "Developer", "price": D(900)}])
    credit = service("CR", "50.00", category="Consulting")
    q = priced([{"sku": "TM", "quantity": "3", "role": "dev", "cap": "5000", "notes": "On site in Leipzig"},
                {"sku": "CR", "quantity": "1", "credit": True}], [tm, credit])
    line, credit_line = q.lines
    assert (line.unit, line.unit_plural, line.unit_label, line.category, line.pricing, line.goods) == ("day", "days", "days", "Consulting", "rate_card", True)
    assert (line.role, line.cap, line.credit, line.notes, line.clauses) == ("dev", D(5000), False, "On site in Leipzig", ("nda", "sla"))
    assert (credit_line.credit, credit_line.net_amount, credit_line.pricing, credit_line.goods, credit_line.clauses) == (True, D("-50.00"), "per_unit", False, ())
    assert line.net_amount == D("2700.00")  # 3 x 900.00, below the cap


def test_only_recurring_lines_have_a_term_a_period_amount_and_a_first_year():
    """Once: 100.00, no term. Monthly 10.00 over 24 months: term 24, period 10.00, first year 12 x 10 = 120.00,
    net 240.00. Yearly 500.00 over 36 months: 3 periods, first year 500.00, net 1,500.00.
    Guards against `billing != "once"` mutated (every line recurring) and the yearly period count."""
    q = priced([{"sku": "O", "quantity": "1"}, {"sku": "M", "quantity": "1", "months": 24}, {"sku": "Y", "quantity": "1", "months": 36}],
               [service("O", "100.00"), service("M", "10.00", billing="monthly"), service("Y", "500.00", billing="yearly")])
    rows = [(l.sku, l.recurring, l.periods, l.term_months, l.period_amount, l.first_year_amount, l.net_amount) for l in q.lines]
    assert rows == [("O", False, 1, None, None, None, D("100.00")),
                    ("M", True, 24, 24, D("10.00"), D("120.00"), D("240.00")),
                    ("Y", True, 3, 36, D("500.00"), D("500.00"), D("1500.00"))]
    assert (q.one_off_net, q.recurring_net) == (D("100.00"), D("1740.00"))


def test_a_discount_on_a_recurring_line_is_shown_over_the_whole_term():
    """25.00 a month, 10 % off, 12 months: list 300.00, discount 2.50 x 12 = 30.00, net 270.00.
    Guards against the discount amount divided instead of multiplied by the periods."""
    line = priced([{"sku": "M", "quantity": "1", "months": 12, "discount_percent": "10"}], [service("M", "25.00", billing="monthly")]).lines[0]
    assert (line.list_amount, line.discount_amount, line.net_amount) == (D("300.00"), D("30.00"), D("270.00"))


def test_the_price_base_quantity_applies_to_every_pricing_model():
    """Prices per 10 units.
    Rate card 90.00 per 10 hours, 25 hours: 25 x 90 / 10 = 225.00.
    Volume: 25 units reach the band up to 50 at 80.00 per 10: 25 x 80 / 10 = 200.00.
    Graduated: 10 at 100.00 per 10 = 100.00, 15 at 80.00 per 10 = 120.00, together 220.00; the average
    unit price per 10 units is 220 / 25 x 10 = 88.0000.
    Guards against `/ per` mutated to `* per` in each model and in the graduated average."""
    base = D(10)
    tiers = [{"up_to": D(10), "price": D(100)}, {"up_to": D(50), "price": D(80)}, {"price": D(60)}]
    services = [service("R", None, pricing="rate_card", price_base_quantity=base, rates=[{"role": "x", "name": "X", "price": D(90)}]),
                service("V", None, pricing="volume", price_base_quantity=base, tiers=tiers),
                service("G", None, pricing="graduated", price_base_quantity=base, tiers=tiers)]
    q = priced([{"sku": "R", "quantity": "25", "role": "x"}, {"sku": "V", "quantity": "25"}, {"sku": "G", "quantity": "25"}], services)
    rate, volume, graduated = q.lines
    assert (rate.net_amount, rate.unit_price) == (D("225.00"), D(90))
    assert (volume.net_amount, [(t.quantity, t.unit_price, t.amount) for t in volume.tiers]) == (D("200.00"), [(D(25), D(80), D("200.00"))])
    assert [(t.quantity, t.unit_price, t.amount) for t in graduated.tiers] == [(D(10), D(100), D("100.00")), (D(15), D(80), D("120.00"))]
    assert (graduated.net_amount, graduated.unit_price) == (D("220.00"), D("88.0000"))


def test_line_allowances_keep_their_reason():
    """100.00 with a 5 % "Early booking" allowance: 5.00. Guards against the reason dropped from the adjustment."""
    line = priced([{"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "allowance", "reason": "Early booking", "percent": D(5)}]}],
                  [service("A", "100.00")]).lines[0]
    assert [(a.kind, a.reason, a.amount, a.percent) for a in line.adjustments] == [("allowance", "Early booking", D("5.00"), D(5))]


def test_a_translated_scope_is_kept_beside_a_translated_description():
    """The German translation gives description and scope: the scope is its own, not the description.
    Guards against the "scope" key test in wording() mutated (the description would overwrite the scope)."""
    svc = service("A", "10.00", description="Workshop day", translations={"de": {"description": "Ein Tag vor Ort", "scope": "Der Auftragnehmer moderiert"}})
    line = priced([{"sku": "A", "quantity": "1"}], [svc], locale="de_DE").lines[0]
    assert (line.description, line.scope) == ("Ein Tag vor Ort", "Der Auftragnehmer moderiert")


def test_an_alternative_to_an_optional_item_replaces_nothing_firm():
    """Optional O 300.00; alternative P 450.00 to O. Nothing firm is replaced: P's delta is its own 450.00
    (O's is its own 300.00). Guards against the default of the replaced-lines lookup."""
    q = priced([{"sku": "A", "quantity": "1"}, {"sku": "O", "quantity": "1", "optional": True}, {"sku": "P", "quantity": "1", "alternative_to": "O"}],
               [service("A", "100.00"), service("O", "300.00"), service("P", "450.00")])
    assert [(l.sku, l.kind, l.delta) for l in q.lines] == [("A", "firm", None), ("O", "optional", D("300.00")), ("P", "alternative", D("450.00"))]
    assert q.totals.line_net_total == D("100.00")


def test_the_quote_carries_the_deal_identity_and_payment_terms():
    """Offer Q-7 revision 3, billed in arrears; the milestone due on 1 Dec 2026 with 14 days' terms falls
    due on 15 Dec 2026. Guards against offer_number, revision, recurring_billing or the payment days
    not reaching the quote and its schedule."""
    terms = {"payment": {"days": 14, "recurring_billing": "in_arrears", "milestones": [{"name": "Go-live", "percent": D(100), "due": date(2026, 12, 1)}]}}
    q = priced([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], offer_number="Q-7", revision=3, terms=terms)
    assert (q.offer_number, q.revision, q.recurring_billing, q.payment_days) == ("Q-7", 3, "in_arrears", 14)
    assert [(i.name, i.amount, i.due) for i in q.schedule] == [("Go-live", D("100.00"), date(2026, 12, 15))]


def test_the_quote_margin_needs_a_positive_net():
    """1.00 net, cost 0.50: (1.00 - 0.50) / 1.00 = 50 %. A free item (0.00, cost 0.00) has no margin, and
    pricing it does not divide by zero. Guards against `net <= 0` mutated to `< 0` or `<= 1`."""
    assert priced([{"sku": "A", "quantity": "1"}], [service("A", "1.00", cost=D("0.50"))]).margin_percent == D(50)
    assert priced([{"sku": "F", "quantity": "1"}], [service("F", "0.00", cost=D(0))]).margin_percent is None
