"""The invariants price() checks before it returns a Quote, each broken on purpose (issue #23).

A correct engine never breaks them, so no priced deal can show that a check works: each test takes
a correctly priced quote, changes one printed figure by a cent, and expects that check's own message.
Without these tests, a mutant that drops or garbles a check (or its message) survives.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from proposals.errors import InvariantViolation
from proposals.pricing.lines import price
from proposals.pricing.taxes import invariants

from .pricing_fixtures import catalog, deal, seller, service

CENT = D("0.01")


@pytest.fixture(scope="module")
def quote():
    """Hand figures: A 2 x 100.00 = 200.00 one-off; B 10.00 x 12 months = 120.00 recurring; a fixed
    allowance of 20.00 on the one-off part. Net 300.00, VAT 19 % = 57.00, payable 357.00; one-off
    180.00 split 50 % / 50 % = 90.00 + 90.00."""
    d = deal(
        [{"sku": "A", "quantity": "2"}, {"sku": "B", "quantity": "1"}, {"sku": "A", "quantity": "1", "optional": True}],
        allowances_charges=[{"kind": "allowance", "reason": "Framework discount", "amount": D(20)}],
        terms={"payment": {"milestones": [{"name": "Order", "percent": D(50)}, {"name": "Acceptance", "percent": D(50)}]}},
    )
    q = price(d, catalog(service("A", "100.00"), service("B", "10.00", billing="monthly")), seller())
    t = q.totals
    assert (t.line_net_total, t.allowance_total, t.tax_exclusive_total, t.tax_total, t.payable) == (D("320.00"), D("20.00"), D("300.00"), D("57.00"), D("357.00"))
    assert (q.one_off_net, q.recurring_net, [i.amount for i in q.schedule]) == (D("180.00"), D("120.00"), [D("90.00"), D("90.00")])
    return q


def broken(message):
    return pytest.raises(InvariantViolation, match=f"^pricing invariant violated: {message}$")


def test_a_correct_quote_passes(quote):
    """Guards against a check that fires on correct figures (a mutated comparison or sum)."""
    invariants(quote)


def test_lines_must_sum_to_the_line_net_total(quote):
    """Guards against the line-sum check or its message being mutated."""
    with broken("lines do not sum to the line net total"):
        invariants(replace(quote, totals=replace(quote.totals, line_net_total=D("320.01"))))


def test_each_waterfall_must_sum_to_its_line(quote):
    """The optional line 3 is out of every total, yet its waterfall is checked too.
    Guards against the waterfall check, its message or its position being mutated."""
    line = quote.lines[2]
    assert line.kind == "optional" and line.position == 3
    bad = replace(line, waterfall=(replace(line.waterfall[0], amount=line.waterfall[0].amount + CENT),))
    with broken("waterfall of line 3"):
        invariants(replace(quote, lines=quote.lines[:2] + (bad,)))


def test_allowance_parts_must_sum_to_the_allowance(quote):
    """Guards against the parts check or its message (which names the reason) being mutated."""
    ac = quote.allowances_charges[0]
    bad = replace(ac, parts=(replace(ac.parts[0], amount=D("19.99")),))
    with broken("parts of Framework discount"):
        invariants(replace(quote, allowances_charges=(bad,)))


def test_line_net_minus_allowances_must_be_the_tax_exclusive_total(quote):
    """320.00 - 20.01 + 0 != 300.00. Guards against the check or its message being mutated."""
    ac = quote.allowances_charges[0]
    wrong = replace(ac, amount=D("20.01"), parts=(replace(ac.parts[0], amount=D("20.01")),))
    with broken("tax exclusive total"):
        invariants(replace(quote, allowances_charges=(wrong,), totals=replace(quote.totals, allowance_total=D("20.01"))))


def test_vat_taxable_amounts_must_sum_to_the_tax_exclusive_total(quote):
    """Guards against the taxable-amount check or its message being mutated."""
    row = quote.vat_breakdown[0]
    with broken("VAT taxable amounts"):
        invariants(replace(quote, vat_breakdown=(replace(row, taxable_amount=row.taxable_amount - CENT),)))


def test_vat_rows_must_sum_to_the_tax_total(quote):
    """Guards against the tax-sum check or its message being mutated."""
    row = quote.vat_breakdown[0]
    with broken("VAT breakdown does not sum to the tax total"):
        invariants(replace(quote, vat_breakdown=(replace(row, tax_amount=D("57.01")),)))


def test_net_plus_tax_must_be_the_tax_inclusive_total(quote):
    """Guards against the inclusive-total check or its message being mutated."""
    with broken("tax inclusive total"):
        invariants(replace(quote, totals=replace(quote.totals, tax_inclusive_total=D("357.01"), payable=D("357.01"))))


def test_inclusive_minus_prepaid_plus_rounding_must_be_payable(quote):
    """357.00 - 0 + 0.01 != 357.00. Guards against the payable check or its message being mutated."""
    with broken("payable"):
        invariants(replace(quote, totals=replace(quote.totals, rounding=CENT)))


def test_one_off_and_recurring_parts_must_make_the_net_total(quote):
    """180.00 + 120.01 != 300.00. Guards against the parts check or its message being mutated."""
    with broken("one-off and recurring parts"):
        invariants(replace(quote, recurring_net=D("120.01")))


def test_the_schedule_must_sum_to_the_one_off_total(quote):
    """90.00 + 90.01 != 180.00. Guards against the schedule check or its message being mutated."""
    first, second = quote.schedule
    with broken("schedule does not sum to the one-off total"):
        invariants(replace(quote, schedule=(first, replace(second, amount=D("90.01")))))
