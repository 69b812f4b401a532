"""Exact messages of the cross-checks (issue #23): each case has one flaw and asserts every problem it yields."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from proposals.errors import Location
from proposals.input.checks import check_service
from proposals.input.checks_deal import deal_problems
from tests.pricing.pricing_fixtures import catalog, deal, seller, service

E = "input.cross-check"


@dataclass
class Stub:
    """Stands in for Loaded: where() names the path it was asked for."""

    model: Any

    def where(self, *path, key: bool = False) -> Location:
        return Location("/".join(str(p) for p in path), len(path))


def run(the_deal, the_seller=None, services=None) -> list[tuple]:
    found = deal_problems(Stub(the_deal), the_seller or seller(), services if services is not None else catalog(service("A")))
    return [(p.location.file, p.location.line, p.field, p.message, p.kind, p.severity) for p in found]


def err(path: str, field: str, message: str, kind: str = E) -> tuple:
    return (path, len(path.split("/")), field, message, kind, "error")


def warn(path: str, field: str, message: str, kind: str) -> tuple:
    return (path, len(path.split("/")), field, message, kind, "warning")


def test_clean_deal_has_no_problems():
    """Guards against mutants that make a check fire on a sound deal."""
    assert run(deal([{"sku": "A", "quantity": "1"}])) == []


D = dt.date(2026, 11, 20)
ONE = [{"sku": "A", "quantity": "1"}]
SVC_ROLE = service("R", None, pricing="rate_card", rates=[{"role": "dev", "name": "Dev", "price": Decimal(100)}, {"role": "ops", "name": "Ops", "price": Decimal(90)}])
SVC_WP = service("WP", None, pricing="work_package", unit="package", work_package={"rate_card": "R", "effort": [{"role": "dev", "effort": Decimal(1)}]})


def items_case(item: dict, svc, extra_items=(), **deal_fields):
    return lambda: run(deal([item, *extra_items], **deal_fields), None, catalog(*svc) if isinstance(svc, tuple) else catalog(svc))


ITEM_CASES = {
    # _currency
    "currency-not-offered": (lambda: run(deal(ONE, currency="USD")), [err("currency", "currency", "currency USD is not offered (the seller offers EUR, JPY, CHF, KWD, SEK)")]),
    "currency-mixed": (lambda: run(deal(ONE, currency="CHF")), [err("items/0/sku", "items[0].sku", "A is priced in EUR and has no CHF price list; state an exchange rate EUR/CHF under exchange_rates (in the deal or the seller profile)")]),
    "currency-default-used": (lambda: run(deal(ONE), seller(default_currency="CHF", currencies=["EUR"])), [err("items/0/sku", "items[0].sku", "A is priced in EUR and has no CHF price list; state an exchange rate EUR/CHF under exchange_rates (in the deal or the seller profile)")]),
    # _items
    "unknown-sku-close": (lambda: run(deal([{"sku": "ABC-1", "quantity": "1"}]), None, catalog(service("ABC-2"))), [err("items/0/sku", "items[0].sku", "unknown SKU ABC-1; did you mean ABC-2?")]),
    "unknown-sku-far": (lambda: run(deal([{"sku": "ZZZ", "quantity": "1"}])), [err("items/0/sku", "items[0].sku", "unknown SKU ZZZ")]),
    "min-equal": (items_case({"sku": "A", "quantity": "5"}, service("A", min_quantity=Decimal(5))), []),
    "min-below": (items_case({"sku": "A", "quantity": "4.999"}, service("A", min_quantity=Decimal(5))), [err("items/0/quantity", "items[0].quantity", "A is sold from 5 piece (got 4.999)")]),
    "min-below-plural": (items_case({"sku": "A", "quantity": "4"}, service("A", min_quantity=Decimal(5), unit_plural="pieces")), [err("items/0/quantity", "items[0].quantity", "A is sold from 5 pieces (got 4)")]),
    "min-one-singular": (items_case({"sku": "A", "quantity": "0.5"}, service("A", min_quantity=Decimal(1), unit_plural="pieces")), [err("items/0/quantity", "items[0].quantity", "A is sold from 1 piece (got 0.5)")]),
    "max-equal": (items_case({"sku": "A", "quantity": "5"}, service("A", max_quantity=Decimal(5))), []),
    "max-above": (items_case({"sku": "A", "quantity": "5.001"}, service("A", max_quantity=Decimal(5))), [err("items/0/quantity", "items[0].quantity", "A is sold up to 5 piece (got 5.001)")]),
    "months-on-once": (items_case({"sku": "A", "quantity": "1", "months": 3}, service("A")), [err("items/0/months", "items[0].months", "A is a one-off item; months apply to recurring items only")]),
    "months-monthly-ok": (items_case({"sku": "A", "quantity": "1", "months": 13}, service("A", billing="monthly")), []),
    "months-yearly-12": (items_case({"sku": "A", "quantity": "1", "months": 24}, service("A", billing="yearly")), []),
    "months-yearly-13": (items_case({"sku": "A", "quantity": "1", "months": 13}, service("A", billing="yearly")), [err("items/0/months", "items[0].months", "A is billed yearly: give the term in whole years (12, 24, 36 months), not 13")]),
    "min-term-equal": (items_case({"sku": "A", "quantity": "1", "months": 6}, service("A", billing="monthly", minimum_term_months=6)), []),
    "min-term-below": (items_case({"sku": "A", "quantity": "1", "months": 5}, service("A", billing="monthly", minimum_term_months=6)), [err("items/0/months", "items[0].months", "A has a minimum term of 6 months (got 5)")]),
    "no-months-no-min-term-check": (items_case({"sku": "A", "quantity": "1"}, service("A", billing="monthly", minimum_term_months=6)), []),
    "alternative-unknown": (items_case({"sku": "A", "quantity": "1", "alternative_to": "Q"}, service("A")), [err("items/0/alternative_to", "items[0].alternative_to", "Q is not an item of this deal")]),
    "alternative-known": (items_case({"sku": "B", "quantity": "1", "alternative_to": "A"}, (service("A"), service("B")), ONE), []),
    "optional-and-alternative": (items_case({"sku": "B", "quantity": "1", "optional": True, "alternative_to": "A"}, (service("A"), service("B")), ONE), [err("items/0/optional", "items[0].optional", "an item is either optional or an alternative, not both")]),
    # _item_role
    "role-missing": (items_case({"sku": "R", "quantity": "1"}, SVC_ROLE), [err("items/0", "items[0].role", "R is billed by role; name one of: dev, ops")]),
    "role-unknown": (items_case({"sku": "R", "quantity": "1", "role": "qa"}, SVC_ROLE), [err("items/0/role", "items[0].role", "unknown role qa for R (known: dev, ops)")]),
    "role-known": (items_case({"sku": "R", "quantity": "1", "role": "ops"}, SVC_ROLE), []),
    "role-on-per-unit": (items_case({"sku": "A", "quantity": "1", "role": "dev"}, service("A")), [err("items/0/role", "items[0].role", "A has no rate card; remove role")]),
    # a role on a template item is told once, by the work-package checks, not also "WP has no rate card"
    "role-on-template": (items_case({"sku": "WP", "quantity": "1", "role": "dev"}, (SVC_ROLE, SVC_WP)), [err("items/0/role", "items[0].role", "a work package names its roles under effort; remove role")]),
    # _line_terms
    "line-ac-neither": (items_case({"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "allowance", "reason": "x", "amount": Decimal(1)}, {"kind": "charge", "reason": "y"}]}, service("A")), [err("items/0/allowances_charges/1", "items[0].allowances_charges[1]", "give either amount or percent")]),
    "line-ac-both": (items_case({"sku": "A", "quantity": "1", "allowances_charges": [{"kind": "charge", "reason": "y", "amount": Decimal(1), "percent": Decimal(2)}]}, service("A")), [err("items/0/allowances_charges/0", "items[0].allowances_charges[0]", "give either amount or percent")]),
    "cap-on-per-unit": (items_case({"sku": "A", "quantity": "1", "cap": "500"}, service("A")), [err("items/0/cap", "items[0].cap", "a cap applies to time-and-material (rate_card) items; A is per_unit")]),
    "cap-on-rate-card": (items_case({"sku": "R", "quantity": "1", "role": "dev", "cap": "500"}, SVC_ROLE), []),
    # a cap on a template item is told once, by the work-package checks, not also "a cap applies to ... rate_card"
    "cap-on-template": (items_case({"sku": "WP", "quantity": "1", "cap": "500"}, (SVC_ROLE, SVC_WP)), [err("items/0/cap", "items[0].cap", "a work package derives its cap from the effort: give it pricing: capped")]),
    "credit-optional": (items_case({"sku": "A", "quantity": "1", "credit": True, "optional": True}, service("A")), [err("items/0/credit", "items[0].credit", "a credit line cannot be optional or an alternative")]),
    "credit-alternative": (items_case({"sku": "B", "quantity": "1", "credit": True, "alternative_to": "A"}, (service("A"), service("B")), ONE), [err("items/0/credit", "items[0].credit", "a credit line cannot be optional or an alternative")]),
    "credit-firm": (items_case({"sku": "A", "quantity": "1", "credit": True}, service("A")), []),
    # _links
    "requires-missing": (items_case({"sku": "A", "quantity": "1"}, (service("A", requires=["B"]), service("B"))), [err("items/0/sku", "items[0].sku", "A requires B, which is neither a firm item of this deal nor in customer.installed")]),
    "requires-optional-not-enough": (items_case({"sku": "A", "quantity": "1"}, (service("A", requires=["B"]), service("B")), [{"sku": "B", "quantity": "1", "optional": True}]), [err("items/0/sku", "items[0].sku", "A requires B, which is neither a firm item of this deal nor in customer.installed")]),
    "requires-firm": (items_case({"sku": "A", "quantity": "1"}, (service("A", requires=["B"]), service("B")), [{"sku": "B", "quantity": "1"}]), []),
    "requires-installed": (lambda: run(deal(ONE, customer={"legal_name": "K", "installed": ["B"], "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}}), None, catalog(service("A", requires=["B"]), service("B"))), []),
    "optional-item-links-unchecked": (items_case({"sku": "A", "quantity": "1", "optional": True}, (service("A", requires=["B"]), service("B"))), []),
    "excludes-firm": (items_case({"sku": "A", "quantity": "1"}, (service("A", excludes=["B"]), service("B")), [{"sku": "B", "quantity": "1"}]), [err("items/0/sku", "items[0].sku", "A cannot be combined with B")]),
    "excludes-optional-ok": (items_case({"sku": "A", "quantity": "1"}, (service("A", excludes=["B"]), service("B")), [{"sku": "B", "quantity": "1", "optional": True}]), []),
    # _dates: a milestone dated by its work package is passed over, and the dated ones after it are still ordered
    "milestones-out-of-order-past-a-derived-one": (items_case({"sku": "WP", "quantity": "1", "work_package": {"id": "W1"}}, (SVC_ROLE, SVC_WP),
                                                              terms={"delivery": {"start": D + dt.timedelta(days=1), "allocation": {"dev": Decimal(1)},
                                                                                  "milestones": [{"id": "a", "name": "a", "date": D + dt.timedelta(days=3)}, {"id": "m", "name": "m", "work_package": "W1"},
                                                                                                 {"id": "c", "name": "c", "date": D + dt.timedelta(days=2)}]}}),
                                                   [err("terms/delivery/milestones/2/date", "terms.delivery.milestones[2].date", "milestones must be in date order (2026-11-22 comes after 2026-11-23)")]),
    # _installed
    "installed-unknown": (lambda: run(deal(ONE, customer={"legal_name": "K", "installed": ["A", "AX"], "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}})), [err("customer/installed/1", "customer.installed[1]", "unknown SKU AX; did you mean A?")]),
}


@pytest.mark.parametrize("name", list(ITEM_CASES))
def test_item_checks(name):
    """Guards against mutated strings, comparisons, booleans and indexes in _currency/_items/_item_role/_line_terms/_links/_installed."""
    produce, expected = ITEM_CASES[name]
    assert produce() == expected


def req(ident, covered, priority="must"):
    return {"id": ident, "text": "t", "priority": priority, "covered_by": covered}


def crit(ident, weight):
    return {"id": ident, "criterion": "c", "weight": Decimal(weight), "response": "r"}


def pay(name, percent=None, amount=None, remainder=False):
    return {"name": name, "percent": None if percent is None else Decimal(percent), "amount": None if amount is None else Decimal(amount), "remainder": remainder}


def day(n):
    return D + dt.timedelta(days=n)


def dm(ident, date):
    return {"id": ident, "name": ident, "date": date}


TWO = [{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1", "optional": True}]
AB = catalog(service("A"), service("B"), service("C"))
DELIVERY_OPEN = "milestones must be in date order"


def d(items=ONE, **fields):
    return lambda: run(deal(items, **fields), None, AB)


DEAL_CASES = {
    # _duplicates
    "dup-criterion": (d(purchase_criteria=[crit("x", 50), crit("x", 50)]), [err("purchase_criteria/1", "purchase_criteria[1]", "duplicate criterion id x (also at entry 0)", "input.duplicate-id")]),
    "dup-requirement": (d(requirements=[req("r", ["A"]), req("q", ["A"]), req("r", ["A"])]), [err("requirements/2", "requirements[2]", "duplicate requirement id r (also at entry 0)", "input.duplicate-id")]),
    "dup-milestone": (d(terms={"delivery": {"milestones": [dm("m", day(1)), dm("m", day(2))]}}), [err("terms/delivery/milestones/1", "terms.delivery.milestones[1]", "duplicate milestone id m (also at entry 0)", "input.duplicate-id")]),
    # _requirements
    "req-covered-in-catalog": (d(requirements=[req("r", ["A", "C"])]), [err("requirements/0/covered_by/1", "requirements[0].covered_by[1]", "C is not an item of this deal (it is in the catalog but not among this deal's items)")]),
    "req-covered-close": (d(TWO, requirements=[req("r", ["A", "BB"])]), [err("requirements/0/covered_by/1", "requirements[0].covered_by[1]", "BB is not an item of this deal; did you mean B?")]),
    "req-must-optional-only": (d(TWO, requirements=[req("r", ["B"])]), [err("requirements/0/id", "requirements[0]", "must-have requirement r is covered by no firm item (optional and alternative items do not count)")]),
    "req-must-firm": (d(TWO, requirements=[req("r", ["B", "A"])]), []),
    "req-should-optional-ok": (d(TWO, requirements=[req("r", ["B"], "should")]), []),
    "req-should-uncovered": (d(TWO, requirements=[req("r", [], "should")]), [warn("requirements/0/id", "requirements[0]", "should-have requirement r is covered by no item; the offer says so", "offer.requirement-uncovered")]),
    # _sums
    "weights-100": (d(purchase_criteria=[crit("x", "60.5"), crit("y", "39.5")]), []),
    "weights-99.99": (d(purchase_criteria=[crit("x", "60.49"), crit("y", "39.5")]), [err("purchase_criteria", "purchase_criteria", "weights add up to 99.99, not 100")]),
    "deviation-strike-text": (d(contract={"deviations": [{"clause": "c", "action": "replace", "text": "n", "reason": "r"}, {"clause": "c", "action": "strike", "text": "n", "reason": "r"}]}), [err("contract/deviations/1/text", "contract.deviations[1].text", "a struck clause takes no text")]),
    "deviation-strike-ok": (d(contract={"deviations": [{"clause": "c", "action": "strike", "reason": "r"}]}), []),
    "deviation-amend-no-text": (d(contract={"deviations": [{"clause": "c", "action": "amend", "reason": "r"}]}), [err("contract/deviations/0", "contract.deviations[0].text", "amend needs the new text")]),
    "deal-ac-neither": (d(allowances_charges=[{"kind": "allowance", "reason": "x", "percent": Decimal(5)}, {"kind": "allowance", "reason": "x"}]), [err("allowances_charges/1", "allowances_charges[1]", "give either amount or percent")]),
    "deal-ac-both": (d(allowances_charges=[{"kind": "allowance", "reason": "x", "percent": Decimal(5), "amount": Decimal(5)}]), [err("allowances_charges/0", "allowances_charges[0]", "give either amount or percent")]),
    "deal-ac-unknown-tax": (d(allowances_charges=[{"kind": "allowance", "reason": "x", "amount": Decimal(5), "tax_category": "reduced"}, {"kind": "allowance", "reason": "x", "amount": Decimal(5), "tax_category": "zero"}]), [err("allowances_charges/1/tax_category", "allowances_charges[1].tax_category", "unknown tax category zero")]),
    # _milestones
    "pay-100": (d(terms={"payment": {"milestones": [pay("a", "30.5"), pay("b", "69.5")]}}), []),
    "pay-99.99": (d(terms={"payment": {"milestones": [pay("a", "30.49"), pay("b", "69.5")]}}), [err("terms/payment/milestones", "terms.payment.milestones", "percentages add up to 99.99, not 100")]),
    "pay-neither": (d(terms={"payment": {"milestones": [pay("a", amount="10"), pay("b")]}}), [err("terms/payment/milestones/1", "terms.payment.milestones[1]", "give either percent or amount")]),
    "pay-both": (d(terms={"payment": {"milestones": [pay("a", "100", "10")]}}), [err("terms/payment/milestones/0", "terms.payment.milestones[0]", "give either percent or amount")]),
    "pay-one-remainder": (d(terms={"payment": {"milestones": [pay("a", amount="10", remainder=True), pay("b", amount="5")]}}), []),
    "pay-two-remainders": (d(terms={"payment": {"milestones": [pay("a", amount="10", remainder=True), pay("b", amount="5", remainder=True)]}}), [err("terms/payment/milestones", "terms.payment.milestones", "only one instalment can take the remainder")]),
    # _status
    "draft-needs-nothing": (d(), []),
    "issued-no-date": (d(status="issued"), [err("status", "issued_on", "an issued revision needs issued_on (when it was sent)")]),
    "expired-no-date": (d(status="expired", issued_on=D), []),
    "accepted-no-decision": (d(status="accepted", issued_on=D), [err("status", "decided_on", "an accepted revision needs decided_on")]),
    "rejected-no-decision": (d(status="rejected", issued_on=D), [err("status", "decided_on", "a rejected revision needs decided_on")]),
    "issued-on-offer-date": (d(status="issued", issued_on=D), []),
    "issued-before-offer": (d(status="issued", issued_on=day(-1)), [err("issued_on", "issued_on", "is before the offer date 2026-11-20")]),
    "decided-same-day": (d(status="accepted", issued_on=day(2), decided_on=day(2)), []),
    "decided-before-issued": (d(status="accepted", issued_on=day(2), decided_on=day(1)), [err("decided_on", "decided_on", "is before issued_on 2026-11-22")]),
    # _dates
    "valid-until-same-day": (d(valid_until=D), []),
    "valid-until-before": (d(valid_until=day(-1)), [err("valid_until", "valid_until", "is before the offer date 2026-11-20")]),
    "delivery-end-equals-start": (d(terms={"delivery": {"start": day(3), "end": day(3)}}), []),
    "delivery-end-before-start": (d(terms={"delivery": {"start": day(3), "end": day(2)}}), [err("terms/delivery/end", "terms.delivery.end", "is before the start 2026-11-23")]),
    "delivery-start-offer-date": (d(terms={"delivery": {"start": D}}), []),
    "delivery-start-before": (d(terms={"delivery": {"start": day(-1)}}), [err("terms/delivery/start", "terms.delivery.start", "is before the offer date 2026-11-20")]),
    "milestones-same-day": (d(terms={"delivery": {"start": day(1), "end": day(5), "milestones": [dm("a", day(1)), dm("b", day(1)), dm("c", day(5))]}}), []),
    "milestones-out-of-order": (d(terms={"delivery": {"milestones": [dm("a", day(3)), dm("b", day(4)), dm("c", day(2))]}}), [err("terms/delivery/milestones/2/date", "terms.delivery.milestones[2].date", "milestones must be in date order (2026-11-22 comes after 2026-11-24)")]),
    "milestone-before-start": (d(terms={"delivery": {"start": day(2), "milestones": [dm("a", day(1))]}}), [err("terms/delivery/milestones/0/date", "terms.delivery.milestones[0].date", "2026-11-21 lies outside the delivery period")]),
    "milestone-after-end": (d(terms={"delivery": {"end": day(2), "milestones": [dm("a", day(3))]}}), [err("terms/delivery/milestones/0/date", "terms.delivery.milestones[0].date", "2026-11-23 lies outside the delivery period")]),
    "reviews-same-day": (d(success_monitoring={"reviews": [day(1), day(1), day(2)]}), []),
    "reviews-out-of-order": (d(success_monitoring={"reviews": [day(1), day(3), day(2)]}), [err("success_monitoring/reviews/2", "success_monitoring.reviews[2]", "review dates must be in order")]),
}


@pytest.mark.parametrize("name", list(DEAL_CASES))
def test_deal_checks(name):
    """Guards against mutated strings, comparisons, booleans and indexes in _requirements/_sums/_milestones/_status/_dates and the duplicate-id checks."""
    produce, expected = DEAL_CASES[name]
    assert produce() == expected


def cust(country, vat_id=None):
    return {"legal_name": "K", "vat_id": vat_id, "address": {"street": "A 1", "postal_code": "1000", "city": "X", "country": country}}


WITH_O = seller(tax_categories=[*seller().model_dump()["tax_categories"], {"id": "out", "code": "O", "rate": Decimal(0), "exemption_reason": "Not taxable"}])
NO_AE = seller(tax_categories=[{"id": "standard", "code": "S", "rate": Decimal(19)}])
RC = "reverse_charge"
OS = "outside_scope"


def t(customer, the_seller=None, **fields):
    return lambda: run(deal(ONE, customer=customer, **fields), the_seller)


TAX_CASES = {
    "rc-and-os": (t(cust("AT", "ATU1"), WITH_O, reverse_charge=True, outside_scope=True), [err(OS, OS, "a deal is either reverse charge (EU) or outside scope (non-EU), not both")]),
    "rc-ok": (t(cust("AT", "ATU1"), reverse_charge=True), []),
    "rc-no-ae": (t(cust("AT", "ATU1"), NO_AE, reverse_charge=True), [err(RC, RC, "the seller profile has no reverse-charge (AE) tax category")]),
    "rc-no-vat-id": (t(cust("AT"), reverse_charge=True), [err("customer", "customer.vat_id", "reverse charge needs the customer's VAT id")]),
    "rc-domestic": (t(cust("DE", "DE1"), reverse_charge=True), [err(RC, RC, "reverse charge applies to customers in another country")]),
    "rc-non-eu": (t(cust("CH", "CHE1"), reverse_charge=True), [err(RC, RC, "reverse charge applies within the EU; the customer is in CH (use outside_scope)")]),
    "os-ok": (t(cust("CH"), WITH_O, outside_scope=True), []),
    "os-no-o": (t(cust("CH"), None, outside_scope=True), [err(OS, OS, "the seller profile has no outside-scope (O) tax category")]),
    "os-eu": (t(cust("AT"), WITH_O, outside_scope=True), [err(OS, OS, "the customer is in the EU (AT); use reverse_charge for EU business customers")]),
    "domestic-vat-non-eu": (t(cust("CH")), [warn("customer/address/country", "customer.address.country", "the customer is outside the EU (CH) but domestic VAT is charged; set outside_scope: true if the place of supply is abroad", "tax.check-treatment")]),
    "domestic-vat-eu": (t(cust("AT")), []),
    "non-eu-seller": (t(cust("US"), seller(address={"street": "S 1", "postal_code": "8000", "city": "Zürich", "country": "CH"})), []),
}


@pytest.mark.parametrize("name", list(TAX_CASES))
def test_tax_checks(name):
    """Guards against mutated strings, branches and country tests in _taxes/_reverse_charge."""
    produce, expected = TAX_CASES[name]
    assert produce() == expected


def test_expired_revision_message():
    """Guards against a mutated status test or f-string in the issued_on check of _status (expired revisions)."""
    assert run(deal(ONE, status="expired")) == [err("status", "issued_on", "an expired revision needs issued_on (when it was sent)")]


def test_rejected_revision_without_dates_message():
    """The article follows the status: "a rejected revision", "an issued revision"."""
    assert run(deal(ONE, status="rejected", decided_on=dt.date(2026, 3, 1)))[0] == err("status", "issued_on", "a rejected revision needs issued_on (when it was sent)")


def svc(s, services=None, clauses=frozenset({"nda", "sla"}), the_seller=None):
    found = check_service(Stub(None), 3, s, the_seller or seller(), services if services is not None else catalog(s, service("B")), set(clauses))
    return [(p.location.file, p.location.line, p.field, p.message, p.kind, p.severity) for p in found]


TIERS = "services/3/tiers"


def tier(up_to, price="10"):
    return {"up_to": None if up_to is None else Decimal(up_to), "price": Decimal(price)}


SERVICE_CASES = {
    "per-unit-ok": (service("A"), []),
    "per-unit-no-price": (service("A", None), [err("services/3", "services[3].price", "per_unit pricing needs a price")]),
    "package-no-price": (service("A", None, pricing="package"), [err("services/3", "services[3].price", "package pricing needs a price")]),
    "tiers-on-package": (service("A", pricing="package", tiers=[tier(None)]), [err(TIERS, "services[3].tiers", "tiers are used only with graduated or volume pricing (this item is package)")]),
    "graduated-no-tiers": (service("A", None, pricing="graduated"), [err("services/3", "services[3].tiers", "graduated pricing needs tiers")]),
    "volume-ok": (service("A", None, pricing="volume", tiers=[tier(10), tier("10.001"), tier(None)]), []),
    "tier-open-not-last": (service("A", None, pricing="volume", tiers=[tier(None), tier(None)]), [err(TIERS + "/0/up_to", "services[3].tiers[0].up_to", "only the last tier may be open-ended")]),
    "tier-last-closed": (service("A", None, pricing="graduated", tiers=[tier(5), tier(9)]), [err(TIERS + "/1/up_to", "services[3].tiers[1].up_to", "the last tier must be open-ended (leave up_to empty)")]),
    "tier-equal": (service("A", None, pricing="graduated", tiers=[tier(5), tier(5), tier(None)]), [err(TIERS + "/1/up_to", "services[3].tiers[1].up_to", "tiers must ascend (got 5 after 5)")]),
    "tier-after-open": (service("A", None, pricing="graduated", tiers=[tier(5), tier(None), tier(3), tier(None)]), [err(TIERS + "/1/up_to", "services[3].tiers[1].up_to", "only the last tier may be open-ended"), err(TIERS + "/2/up_to", "services[3].tiers[2].up_to", "tiers must ascend (got 3 after 5)")]),
    "rate-card-no-rates": (service("A", None, pricing="rate_card"), [err("services/3", "services[3].rates", "rate_card pricing needs at least one role rate")]),
    "rate-card-dup-role": (service("A", None, pricing="rate_card", rates=[{"role": "dev", "name": "D", "price": Decimal(1)}, {"role": "dev", "name": "D", "price": Decimal(2)}]), [err("services/3/rates/1", "services[3].rates[1]", "duplicate role dev (also at entry 0)", "input.duplicate-id")]),
    "rates-on-per-unit": (service("A", rates=[{"role": "dev", "name": "D", "price": Decimal(1)}]), [err("services/3/rates", "services[3].rates", "rates are used only with rate_card pricing (this item is per_unit)")]),
    "price-on-rate-card": (service("A", pricing="rate_card", rates=[{"role": "dev", "name": "D", "price": Decimal(1)}]), [err("services/3/price", "services[3].price", "rate_card pricing takes its prices from rates, not price")]),
    "price-on-volume": (service("A", pricing="volume", tiers=[tier(None)]), [err("services/3/price", "services[3].price", "volume pricing takes its prices from tiers, not price")]),
    "yearly-term-24": (service("A", billing="yearly", minimum_term_months=24), []),
    "yearly-term-18": (service("A", billing="yearly", minimum_term_months=18), [err("services/3/minimum_term_months", "services[3].minimum_term_months", "a yearly item runs in whole years: give a multiple of 12")]),
    "monthly-term-7": (service("A", billing="monthly", minimum_term_months=7), []),
    "once-term": (service("A", minimum_term_months=12), [err("services/3/minimum_term_months", "services[3].minimum_term_months", "a minimum term needs monthly or yearly billing")]),
    "unknown-tax": (service("A", tax_category="zero"), [err("services/3/tax_category", "services[3].tax_category", "unknown tax category zero (seller profile has: standard, reduced, reverse-charge)")]),
    "currency-not-offered": (service("A", currency="USD"), [err("services/3/currency", "services[3].currency", "currency USD is not offered by the seller (EUR, JPY, CHF, KWD, SEK)")]),
    "min-equals-max": (service("A", min_quantity=Decimal(3), max_quantity=Decimal(3)), []),
    "min-above-max": (service("A", min_quantity=Decimal("3.5"), max_quantity=Decimal(3)), [err("services/3/max_quantity", "services[3].max_quantity", "is below min_quantity 3.5")]),
    "clause-unknown": (service("A", clauses=["sla", "ndaa"]), [err("services/3/clauses/1", "services[3].clauses[1]", "no clause ndaa in the clause library (known: nda, sla)")]),
    "requires-unknown": (service("A", requires=["B", "BX"]), [err("services/3/requires/1", "services[3].requires[1]", "unknown SKU BX; did you mean B?")]),
    "excludes-self": (service("A", excludes=["A"]), [err("services/3/excludes/0", "services[3].excludes[0]", "an item cannot refer to itself")]),
    "requires-self": (service("A", requires=["B", "A"]), [err("services/3/requires/1", "services[3].requires[1]", "an item cannot refer to itself")]),
}


def test_a_price_on_a_template_names_where_its_prices_come_from():
    """Guards against a mutated key or text in _price_source's work_package entry."""
    wp = service("WP", "10.00", pricing="work_package", unit="package", work_package={"rate_card": "R", "effort": [{"role": "dev", "effort": Decimal(1)}]})
    assert svc(wp, catalog(SVC_ROLE, wp)) == [err("services/3/price", "services[3].price", "work_package pricing takes its prices from the effort of its work_package template, not price")]


@pytest.mark.parametrize("name", list(SERVICE_CASES))
def test_service_checks(name):
    """Guards against mutated strings, pricing tests, comparisons and indexes in check_service/_check_tiers."""
    s, expected = SERVICE_CASES[name]
    assert svc(s) == expected
