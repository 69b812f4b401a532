"""Work packages (issue #19): each pricing mode, PERT, buffer rules, rounding, cost, the plan from
the effort with dependencies, and the two guardrails, with figures worked out by hand.

Rate card used throughout (CARD, per day): senior 1,350.00 (cost 810.00), consultant 1,050.00
(cost 630.00), engineer 1,180.00 (no cost given).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proposals.pricing.lines import price
from proposals.pricing.taxes import invariants
from proposals.writers.json import JsonWriter, quote_document

from .pricing_fixtures import catalog, deal, seller, service

CARD = service("CARD", None, pricing="rate_card", unit="day", unit_plural="days", rates=[
    {"role": "senior", "name": "Senior", "price": D("1350.00"), "cost": D("810.00")},
    {"role": "consultant", "name": "Consultant", "price": D("1050.00"), "cost": D("630.00")},
    {"role": "engineer", "name": "Engineer", "price": D("1180.00")},
])


def three(role: str, o: str, m: str, p: str) -> dict:
    return {"role": role, "optimistic": D(o), "likely": D(m), "pessimistic": D(p)}


def one(role: str, effort: str) -> dict:
    return {"role": role, "effort": D(effort)}


def template(sku: str = "WP-T", **package) -> object:
    return service(sku, None, pricing="work_package", unit="package", work_package={"rate_card": "CARD", **package})


def priced(items: list[dict], *services, sell=None, **fields):
    return price(deal(items, **fields), catalog(CARD, *services), sell or seller())


def test_fixed_price_pert_percent_buffer_rounded_up_to_100():
    # senior PERT (2 + 4x3 + 7)/6 = 21/6 = 3.50, spread (7-2)/6 = 0.833 -> 0.83; 3.50 x 1350 = 4,725.00
    # consultant one figure 4: 4 x 1050 = 4,200.00; effort 8,925.00
    # buffer 10 % = 892.50; 9,817.50 rounded up to a multiple of 100 = 9,900.00 (rounding 82.50)
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {
        "id": "WP1", "name": "Design", "effort": [three("senior", "2", "3", "7"), one("consultant", "4")],
        "buffer_percent": D("10"), "round_up_to": D("100")}}])
    line = q.lines[0]
    est = line.estimate
    assert [(r.expected, r.spread, r.amount) for r in est.roles] == [(D("3.50"), D("0.83"), D("4725.00")), (D("4"), D("0"), D("4200.00"))]
    assert (est.effort_amount, est.buffer, est.rounding, est.price) == (D("8925.00"), D("892.50"), D("82.50"), D("9900.00"))
    assert line.net_amount == D("9900.00") and line.unit_price == D("9900.00")
    assert [(s.kind, s.amount) for s in est.steps] == [("effort", D("4725.00")), ("effort", D("4200.00")), ("buffer", D("892.50")), ("rounding", D("82.50"))]
    assert (line.name, line.unit, line.pricing, line.package_pricing) == ("Design", "package", "work_package", "fixed")
    # cost: 3.50 x 810 + 4 x 630 = 2,835 + 2,520 = 5,355
    assert line.cost == D("5355.00")
    invariants(q)


def test_buffer_derived_from_the_spread():
    # senior (3 + 4x5 + 9)/6 = 32/6 = 5.333 -> 5.33, spread 6/6 = 1.00; 5.33 x 1350 = 7,195.50
    # consultant (1 + 4x2 + 4)/6 = 13/6 = 2.1666 -> 2.17, spread 3/6 = 0.50; 2.17 x 1050 = 2,278.50
    # effort 9,474.00; spread at the rates = 1.00 x 1350 + 0.50 x 1050 = 1,875.00
    # buffer 1.5 spreads = 2,812.50 (29.69 % of the effort); no rounding rule: 12,286.50
    q = priced([{"sku": "WP-T", "quantity": "1"}], template(effort=[three("senior", "3", "5", "9"), three("consultant", "1", "2", "4")], buffer_spreads=D("1.5")))
    est = q.lines[0].estimate
    assert (est.effort_amount, est.spread_amount, est.buffer, est.rounding, est.price) == (D("9474.00"), D("1875.00"), D("2812.50"), D("0.00"), D("12286.50"))
    assert est.spread_percent.quantize(D("0.01")) == D("19.79")  # 1,875 / 9,474
    assert est.buffer_percent.quantize(D("0.01")) == D("29.69")


def test_time_and_material_is_priced_at_the_rates_without_buffer_or_rounding():
    # senior 5 x 1350 = 6,750.00; engineer (2 + 4x4 + 9)/6 = 27/6 = 4.50 x 1180 = 5,310.00 -> 12,060.00
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "Support", "pricing": "time_and_material",
                                                                     "effort": [one("senior", "5"), three("engineer", "2", "4", "9")]}}])
    line = q.lines[0]
    assert line.net_amount == D("12060.00") and line.cap is None and line.estimate.buffer == 0 and line.estimate.buffer_percent is None
    assert line.cost is None  # the engineer has no cost, so no margin is claimed


def test_capped_time_and_material_derives_its_cap_like_a_fixed_price():
    # effort 12,060.00 (as above); cap = 12,060.00 + 15 % (1,809.00) = 13,869.00, up to 500 -> 14,000.00
    # two packages: 24,120.00 at the rates, not to exceed 28,000.00
    q = priced([{"sku": "CARD", "quantity": "2", "work_package": {"name": "Support", "pricing": "capped", "buffer_percent": D("15"), "round_up_to": D("500"),
                                                                     "effort": [one("senior", "5"), three("engineer", "2", "4", "9")]}}])
    line = q.lines[0]
    assert (line.estimate.price, line.estimate.cap, line.cap, line.net_amount) == (D("12060.00"), D("14000.00"), D("28000.00"), D("24120.00"))
    assert [s.kind for s in line.waterfall] == ["list"]  # below its cap, the cap takes nothing


def test_a_capped_packages_cap_takes_the_line_discount_and_allowances_like_its_fixed_price():
    # effort 12,060.00 per package, cap 14,000.00 per package (as above); two packages:
    # line 24,120.00 - 10 % (2,412.00) = 21,708.00 - 5 % allowance (1,085.40) = 20,622.60
    # cap  28,000.00 - 10 % (2,800.00) = 25,200.00 - 5 % allowance (1,260.00) = 23,940.00, what fixed would give
    package = {"name": "Support", "pricing": "capped", "buffer_percent": D("15"), "round_up_to": D("500"),
               "effort": [one("senior", "5"), three("engineer", "2", "4", "9")]}
    allowance = {"kind": "allowance", "reason": "Framework", "percent": D("5")}
    capped, fixed = (priced([{"sku": "CARD", "quantity": "2", "discount_percent": "10", "allowances_charges": [allowance],
                               "work_package": {**package, "pricing": mode}}]).lines[0] for mode in ("capped", "fixed"))
    assert (capped.net_amount, capped.cap) == (D("20622.60"), D("23940.00"))
    assert fixed.net_amount == capped.cap
    assert [s.kind for s in capped.waterfall] == ["list", "discount", "allowance"]  # below its cap, the cap takes nothing


def test_a_template_adjusted_by_the_deal_and_downstream_discount_allowance_vat():
    # template: senior 2, consultant 3 -> 2,700 + 3,150 = 5,850.00, buffer 10 % = 585.00 -> 6,435.00 -> up to 100: 6,500.00
    # the deal raises consultant to 5: 2,700 + 5,250 = 7,950.00 + 795.00 = 8,745.00 -> 8,800.00
    # x 2 packages = 17,600.00; discount 5 % -> 16,720.00; document allowance 3 % = 501.60 -> 16,218.40; VAT 19 % = 3,081.50
    t = template(effort=[one("senior", "2"), one("consultant", "3")], buffer_percent=D("10"), round_up_to=D("100"), assumptions=["A"])
    q = priced([{"sku": "WP-T", "quantity": "2", "discount_percent": "5", "work_package": {"effort": [one("consultant", "5")]}}], t,
               allowances_charges=[{"kind": "allowance", "reason": "Framework", "percent": D("3")}])
    line = q.lines[0]
    assert line.estimate.price == D("8800.00") and line.list_amount == D("17600.00") and line.net_amount == D("16720.00")
    assert [r.role for r in line.estimate.roles] == ["senior", "consultant"] and line.assumptions == ("A",)
    assert (q.totals.tax_exclusive_total, q.totals.tax_total) == (D("16218.40"), D("3081.50"))
    invariants(q)


def test_the_plan_follows_the_effort_and_fills_milestones_and_instalments():
    # start Monday 2027-01-04; allocation senior 1, consultant 2
    # WP1: senior 3 days / 1 = 3, consultant 5 / 2 = 2.5 -> 3 -> 3 working days: Mon 4 - Wed 6 January
    # WP2 after WP1: senior 6 / 1 = 6 working days from Thu 7: Thu 7, Fri 8, Mon 11 ... Thu 14 January
    # WP3 independent of both: consultant 1 / 2 -> 1 day: Mon 4 January
    # M1 = end of WP2 = 2027-01-14; instalment on M1 due 14 + 30 payment days = 2027-02-13
    packages = [
        {"sku": "CARD", "quantity": "1", "work_package": {"id": "WP1", "name": "A", "effort": [one("senior", "3"), one("consultant", "5")]}},
        {"sku": "CARD", "quantity": "1", "work_package": {"id": "WP2", "name": "B", "effort": [one("senior", "6")], "depends_on": ["WP1"]}},
        {"sku": "CARD", "quantity": "1", "work_package": {"id": "WP3", "name": "C", "effort": [one("consultant", "1")]}},
    ]
    terms = {"payment": {"days": 30, "milestones": [{"name": "On M1", "percent": D("100"), "milestone": "M1"}]},
             "delivery": {"start": datetime.date(2027, 1, 4), "allocation": {"senior": D("1"), "consultant": D("2")},
                          "milestones": [{"id": "M1", "name": "B done", "work_package": "WP2"}]}}
    q = priced(packages, terms=terms)
    plan = [(l.estimate.id, l.estimate.start, l.estimate.end, l.estimate.working_days) for l in q.lines]
    assert plan == [("WP1", datetime.date(2027, 1, 4), datetime.date(2027, 1, 6), 3),
                    ("WP2", datetime.date(2027, 1, 7), datetime.date(2027, 1, 14), 6),
                    ("WP3", datetime.date(2027, 1, 4), datetime.date(2027, 1, 4), 1)]
    assert [(m.id, m.date, m.derived) for m in q.milestones] == [("M1", datetime.date(2027, 1, 14), True)]
    assert q.schedule[0].due == datetime.date(2027, 2, 13)


def test_the_build_up_counts_its_units_in_the_plural_where_there_are_several():
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "P", "effort": [one("senior", "2"), one("consultant", "1")]}}])
    assert [s.label for s in q.lines[0].estimate.steps] == ["Senior: 2 days x 1350.00", "Consultant: 1 day x 1050.00"]


def test_only_firm_packages_are_planned():
    # the optional WP0 (10 days) is not planned; the firm WP1 starts on the start day, Mon 4 January, 3 days
    terms = {"delivery": {"start": datetime.date(2027, 1, 4), "allocation": {"senior": D("1")}}}
    q = priced([{"sku": "CARD", "quantity": "1", "optional": True, "work_package": {"id": "WP0", "name": "Z", "effort": [one("senior", "10")]}},
                {"sku": "CARD", "quantity": "1", "work_package": {"id": "WP1", "name": "A", "effort": [one("senior", "3")]}}], terms=terms)
    plan = {l.estimate.id: (l.estimate.start, l.estimate.end, l.estimate.working_days) for l in q.lines}
    assert plan == {"WP1": (datetime.date(2027, 1, 4), datetime.date(2027, 1, 6), 3), "WP0": (None, None, None)}


def test_a_fixed_milestone_date_wins_over_the_plan():
    terms = {"delivery": {"start": datetime.date(2027, 1, 4), "allocation": {"senior": D("1")},
                          "milestones": [{"id": "M1", "name": "B", "date": datetime.date(2027, 3, 1), "work_package": "WP1"}]}}
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"id": "WP1", "name": "A", "effort": [one("senior", "3")]}}], terms=terms)
    assert [(m.date, m.derived) for m in q.milestones] == [(datetime.date(2027, 3, 1), False)]


def test_guardrails_buffer_below_floor_and_spread_above_limit():
    # effort: senior (1 + 4x2 + 9)/6 = 18/6 = 3.00, spread 8/6 = 1.33 -> 4,050.00, spread at the rate 1,795.50 = 44.3 %
    # buffer 5 % = 202.50 -> below the floor of 8 %; spread 44.3 % above the limit of 30 %
    sell = seller(guardrails={"min_buffer_percent": D("8"), "max_spread_percent": D("30")})
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "Risky", "buffer_percent": D("5"), "effort": [three("senior", "1", "2", "9")]}}], sell=sell)
    found = {(f.rule, f.field, f.message) for f in q.findings}
    assert found == {
        ("guardrails.min_buffer_percent", "items[0].work_package", "risk buffer 5.0 % on Risky is below the floor of 8 %"),
        ("guardrails.max_spread_percent", "items[0].work_package",
         "the fixed price of Risky rests on an estimate with a spread of 44.3 %, wider than the limit of 30 %"),
    }
    # at 8 % and one figure (no spread) there is nothing to say
    calm = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "Calm", "buffer_percent": D("8"), "effort": [one("senior", "3")]}}], sell=sell)
    assert not [f for f in calm.findings if f.rule in ("guardrails.min_buffer_percent", "guardrails.max_spread_percent")]


def test_the_estimate_stays_out_of_quote_json():
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "Design", "buffer_percent": D("10"), "effort": [three("senior", "2", "3", "7")]}}])
    text = JsonWriter().render(q).decode()
    assert "estimate" not in text and "buffer" not in text and "optimistic" not in text and "spread" not in text
    assert "estimate" in quote_document(q, internal=True)["lines"][0]
    assert json.loads(text)["lines"][0]["net_amount"] == "5197.50"  # 3.50 x 1350 = 4,725.00 + 10 % 472.50, no rounding rule


EFFORT = st.decimals(min_value=D("0"), max_value=D("50"), places=2, allow_nan=False, allow_infinity=False)
BUFFERS = [{"buffer_percent": D("10")}, {"buffer_spreads": D("1")}, {"buffer_spreads": D("2")}, {}]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(o=EFFORT, extra=EFFORT, more=EFFORT, rise=st.decimals(min_value=D("0.01"), max_value=D("20"), places=2),
       mode=st.sampled_from(["fixed", "time_and_material", "capped"]), which=st.sampled_from(["likely", "pessimistic", "effort"]),
       buffer=st.sampled_from(BUFFERS), step=st.sampled_from([None, D("1"), D("100"), D("250")]), qty=st.sampled_from(["1", "2", "0.5"]),
       discount=st.sampled_from(["0", "7.5"]))
def test_the_price_never_falls_when_an_effort_rises(o, extra, more, rise, mode, which, buffer, step, qty, discount):
    """A rising likely or pessimistic figure, or a rising one-figure effort, never lowers the line, its cap or its
    cost, and every invariant of the Quote holds. (A rising optimistic figure narrows the spread: with a buffer
    derived from it, the price may then fall, as it should; so it is not drawn here.)"""
    if which == "effort":
        before_role, after_role = one("senior", str(o)), one("senior", str(o + rise))
    else:
        points = {"optimistic": o, "likely": o + extra, "pessimistic": o + extra + more}
        higher = dict(points, **{which: points[which] + rise})
        higher["pessimistic"] = max(higher["pessimistic"], higher["likely"])
        before_role, after_role = {"role": "senior", **points}, {"role": "senior", **higher}

    def line(role):
        package = {"name": "P", "pricing": mode, "effort": [role, one("consultant", "1")]}
        if mode != "time_and_material":
            package.update(buffer, **({"round_up_to": step} if step else {}))
        q = priced([{"sku": "CARD", "quantity": qty, "discount_percent": discount, "work_package": package}])
        invariants(q)
        assert sum(s.amount for s in q.lines[0].estimate.steps) == q.lines[0].list_amount
        return q.lines[0]

    before, after = line(before_role), line(after_role)
    assert after.net_amount >= before.net_amount
    assert (after.cap or 0) >= (before.cap or 0)
    assert after.cost >= before.cost


def test_an_hourly_rate_card_counts_eight_hours_to_a_working_day():
    # 20 hours / 8 = 2.5 days for one person -> 3 working days: Friday 1 January 2027 is a weekday, so Fri 1, Mon 4, Tue 5
    hourly = service("HOURS", None, pricing="rate_card", unit="hour", unit_plural="hours", rates=[{"role": "dev", "name": "Dev", "price": D("120.00")}])
    terms = {"delivery": {"start": datetime.date(2027, 1, 1), "allocation": {"dev": D("1")}}}
    q = price(deal([{"sku": "HOURS", "quantity": "1", "work_package": {"id": "W", "name": "Fix", "effort": [one("dev", "20")]}}], terms=terms),
              catalog(hourly), seller())
    est = q.lines[0].estimate
    assert (est.start, est.end, est.working_days, q.lines[0].net_amount) == (datetime.date(2027, 1, 1), datetime.date(2027, 1, 5), 3, D("2400.00"))


def test_a_fractional_quantity_rounds_each_step_and_keeps_the_rest_as_a_step():
    # senior 1 x 1350 = 1,350.00, buffer 10 % = 135.00 -> 1,485.00 per package; x 0.333 = 494.505 -> line 494.51
    # steps: effort 449.55 (1,350 x 0.333), buffer 44.955 -> 44.96; together 494.51: nothing left over
    # x 0.335: 1350 x 0.335 = 452.25, 135 x 0.335 = 45.225 -> 45.23; 497.48 against the line 497.475 -> 497.48: nothing left
    # x 0.5 at a 3-decimal price: one figure 0.01 senior = 13.50, buffer 1.35 -> 14.85 x 0.5 = 7.425 -> 7.43;
    # steps 6.75 + 0.675 -> 0.68 = 7.43
    for qty, line_amount in (("0.333", D("494.51")), ("0.335", D("497.48"))):
        q = priced([{"sku": "CARD", "quantity": qty, "work_package": {"name": "P", "buffer_percent": D("10"), "effort": [one("senior", "1")]}}])
        assert q.lines[0].list_amount == line_amount and sum(s.amount for s in q.lines[0].estimate.steps) == line_amount


def test_a_package_in_another_currency_converts_its_rate_card_and_says_so():
    # 1 EUR = 0.95 CHF: senior 1,350.00 EUR -> 1,282.50 CHF; 2 days = 2,565.00 CHF
    rate = {"pair": "EUR/CHF", "rate": D("0.95"), "date": datetime.date(2026, 11, 19), "source": "ECB"}
    q = priced([{"sku": "CARD", "quantity": "1", "work_package": {"name": "P", "effort": [one("senior", "2")]}}], currency="CHF", exchange_rates=[rate])
    assert q.lines[0].net_amount == D("2565.00") and q.lines[0].converted_from == "EUR"
    assert [(c.pair, c.positions) for c in q.conversions] == [("EUR/CHF", (1,))]


# Rate card with its own texts and a German translation: a package on it must not borrow the card's day-rate wording.
CARD_WORDED = service("CARD", None, pricing="rate_card", unit="day", unit_plural="days", category="Consulting",
                      description="Consulting by the day", scope="Consulting services, billed by the day",
                      translations={"de": {"category": "Beratung nach Aufwand", "unit": "Tag", "unit_plural": "Tage", "description": "Beratung pro Tag"}},
                      rates=[{"role": "senior", "name": "Senior", "price": D("1350.00")}])


def test_a_package_on_a_german_rate_card_counts_pakete_and_its_effort_in_tage():
    """A de_DE offer: the line counts "Paket"/"Pakete", takes the card's German category, and prints the effort in
    the card's German unit; the card's description ("Beratung pro Tag") is not the package's.
    Guards against package_wording / _line / price losing the language (None, "de_DE" unsplit, the default "en").
    2 packages x senior 3 days: 6 Tage shown; 3 x 1,350.00 = 4,050.00 a package, 8,100.00 the line."""
    q = price(deal([{"sku": "CARD", "quantity": "2", "work_package": {"name": "Konzept", "show_effort": True, "effort": [one("senior", "3")]}}], locale="de_DE"),
              catalog(CARD_WORDED), seller())
    line = q.lines[0]
    assert (line.name, line.unit, line.unit_plural, line.category) == ("Konzept", "Paket", "Pakete", "Beratung nach Aufwand")
    assert (line.description, line.scope) == (None, None)
    assert (line.estimate.unit, line.estimate.unit_plural) == ("Tag", "Tage")
    assert [(e.name, e.quantity, e.unit) for e in line.effort] == [("Senior", D("6"), "Tage")]
    assert line.net_amount == D("8100.00")


def test_a_package_on_a_rate_card_counts_packages_and_prints_its_own_description_only():
    """In English a package counts "package"/"packages"; without a description of its own it prints none (neither
    the card's description nor its scope), with one it prints it as description and scope.
    Guards against mutated unit/plural defaults and dictionary keys in package_wording, and a dropped own description."""
    q = price(deal([{"sku": "CARD", "quantity": "1", "work_package": {"name": "Design", "effort": [one("senior", "1")]}},
                    {"sku": "CARD", "quantity": "1", "work_package": {"name": "Build", "description": "Two sprints of build", "effort": [one("senior", "2")]}}]),
              catalog(CARD_WORDED), seller())
    assert [(l.name, l.unit, l.unit_plural, l.description, l.scope, l.category) for l in q.lines] == [
        ("Design", "package", "packages", None, None, "Consulting"),
        ("Build", "package", "packages", "Two sprints of build", "Two sprints of build", "Consulting"),
    ]


def test_a_template_prints_the_service_description_else_the_templates():
    """A work_package item prints its service's description (the translatable text); only a service without one
    falls back to the template's description, as description and scope. Guards against the or/and, ==/!= and
    is/is not of package_wording's fallback and a template or template description mutated to None."""
    with_text = service("WP-A", None, pricing="work_package", unit="package", description="Assessment of up to three lines",
                        work_package={"rate_card": "CARD", "description": "Template text", "effort": [one("senior", "1")]})
    bare = service("WP-B", None, pricing="work_package", unit="package",
                   work_package={"rate_card": "CARD", "description": "Gateway, signals and dashboards per line", "effort": [one("senior", "1")]})
    q = priced([{"sku": "WP-A", "quantity": "1"}, {"sku": "WP-B", "quantity": "1"}], with_text, bare)
    assert [(l.description, l.scope) for l in q.lines] == [("Assessment of up to three lines", "Assessment of up to three lines"),
                                                           ("Gateway, signals and dashboards per line", "Gateway, signals and dashboards per line")]


def test_a_templates_name_is_printed_unless_the_deal_names_the_package():
    """The template's work_package.name is "Name as printed"; the deal's own name wins; without either, the service's name."""
    named = service("WP-N", None, pricing="work_package", unit="package", name="Service name",
                    work_package={"rate_card": "CARD", "name": "Readiness assessment", "effort": [one("senior", "1")]})
    unnamed = service("WP-U", None, pricing="work_package", unit="package", name="Line connection",
                      work_package={"rate_card": "CARD", "effort": [one("senior", "1")]})
    q = priced([{"sku": "WP-N", "quantity": "1"}, {"sku": "WP-N", "quantity": "1", "work_package": {"name": "Assessment, plant 2"}},
                {"sku": "WP-U", "quantity": "1"}], named, unnamed)
    assert [l.name for l in q.lines] == ["Readiness assessment", "Assessment, plant 2", "Line connection"]


def test_a_package_line_carries_its_deliverables_and_the_effort_it_shows():
    """Guards against _line dropping deliverables or effort (kwarg removed, None, the package test forced false) or
    handing shown_effort no item. 3 packages: senior 2 x 3 = 6 days, consultant 0.5 x 3 = 1.5 days."""
    t = template(effort=[one("senior", "2"), one("consultant", "0.5")], deliverables=["Report", "Roadmap"], show_effort=True)
    line = priced([{"sku": "WP-T", "quantity": "3"}], t).lines[0]
    assert line.deliverables == ("Report", "Roadmap")
    assert [(e.name, e.quantity, e.unit) for e in line.effort] == [("Senior", D("6"), "days"), ("Consultant", D("1.5"), "days")]


def test_a_template_in_the_offers_currency_lists_the_conversion_of_its_rate_card():
    """The template WP-T is in CHF like the offer, its rate card in EUR: the line is converted by the card's rate and
    listed under it. Guards against ``rates[sku] or rates[card]`` -> ``and`` in price().
    1 EUR = 0.95 CHF: senior 1,350.00 EUR -> 1,282.50 CHF; 2 days = 2,565.00 CHF."""
    rate = {"pair": "EUR/CHF", "rate": D("0.95"), "date": datetime.date(2026, 11, 19), "source": "ECB"}
    t = service("WP-T", None, pricing="work_package", unit="package", currency="CHF", work_package={"rate_card": "CARD", "effort": [one("senior", "2")]})
    q = priced([{"sku": "WP-T", "quantity": "1"}], t, currency="CHF", exchange_rates=[rate])
    assert q.lines[0].net_amount == D("2565.00") and q.lines[0].converted_from == "EUR"
    assert [(c.pair, c.positions) for c in q.conversions] == [("EUR/CHF", (1,))]


def test_a_package_priced_from_its_cards_price_list_is_not_converted():
    """The card lists CHF rates: nothing is converted, so the line names no source currency and no conversion.
    Guards against _marked's test of the package's roles being forced true. 2 days x 1,400.00 CHF = 2,800.00."""
    card = service("CARD", None, pricing="rate_card", unit="day", unit_plural="days", rates=[{"role": "senior", "name": "Senior", "price": D("1350.00")}],
                   price_lists={"CHF": {"rates": [{"role": "senior", "price": D("1400.00")}]}})
    q = price(deal([{"sku": "CARD", "quantity": "1", "work_package": {"name": "P", "effort": [one("senior", "2")]}}], currency="CHF"), catalog(card), seller())
    assert (q.lines[0].net_amount, q.lines[0].converted_from, q.conversions) == (D("2800.00"), None, ())


def test_package_guardrails_look_past_other_lines_and_allow_a_spread_at_the_limit():
    """A plain line before the package does not end the package checks; a spread exactly at the limit is not wider
    than it. Guards against ``continue`` -> ``break`` and ``>`` -> ``>=`` in guardrails._packages.
    senior (0 + 4 x 4.5 + 6)/6 = 4.00, spread 6/6 = 1.00: 25 % of the effort."""
    plain = service("A", "100.00")
    def found(limit):
        sell = seller(guardrails={"max_spread_percent": D(limit)})
        q = priced([{"sku": "A", "quantity": "1"}, {"sku": "CARD", "quantity": "1", "work_package": {"name": "Wide", "effort": [three("senior", "0", "4.5", "6")]}}], plain, sell=sell)
        return [(f.rule, f.field, f.message) for f in q.findings if f.rule == "guardrails.max_spread_percent"]
    assert found("25") == []
    assert found("24.9") == [("guardrails.max_spread_percent", "items[1].work_package",
                              "the fixed price of Wide rests on an estimate with a spread of 25.0 %, wider than the limit of 24.9 %")]
