"""Issue #17 in print: prices with the precision they have, bands that add up to their line, a charge in a
VAT category no line has, zero amounts printed nowhere; read back from the PDF and the DOCX."""

from __future__ import annotations

import pytest

from ..readback import copy_minimal, docx_text, pdf_text, squash

USAGE = """
  - sku: GBS
    name: Compute
    unit: GB-second
    price: "0.0000166667"
  - sku: KWH
    name: Energy
    unit: kWh
    price: "0.0111051596"
  - sku: API
    name: API calls
    unit: call
    pricing: graduated
    tiers:
      - up_to: 10
        price: "49.999"
      - price: "39.0001"
"""

DEAL_ITEMS = """items:
  - sku: GBS
    quantity: 1200000
  - sku: KWH
    quantity: 278362.5
  - sku: API
    quantity: 35
    allowances_charges:
      - kind: allowance
        reason: Goodwill nobody sees
        amount: "0"
allowances_charges:
  - kind: allowance
    reason: Cash discount
    amount: "1.98"
  - kind: charge
    reason: Cash discount neutralised
    amount: "1.98"
    tax_category: exempt
  - kind: charge
    reason: Zero surcharge
    percent: "0"
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    from proposals.cli import run

    ws = copy_minimal(tmp_path_factory.mktemp("money") / "x")
    (ws / "catalog" / "services.yaml").write_text((ws / "catalog" / "services.yaml").read_text() + USAGE)
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text().replace("guardrails:", "  - id: exempt\n    code: E\n    rate: \"0\"\n    exemption_reason: Exempt (Art. 135 Directive 2006/112/EC)\nguardrails:"))
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().split("items:")[0] + DEAL_ITEMS + "price_details: true\n")
    assert run(["build", "-w", str(ws)]) == 0
    folder = ws / "output" / "T-2026-001-r1"
    return squash(pdf_text(folder / "offer.pdf")), squash(docx_text(folder / "offer.docx"))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_unit_prices_and_band_rates_print_every_decimal(printed, fmt):
    """1,200,000 GB-s x €0.0000166667 = 20.00004 -> €20.00; 278,362.5 kWh x €0.0111051596 = 3,091.25998915
    -> €3,091.26 (the issue's reproduction); API: 10 at €49.999 = 499.99, 25 at €39.0001 = 975.0025 -> 975.00,
    line 499.99 + 975.00 = €1,474.99, so printed quantity x printed rate gives the printed amounts."""
    text = printed[0 if fmt == "pdf" else 1]
    for fragment in ("€0.0000166667", "€20.00", "€0.0111051596", "€3,091.26", "10 at €49.999", "25 at €39.0001", "€1,474.99"):
        assert fragment in text, fragment
    assert "€50.00" not in text and "€39.00 " not in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_a_charge_in_a_category_no_line_has_prints_its_own_vat_row(printed, fmt):
    """Lines 20.00 + 3,091.26 + 1,474.99 = 4,586.25; less 1.98 at 19 %: 4,584.27 x 19 % = 871.0113 -> 871.01;
    the E charge of 1.98 gets its own row and its exemption reason. Net 4,586.25; gross 4,586.25 + 871.01 = 5,457.26."""
    text = printed[0 if fmt == "pdf" else 1]
    for fragment in ("€4,586.25", "VAT 19% on €4,584.27", "€871.01", "VAT 0% on €1.98", "Exempt (Art. 135 Directive 2006/112/EC)", "€5,457.26"):
        assert fragment in text, fragment


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_zero_allowances_and_charges_print_nowhere(printed, fmt):
    text = printed[0 if fmt == "pdf" else 1]
    assert "Goodwill nobody sees" not in text and "Zero surcharge" not in text
    assert "Cash discount neutralised" in text  # the non-zero ones do print
