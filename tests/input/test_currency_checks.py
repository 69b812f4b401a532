"""Cross-checks of offers in several currencies (issue #17 part 4): a missing, future, stale or duplicate
exchange rate, price lists that do not fit their item, and the conversion policy, message by message."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from proposals.input.checks import check_service, check_seller
from tests.input.test_cross_check_messages import Stub, err, run
from tests.pricing.pricing_fixtures import catalog, deal, seller, service

RATE = {"pair": "EUR/CHF", "rate": Decimal("0.9412"), "date": date(2026, 11, 20), "source": "ECB"}
ONE = [{"sku": "A", "quantity": "1"}]
NO_RATE = "A is priced in EUR and has no CHF price list; state an exchange rate EUR/CHF under exchange_rates (in the deal or the seller profile)"


def test_a_rate_the_deal_or_the_seller_states_lets_an_item_be_converted():
    assert run(deal(ONE, currency="CHF", exchange_rates=[RATE])) == []
    assert run(deal(ONE, currency="CHF"), seller(exchange_rates=[RATE])) == []
    assert run(deal(ONE, currency="CHF", exchange_rates=[{**RATE, "pair": "CHF/EUR"}])) == []  # either way round


def test_without_a_rate_an_item_needs_a_complete_price_list():
    """A CHF list with a price is enough; one that leaves out a rate-card role is not."""
    assert run(deal(ONE, currency="CHF")) == [err("items/0/sku", "items[0].sku", NO_RATE)]
    listed = catalog(service("A", price_lists={"CHF": {"price": Decimal(90)}}))
    assert run(deal(ONE, currency="CHF"), None, listed) == []
    card = service("R", None, pricing="rate_card", rates=[{"role": "a", "name": "A", "price": Decimal(1)}, {"role": "b", "name": "B", "price": Decimal(2)}],
                   price_lists={"CHF": {"rates": [{"role": "a", "price": Decimal(1)}]}})
    assert run(deal([{"sku": "R", "quantity": "1", "role": "a"}], currency="CHF"), None, catalog(card)) == [
        err("items/0/sku", "items[0].sku", "R is priced in EUR and has a CHF price list missing some of its prices; state an exchange rate EUR/CHF under exchange_rates (in the deal or the seller profile)")]


@pytest.mark.parametrize(("rate_day", "limit", "expected"), [
    (date(2026, 11, 21), None, ["the EUR/CHF rate of 2026-11-21 is dated after the offer (2026-11-20)"]),
    (date(2026, 10, 21), 30, []),  # 30 days old, the limit: fine
    (date(2026, 10, 20), 30, ["the EUR/CHF rate of 2026-10-20 is 31 days older than the offer; the seller profile allows 30"]),
    (date(2020, 1, 1), None, []),  # no limit set
])
def test_a_rate_from_after_the_offer_or_older_than_the_seller_allows_is_refused(rate_day, limit, expected):
    """Two items use the same rate: it is reported once, at the rate's date in the deal."""
    services = catalog(service("A"), service("B"))
    found = run(deal([*ONE, {"sku": "B", "quantity": "1"}], currency="CHF", exchange_rates=[{**RATE, "date": rate_day}]),
                seller(exchange_rate_max_age_days=limit), services)
    assert found == [err("exchange_rates/0/date", "exchange_rates[0].date", m) for m in expected]


def test_a_stale_rate_of_the_seller_profile_is_named_at_the_item_that_uses_it():
    own = seller(exchange_rates=[{**RATE, "date": date(2026, 9, 1)}], exchange_rate_max_age_days=14)
    assert run(deal(ONE, currency="CHF"), own) == [
        err("items/0/sku", "items[0].sku", "the EUR/CHF rate (seller profile) of 2026-09-01 is 80 days older than the offer; the seller profile allows 14")]


def test_one_pair_twice_is_refused_either_way_round():
    found = run(deal(ONE, currency="CHF", exchange_rates=[RATE, {**RATE, "pair": "CHF/EUR", "rate": Decimal("1.0625")}]))
    assert [p[3] for p in found] == ["duplicate exchange rate pair CHF/EUR (also at entry 0)"]


def svc(s, the_seller=None):
    return [(p.location.file, p.field, p.message) for p in check_service(Stub(None), 3, s, the_seller or seller(), catalog(s), set())]


LISTS = "services/3/price_lists/"


@pytest.mark.parametrize(("item", "expected"), [
    (service("A", price_lists={"CHF": {"price": Decimal(90)}, "JPY": {"price": Decimal(15000)}}), []),
    (service("A", price_lists={"EUR": {"price": Decimal(90)}}),
     [(LISTS + "EUR", "services[3].price_lists.EUR", "EUR is the item's own currency; its prices are the item's price, tiers and rates")]),
    (service("A", price_lists={"USD": {"price": Decimal(90)}}),
     [(LISTS + "USD", "services[3].price_lists.USD", "currency USD is not offered by the seller (EUR, JPY, CHF, KWD, SEK)")]),
    (service("T", None, pricing="volume", tiers=[{"up_to": Decimal(10), "price": Decimal(5)}, {"price": Decimal(4)}],
             price_lists={"CHF": {"price": Decimal(5), "tiers": [{"up_to": Decimal(20), "price": Decimal(5)}, {"price": Decimal(4)}]}}),
     [(LISTS + "CHF/price", "services[3].price_lists.CHF.price", "volume pricing takes its prices from tiers, not price"),
      (LISTS + "CHF/tiers", "services[3].price_lists.CHF.tiers", "give one price per band of the item's own tiers, with the same up_to (up to 10, open)")]),
    (service("R", None, pricing="rate_card", rates=[{"role": "senior", "name": "S", "price": Decimal(1)}],
             price_lists={"CHF": {"rates": [{"role": "senoir", "price": Decimal(1)}]}}),
     [(LISTS + "CHF/rates/0/role", "services[3].price_lists.CHF.rates[0].role", "R has no role senoir; did you mean senior?")]),
], ids=["two lists", "own currency", "not offered", "tiers", "unknown role"])
def test_a_price_list_must_price_the_item_as_its_own_prices_do(item, expected):
    assert svc(item) == expected


