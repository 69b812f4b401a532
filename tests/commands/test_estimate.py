"""``proposals estimate``: the internal estimate printed and as a spreadsheet whose sums equal the offer's;
the customer's documents and quote.json carry none of it (issue #19).

The example deal prices two work packages (figures worked out in tests/pricing/test_work_packages.py's
manner, from catalog/consulting.yaml and the deal's adjustment):
WP1 assessment: principal (1+6+3)/6 = 1.67 x 1650 = 2,755.50; senior (5+24+9)/6 = 6.33 x 1350 = 8,545.50;
consultant (4+20+8)/6 = 5.33 x 1050 = 5,596.50; effort 16,897.50; spreads 0.33, 0.67, 0.67 at the rates =
544.50 + 904.50 + 703.50 = 2,152.50 (buffer, 1 spread); 19,050.00 rounded up to 100 = 19,100.00.
WP2 line connection (x 3): senior (0.5+4+2)/6 = 1.08 x 1350 = 1,458.00; consultant 2.5 x 1050 = 2,625.00;
engineer (deal: 3, 5, 8) (3+20+8)/6 = 5.17 x 1180 = 6,100.60; effort 10,183.60 + 10 % 1,018.36 = 11,201.96
-> 11,300.00; x 3 = 33,900.00. Together 53,000.00.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from tests.conftest import REPO, copy_example
from tests.libreoffice import Office, require_libreoffice
from tests.readback import docx_text, pdf_text

DEAL = "deals/acme-maschinenbau.yaml"


def test_estimate_prints_each_package_with_its_build_up(cli):
    code, out, err = cli("estimate", DEAL, "-w", REPO)
    assert code == 0, err
    assert "Estimate of the work packages (internal: never in customer documents or quote.json)" in out
    for row in ("Principal Consultant        1     1.5      3     1.67    0.33    €1,650.00    €2,755.50    €1,636.60",
                "Commissioning Enginee       3       5      8     5.17    0.83    €1,180.00    €6,100.60    €3,722.40"):
        assert row in out
    for label, amount in (("Effort x rates", "€16,897.50"), ("Risk buffer (12.7 %)", "€2,152.50"), ("Rounding", "€50.00"),
                          ("Price per package", "€19,100.00"), ("Risk buffer (10 %)", "€1,018.36"), ("Price per package", "€11,300.00")):
        assert any(line.strip().startswith(label) and line.rstrip().endswith(amount) for line in out.splitlines()), (label, amount)
    assert "Plan: 2027-01-11 to 2027-01-19, 7 working days" in out
    assert "Plan: 2027-01-20 to 2027-04-16, 63 working days; after WP1" in out
    # internal cost: WP1 10,121.80; WP2 3 x (874.80 + 1,575.00 + 3,722.40) = 18,516.60; together 28,638.40
    # margin (53,000.00 - 28,638.40) / 53,000.00 = 45.97 % -> 46.0 %
    assert [l.split()[-2:] if l.startswith("Margin") else l.split()[-1] for l in out.splitlines()[-3:]] == ["€53,000.00", "€28,638.40", ["46.0", "%"]]


def test_an_xlsx_in_no_folder_is_a_usage_error(tmp_path, cli):
    code, _, err = cli("estimate", DEAL, "-w", REPO, "--xlsx", tmp_path / "nowhere" / "e.xlsx")
    assert code == 2 and "no folder" in err


CALC = r'''
def main(desktop, params):
    doc = load(params["path"])
    try:
        doc.calculateAll()
        sheet = doc.Sheets.getByIndex(0)
        rows = []
        for r in range(0, 80):
            label = sheet.getCellByPosition(1, r).getString()
            cell = sheet.getCellByPosition(9, r)
            rows.append([label, cell.getValue(), cell.getFormula()])
        return rows
    finally:
        doc.close(True)
'''


def require_calc() -> None:
    """LibreOffice with Calc (Debian's libreoffice-calc-nogui, which scripts/setup --test installs): skipped without it,
    except in CI, where a missing one is a failure, as require_libreoffice does for soffice itself."""
    import os
    import shutil

    import pytest

    require_libreoffice()
    program = Path(shutil.which("soffice")).resolve().parent  # type: ignore[arg-type]
    if not (program / "libsclo.so").exists():  # Calc itself; libscnlo.so comes with the core, Calc or not
        message = "the spreadsheet test needs LibreOffice Calc: run scripts/setup --test (libreoffice-calc-nogui)"
        pytest.fail(message, pytrace=False) if os.environ.get("CI", "").lower() == "true" else pytest.skip(message)


def test_the_spreadsheet_opens_in_libreoffice_and_its_sums_equal_the_offer(tmp_path, cli):
    require_calc()
    ws = copy_example(tmp_path / "ws")
    code, out, err = cli("estimate", DEAL, "-w", ws, "--xlsx", tmp_path / "estimate.xlsx")
    assert code == 0, err
    assert not (ws / "output").exists()
    code, _, err = cli("build", DEAL, "-w", ws, "--format", "pdf")
    assert code == 0, err
    quote = json.loads((ws / "output" / "NW-2026-041-r2" / "quote.json").read_text())
    with Office() as office:
        rows = office.run(CALC, path=str(tmp_path / "estimate.xlsx"))
    cents = lambda value: D(str(round(value, 2))).quantize(D("0.01"))  # noqa: E731 - LibreOffice computes in binary floating point
    sums = {label: (cents(value), formula) for label, value, formula in rows if label}
    packages = {l["position"]: l for l in quote["lines"] if l["sku"].startswith("WP-")}
    assert sums["Work packages in the totals: net amount"][0] == sum(D(l["net_amount"]) for l in packages.values()) == D("53000.00")
    assert sums["Work packages in the totals: list amount"][0] == sum(D(l["list_amount"]) for l in packages.values())
    prices = [(cents(v), f) for label, v, f in rows if label == "Price per package"]
    assert [p for p, _ in prices] == [D(packages[1]["unit_price"]), D(packages[6]["unit_price"])] == [D("19100.00"), D("11300.00")]
    assert all(f.startswith("=") for _, f in prices)  # computed in the sheet, not typed in
    buffers = [(cents(v), f) for label, v, f in rows if label == "Risk buffer"]
    assert [b for b, _ in buffers] == [D("2152.50"), D("1018.36")] and "SUMPRODUCT" in buffers[0][1]
    # the rounding step is computed too: up to the next 100 (19,050.00 -> 19,100.00; 11,201.96 -> 11,300.00)
    roundings = [(cents(v), f) for label, v, f in rows if label == "Rounding"]
    assert [r for r, _ in roundings] == [D("50.00"), D("98.04")] and all(f.startswith("=") and "CEILING" in f for _, f in roundings)
    lists = [(cents(v), f) for label, v, f in rows if label == "List amount"]
    assert [l for l, _ in lists] == [D("19100.00"), D("33900.00")] and all(f.startswith("=ROUND(") for _, f in lists)
    assert written_numbers(tmp_path / "estimate.xlsx") == {"0", "0.5", "1", "1.5", "2", "2.5", "3", "4", "5", "6", "8", "9", "630.00", "720.00",
                                                           "810.00", "980.00", "1050.00", "1180.00", "1350.00", "1650.00", "19100.00", "33900.00"}


def written_numbers(path: Path) -> set[str]:
    """The numbers the workbook stores as values, as written: each a Decimal's own text (openpyxl's float
    formatting wrote 98.04 as 98.04000000000001)."""
    import re
    import zipfile

    sheet = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    return set(re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")? t="n"><v>([^<]+)</v>', sheet))


def test_customer_documents_and_quote_json_carry_no_estimate(tmp_path, cli):
    ws = copy_example(tmp_path / "ws")
    code, _, err = cli("build", DEAL, "-w", ws)
    assert code == 0, err
    folder = ws / "output" / "NW-2026-041-r2"
    offer = pdf_text(folder / "offer.pdf")
    texts = {"offer.pdf": offer, "contract.pdf": pdf_text(folder / "contract.pdf"), "offer.docx": docx_text(folder / "offer.docx"),
             "contract.docx": docx_text(folder / "contract.docx"), "quote.json": (folder / "quote.json").read_text()}
    # internal figures of the estimate: the buffers, the efforts' amounts, the spreads, the roles' costs
    for secret in ("2,152.50", "1,018.36", "16,897.50", "10,183.60", "6,100.60", "1,636.60", "Commissioning Engineer", "optimistic", "spread", "risk buffer"):
        for name, text in texts.items():
            assert secret not in text, (secret, name)
    assert "The price rests on these assumptions; a change is handled as a change request." in offer
    assert "SAP PM maintenance records of the last 24 months are available as an export" in offer
    assert "Assumptions of the work packages" in texts["contract.pdf"] and "One industrial PC per line is provided by the customer" in texts["contract.docx"]
    assert "Effort:" not in offer  # the deal does not say show_effort
    assert "M1 Readiness assessment presented, roadmap and data architecture approved 19 Jan 2027" in offer  # the end of WP1


def test_show_effort_prints_the_effort_per_role(tmp_path, cli):
    ws = copy_example(tmp_path / "ws")
    deal = ws / DEAL
    deal.write_text(deal.read_text().replace("      id: WP1\n", "      id: WP1\n      show_effort: true\n", 1))
    code, _, err = cli("build", DEAL, "-w", ws, "--format", "pdf")
    assert code == 0, err
    offer = " ".join(pdf_text(ws / "output" / "NW-2026-041-r2" / "offer.pdf").split())
    assert "Effort: Principal Consultant 1.67 days; Senior Consultant 6.33 days; Consultant 5.33 days" in offer


def test_a_deal_without_packages_says_so(cli):
    code, out, _ = cli("estimate", "deals/hafenlogistik.yaml", "-w", REPO)
    assert code == 0 and out.splitlines()[-1] == "This deal has no work packages."


def test_light_commands_do_not_import_openpyxl():
    import subprocess
    import sys

    probe = "import sys; from proposals.cli import run; run(['quote', 'deals/acme-maschinenbau.yaml', '-w', sys.argv[1]]); print('openpyxl' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe, str(REPO)], capture_output=True, text=True, cwd=REPO)
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_a_capped_package_of_the_deals_own_prints_its_cap_and_how_it_is_billed(tmp_path, cli):
    # on the rate card itself: senior 3 x 1,350 = 4,050.00 at the rates; cap 4,050 + 20 % 810 = 4,860 -> up to 500: 5,000.00
    ws = copy_example(tmp_path / "ws")
    deal = ws / DEAL
    package = ('  - sku: CONS-TM-DAY\n    quantity: 1\n    work_package:\n      name: Hypercare after go-live\n      pricing: capped\n'
               '      buffer_percent: "20"\n      round_up_to: "500"\n      effort:\n        - {role: senior, effort: "3"}\n')
    deal.write_text(deal.read_text().replace("  - sku: CONS-SUCCESS-REVIEW\n", package + "  - sku: CONS-SUCCESS-REVIEW\n", 1))
    code, _, err = cli("build", DEAL, "-w", ws, "--format", "pdf")
    assert code == 0, err
    offer = " ".join(pdf_text(ws / "output" / "NW-2026-041-r2" / "offer.pdf").split())
    assert "Billed on time and material at the agreed rates; the amount is the estimate. Capped at €5,000.00" in offer
    assert "Hypercare after go-live" in offer and "1 package €4,050.00 €4,050.00" in offer


def test_a_deals_record_counts_the_rate_card_its_work_packages_are_priced_by(tmp_path):
    """A change of CONS-TM-DAY's rates re-prices WP-PDM-ASSESS: the manifest's inputs must name the card even for a
    deal that sells only the template."""
    from proposals.commands.records import manifest_inputs
    from proposals.input.loading import load_workspace

    ws_path = copy_example(tmp_path / "ws")
    deal = ws_path / DEAL
    text = deal.read_text()
    for role in ("principal", "senior", "consultant"):  # sell only the templates (and no T&M days) in this copy
        start = text.index("  - sku: CONS-TM-DAY\n")
        text = text[:start] + text[text.index("  - sku: CONS-SUCCESS-REVIEW\n") if role == "consultant" else text.index("  - sku: CONS-TM-DAY\n", start + 1):]
    text = text.replace("previous_revision: deals/history/acme-maschinenbau-r1.yaml\n", "")  # r1 sells CONS-TM-DAY itself
    deal.write_text(text.replace("covered_by: [CONS-TM-DAY]", "covered_by: [WP-PDM-ASSESS]"))
    ws = load_workspace(ws_path, [deal])
    assert "CONS-TM-DAY" not in {i.sku for i in ws.deals[0].model.items}
    assert "catalog:CONS-TM-DAY" in manifest_inputs(ws, ws.deals[0])
