"""Worked examples from public sources (data files with their provenance in tests/cases/en16931/)."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from proposals.input.model import Service
from proposals.pricing.lines import price
from proposals.input.yamlsource import parse

from .pricing_fixtures import catalog, deal, seller

from ..conftest import CASES

EXAMPLES = sorted((CASES / "en16931").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_en16931_example_totals(path):
    data = parse(path.read_text(encoding="utf-8"), path.name).data
    s = seller(tax_categories=data["tax_categories"], default_currency=data["currency"], currencies=[])
    services = catalog(*(Service.model_validate(item) for item in data["services"]))
    d = deal(data["items"], currency=data["currency"], allowances_charges=data["allowances_charges"], terms={"payment": {"prepaid": data["prepaid"]}})
    quote = price(d, services, s)
    expected = data["expected"]
    assert [str(line.net_amount) for line in quote.lines] == expected["lines"]
    totals = quote.totals
    for name in ("line_net_total", "allowance_total", "charge_total", "tax_exclusive_total", "tax_total", "tax_inclusive_total", "prepaid", "payable"):
        assert getattr(totals, name) == D(expected[name]), name
    assert [[v.category, str(v.rate), str(v.taxable_amount), str(v.tax_amount)] for v in quote.vat_breakdown] == expected["vat_breakdown"]
