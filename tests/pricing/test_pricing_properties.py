"""Property-based tests: the invariants hold across random deals, currencies and rounding modes,
and, where a part can be stated simply, the figures equal a deliberately simple reference model
(the default instalment remainder, cash rounding on ties, option deltas per period and over the term).

The strategies build mostly priceable deals: item 0 is a one-off anchor large enough to carry the
credits, document allowances and prepayments the other draws add, and a fixed document allowance
only names a part (one-off/recurring) that has a standard-rated line. ``hypothesis`` ``event()``s
count priced and unpriceable examples (``pytest --hypothesis-show-statistics``).

``PROPOSALS_PROPERTY_EXAMPLES`` lowers the number of examples (scripts/mutation runs with 25).
"""

from __future__ import annotations

import os
from decimal import ROUND_FLOOR, Decimal as D

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from proposals.money import minor_unit
from proposals.pricing.lines import price
from proposals.pricing.taxes import cash_round

from .pricing_fixtures import catalog, deal, seller, service

EXAMPLES = settings(max_examples=int(os.environ.get("PROPOSALS_PROPERTY_EXAMPLES", "500")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
CURRENCIES = ["EUR", "JPY", "KWD", "CHF", "SEK"]
CASH_INCREMENT = {"CHF": D("0.05"), "SEK": D("1")}  # the defaults of proposals.pricing.taxes, stated again


def amounts(places: int = 3, high: int = 100_000, low: str = "0.001"):
    return st.decimals(min_value=D(low), max_value=D(high), places=places, allow_nan=False, allow_infinity=False)


# -- the reference model: plain arithmetic, written without proposals.money ----------------------

def ref_round(x: D, places: int) -> D:
    """Half up (away from zero) by adding one half and flooring, not by ``quantize(ROUND_HALF_UP)``."""
    scaled = abs(x) * D(10) ** places
    whole = (scaled + D("0.5")).to_integral_value(rounding=ROUND_FLOOR)
    result = whole / D(10) ** places
    return -result if x < 0 and whole else result


def ref_cash(amount: D, increment: D) -> D:
    """Nearest multiple of ``increment``, a tie going up, by integer division on thousandths."""
    k, step = int(amount * 1000), int(increment * 1000)
    assert k == amount * 1000 and k >= 0
    q, r = divmod(k, step)
    return D((q + (1 if 2 * r >= step else 0)) * step) / 1000


def ref_periods(billing: str, months: int) -> int:
    return 1 if billing == "once" else months if billing == "monthly" else (months + 11) // 12


def ref_period_amount(quantity: D, unit_price: D, discount: D, places: int) -> D:
    """A per-unit line for one period: round(quantity x price x (1 - discount %))."""
    return ref_round(quantity * unit_price * (100 - discount) / 100, places)


def ref_schedule(base: D, milestones: list[dict], places: int) -> list[D]:
    """Deposits first, percentages of the rest; the last percentage instalment takes the difference."""
    deposits = sum((ref_round(m["amount"], places) for m in milestones if "amount" in m), D(0))
    rest = base - deposits
    amounts_ = [ref_round(m["amount"], places) if "amount" in m else ref_round(rest * m["percent"] / 100, places) for m in milestones]
    last = max(i for i, m in enumerate(milestones) if "percent" in m)
    amounts_[last] = base - sum((a for i, a in enumerate(amounts_) if i != last), D(0))
    return amounts_


# -- strategies ----------------------------------------------------------------------------------

@st.composite
def services_and_items(draw, currency: str):
    count = draw(st.integers(1, 6))
    services, items = [], []
    for n in range(count):
        sku = f"S{n}"
        fields = {"currency": currency, "tax_category": draw(st.sampled_from(["standard", "reduced"]))}
        item = {"sku": sku, "quantity": draw(amounts(3, 500)), "discount_percent": draw(st.decimals(0, 60, places=2))}
        if n == 0:  # the anchor: one-off, standard-rated, at least 2,000 x 1 x 40 % x 70 % = 560 net
            fields["tax_category"] = "standard"
            item["quantity"] = draw(amounts(3, 500, low="1"))
            services.append(service(sku, str(draw(amounts(2, 100_000, low="2000"))), billing="once", **fields))
        elif draw(st.integers(0, 7)) == 0:  # a small credit: at most 20 per line
            item["credit"] = True
            item["quantity"] = draw(amounts(3, 1))
            services.append(service(sku, str(draw(amounts(2, 20))), billing="once", **fields))
            items.append(item)
            continue
        else:
            model = draw(st.sampled_from(["per_unit", "graduated", "volume", "package", "rate_card"]))
            fields["billing"] = billing = draw(st.sampled_from(["once", "monthly", "yearly"]))
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
            else:  # a usage price has up to ten places (issue #17): 0.0000166667 per GB-second
                unit = draw(st.one_of(amounts(), st.decimals(min_value=D("0.0000000001"), max_value=D(1), places=10)))
                services.append(service(sku, str(unit), pricing=model, price_base_quantity=D(draw(st.sampled_from([1, 10, 100]))), **fields))
            if billing != "once":  # the cross-checks allow a yearly term in whole years only
                item["months"] = draw(st.integers(1, 48)) if billing == "monthly" else 12 * draw(st.integers(1, 4))
        if draw(st.integers(0, 3)) == 0:
            item["allowances_charges"] = [{"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "r", "percent": draw(st.decimals(D("0.01"), 30, places=2))}]
        items.append(item)
    return services, items


@st.composite
def scenarios(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    # A third of the deals price EUR items in another currency at a stated rate (issue #17).
    source = draw(st.sampled_from([currency, currency, "EUR"]))
    services, items = draw(services_and_items(source))
    rates = [] if source == currency else [{"pair": f"EUR/{currency}", "rate": draw(st.decimals(D("0.3"), 200, places=4)), "date": deal(items).date, "source": "test"}]
    split = draw(st.lists(st.integers(1, 100), min_size=1, max_size=4))
    percents = [D(p) * 100 / sum(split) for p in split]
    percents = [p.quantize(D("0.0001")) for p in percents[:-1]]
    percents.append(D(100) - sum(percents, D(0)))
    milestones = [{"name": f"M{i}", "percent": p} for i, p in enumerate(percents) if p > 0]
    if draw(st.integers(0, 3)) == 0:
        milestones.insert(0, {"name": "Deposit", "amount": draw(amounts(2, 50))})
    acs = []
    if draw(st.booleans()):
        acs.append({"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "doc", "percent": draw(st.decimals(D("0.01"), 20, places=2))})
    if draw(st.integers(0, 3)) == 0:
        by_part = {s.billing != "once" for s, i in zip(services, items) if s.tax_category == "standard" and not i.get("credit")}
        part = draw(st.sampled_from(sorted(by_part)))
        acs.append({"kind": draw(st.sampled_from(["allowance", "charge"])), "reason": "fixed", "amount": draw(amounts(2, 50)), "tax_category": "standard", "applies_to": "recurring" if part else "one_off"})
    fields = {
        "currency": currency,
        "exchange_rates": rates,
        "allowances_charges": acs,
        "reverse_charge": draw(st.booleans()),
        "terms": {"payment": {"milestones": milestones, "early_payment": {"percent": D(2), "days": 10}, "prepaid": draw(st.sampled_from([D(0), D("10.00"), D("99.99")]))}},
    }
    rounding = draw(st.sampled_from(["per_category", "per_line"]))
    return services, items, fields, seller(tax_rounding=rounding)


def try_price(services, items, fields, seller_):
    from proposals.pricing.issues import PricingIssue

    try:
        quote = price(deal(items, **fields), catalog(*services), seller_)
    except PricingIssue as issue:
        event(f"unpriceable: {issue.field}")
        return None  # e.g. a negative one-off total cannot be split into instalments
    event("priced")
    return quote


# -- properties ----------------------------------------------------------------------------------

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
def test_converted_prices_follow_the_reference(scenario):
    """Reference: a per-unit or package price converted is round(price x rate), half up, to the currency's minor
    unit plus the places the EUR price has beyond the cent; nothing else is converted twice. Guards against the
    conversion applied after rounding or discount, the inverse rate, and the places of a usage price lost."""
    services, items, fields, _ = scenario
    if not fields["exchange_rates"]:
        return
    quote = try_price(*scenario)
    if quote is None:
        return
    rate = fields["exchange_rates"][0]["rate"]
    own = {s.sku: s for s in services}
    for line in quote.lines:
        s = own[line.sku]
        assert line.converted_from == "EUR"
        if s.pricing in ("per_unit", "package"):
            places = minor_unit(quote.currency) + max(0, -s.price.normalize().as_tuple().exponent - 2)  # places beyond the cent
            assert line.unit_price == ref_round(s.price * rate, places)
    assert [(c.pair, c.rate) for c in quote.conversions] == [(f"EUR/{quote.currency}", rate)]


@EXAMPLES
@given(scenarios())
def test_schedule_follows_the_reference_model(scenario):
    """Reference: deposits first, percentages of the rest, the last percentage takes the remainder.

    Guards against mutants of payment_schedule/_remainder_index that still sum to the one-off total
    (another instalment absorbing the difference, a percentage of the whole instead of the rest,
    the early-payment amount off by its rounding).
    """
    quote = try_price(*scenario)
    if quote is None or not quote.schedule:
        return
    places = minor_unit(quote.currency)
    milestones = scenario[2]["terms"]["payment"]["milestones"]
    expected = ref_schedule(quote.one_off_net, milestones, places)
    assert [i.amount for i in quote.schedule] == expected
    last = max(i for i, m in enumerate(milestones) if "percent" in m)
    assert [i.remainder for i in quote.schedule] == [i == last for i in range(len(milestones))]
    for i in quote.schedule:
        assert i.early_payment_amount == i.amount - ref_round(i.amount * 2 / 100, places)


@EXAMPLES
@given(scenarios())
def test_cash_rounding_of_the_payable_follows_the_reference(scenario):
    """Reference: CHF to 0.05, SEK to 1, ties up; other currencies unrounded (guards cash_round and its defaults)."""
    quote = try_price(*scenario)
    if quote is None:
        return
    t = quote.totals
    due = t.tax_inclusive_total - t.prepaid
    increment = CASH_INCREMENT.get(quote.currency)
    assert t.payable == (ref_cash(due, increment) if increment else due)
    assert t.rounding == t.payable - due


@EXAMPLES
@given(st.integers(0, 10**7), st.sampled_from([D("0.05"), D("0.10"), D("0.50"), D("1"), D("0.01")]), st.sampled_from(["any", "tie", "below tie"]))
def test_cash_round_on_ties_goes_up(k, increment, where):
    """cash_round against integer division: a tie (x.025 to 0.05, x.50 to 1) goes up, just below it down.

    Guards against ROUND_HALF_EVEN/ROUND_DOWN/ROUND_HALF_DOWN and a swapped multiply/divide in cash_round.
    """
    step = int(increment * 1000)
    if where != "any":
        k = k - k % step + step // 2 - (1 if where == "below tie" else 0)
    amount = D(k) / 1000
    assert cash_round(amount, increment) == ref_cash(amount, increment)
    assert cash_round(amount, None) == amount


@st.composite
def option_deals(draw):
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    def line(sku, **extra):
        billing = draw(st.sampled_from(["once", "monthly", "yearly"]))
        unit_price = draw(amounts(2, 5000, low="1"))
        item = {"sku": sku, "quantity": draw(amounts(3, 50, low="1")), "discount_percent": draw(st.decimals(0, 50, places=2)), **extra}
        if billing != "once":
            item["months"] = draw(st.sampled_from([1, 12, 18, 24, 36] if billing == "monthly" else [12, 24, 36]))
        return service(sku, str(unit_price), billing=billing, currency=currency), item, unit_price
    base = [line("BASE") for _ in range(draw(st.integers(1, 2)))]
    if len(base) == 2:  # two firm lines of one SKU: the alternative replaces both
        base[1] = (base[0][0], {**base[1][1], "months": base[0][1].get("months")} if base[0][0].billing != "once" else {k: v for k, v in base[1][1].items() if k != "months"}, base[0][2])
    alternative = line("ALT", alternative_to="BASE")
    optional = line("OPT", optional=True)
    return currency, base, alternative, optional


@EXAMPLES
@given(option_deals())
def test_option_deltas_follow_the_reference(example):
    """Reference: optional delta = its net; alternative delta = its net - the replaced lines' net; per
    period the same where billing and periods agree, else none; options stay out of the totals.

    Guards against mutants of _with_deltas/_period_delta/_periods/list_price/_waterfall whose figures
    still add up (a delta against the wrong lines, per period where the terms differ, periods per
    started year off by one, the discount applied to the rounded amount).
    """
    currency, base, alternative, optional = example
    places = minor_unit(currency)
    services = {s.sku: s for s, _, _ in base + [alternative, optional]}
    items = [i for _, i, _ in base + [alternative, optional]]
    quote = price(deal(items, currency=currency), services, seller())

    def ref(entry):
        s, item, unit_price = entry
        periods = ref_periods(s.billing, item.get("months") or 12)
        period = ref_period_amount(item["quantity"], unit_price, item["discount_percent"], places)
        return s.billing, periods, period, period * periods

    base_ref = [ref(b) for b in base]
    alt_billing, alt_periods, alt_period, alt_net = ref(alternative)
    opt_billing, _, opt_period, opt_net = ref(optional)
    by_sku = {l.sku: l for l in quote.lines}
    assert [l.net_amount for l in quote.firm_lines] == [r[3] for r in base_ref]
    assert quote.totals.line_net_total == sum(r[3] for r in base_ref)
    assert by_sku["OPT"].delta == opt_net
    assert by_sku["OPT"].period_delta == (opt_period if opt_billing != "once" else None)
    assert by_sku["ALT"].delta == alt_net - sum(r[3] for r in base_ref)
    same_terms = alt_billing != "once" and all(r[0] == alt_billing and r[1] == alt_periods for r in base_ref)
    assert by_sku["ALT"].period_delta == (alt_period - sum(r[2] for r in base_ref) if same_terms else None)


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
