"""Cross-checks of the EN 16931 inputs issue #17 opened: zero amounts, percentage allowances without a
category named standard, split payment (B) between Italian parties only and never beside S, IGIC (L) and
IPSI (M) at their local rates. Each case asserts every problem it yields, message by message."""

from __future__ import annotations

from decimal import Decimal

from proposals.input.checks import check_seller
from tests.input.test_cross_check_messages import Stub, err, run
from tests.pricing.pricing_fixtures import SELLER, catalog, deal, seller, service

ITALY = {"street": "Via Roma 1", "postal_code": "00184", "city": "Roma", "country": "IT"}
SPLIT = {"id": "split", "code": "B", "rate": Decimal(22)}


def italian_seller(*extra):
    return seller(address=ITALY, tax_categories=[*SELLER["tax_categories"], SPLIT, *extra])


def italian_deal(items, **fields):
    customer = {"legal_name": "Comune di Roma", "address": ITALY}
    return deal(items, customer=customer, **fields)


def test_zero_amounts_and_percentages_pass_the_checks():
    """EN 16931 allows 0.00 (BT-92, BT-99, BT-136, BT-141); the model and the checks accept them."""
    zero = [{"kind": "allowance", "reason": "Goodwill", "amount": Decimal(0)}, {"kind": "charge", "reason": "Travel", "percent": Decimal(0)}]
    assert run(deal([{"sku": "A", "quantity": "1", "allowances_charges": zero}], allowances_charges=zero)) == []


def test_a_percentage_allowance_needs_no_category_named_standard():
    """The seller calls its only category "full"; a percentage allowance keeps the default tax_category
    "standard" and is fine, a fixed one is not (it is taxed in the category it names)."""
    own = seller(tax_categories=[{"id": "full", "code": "S", "rate": Decimal(19)}])
    services = catalog(service("A", tax_category="full"))
    percent = [{"kind": "allowance", "reason": "Framework", "percent": Decimal(3)}]
    fixed = [{"kind": "allowance", "reason": "Framework", "amount": Decimal(30)}]
    assert run(deal([{"sku": "A", "quantity": "1"}], allowances_charges=percent), own, services) == []
    assert run(deal([{"sku": "A", "quantity": "1"}], allowances_charges=fixed), own, services) == [
        err("allowances_charges/0/tax_category", "allowances_charges[0].tax_category", "unknown tax category standard")]


def test_split_payment_between_italian_parties_is_clean():
    """BR-B-01 satisfied: seller and customer in Italy, every line and fixed amount in B."""
    services = catalog(service("A", tax_category="split"))
    fixed = [{"kind": "charge", "reason": "Travel", "amount": Decimal(40), "tax_category": "split"}]
    assert run(italian_deal([{"sku": "A", "quantity": "1"}], allowances_charges=fixed), italian_seller(), services) == []


def test_split_payment_outside_italy_is_refused_at_the_first_line_using_it():
    """BR-B-01: a German seller (the fixture's) offering split payment to an Italian customer."""
    own = seller(tax_categories=[*SELLER["tax_categories"], SPLIT])
    services = catalog(service("A"), service("P", tax_category="split"))
    found = run(italian_deal([{"sku": "A", "quantity": "1"}, {"sku": "P", "quantity": "1"}]), own, services)
    assert err("items/1/sku", "items[1].sku", "split payment (category B) is for Italian sellers and customers only (seller DE, customer IT)") in found
    # ... and A is standard-rated beside it (BR-B-02), named at A
    assert err("items/0/sku", "items[0].sku", "an offer with split payment (category B) cannot also have standard-rated (S) lines or amounts") in found
    assert len(found) == 2


def test_split_payment_beside_a_standard_rated_fixed_amount_is_refused():
    """BR-B-02 counts document-level amounts too: a fixed charge in "standard" beside B lines."""
    services = catalog(service("P", tax_category="split"))
    charge = [{"kind": "charge", "reason": "Travel", "amount": Decimal(40)}]
    assert run(italian_deal([{"sku": "P", "quantity": "1"}], allowances_charges=charge), italian_seller(), services) == [
        err("allowances_charges/0/tax_category", "allowances_charges[0].tax_category",
            "an offer with split payment (category B) cannot also have standard-rated (S) lines or amounts")]


def test_a_percentage_beside_split_payment_follows_the_lines_and_is_not_standard():
    """A 5 % allowance keeps tax_category "standard" but follows the B lines: no BR-B-02 problem."""
    services = catalog(service("P", tax_category="split"))
    percent = [{"kind": "allowance", "reason": "Framework", "percent": Decimal(5)}]
    assert run(italian_deal([{"sku": "P", "quantity": "1"}], allowances_charges=percent), italian_seller(), services) == []


def seller_problems(categories):
    found = check_seller(Stub(seller(tax_categories=[*SELLER["tax_categories"], *categories])), None)
    return [(p.location.file, p.field, p.message) for p in found if p.field.startswith("tax_categories")]


def test_split_payment_needs_a_rate_and_igic_and_ipsi_take_their_local_rates(monkeypatch):
    """B is Italian VAT at its rate, so 0 is refused; IGIC (L) and IPSI (M) have rates from 0 upwards
    (IGIC 0 %, 3 %, 7 % ...; IPSI 0.5 % to 10 %) and need no exemption reason."""
    monkeypatch.setattr("proposals.input.checks.font_installed", lambda font: True)
    assert seller_problems([{"id": "split", "code": "B", "rate": Decimal(0)}]) == [
        ("tax_categories/3/rate", "tax_categories[3].rate", "split-payment category B needs a rate above 0 (the Italian VAT rate)")]
    assert seller_problems([SPLIT, {"id": "igic", "code": "L", "rate": Decimal(7)}, {"id": "igic0", "code": "L", "rate": Decimal(0)},
                            {"id": "ipsi", "code": "M", "rate": Decimal("0.5")}]) == []
