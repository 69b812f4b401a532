"""Exact problems of the remaining catalog and deal cross-checks (issue #23): tier start, one offer number twice,
the order of the checks over items and review dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from proposals.input.checks import _same_offer_twice
from tests.input.test_cross_check_messages import err, run, svc, tier
from tests.input.test_seller_checks import DEAL, DUP, FIRST, RAISE, shown, workspace
from tests.pricing.pricing_fixtures import catalog, deal, service


@pytest.mark.parametrize("first_up_to", ["1", "0.5"])
def test_first_tier_may_end_at_or_below_one(first_up_to):
    """Guards against the tiers' running bound starting at 1 instead of 0 (a first tier up to 1 would then "not
    ascend")."""
    assert svc(service("A", None, pricing="graduated", tiers=[tier(first_up_to), tier(None)])) == []


def revision(number: str, rev: int = 1) -> str:
    text = DEAL.replace("offer_number: T-1", f"offer_number: {number}").replace("sku: ZZZ", "sku: A")
    return text + f"revision: {rev}\n"


def test_same_offer_twice(tmp_path):
    """Guards against a mutated key (None: every deal after the first is a "duplicate"), against the first file not
    being remembered or named (``seen[key] = None``, ``first = None``, ``ws.relative(None)``), and against a mutated
    location, field, message or kind of the error. Offer numbers differing in case only clash (file names on Windows
    and macOS do not tell them apart); another number or another revision does not."""
    deals = {
        "deals/a.yaml": revision("T-1"),
        "deals/b.yaml": revision("t-1"),
        "deals/c.yaml": revision("T-2"),
        "deals/d.yaml": revision("T-1", 2),
        "deals/e.yaml": revision("T-1"),
    }
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST}, deals)
    assert shown(_same_offer_twice(ws)) == [
        ("deals/b.yaml:1:15", "offer_number", f"offer t-1-r1 is also deals/a.yaml; {RAISE}", DUP, "error"),
        ("deals/e.yaml:1:15", "offer_number", f"offer T-1-r1 is also deals/a.yaml; {RAISE}", DUP, "error"),
    ]


def test_unknown_sku_does_not_stop_the_item_checks():
    """Guards against ``continue`` becoming ``break`` after an unknown SKU in _items: the next item is still checked."""
    items = [{"sku": "ZZZ", "quantity": "1"}, {"sku": "A", "quantity": "4"}]
    assert run(deal(items), None, catalog(service("A", min_quantity=Decimal(5)))) == [
        err("items/0/sku", "items[0].sku", "unknown SKU ZZZ"),
        err("items/1/quantity", "items[1].quantity", "A is sold from 5 piece (got 4)"),
    ]


def test_second_review_before_the_first():
    """Guards against the review-date loop starting at index 2: the first pair (entries 0 and 1) is compared too."""
    reviews = [dt.date(2026, 12, 2), dt.date(2026, 12, 1)]
    assert run(deal([{"sku": "A", "quantity": "1"}], success_monitoring={"reviews": reviews})) == [
        err("success_monitoring/reviews/1", "success_monitoring.reviews[1]", "review dates must be in order")
    ]
