"""The payment schedule against instalments worked out by hand (issue #23: mutation testing).

Calls payment_schedule() directly so that each figure below is the schedule's alone, not the sum
of the whole pricing run; the arithmetic of each case is in its comment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from proposals.input.model.seller import EarlyPaymentDiscount
from proposals.pricing.issues import PricingIssue
from proposals.pricing.schedule import payment_schedule

from .pricing_fixtures import deal

D = Decimal


def schedule(milestones, base, days=0, early=None, currency="EUR"):
    d = deal([{"sku": "X", "quantity": "1"}], terms={"payment": {"milestones": milestones}})
    discount = EarlyPaymentDiscount(percent=D(early), days=10) if early else None
    return payment_schedule(d, D(base), days, discount, currency)


def rows(instalments):
    return [(i.name, i.amount, i.remainder) for i in instalments]


def test_thirds_put_the_rounding_cent_on_the_last_percentage():
    """100.00 in 33.33/33.33/33.34 %: 33.33, 33.33, 33.34 (the last takes 100 - 66.66). Kills: the
    absorber moved to the first instalment, `+=` -> `-=`, the difference computed from the rest."""
    got = schedule([{"name": "A", "percent": D("33.33")}, {"name": "B", "percent": D("33.33")}, {"name": "C", "percent": D("33.34")}], "100.00")
    assert rows(got) == [("A", D("33.33"), False), ("B", D("33.33"), False), ("C", D("33.34"), True)]


def test_rounding_difference_lands_on_the_last_percentage_not_on_a_later_deposit():
    """1,000.01 with 50 % / 50 % / a 0.01 final deposit: rest 1,000.00 -> 500.00 + 500.00; the deposit is
    fixed, so the remainder is the second 50 % (index 1), not the last milestone. Kills: percents[-1] ->
    percents[0] or len(milestones) - 1."""
    got = schedule([{"name": "A", "percent": D(50)}, {"name": "B", "percent": D(50)}, {"name": "Fee", "amount": D("0.01")}], "1000.01")
    assert rows(got) == [("A", D("500.00"), False), ("B", D("500.00"), True), ("Fee", D("0.01"), False)]


def test_a_deposit_comes_off_first_and_percentages_split_the_rest():
    """12,345.67 with a 5,000 deposit, then 30/40/30 of the rest 7,345.67: 2,203.701 -> 2,203.70,
    2,938.268 -> 2,938.27, 2,203.701 -> 2,203.70; sum 12,345.67 exactly, so no correction is needed.
    Kills: percentages of the base instead of the rest, fixed not subtracted."""
    got = schedule([{"name": "Deposit", "amount": D(5000)}, {"name": "A", "percent": D(30)}, {"name": "B", "percent": D(40)}, {"name": "C", "percent": D(30)}], "12345.67")
    assert rows(got) == [("Deposit", D("5000.00"), False), ("A", D("2203.70"), False), ("B", D("2938.27"), False), ("C", D("2203.70"), True)]


def test_a_marked_remainder_takes_the_difference():
    """100.01 in 50/50 with the first marked: 50.005 rounds half up to 50.01 twice = 100.02, so the
    first takes 50.01 - 0.01 = 50.00. Kills: the mark ignored, marked[0] -> marked[-1]."""
    got = schedule([{"name": "A", "percent": D(50), "remainder": True}, {"name": "B", "percent": D(50)}], "100.01")
    assert rows(got) == [("A", D("50.00"), True), ("B", D("50.01"), False)]


def test_only_fixed_amounts_must_match_the_total_and_the_last_absorbs_nothing():
    """600 = 100 + 500: without percentages the last milestone is the remainder (difference 0)."""
    got = schedule([{"name": "A", "amount": D(100)}, {"name": "B", "amount": D(500)}], "600.00")
    assert rows(got) == [("A", D("100.00"), False), ("B", D("500.00"), True)]


@pytest.mark.parametrize(
    ("milestones", "base", "message"),
    [([{"name": "A", "amount": D(100)}], "99.99", "fixed instalments add up to 100.00, the one-off total is 99.99"),
     ([{"name": "A", "amount": D(100)}], "100.01", "fixed instalments add up to 100.00, the one-off total is 100.01"),
     ([{"name": "A", "amount": D(700)}, {"name": "B", "percent": D(100)}], "600.00", "fixed instalments add up to 700.00, the one-off total is 600.00"),
     ([{"name": "A", "percent": D(100)}], "-1.00", "the one-off total is negative (-1.00); there is nothing to split into instalments")],
    ids=["fixed above total", "fixed below total without percentages", "deposit above total", "negative total"],
)
def test_schedules_that_cannot_be_split_are_refused(milestones, base, message):
    """Kills: `rest < 0` -> `<= 0`, `or` -> `and`, `rest != 0` -> `== 0`, `base < 0` -> `<= 0`, the messages."""
    with pytest.raises(PricingIssue) as raised:
        schedule(milestones, base)
    assert (raised.value.field, str(raised.value)) == ("terms.payment.milestones", message)


def test_zero_total_and_a_deposit_equal_to_the_total_are_allowed():
    """0.00 split 100 % gives 0.00; a 600 deposit + 100 % of the rest 0 gives 600.00 and 0.00.
    Kills: `base < 0` -> `<= 0`, `rest < 0` -> `<= 0`."""
    assert rows(schedule([{"name": "A", "percent": D(100)}], "0.00")) == [("A", D("0.00"), True)]
    assert rows(schedule([{"name": "D", "amount": D(600)}, {"name": "R", "percent": D(100)}], "600.00")) == [("D", D("600.00"), False), ("R", D("0.00"), True)]


def test_due_dates_add_the_payment_days_and_early_payment_deducts_per_instalment():
    """Due 2027-01-31 + 30 days = 2027-03-02; 2 % early payment on 1,234.57 = 24.6914 -> 24.69, so
    1,209.88; on 1,234.56 (the rest): 24.6912 -> 24.69, 1,209.87. Kills: timedelta sign, days not
    added, percent_of(amount) on the base, the early amount rounded the wrong way."""
    got = schedule([{"name": "A", "percent": D(50), "due": date(2027, 1, 31)}, {"name": "B", "percent": D(50)}], "2469.13", days=30, early="2")
    assert [(i.amount, i.due, i.early_payment_amount, i.percent) for i in got] == [
        (D("1234.57"), date(2027, 3, 2), D("1209.88"), D(50)),
        (D("1234.56"), None, D("1209.87"), D(50)),
    ]


def test_without_early_payment_no_discounted_amount_and_no_milestones_no_schedule():
    """Kills: `if early else None` inverted, the empty-schedule shortcut removed (it would raise on IndexError)."""
    assert [i.early_payment_amount for i in schedule([{"name": "A", "percent": D(100)}], "10.00")] == [None]
    assert schedule([], "10.00") == ()


def test_yen_instalments_are_whole_yen():
    """¥1,000 in 33.33/33.33/33.34: 333.3 -> 333, 333.3 -> 333, 333.4 -> 333, sum 999, so the last takes
    +1 = 334. Kills: the currency not passed to round_money."""
    got = schedule([{"name": "A", "percent": D("33.33")}, {"name": "B", "percent": D("33.33")}, {"name": "C", "percent": D("33.34")}], "1000", currency="JPY")
    assert [i.amount for i in got] == [D(333), D(333), D(334)]
