"""The Swiss example deal (issue #17 part 5): built from the example workspace, in CHF, outside the scope of
German VAT, priced partly from CHF price lists and partly by conversion; the conversion statement read back
from the PDF and the DOCX, the rate recorded in quote.json; and bad rates as located errors."""

from __future__ import annotations

import json

import pytest

from ..conftest import copy_example
from ..readback import docx_text, pdf_text, squash

STATEMENT = "Prices of items 2, 3 converted from EUR at 1 EUR = 0.9412 CHF, ECB euro foreign exchange reference rate of 30 November 2026."


@pytest.fixture(scope="module")
def swiss(tmp_path_factory):
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("chf") / "ws")
    assert run(["build", "-w", str(ws), "deals/alpen-praezision.yaml"]) == 0
    return ws / "output" / "NW-2026-047-r1"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_swiss_offer_prints_list_prices_converted_prices_and_the_rate_once(swiss, fmt):
    """CHF list prices: assessment 17,900.00, platform 13,900.00, users 10 x 47.00 + 2 x 37.00 = 544.00 a month.
    Converted at 0.9412: on-site day 1,180.00 EUR -> 1,110.616 -> CHF 1,110.62 (4 days 4,442.48), travel
    690.00 -> 649.428 -> CHF 649.43 (2 trips 1,298.86). Net 17,900 + 4,442.48 + 1,298.86 + 13,900 + 6,528
    = 44,069.34, no German VAT (outside scope), cash-rounded to CHF 0.05: 44,069.35 payable."""
    text = squash(pdf_text(swiss / "offer.pdf") if fmt == "pdf" else docx_text(swiss / "offer.docx"))
    for fragment in ("CHF 17'900.00", "CHF 1'110.62", "CHF 4'442.48", "CHF 649.43", "CHF 1'298.86", "CHF 13'900.00", "10 at CHF 47.00; 2 at CHF 37.00",
                     "CHF 44'069.34", "CHF 44'069.35", "Not taxable in Germany: the place of supply is the recipient's country", STATEMENT):
        assert fragment in text, fragment
    assert text.count("converted from EUR") == 1
    # outside the scope of German VAT: the payment terms must not promise VAT at the statutory rate
    assert "All prices are net; no VAT is charged on this offer" in text and "subject to VAT at the statutory rate" not in text


def test_quote_json_records_the_rate_and_the_lines_it_priced(swiss):
    data = json.loads((swiss / "quote.json").read_text())
    assert data["currency"] == "CHF" and data["accounting_vat"] is None  # no VAT, so no BT-111
    assert data["conversions"] == [{"pair": "EUR/CHF", "rate": "0.9412", "date": "2026-11-30", "source": "ECB euro foreign exchange reference rate",
                                    "from_currency": "EUR", "to_currency": "CHF", "positions": [2, 3]}]
    assert [(l["sku"], l["unit_price"], l["converted_from"]) for l in data["lines"]] == [
        ("CONS-PDM-ASSESS", "17900.00", None), ("COM-ONSITE-DAY", "1110.62", "EUR"), ("COM-TRAVEL-FLAT", "649.43", "EUR"),
        ("SW-INSIGHT-PLATFORM", "13900.00", None), ("SW-INSIGHT-USER", "45.3333", None)]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    rate: \"0.9412\"", "    rate: \"0\"", "catalog/seller.yaml:41:11: exchange_rates[0].rate: must be greater than 0 (got 0)"),
    ("  - pair: EUR/CHF", "  - pair: EURCHF", "catalog/seller.yaml:40:11: exchange_rates[0].pair: write the pair as two ISO 4217 codes, e.g. EUR/CHF (1 EUR = rate CHF)"),
    ("    date: 2026-11-30", "    date: 2026-10-15", "deals/alpen-praezision.yaml:75:10: items[1].sku: the EUR/CHF rate (seller profile) of 2026-10-15 is 47 days older than the offer; the seller profile allows 31"),
])
def test_bad_exchange_rates_are_located_errors_and_nothing_is_written(tmp_path, cli, old, new, message):
    ws = copy_example(tmp_path / "ws")
    seller = ws / "catalog" / "seller.yaml"
    assert old in seller.read_text()
    seller.write_text(seller.read_text().replace(old, new, 1))
    code, _, err = cli("build", "-w", ws, "deals/alpen-praezision.yaml")
    assert (code, err.splitlines()[0]) == (2, message)
    assert not (ws / "output").exists()