def seller_problems(**fields):
    found = check_seller(Stub(seller(**fields)), None)
    return [(p.location.file, p.field, p.message) for p in found if not p.field.startswith("branding")]


def test_the_conversion_policy_needs_its_step(monkeypatch):
    monkeypatch.setattr("proposals.input.checks.font_installed", lambda font: True)
    assert seller_problems(price_conversion={"rounding": "increment"}) == [
        ("price_conversion", "price_conversion.step", 'increment rounding needs a step, e.g. "0.05" or "0.90"')]
    assert seller_problems(price_conversion={"rounding": "ending", "step": Decimal(1)}) == [
        ("price_conversion/step", "price_conversion.step", 'a price ending is below 1, e.g. "0.90" (got 1)')]
    assert seller_problems(price_conversion={"rounding": "ending", "step": Decimal("0.90")}) == []
    assert seller_problems(exchange_rates=[RATE, {**RATE, "rate": Decimal(1)}]) == [
        ("exchange_rates/1", "exchange_rates[1]", "duplicate exchange rate pair CHF/EUR (also at entry 0)")]


def test_every_item_is_checked_for_its_rate_and_a_duplicate_pair_is_located():
    """Item 0 is priced in CHF already, items 1 and 2 need a rate: both are named. The duplicate pair is at
    exchange_rates/1. Guards against the item loop stopping at the first item that needs nothing or lacks a rate."""
    services = catalog(service("C", currency="CHF"), service("A"), service("B"))
    found = run(deal([{"sku": "C", "quantity": "1"}, *ONE, {"sku": "B", "quantity": "1"}], currency="CHF"), None, services)
    assert found == [err("items/1/sku", "items[1].sku", NO_RATE), err("items/2/sku", "items[2].sku", NO_RATE.replace("A is", "B is"))]
    found = run(deal(ONE, currency="CHF", exchange_rates=[RATE, RATE]))
    assert [(p[0], p[2]) for p in found] == [("exchange_rates/1", "exchange_rates[1]")]
    # a later item using a stale rate is still checked after one that needs no rate
    stale = run(deal([{"sku": "C", "quantity": "1"}, *ONE], currency="CHF", exchange_rates=[{**RATE, "date": date(2026, 11, 21)}]), None, services)
    assert [p[3] for p in stale] == ["the EUR/CHF rate of 2026-11-21 is dated after the offer (2026-11-20)"]


@pytest.mark.parametrize(("item", "expected"), [
    (service("P", pricing="package", price_lists={"CHF": {"price": Decimal(90)}}), []),
    (service("G", None, pricing="graduated", tiers=[{"up_to": Decimal(10), "price": Decimal(5)}, {"price": Decimal(4)}], cost=Decimal(1),
             price_lists={"CHF": {"cost": Decimal(1)}}), []),
    (service("R", None, pricing="rate_card", rates=[{"role": "a", "name": "A", "price": Decimal(1)}], price_lists={"CHF": {"price": Decimal(1)}}),
     [(LISTS + "CHF/price", "services[3].price_lists.CHF.price", "rate_card pricing takes its prices from rates, not price")]),
    (service("A", price_lists={"CHF": {"tiers": [{"price": Decimal(1)}], "rates": [{"role": "a", "price": Decimal(1)}]}}),
     [(LISTS + "CHF/tiers", "services[3].price_lists.CHF.tiers", "tiers are used only with graduated or volume pricing (this item is per_unit)"),
      (LISTS + "CHF/rates", "services[3].price_lists.CHF.rates", "rates are used only with rate_card pricing (this item is per_unit)")]),
    (service("G", None, pricing="graduated", tiers=[{"up_to": Decimal(10), "price": Decimal(5)}, {"price": Decimal(4)}],
             price_lists={"CHF": {"tiers": [{"up_to": Decimal(10), "price": Decimal(5)}, {"price": Decimal(4)}]}}), []),
    (service("A", price_lists={"CHF": {"rates": [{"role": "a", "price": Decimal(1)}]}, "JPY": {"tiers": [{"price": Decimal(1)}]}}),
     [(LISTS + "CHF/rates", "services[3].price_lists.CHF.rates", "rates are used only with rate_card pricing (this item is per_unit)"),
      (LISTS + "JPY/tiers", "services[3].price_lists.JPY.tiers", "tiers are used only with graduated or volume pricing (this item is per_unit)")]),
], ids=["package price", "graduated cost only", "price on a rate card", "tiers and rates on per unit", "graduated tiers", "second list checked too"])
def test_a_price_list_gives_only_what_its_pricing_model_uses(item, expected):
    """Guards against the package model refused a listed price, a list without tiers compared band by band,
    the rate-card wording, and tiers or rates accepted on a per-unit item."""
    assert svc(item) == expected
