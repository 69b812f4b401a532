"""README promises about what a deal may ask for (issue #23): quantity limits, a 100 % discount, yearly terms.

Each test runs ``proposals check`` on a copy of tests/cases/minimal and reads its located problems; each
docstring names the mutation of the code it guards against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

SERVICES = "catalog/services.yaml"
DEAL = "deals/basic.yaml"


def edit(ws: Path, relative: str, old: str, new: str) -> None:
    path = ws / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if ": WARNING: " not in line and line.startswith(("deals/", "catalog/"))]


@pytest.mark.parametrize(
    "quantity, expected",
    [
        ("1", "deals/basic.yaml:13:15: items[0].quantity: DAY is sold from 2 day (got 1)"),
        ("2", None),
        ("10", None),
        ("10.5", "deals/basic.yaml:13:15: items[0].quantity: DAY is sold up to 10 day (got 10.5)"),
    ],
)
def test_min_and_max_quantity_are_enforced_inclusively(minimal, cli, quantity, expected):
    """Mutation: the ``min_quantity``/``max_quantity`` checks in input/checks_deal.py removed, or made
    exclusive (``<=`` / ``>=``), or the fields dropped from the Service model. The limits themselves may be ordered."""
    edit(minimal, SERVICES, "    price: \"1000.00\"\n", "    price: \"1000.00\"\n    min_quantity: 2\n    max_quantity: 10\n")
    edit(minimal, DEAL, "    quantity: 3\n", f"    quantity: {quantity}\n")
    code, _, err = cli("check", "-w", minimal)
    if expected is None:
        assert code == 0, err
    else:
        assert code == 2 and errors(err) == [expected], err


def test_a_100_percent_discount_is_refused_and_99_99_is_not(minimal, cli):
    """Mutation: the deal model's ``discount_percent`` bound relaxed from ``lt=100`` to ``le=100`` (or
    removed), so a line could be given away through a discount instead of a credit line."""
    edit(minimal, DEAL, "    quantity: 3\n", "    quantity: 3\n    discount_percent: 100\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 2, err
    assert [e for e in errors(err) if "items[0].discount_percent" in e], err
    code, out, err = cli("quote", "-w", minimal, DEAL)
    assert code == 2 and "items[0].discount_percent" in err
    edit(minimal, DEAL, "discount_percent: 100\n", "discount_percent: 99.99\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 0 and "discount 99.99 % above the limit" in err, err  # allowed, with the guardrail warning


@pytest.mark.parametrize("months, refused", [(18, True), (6, True), (24, False)])
def test_a_yearly_item_needs_a_term_in_whole_years(minimal, cli, months, refused):
    """Mutation: the whole-years check of a deal item's ``months`` in input/checks_deal.py removed, so an
    18-month term of a yearly item would be priced as 1.5 (or 1, or 2) years without anyone noticing."""
    edit(minimal, SERVICES, "    billing: monthly\n    requires: [LIC]\n", "    billing: monthly\n    requires: [LIC]\n"
         "  - sku: HOST\n    name: Hosting\n    unit: year\n    price: \"1200.00\"\n    billing: yearly\n")
    edit(minimal, DEAL, "  - sku: LIC\n", f"  - sku: HOST\n    quantity: 1\n    months: {months}\n  - sku: LIC\n")
    code, _, err = cli("check", "-w", minimal)
    if refused:
        assert code == 2, err
        assert errors(err) == [f"deals/basic.yaml:16:13: items[1].months: HOST is billed yearly: give the term in whole years (12, 24, 36 months), not {months}"], err
    else:
        assert code == 0, err
        code, out, err = cli("quote", "-w", minimal, DEAL, "--json")
        assert code == 0, err


def test_purchase_criteria_weights_must_add_up_to_100(minimal, cli):
    """Mutation: the weights check in input/checks_deal.py removed (or comparing with something else than 100)."""
    criteria = ("purchase_criteria:\n"
                "  - {id: a, criterion: Price, weight: 60, response: Low}\n"
                "  - {id: b, criterion: Speed, weight: %s, response: Fast}\n")
    edit(minimal, DEAL, "items:\n", criteria % "30" + "items:\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 2 and any(e.endswith("purchase_criteria: weights add up to 90, not 100") for e in errors(err)), err
    edit(minimal, DEAL, "weight: 30,", "weight: 40,")
    code, _, err = cli("check", "-w", minimal)
    assert code == 0, err


@pytest.mark.parametrize("old, new, field", [
    ("    quantity: 3\n", "    quantity: 3.0001\n", "items[0].quantity"),
    ("    quantity: 3\n", "    quantity: 3\n    discount_percent: 1.125\n", "items[0].discount_percent"),
])
def test_quantities_have_at_most_3_and_discounts_at_most_2_decimal_places(minimal, cli, old, new, field):
    """Mutation: ``decimal_places=3`` / ``decimal_places=2`` dropped from the DealItem model, so a quantity or
    discount the documents cannot print exactly would be priced silently."""
    edit(minimal, DEAL, old, new)
    code, _, err = cli("check", "-w", minimal)
    assert code == 2 and [e for e in errors(err) if f": {field}: " in e], err


def test_catalog_translations_name_the_item_in_the_deals_language(minimal, cli):
    """Mutation: ``translations:`` of a service ignored (the catalog's English name and unit printed on a
    German offer), or applied to a deal in another language."""
    edit(minimal, SERVICES, '    cost: "600.00"\n', '    cost: "600.00"\n    translations:\n      de:\n        name: Beratungstag\n        unit: Tag\n')
    code, out, err = cli("quote", "-w", minimal, DEAL, "--json")
    assert code == 0, err
    assert [(line["name"], line["unit"]) for line in json.loads(out)["lines"]][0] == ("Consulting day", "day")
    edit(minimal, DEAL, "title: Test offer\n", "title: Test offer\nlocale: de_DE\n")
    code, out, err = cli("quote", "-w", minimal, DEAL, "--json")
    assert code == 0, err
    assert [(line["name"], line["unit"]) for line in json.loads(out)["lines"]][0] == ("Beratungstag", "Tag")
