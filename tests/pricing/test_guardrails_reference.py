"""Guardrail findings, message by message, at their exact boundaries (issue #23: mutation testing).

Margins are worked out by hand in each docstring; the findings are compared whole (kind, field,
message, rule), so a changed limit, comparison or wording fails here."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from proposals.pricing.guardrails import approved, margin, unapproved
from proposals.pricing.lines import price
from proposals.pricing.quote import Finding

from .pricing_fixtures import catalog, deal, seller, service


def findings(items, services, guardrails=None, **fields):
    s = seller(guardrails=guardrails or {})
    return [(f.field, f.message, f.rule) for f in price(deal(items, **fields), catalog(*services), s).findings]


def test_discount_limits_from_the_service_win_over_the_sellers_and_equal_is_allowed():
    """10 % on a service capped at 10 % is fine; 10.5 % is not, and names the service rule. Without a
    service cap the seller's 12 % applies: 12 fine, 12.01 not. Kills: `>` -> `>=`, the rules swapped."""
    capped = service("A", "100.00", max_discount_percent=D(10))
    assert findings([{"sku": "A", "quantity": "1", "discount_percent": "10"}], [capped], {"max_discount_percent": D(12)}) == []
    assert findings([{"sku": "A", "quantity": "1", "discount_percent": "10.5"}], [capped], {"max_discount_percent": D(12)}) == [
        ("items[0].discount_percent", "discount 10.5 % above the limit of 10 % for A; needs approval", "services[A].max_discount_percent")]
    plain = service("B", "100.00")
    assert findings([{"sku": "B", "quantity": "1", "discount_percent": "12"}], [plain], {"max_discount_percent": D(12)}) == []
    assert findings([{"sku": "B", "quantity": "1", "discount_percent": "12.01"}], [plain], {"max_discount_percent": D(12)}) == [
        ("items[0].discount_percent", "discount 12.01 % above the limit of 12 % for B; needs approval", "guardrails.max_discount_percent")]


def test_margin_is_a_share_of_the_net_price():
    """(100 - 60) / 100 = 40 %; (80 - 60) / 80 = 25 %. Kills: divided by cost, the sign."""
    assert margin(D(100), D(60)) == D(40)
    assert margin(D(80), D(60)) == D(25)


def test_line_and_total_margins_below_the_floor_and_at_it():
    """Floor 40 %. Line A: 100 net, cost 60 -> 40.0 % (at the floor, no finding). Line B: 100 net, cost 70 ->
    30.0 %. Total: 200 net, cost 130 -> 35.0 %. Kills: `<` -> `<=`, the total skipped, costs not summed."""
    services = [service("A", "100.00", cost=D(60)), service("B", "100.00", cost=D(70))]
    assert findings([{"sku": "A", "quantity": "1"}], services, {"margin_floor_percent": D(40)}) == []
    assert findings([{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}], services, {"margin_floor_percent": D(40)}) == [
        ("items[1]", "margin 30.0 % on B is below the floor of 40 %", "guardrails.margin_floor_percent"),
        ("items", "total margin 35.0 % is below the floor of 40 %", "guardrails.margin_floor_percent")]


def test_no_total_margin_when_a_firm_line_has_no_cost_and_none_for_optional_lines():
    """A has no cost, B (30 %) does: B's line finding only, no total (its cost is unknown). An optional line
    C at 10 % margin gets its own line finding but does not enter the total, which is E's 50 % alone.
    Kills: all() -> any(), the firm filter dropped."""
    services = [service("A", "100.00"), service("B", "100.00", cost=D(70)), service("C", "100.00", cost=D(90)), service("E", "100.00", cost=D(50))]
    assert findings([{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}], services, {"margin_floor_percent": D(40)}) == [
        ("items[1]", "margin 30.0 % on B is below the floor of 40 %", "guardrails.margin_floor_percent")]
    assert findings([{"sku": "E", "quantity": "1"}, {"sku": "C", "quantity": "1", "optional": True}], services, {"margin_floor_percent": D(40)}) == [
        ("items[1]", "margin 10.0 % on C is below the floor of 40 %", "guardrails.margin_floor_percent")]


def test_margins_round_to_one_place_in_the_message():
    """(300 - 3 x 66.67) / 300 = 99.99 / 300 = 33.33 % -> 33.3. Kills: the quantum changed."""
    assert findings([{"sku": "A", "quantity": "3"}], [service("A", "100.00", cost=D("66.67"))], {"margin_floor_percent": D(40)})[0][1] == "margin 33.3 % on A is below the floor of 40 %"


