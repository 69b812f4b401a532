"""Offers in several currencies (issue #17 part 4): price lists, conversion of unit prices at a stated rate
before anything is discounted or rounded, the seller's rounding policy, the rates recorded, margins in the
currency of the cost, and the VAT total in the accounting currency (EN 16931 BT-111). Every figure is
worked out by hand in the docstring."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from proposals.pricing.issues import PricingIssue
from proposals.pricing.lines import price

from .pricing_fixtures import catalog, deal, seller, service

ECB = {"pair": "EUR/CHF", "rate": D("0.9412"), "date": date(2026, 11, 30), "source": "ECB euro foreign exchange reference rate"}


def chf(items, services, seller_=None, **fields):
    fields.setdefault("exchange_rates", [ECB])
    return price(deal(items, currency="CHF", **fields), catalog(*services), seller_ or seller())


def test_a_price_list_in_the_offer_currency_is_used_as_written():
    """DAY has a CHF list price of 1,150.00: 2 days = 2,300.00 CHF, nothing converted, no rate recorded."""
    q = chf([{"sku": "DAY", "quantity": "2"}], [service("DAY", "1200.00", price_lists={"CHF": {"price": D("1150.00")}})])
    line = q.lines[0]
    assert (line.unit_price, line.net_amount, line.converted_from, q.conversions) == (D("1150.00"), D("2300.00"), None, ())


def test_conversion_happens_on_the_unit_price_before_discount_and_rounding():
    """9.99 EUR x 0.9412 = 9.402588 -> 9.40 CHF a unit; 3 units 28.20, 10 % off -> 25.38. Converting the
    discounted EUR line instead (3 x 9.99 x 0.9 = 26.973 -> 26.97 EUR x 0.9412 = 25.384164 -> 25.38) agrees
    here only by chance; the list amount shows the order: 28.20, not 29.97 x 0.9412 = 28.21."""
    q = chf([{"sku": "A", "quantity": "3", "discount_percent": "10"}], [service("A", "9.99")])
    line = q.lines[0]
    assert (line.unit_price, line.list_amount, line.net_amount, line.converted_from) == (D("9.40"), D("28.20"), D("25.38"), "EUR")


def test_the_rate_converts_the_other_way_round_too():
    """A CHF item in a EUR offer, the rate stated EUR/CHF 0.9412: 1,000.00 / 0.9412 = 1,062.4734... -> 1,062.47."""
    q = price(deal([{"sku": "S", "quantity": "1"}], exchange_rates=[ECB]), catalog(service("S", "1000.00", currency="CHF")), seller())
    assert (q.lines[0].unit_price, q.lines[0].net_amount) == (D("1062.47"), D("1062.47"))
    assert [(c.pair, c.from_currency, c.to_currency, c.positions) for c in q.conversions] == [("EUR/CHF", "CHF", "EUR", (1,))]


def test_tiers_and_role_rates_are_converted_one_by_one_where_the_list_leaves_them_out():
    """Graduated 50.00 / 40.00 EUR -> 47.06 / 37.648 -> 37.65 CHF; 12 units: 10 x 47.06 = 470.60 + 2 x 37.65 =
    75.30, 545.90. Rate card: senior from the CHF list (1,400.00), junior 900.00 EUR x 0.9412 = 847.08."""
    tiers = service("T", None, pricing="graduated", tiers=[{"up_to": D(10), "price": D(50)}, {"price": D(40)}])
    card = service("R", None, pricing="rate_card", rates=[{"role": "senior", "name": "Senior", "price": D(1500)}, {"role": "junior", "name": "Junior", "price": D(900)}],
                   price_lists={"CHF": {"rates": [{"role": "senior", "price": D(1400)}]}})
    q = chf([{"sku": "T", "quantity": "12"}, {"sku": "R", "quantity": "1", "role": "senior"}, {"sku": "R", "quantity": "2", "role": "junior"}], [tiers, card])
    assert [(t.unit_price, t.amount) for t in q.lines[0].tiers] == [(D("47.06"), D("470.60")), (D("37.65"), D("75.30"))]
    assert [(l.unit_price, l.net_amount) for l in q.lines] == [(D("45.4917"), D("545.90")), (D(1400), D("1400.00")), (D("847.08"), D("1694.16"))]
    # the tiers and the junior rate were converted, the senior rate came from the list
    assert [(l.position, l.converted_from) for l in q.lines] == [(1, "EUR"), (2, None), (3, "EUR")]
    assert [(c.pair, c.positions) for c in q.conversions] == [("EUR/CHF", (1, 3))]


def test_a_usage_price_keeps_its_precision_when_converted():
    """0.0000166667 EUR x 0.9412 = 0.00001568669804 -> ten places 0.0000156867 CHF; 1,200,000 GB-s = 18.82404 -> 18.82."""
    line = chf([{"sku": "G", "quantity": "1200000"}], [service("G", "0.0000166667")]).lines[0]
    assert (line.unit_price, line.net_amount) == (D("0.0000156867"), D("18.82"))


@pytest.mark.parametrize(("policy", "unit"), [
    ({"rounding": "increment", "step": D("0.05")}, D("1129.45")),   # 1,200 x 0.9412 = 1,129.44 -> nearest 0.05: 1,129.45
    ({"rounding": "ending", "step": D("0.90")}, D("1129.90")),      # up to the next price ending in .90
    ({"rounding": "increment", "step": D("10")}, D("1130")),        # whole tens
])
def test_the_sellers_rounding_policy_decides_the_converted_price(policy, unit):
    q = chf([{"sku": "A", "quantity": "1"}], [service("A", "1200.00")], seller(price_conversion=policy))
    assert q.lines[0].unit_price == unit


def test_the_deals_rate_wins_over_the_seller_profiles_and_is_recorded_once():
    """Seller EUR/CHF 0.95, deal 0.9412: 100.00 x 0.9412 = 94.12 for both lines; one conversion, positions 1 and 2."""
    own = seller(exchange_rates=[{**ECB, "rate": D("0.95"), "source": "Treasury"}])
    q = chf([{"sku": "A", "quantity": "1"}, {"sku": "B", "quantity": "1"}], [service("A", "100.00"), service("B", "100.00")], own)
    assert [l.unit_price for l in q.lines] == [D("94.12"), D("94.12")]
    assert [(c.pair, c.rate, c.date, c.source, c.positions) for c in q.conversions] == [("EUR/CHF", D("0.9412"), date(2026, 11, 30), ECB["source"], (1, 2))]
    q = chf([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], own, exchange_rates=[])
    assert (q.lines[0].unit_price, q.conversions[0].source) == (D("95.00"), "Treasury")


def test_margins_compare_in_the_currency_of_the_cost():
    """Price 100.00 EUR, cost 60.00 EUR: 40 % in EUR. In CHF the price is 94.12 and the cost 56.472 unrounded,
    (94.12 - 56.472) / 94.12 = 40 % exactly: the same margin, not one shifted by a rounded cost."""
    q = chf([{"sku": "A", "quantity": "1"}], [service("A", "100.00", cost=D(60))])
    assert (q.lines[0].cost, q.margin_percent) == (D("56.4720"), D(40))


def test_the_vat_total_is_also_given_in_the_accounting_currency():
    """A CHF offer taxed at 19 %, the seller accounting VAT in EUR: 1,000.00 CHF (list price), VAT 190.00 CHF
    = 190.00 / 0.9412 = 201.8699... -> 201.87 EUR (BT-111), with the rate used."""
    own = seller(vat_accounting_currency="EUR")
    q = chf([{"sku": "A", "quantity": "1"}], [service("A", "1100.00", price_lists={"CHF": {"price": D(1000)}})], own)
    a = q.accounting_vat
    assert (q.totals.tax_total, a.currency, a.tax_total, a.pair, a.rate) == (D("190.00"), "EUR", D("201.87"), "EUR/CHF", D("0.9412"))
    assert chf([{"sku": "A", "quantity": "1"}], [service("A", "1100.00", price_lists={"CHF": {"price": D(1000)}})]).accounting_vat is None
    with pytest.raises(PricingIssue) as raised:
        chf([{"sku": "A", "quantity": "1"}], [service("A", "1100.00", price_lists={"CHF": {"price": D(1000)}})], own, exchange_rates=[])
    assert (raised.value.field, str(raised.value)) == ("currency", "the VAT total in EUR, the seller's VAT accounting currency (EN 16931 BT-111), needs an exchange rate EUR/CHF in the deal or seller profile")


def test_listed_tiers_and_listed_costs_are_used_as_written():
    """CHF list: bands 47.00 / 37.00 and cost 8.00; 12 users = 10 x 47 + 2 x 37 = 544.00, cost 12 x 8 = 96.00,
    margin (544 - 96) / 544 = 82.35...%. Converted instead, the bands would be 46.12 / 36.71 and the cost 8.4708.
    A rate card's listed role cost 700.00 is used too: 2 days at 1,400.00, margin (2,800 - 1,400) / 2,800 = 50 %.
    Kills: the listed tiers or costs ignored in favour of conversion."""
    users = service("U", None, pricing="graduated", cost=D(9), tiers=[{"up_to": D(10), "price": D(49)}, {"price": D(39)}],
                    price_lists={"CHF": {"tiers": [{"up_to": D(10), "price": D(47)}, {"price": D(37)}], "cost": D(8)}})
    q = chf([{"sku": "U", "quantity": "12"}], [users])
    line = q.lines[0]
    assert ([(t.unit_price, t.amount) for t in line.tiers], line.cost, line.converted_from) == ([(D(47), D("470.00")), (D(37), D("74.00"))], D(96), None)
    card = service("R", None, pricing="rate_card", rates=[{"role": "senior", "name": "Senior", "price": D(1500), "cost": D(800)}],
                   price_lists={"CHF": {"rates": [{"role": "senior", "price": D(1400), "cost": D(700)}]}})
    q = chf([{"sku": "R", "quantity": "2", "role": "senior"}], [card])
    assert (q.lines[0].cost, q.margin_percent) == (D(1400), D(50))


def test_a_converted_item_is_rounded_in_the_offer_currency():
    """Graduated EUR bands into JPY at EUR/JPY 161.27: 0.10 EUR -> 16.127 -> 16 yen a unit; 10 units in the
    first band = 160 yen, 5 in the second at 0.08 EUR -> 12.9016 -> 13 yen = 65 yen; line 225 yen, no sen.
    Kills: the converted item keeping its own currency (bands rounded to cents, 161.27 x 1.5 ...)."""
    yen = {"pair": "EUR/JPY", "rate": D("161.27"), "date": date(2026, 11, 30), "source": "ECB"}
    tiers = service("T", None, pricing="graduated", tiers=[{"up_to": D(10), "price": D("0.10")}, {"price": D("0.08")}])
    q = price(deal([{"sku": "T", "quantity": "15"}], currency="JPY", exchange_rates=[yen]), catalog(tiers), seller())
    assert [(t.unit_price, t.amount) for t in q.lines[0].tiers] == [(D(16), D(160)), (D(13), D(65))]
    assert q.lines[0].net_amount == D(225)
    # per 3 units, 14 units: 10 x 16 / 3 = 53.33 -> 53 yen, 4 x 13 / 3 = 17.33 -> 17 yen, line 70 (bands rounded
    # to cents as if still in EUR would make 53.33 + 17.33 = 70.66 -> 71)
    per3 = tiers.model_copy(update={"price_base_quantity": D(3)})
    q = price(deal([{"sku": "T", "quantity": "14"}], currency="JPY", exchange_rates=[yen]), catalog(per3), seller())
    assert [str(t.amount) for t in q.lines[0].tiers] == ["53", "17"] and str(q.lines[0].net_amount) == "70"


def test_each_pair_used_is_recorded_on_its_own():
    """A CHF offer with EUR and SEK items: EUR/CHF 0.9412 prices item 1, CHF/SEK 11.5 (1 CHF = 11.5 SEK) prices
    item 2 the other way round: 115.00 SEK / 11.5 = 10.00 CHF. Kills: all rates recorded under one key."""
    sek = {"pair": "CHF/SEK", "rate": D("11.5"), "date": date(2026, 11, 29), "source": "SNB"}
    q = chf([{"sku": "A", "quantity": "1"}, {"sku": "S", "quantity": "1"}], [service("A", "100.00"), service("S", "115.00", currency="SEK")],
            exchange_rates=[ECB, sek])
    assert [(c.pair, c.from_currency, c.date, c.source, c.positions) for c in q.conversions] == [
        ("EUR/CHF", "EUR", date(2026, 11, 30), ECB["source"], (1,)), ("CHF/SEK", "SEK", date(2026, 11, 29), "SNB", (2,))]
    assert [l.net_amount for l in q.lines] == [D("94.12"), D("10.00")]


def test_no_vat_total_in_the_accounting_currency_when_there_is_no_vat():
    """Outside scope: the CHF offer has no VAT, so no BT-111 even with an accounting currency; with VAT the
    figure carries the rate's date and source. Kills: `or` -> `and` in the no-VAT test, the date or source dropped."""
    own = seller(vat_accounting_currency="EUR", tax_categories=[*seller().model_dump()["tax_categories"], {"id": "o", "code": "O", "rate": D(0), "exemption_reason": "Outside"}])
    assert chf([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], own, outside_scope=True).accounting_vat is None
    a = chf([{"sku": "A", "quantity": "1"}], [service("A", "100.00")], own).accounting_vat
    assert (a.date, a.source, a.tax_total) == (date(2026, 11, 30), ECB["source"], D("19.00"))  # 94.12 x 19 % = 17.88 CHF / 0.9412 = 18.9970... -> 19.00


def test_a_role_cost_without_a_listed_one_is_converted_unrounded():
    """Senior 1,500.00 EUR, cost 800.00 EUR, no CHF list: rate 1,411.80 CHF, cost 752.96 CHF; 2 days: margin
    (2,823.60 - 1,505.92) / 2,823.60 = 46.666...%, the same as (3,000 - 1,600) / 3,000 in EUR.
    Kills: the role's own cost dropped when the list does not give one."""
    card = service("R", None, pricing="rate_card", rates=[{"role": "senior", "name": "Senior", "price": D(1500), "cost": D(800)}])
    q = chf([{"sku": "R", "quantity": "2", "role": "senior"}], [card])
    assert (q.lines[0].unit_price, q.lines[0].cost) == (D("1411.80"), D("1505.9200"))
    assert q.margin_percent.quantize(D("0.0001")) == D("46.6667")
