"""The terminal table (``proposals quote``) shows what a scoped percentage is taken of (issue #17 part 3)."""

from __future__ import annotations

from decimal import Decimal as D

from proposals.commands.quote_table import render_table
from proposals.pricing.lines import price
from tests.pricing.pricing_fixtures import catalog, deal, seller, service

SERVICES = catalog(service("LIC", "1000.00", category="Software"), service("SUB", "100.00", category="Software", billing="monthly"),
                   service("DAY", "1200.00", category="Consulting"))
ITEMS = [{"sku": "LIC", "quantity": "1"}, {"sku": "SUB", "quantity": "1", "months": 12}, {"sku": "DAY", "quantity": "2"}]


def test_a_scoped_percentage_shows_its_base_limits_and_positions_below_its_row():
    """5 % of one-off Software: LIC only (position 1), 1,000.00 -> 50.00; 3 % unscoped of 1,000.00 +
    1,200.00 + 2,400.00 = 4,600.00 -> 138.00 gets no second row. Guards against: the scope row dropped,
    the base shown as the line net total, a scope row printed for an unscoped percentage."""
    acs = [{"kind": "allowance", "reason": "Licence discount", "percent": D(5), "applies_to": "one_off", "categories": ["Software"]},
           {"kind": "allowance", "reason": "Framework", "percent": D(3)}]
    rows = render_table(price(deal(ITEMS, allowances_charges=acs), SERVICES, seller()), "Test").splitlines()
    at = next(i for i, row in enumerate(rows) if row.startswith("Allowance: Licence discount"))
    assert rows[at].endswith("-€50.00")
    assert rows[at + 1] == "  5 % of €1,000.00: one-off, category Software (pos. 1)"
    assert rows[at + 2].startswith("Allowance: Framework") and rows[at + 2].endswith("-€138.00")
    assert rows[at + 3].startswith("Tax exclusive total")
