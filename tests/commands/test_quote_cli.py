"""`proposals quote`: the terminal table fits 100 columns; --json on every example deal adds up."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from ..conftest import REPO

DEALS = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "deals").glob("*.yaml"))


@pytest.mark.parametrize("deal", DEALS)
def test_quote_json_satisfies_the_invariants(deal, cli):
    code, out, err = cli("quote", "--json", "-w", REPO, deal)
    assert code == 0, err
    q = json.loads(out)
    t = {k: D(v) for k, v in q["totals"].items()}
    firm = [l for l in q["lines"] if l["kind"] == "firm"]
    assert sum(D(l["net_amount"]) for l in firm) == t["line_net_total"]
    for line in q["lines"]:
        assert sum(D(s["amount"]) for s in line["waterfall"]) == D(line["net_amount"])
    assert t["line_net_total"] - t["allowance_total"] + t["charge_total"] == t["tax_exclusive_total"]
    assert sum(D(v["taxable_amount"]) for v in q["vat_breakdown"]) == t["tax_exclusive_total"]
    assert sum(D(v["tax_amount"]) for v in q["vat_breakdown"]) == t["tax_total"]
    assert t["tax_inclusive_total"] - t["prepaid"] + t["rounding"] == t["payable"]
    if q["schedule"]:
        assert sum(D(i["amount"]) for i in q["schedule"]) == D(q["one_off_net"])
    assert "findings" in q  # internal view


@pytest.mark.parametrize("deal", DEALS)
def test_quote_table_fits_100_columns_and_shows_totals(deal, cli):
    code, out, _ = cli("quote", "-w", REPO, deal)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert any(line.startswith("Payable (BT-115)") for line in lines)


def test_quote_table_shows_tier_breakdown_and_findings(minimal, cli):
    seller = minimal / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text().replace('max_discount_percent: "15"', 'max_discount_percent: "15"\n  margin_floor_percent: "45"'))
    code, out, err = cli("quote", "-w", minimal, "deals/basic.yaml")
    assert code == 0
    assert "     tier: 10 x €50.00 = €500.00" in out and "     tier: 2 x €40.00 = €80.00" in out
    assert "  margin 40.0 % on DAY is below the floor of 45 %\n    [guardrails.margin_floor_percent]\n" in out
    assert "WARNING" in err


def test_quote_json_gives_the_margin_to_two_places(minimal, cli):
    """Issue #20 item 7: DAY 3 x 1,000 at cost 600 = 1,200 margin on 3,000; LIC 6,960 without cost: no total
    margin. With LIC dropped: (3,000 - 1,800) / 3,000 = 40 %, printed "40.00", not 28 digits."""
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("  - sku: LIC\n    quantity: 12\n    months: 12\n", ""))
    code, out, err = cli("quote", "--json", "-w", minimal, deal)
    assert code == 0, err
    assert json.loads(out)["margin_percent"] == "40.00"
    services = minimal / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('cost: "600.00"', 'cost: "700.00"'))
    services.write_text(services.read_text().replace('price: "1000.00"', 'price: "1050.00"'))  # (3,150 - 2,100) / 3,150 = 33.333...
    assert json.loads(cli("quote", "--json", "-w", minimal, deal)[1])["margin_percent"] == "33.33"
