"""Property-based tests: the invariants hold across random deals, currencies and rounding modes."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.money import minor_unit
from proposals.pricing.lines import price

from .pricing_fixtures import catalog, deal, seller, service

EXAMPLES = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = ["EUR", "JPY", "KWD", "CHF", "SEK"]


def amounts(places: int = 3, high: int = 100_000):
    return st.decimals(min_value=D("0.001"), max_value=D(high), places=places, allow_nan=False, allow_infinity=False)


@st.composite
def services_and_items(draw, currency: str):
    count = draw(st.integers(1, 6))
    services, items = [], []
    for n in range(count):
        sku = f"S{n}"
        model = draw(st.sampled_from(["per_unit", "graduated", "volume", "package", "rate_card"]))
        billing = draw(st.sampled_from(["once", "monthly", "yearly"]))
        fields = {"currency": currency, "billing": billing, "tax_category": draw(st.sampled_from(["standard", "reduced"]))}
        item = {"sku": sku, "quantity": draw(amounts(3, 500)), "discount_percent": draw(st.decimals(0, 60, places=2))}
        if model in ("graduated", "volume"):
            bounds = sorted(set(draw(st.lists(st.integers(1, 400), min_size=1, max_size=3))))
            prices = [draw(amounts()) for _ in range(len(bounds) + 1)]
            fields["tiers"] = [{"up_to": D(b), "price": p} for b, p in zip(bounds, prices)] + [{"price": prices[-1]}]
            services.append(service(sku, None, pricing=model, **fields))
        elif model == "rate_card":
            services.append(service(sku, None, pricing=model, rates=[{"role": "r", "name": "Role", "price": draw(amounts())}], **fields))
            item["role"] = "r"
            if draw(st.booleans()):
                item["cap"] = draw(amounts(2))
        else:
            services.append(service(sku, str(draw(amounts())), pricing=model, price_base_quantity=D(draw(st.sampled_from([1, 10, 100]))), **fields))
        if billing != "once":
            item["months"] = draw(st.integers(1, 48))
        if n and draw(st.integers(0, 7)) == 0:
            item["credit"] = True
        if draw(st.integers(0, 3)) == 0:
            item["allowances_charges"] = [{"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "r", "percent": draw(st.decimals(D("0.01"), 30, places=2))}]
        items.append(item)
    return services, items


@st.composite
def scenarios(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    services, items = draw(services_and_items(currency))
    split = draw(st.lists(st.integers(1, 100), min_size=1, max_size=4))
    percents = [D(p) * 100 / sum(split) for p in split]
    percents = [p.quantize(D("0.0001")) for p in percents[:-1]]
    percents.append(D(100) - sum(percents, D(0)))
    milestones = [{"name": f"M{i}", "percent": p} for i, p in enumerate(percents) if p > 0]
    acs = []
    if draw(st.booleans()):
        acs.append({"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "doc", "percent": draw(st.decimals(D("0.01"), 20, places=2))})
    if draw(st.integers(0, 3)) == 0:
        acs.append({"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "fixed", "amount": draw(amounts(2, 50)), "tax_category": "standard", "applies_to": draw(st.sampled_from(["one_off", "recurring"]))})
    fields = {
        "currency": currency,
        "allowances_charges": acs,
        "reverse_charge": draw(st.booleans()),
        "terms": {"payment": {"milestones": milestones, "early_payment": {"percent": D(2), "days": 10}, "prepaid": draw(st.sampled_from([D(0), D("10.00"), D("99.99")]))}},
    }
    rounding = draw(st.sampled_from(["per_category", "per_line"]))
    return services, items, fields, seller(tax_rounding=rounding)


def try_price(services, items, fields, seller_):
    from proposals.pricing.issues import PricingIssue

    try:
        return price(deal(items, **fields), catalog(*services), seller_)
    except PricingIssue:
        return None  # e.g. a negative one-off total cannot be split into instalments


@EXAMPLES
@given(scenarios())
def test_printed_amounts_add_up(scenario):
    quote = try_price(*scenario)
    if quote is None:
        return
    t = quote.totals
    places = minor_unit(quote.currency)
    for line in quote.lines:
        assert -line.net_amount.as_tuple().exponent <= places
        assert sum(s.amount for s in line.waterfall) == line.net_amount
    assert sum(l.net_amount for l in quote.firm_lines) == t.line_net_total
    assert sum(v.taxable_amount for v in quote.vat_breakdown) == t.tax_exclusive_total
    assert sum(v.tax_amount for v in quote.vat_breakdown) == t.tax_total
    assert t.tax_exclusive_total + t.tax_total - t.prepaid + t.rounding == t.payable
    assert quote.one_off_net + quote.recurring_net == t.tax_exclusive_total


@EXAMPLES
@given(scenarios())
def test_schedule_sums_exactly_to_the_one_off_total(scenario):
    quote = try_price(*scenario)
    if quote is None or not quote.schedule:
        return
    assert sum(i.amount for i in quote.schedule) == quote.one_off_net
    for i in quote.schedule:
        assert i.early_payment_amount is not None and abs(i.early_payment_amount) <= abs(i.amount)


@EXAMPLES
@given(scenarios())
def test_per_line_and_per_category_tax_differ_only_by_rounding(scenario):
    services, items, fields, _ = scenario
    by_category = try_price(services, items, fields, seller(tax_rounding="per_category"))
    by_line = try_price(services, items, fields, seller(tax_rounding="per_line"))
    if by_category is None or by_line is None:
        return
    entries = len(by_category.firm_lines) + sum(len(a.parts) for a in by_category.allowances_charges)
    half_unit = D(1).scaleb(-minor_unit(by_category.currency)) / 2
    assert abs(by_category.totals.tax_total - by_line.totals.tax_total) <= entries * half_unit + half_unit


@EXAMPLES
@given(st.integers(1, 1000), amounts(), st.sampled_from(CURRENCIES))
def test_single_tier_graduated_equals_volume_equals_per_unit(quantity, unit_price, currency):
    results = set()
    for model in ("graduated", "volume", "per_unit"):
        fields = {"currency": currency}
        if model == "per_unit":
            s = service("A", str(unit_price), **fields)
        else:
            s = service("A", None, pricing=model, tiers=[{"price": unit_price}], **fields)
        results.add(price(deal([{"sku": "A", "quantity": D(quantity)}], currency=currency), catalog(s), seller()).totals.payable)
    assert len(results) == 1