def test_credit_rules_blocked_payment_days_and_prepayment():
    """Rating C: blocked, at most 14 days, 30 % prepayment. Terms 15 days, first instalment 20 %: three
    findings. 14 days and a first instalment of 30 %: only the block. Another rating: none.
    Kills: `>` -> `>=` on the days, `<` -> `<=` on the prepayment, the rating lookup."""
    rules = {"credit_rules": [{"rating": "C", "blocked": True, "max_payment_days": 14, "prepayment_percent": D(30)}]}
    items, services = [{"sku": "A", "quantity": "1"}], [service("A", "100.00")]
    customer = {"legal_name": "Kunde AG", "credit_rating": "C", "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}}
    def terms(days, first):
        return {"payment": {"days": days, "milestones": [{"name": "Signing", "percent": D(first)}, {"name": "End", "percent": D(100 - first)}]}}
    assert findings(items, services, rules, customer=customer, terms=terms(15, 20)) == [
        ("customer.credit_rating", "credit rating C: offers need approval", "guardrails.credit_rules[C]"),
        ("customer.credit_rating", "credit rating C allows at most net 14 days (terms give 15)", "guardrails.credit_rules[C]"),
        ("customer.credit_rating", "credit rating C requires 30 % prepayment (first instalment is 20 %)", "guardrails.credit_rules[C]")]
    assert [f[1] for f in findings(items, services, rules, customer=customer, terms=terms(14, 30))] == ["credit rating C: offers need approval"]
    assert findings(items, services, rules, customer={**customer, "credit_rating": "B"}, terms=terms(15, 20)) == []


def test_prepayment_without_milestones_counts_as_zero():
    """No instalments: the first is 0 %. Kills: the ZERO fallback replaced."""
    rules = {"credit_rules": [{"rating": "D", "prepayment_percent": D(50)}]}
    customer = {"legal_name": "Kunde AG", "credit_rating": "D", "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}}
    assert [f[1] for f in findings([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], rules, customer=customer)] == [
        "credit rating D requires 50 % prepayment (first instalment is 0 %)"]


def test_a_fixed_deposit_counts_as_its_share_of_the_one_off_total():
    """A first instalment given as an amount is its share of the one-off net: 4 x 100.00 = 400.00 one-off;
    a deposit of 100.00 is 25 %, below 30 %; 120.00 is 30 %, enough. (It used to count as 0 %.)"""
    rules = {"credit_rules": [{"rating": "C", "prepayment_percent": D(30)}]}
    items, services = [{"sku": "A", "quantity": "4"}], [service("A", "100.00")]
    customer = {"legal_name": "Kunde AG", "credit_rating": "C", "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}}
    def deposit(amount):
        return {"payment": {"milestones": [{"name": "Deposit", "amount": D(amount)}, {"name": "End", "percent": D(100)}]}}
    assert [f[1] for f in findings(items, services, rules, customer=customer, terms=deposit("100.00"))] == [
        "credit rating C requires 30 % prepayment (first instalment is 100.00 EUR, 25.0 %)"]
    assert findings(items, services, rules, customer=customer, terms=deposit("120.00")) == []


def test_approvals_match_rule_and_optionally_field():
    """An approval without field approves every finding of its rule; with a field only that one."""
    one = Finding("items[0].discount_percent", "m", "guardrails.max_discount_percent")
    two = Finding("items[1].discount_percent", "m", "guardrails.max_discount_percent")
    other = Finding("items", "m", "guardrails.margin_floor_percent")
    def with_approvals(*approvals):
        return deal([{"sku": "A", "quantity": "1"}], approvals=[{"by": "Chef", "on": date(2026, 11, 20), **a} for a in approvals])
    rule_wide = with_approvals({"rule": "guardrails.max_discount_percent"})
    assert (approved(rule_wide, one), approved(rule_wide, two), approved(rule_wide, other)) == (True, True, False)
    field_only = with_approvals({"rule": "guardrails.max_discount_percent", "field": "items[1].discount_percent"})
    assert (approved(field_only, one), approved(field_only, two)) == (False, True)
    priced_deal = deal([{"sku": "A", "quantity": "1", "discount_percent": "20"}, {"sku": "A", "quantity": "1", "discount_percent": "30"}],
                       approvals=[{"by": "Chef", "on": date(2026, 11, 20), "rule": "guardrails.max_discount_percent", "field": "items[1].discount_percent"}])
    q = price(priced_deal, catalog(service("A", "100.00")), seller(guardrails={"max_discount_percent": D(10)}))
    assert [f.field for f in q.findings] == ["items[0].discount_percent", "items[1].discount_percent"]
    assert [f.field for f in unapproved(priced_deal, q)] == ["items[0].discount_percent"]


def test_margins_need_a_positive_net_and_one_euro_is_positive():
    """Floor 20 %. A line of 1.00 with cost 0.90 has a margin of 10 %: below the floor, for the line and
    the total (both 1.00 net). A free line (0.00, cost 0.00) is skipped: no finding and no division by zero.
    Guards against `net_amount <= 0` mutated to `< 0` or `<= 1`, and `net > 0` to `>= 0` or `> 1`."""
    rules = {"margin_floor_percent": D(20)}
    assert findings([{"sku": "A", "quantity": "1"}], [service("A", "1.00", cost=D("0.90"))], rules) == [
        ("items[0]", "margin 10.0 % on A is below the floor of 20 %", "guardrails.margin_floor_percent"),
        ("items", "total margin 10.0 % is below the floor of 20 %", "guardrails.margin_floor_percent")]
    assert findings([{"sku": "F", "quantity": "1"}], [service("F", "0.00", cost=D(0))], rules) == []


def test_a_fixed_second_instalment_does_not_hide_the_first_percentage():
    """Rating C needs 30 % prepayment; the first instalment is 50 %, the second a fixed 10.00: no finding.
    A single instalment of 100 % is fine too. Guards against the first instalment looked up at index 1."""
    rules = {"credit_rules": [{"rating": "C", "prepayment_percent": D(30)}]}
    customer = {"legal_name": "Kunde AG", "credit_rating": "C", "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}}
    items, services = [{"sku": "A", "quantity": "1"}], [service("A", "100.00")]
    two = {"payment": {"milestones": [{"name": "Signing", "percent": D(50)}, {"name": "Travel", "amount": D(10)}]}}
    one = {"payment": {"milestones": [{"name": "Signing", "percent": D(100)}]}}
    assert findings(items, services, rules, customer=customer, terms=two) == []
    assert findings(items, services, rules, customer=customer, terms=one) == []
