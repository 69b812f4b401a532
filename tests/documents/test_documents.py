"""The documents: hostile data prints literally in both formats; long tables paginate cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from ..readback import copy_minimal, docx_text, pdf_text, squash

from ..conftest import CASES

HOSTILE = '<script>alert(1)</script> & {{ 7*7 }} \u202eevil\u202c O\'Brien "Quotes" ' + "Ü" * 20 + " " + "Long" * 60


def test_hostile_customer_data_renders_literally_in_pdf_and_docx(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    deal = ws / "deals" / "basic.yaml"
    text = deal.read_text().replace("legal_name: Kunde AG", "legal_name: " + repr(HOSTILE).replace("\\'", "''"))
    deal.write_text(text)
    code, _, err = cli("build", "-w", ws)
    assert code == 0, err
    folder = ws / "output" / "T-2026-001-r1"
    pdf = squash(pdf_text(folder / "offer.pdf"))
    word = squash(docx_text(folder / "offer.docx"))
    for fragment in ("<script>alert(1)</script>", "& {{ 7*7 }}", "O'Brien", '"Quotes"', "Ü" * 20):
        assert fragment in word, fragment
        assert fragment in pdf, fragment
    assert "49" not in word.split("Kunde")[0]  # nothing was evaluated
    assert "LongLongLong" in pdf.replace(" ", "") and "Long" * 60 in word
    first_page = squash(PdfReader(folder / "offer.pdf").pages[0].extract_text())
    assert "Offer no. T-2026-001" in first_page and "Valid until" in first_page  # the letterhead facts survive a 300-character name


def test_control_characters_in_input_are_located_errors(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("title: Test offer", 'title: "Test\\x07offer"'))
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()[0]) == (2, "deals/basic.yaml:3:8: title: contains the control character U+0007; remove it")


@pytest.fixture(scope="module")
def long_offer(tmp_path_factory) -> Path:
    from proposals.cli import run

    ws = tmp_path_factory.mktemp("long") / "ws"
    shutil.copytree(CASES / "minimal", ws)
    items = "".join(f"  - sku: DAY\n    quantity: {n}\n    notes: Row marker R{n:03d}X\n" for n in range(1, 201))
    deal = ws / "deals" / "basic.yaml"
    head = deal.read_text().split("items:")[0]
    deal.write_text(head + "items:\n" + items)
    assert run(["build", "-w", str(ws)]) == 0
    return ws / "output" / "T-2026-001-r1"


def test_200_line_offer_repeats_the_header_and_never_splits_a_row(long_offer):
    from proposals.money import format_money
    from decimal import Decimal

    pages = [squash(page.extract_text()) for page in PdfReader(long_offer / "offer.pdf").pages]
    table_pages = [i for i, text in enumerate(pages) if "Row marker R" in text]
    assert len(table_pages) >= 5
    for i in table_pages:
        text = pages[i]
        header = text.index("Pos. Description Qty Unit price Disc. Amount")
        assert header < text.index("Row marker R"), f"page {i + 1} has rows before its header"
    for n in range(1, 201):
        marker = f"Row marker R{n:03d}X"
        amount = format_money(Decimal(n * 1000), "EUR", "en_GB")
        on = [i for i, text in enumerate(pages) if marker in text]
        assert len(on) == 1, marker
        assert amount in pages[on[0]], f"row {n} is split from its amount"
    last_rows_page = [i for i, text in enumerate(pages) if "Row marker R200X" in text][0]
    assert "Total amount" in pages[last_rows_page], "the totals block left the last rows behind"


def test_200_line_docx_repeats_header_rows(long_offer):
    document = docx.Document(str(long_offer / "offer.docx"))
    prices = next(t for t in document.tables if t.rows[0].cells[0].text == "Pos.")
    header_xml = prices.rows[0]._tr.xml
    assert "w:tblHeader" in header_xml
    assert all("w:cantSplit" in row._tr.xml for row in prices.rows)
    assert len(prices.rows) >= 201


def test_branding_sets_paper_colour_and_font_in_both_formats(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text() + 'branding:\n  primary_color: "#8a1538"\n  font: DejaVu Sans\n  paper: Letter\n')
    code, _, err = cli("build", "-w", ws)
    assert code == 0, err
    folder = ws / "output" / "T-2026-001-r1"
    page = PdfReader(folder / "offer.pdf").pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)
    fonts = {str(f.get_object()["/BaseFont"]) for f in page["/Resources"]["/Font"].values()}
    assert any("DejaVu-Sans" in f for f in fonts), fonts  # subset fonts: "/XKQQSR+DejaVu-Sans"
    document = docx.Document(str(folder / "offer.docx"))
    assert round(document.sections[0].page_width.inches, 2) == 8.5
    assert str(document.styles["Heading 2"].font.color.rgb) == "8A1538"
    assert 'w:ascii="DejaVu Sans"' in document.styles.element.xml


def test_invalid_branding_is_a_located_error(minimal, cli):
    seller = minimal / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text() + 'branding:\n  primary_color: "red; } body { display: none"\n')
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()[0]) == (2, "catalog/seller.yaml:29:18: branding.primary_color: write a colour as #RRGGBB, e.g. #1F3A5F")


def test_docx_has_running_header_after_the_first_page_and_footers_on_all(long_offer):
    document = docx.Document(str(long_offer / "offer.docx"))
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert "Offer T-2026-001-r1 · Kunde AG" in " ".join(c.text for t in section.header.tables for r in t.rows for c in r.cells)
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    for footer in (section.footer, section.first_page_footer):
        assert "PAGE" in footer._element.xml and "NUMPAGES" in footer._element.xml
        assert "IBAN DE89 3704 0044 0532 0130 00" in " ".join(c.text for t in footer.tables for r in t.rows for c in r.cells)


@pytest.mark.parametrize(
    "body, message",
    [
        ('<p style="font-size: 1e9px">huge</p>', "templates/offer.html.j2: the PDF could not be laid out"),
        ("<div>" * 3000 + "deep" + "</div>" * 3000, "templates/offer.html.j2: the document nests elements 3002 levels deep (at most 100)"),
    ],
    ids=["absurd size", "deep nesting"],
)
def test_runaway_layout_is_a_template_error(body, message, tmp_path, cli):
    ws = copy_minimal(tmp_path)
    (ws / "templates").mkdir()
    (ws / "templates" / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}' + body + "{% endblock %}\n")
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 1
    assert err.splitlines()[0].startswith(message), err
    assert not (ws / "output").exists()


def test_check_reports_contract_problems_without_building(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text() + "contract:\n  deviations:\n    - clause: confidentialty\n      action: strike\n      reason: typo\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 1
    assert err.splitlines()[0].startswith("deals/basic.yaml:19:15: contract.deviations[0].clause: no clause confidentialty in the library")
    assert not (minimal / "output").exists()
