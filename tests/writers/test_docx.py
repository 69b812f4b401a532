"""DOCX writer tests: every check reads the output back with python-docx."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Pt
from PIL import Image

from proposals.writers import docx_oxml
from proposals.writers.reference import load_reference
from proposals.writers.docx import DocxMeta, DocxWriter
from proposals.writers.docx_tables import fit_min_widths

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "templates" / "reference.docx"
META = DocxMeta(
    title="Offer ACME-2026-014 r1", author="Nordwerk Engineering GmbH",
    subject="Offer ACME-2026-014 r1", created=datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc),
    language="de-DE", footer_text="Nordwerk Engineering GmbH · Offer ACME-2026-014 r1",
    page_label="Seite {page} von {pages}")


def page(body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>t</title>"
            f"<style>p {{ color: red }}</style></head><body>\n{body}\n</body></html>")


def render(body: str, asset_root: Path = ROOT, meta: DocxMeta = META):
    data, problems = DocxWriter(load_reference(REFERENCE, trusted=True).data, asset_root).render(page(body), meta)
    return docx.Document(io.BytesIO(data)), problems, data


def texts(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def all_xml_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
                       if n.endswith(".xml"))


def num_id(paragraph) -> int | None:
    num_pr = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
    return None if num_pr is None else num_pr.numId.val


@pytest.fixture
def png(tmp_path: Path) -> Path:
    folder = tmp_path / "templates" / "assets"
    folder.mkdir(parents=True)
    Image.new("RGB", (192, 96), (31, 58, 95)).save(folder / "logo.png")
    return folder / "logo.png"


# ------------------------------------------------------------------ blocks
def test_headings_get_heading_styles_and_text():
    document, problems, _ = render(
        "<h1 class='title'>Offer</h1><h1>One</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4>")
    assert texts(document) == [("Title", "Offer"), ("Heading 1", "One"), ("Heading 2", "Two"),
                               ("Heading 3", "Three"), ("Heading 4", "Four")]
    assert problems == []


def test_paragraph_classes_map_to_styles_and_alignment():
    document, problems, _ = render(
        "<p class='lead'>L</p><p class='small'>S</p><p class='note'>N</p>"
        "<p class='address'>A</p><p class='right'>R</p><p>P</p>")
    assert [s for s, _ in texts(document)] == ["Lead", "Small", "Small", "Address", "Normal",
                                               "Normal"]
    assert document.paragraphs[4].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert problems == []


def test_inline_bold_italic_underline_runs():
    document, _, _ = render("<p>plain <strong>bold</strong> <em>italic</em> <u>under</u>"
                            " <b><i>both</i></b> x<sup>2</sup></p>")
    runs = {run.text: run for run in document.paragraphs[0].runs}
    assert runs["bold"].bold and not runs["plain "].bold
    assert runs["italic"].italic and runs["under"].underline
    assert runs["both"].bold and runs["both"].italic
    assert runs["2"].font.superscript
    assert document.paragraphs[0].text == "plain bold italic under both x2"


def test_hyperlink_text_and_target():
    document, problems, _ = render(
        "<p>See <a href='https://example.com/terms'>our terms</a> now.</p>")
    paragraph = document.paragraphs[0]
    assert paragraph.text == "See our terms now."
    (link,) = paragraph.hyperlinks
    assert link.address == "https://example.com/terms"
    assert link.text == "our terms"
    assert link.runs[0].style.name == "Hyperlink"
    assert problems == []


def test_relative_link_keeps_text_and_is_reported():
    document, problems, _ = render("<p><a href='terms.html'>terms</a></p>")
    assert document.paragraphs[0].text == "terms"
    assert document.paragraphs[0].hyperlinks == []
    assert any("terms.html" in p for p in problems)


def test_nested_lists_get_level_styles():
    document, problems, _ = render(
        "<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>"
        "<ol><li>one<ol><li>one.one</li></ol></li></ol>")
    assert texts(document) == [
        ("List Bullet", "a"), ("List Bullet 2", "b"), ("List Bullet 3", "c"),
        ("List Bullet", "d"), ("List Number", "one"), ("List Number 2", "one.one")]
    assert problems == []


def test_each_ol_restarts_numbering():
    document, _, _ = render("<ol><li>a</li><li>b</li></ol><p>x</p><ol><li>c</li></ol>")
    first, second, _, third = document.paragraphs
    assert num_id(first) == num_id(second) is not None
    assert num_id(third) not in (None, num_id(first))
    numbering = document.part.numbering_part.element
    for paragraph in (first, third):
        num = numbering.num_having_numId(num_id(paragraph))
        assert num.xpath("./w:lvlOverride/w:startOverride/@w:val") == ["1"]


def test_list_item_with_paragraphs_continues_without_new_number():
    document, _, _ = render("<ol><li><p>first</p><p>more</p></li><li>second</li></ol>")
    assert texts(document) == [("List Number", "first"), ("List Continue", "more"),
                               ("List Number", "second")]


def test_too_deep_list_is_reported_and_kept():
    document, problems, _ = render(
        "<ul><li>1<ul><li>2<ul><li>3<ul><li>4</li></ul></li></ul></li></ul></li></ul>")
    assert texts(document)[-1] == ("List Bullet 3", "4")
    assert any("deeper than 3" in p for p in problems)


def test_page_break_class_sets_page_break_before():
    document, _, _ = render("<p>a</p><section class='page-break'><h2>B</h2><p>b</p></section>")
    flags = [p.paragraph_format.page_break_before for p in document.paragraphs]
    assert flags == [None, True, None]


def test_page_break_before_a_table_goes_to_its_first_cell():
    document, _, _ = render("<p>a</p><div class='page-break'></div>"
                            "<table><tr><td>x</td><td>y</td></tr></table>")
    first, second = document.tables[0].rows[0].cells
    assert first.paragraphs[0].paragraph_format.page_break_before is True
    assert second.paragraphs[0].paragraph_format.page_break_before is None
    assert document.paragraphs[0].paragraph_format.page_break_before is None


def test_keep_together_and_signature_keep_blocks_on_one_page():
    document, _, _ = render(
        "<div class='keep-together'><p>a</p><p>b</p><p>c</p></div><p>after</p>"
        "<div class='signature'><table class='plain'><tr><td>x</td></tr><tr><td>y</td></tr>"
        "</table></div>")
    a, b, c, after = document.paragraphs
    assert [p.paragraph_format.keep_with_next for p in (a, b, c)] == [True, True, None]
    assert all(p.paragraph_format.keep_together for p in (a, b, c))
    assert after.paragraph_format.keep_with_next is None
    first_row, last_row = document.tables[0].rows
    assert first_row.cells[0].paragraphs[0].paragraph_format.keep_with_next
    assert not last_row.cells[0].paragraphs[0].paragraph_format.keep_with_next


def test_signature_block_gets_room_above_and_keep_together_works_on_tables():
    document, _, _ = render(
        "<p>before</p><div class='signature'><table class='plain'><tr><td>a</td></tr></table>"
        "</div><table class='keep-together'><tr><td>x</td></tr><tr><td>y</td></tr></table>")
    signature, kept = document.tables
    first = signature.rows[0].cells[0].paragraphs[0]
    assert first.paragraph_format.space_before >= Pt(18)
    top, bottom = kept.rows
    assert top.cells[0].paragraphs[0].paragraph_format.keep_with_next
    assert bottom.cells[0].paragraphs[0].paragraph_format.keep_together


def test_hr_is_a_bordered_paragraph():
    document, _, _ = render("<p>a</p><hr><p>b</p>")
    rule = document.paragraphs[1]
    assert rule.text == "" and rule._p.xpath("./w:pPr/w:pBdr/w:bottom")


# ------------------------------------------------------------------ tables
PRICE_TABLE = """
<table>
  <colgroup><col style="width: 70%"><col style="width: 30%"></colgroup>
  <thead><tr><th>Item</th><th class="num">Amount</th></tr></thead>
  <tbody>
    <tr><td>Service</td><td class="num">1.234,56&nbsp;€</td></tr>
    <tr class="total"><td colspan="2">Total</td></tr>
  </tbody>
</table>"""


def test_table_header_repeats_and_rows_never_split():
    document, problems, _ = render(PRICE_TABLE)
    table = document.tables[0]
    assert table.style.name == "Proposals Table"
    header, body, total = table.rows
    assert header._tr.xpath("./w:trPr/w:tblHeader")
    assert not body._tr.xpath("./w:trPr/w:tblHeader")
    assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in table.rows)
    assert all(run.bold for cell in header.cells for run in cell.paragraphs[0].runs)
    assert problems == []


def test_table_cells_text_alignment_colspan_and_total():
    document, _, _ = render(PRICE_TABLE)
    _, body, total = document.tables[0].rows
    assert body.cells[1].text == "1.234,56\u00a0€"
    assert body.cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert body.cells[0].paragraphs[0].alignment is None
    assert len(total._tr.tc_lst) == 1 and total._tr.tc_lst[0].grid_span == 2
    assert total.cells[0].text == "Total"
    assert total.cells[0].paragraphs[0].runs[0].bold
    assert total._tr.xpath("./w:tc/w:tcPr/w:tcBorders/w:top")


def test_table_column_widths_from_colgroup():
    document, _, _ = render(PRICE_TABLE)
    table = document.tables[0]
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    widths = [column.width for column in table.columns]
    assert widths[0] == pytest.approx(text_width * 0.7, abs=Mm(0.1))
    assert widths[1] == pytest.approx(text_width * 0.3, abs=Mm(0.1))
    assert table.rows[1].cells[0].width == pytest.approx(text_width * 0.7, abs=Mm(0.1))
    assert table.autofit is False


def test_narrow_column_is_widened_so_no_word_breaks():
    document, _, _ = render(
        "<table><colgroup><col style='width: 5%'><col style='width: 95%'></colgroup>"
        "<thead><tr><th>Discount</th><th>Description</th></tr></thead>"
        "<tbody><tr><td>5 %</td><td>text</td></tr></tbody></table>")
    table = document.tables[0]
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    first, second = (column.width for column in table.columns)
    assert first > text_width * 0.08  # "Discount" (8 letters at 9 pt) needs ~19 mm
    assert first + second == pytest.approx(text_width, abs=Mm(0.1))


def test_fit_min_widths_takes_space_from_columns_with_room():
    assert fit_min_widths([10, 90], [20, 30]) == [20, 80]
    assert fit_min_widths([50, 50], [20, 30]) == [50, 50]
    assert fit_min_widths([10, 90], [20, 85]) == [10, 90]  # not enough room: unchanged


def test_plain_table_style_and_rowspan_reported():
    document, problems, _ = render(
        "<table class='plain'><tr><td rowspan='2'>a</td><td>b</td></tr></table>")
    assert document.tables[0].style.name == "Proposals Plain Table"
    assert document.tables[0].rows[0].cells[0].text == "a"
    assert any("rowspan" in p for p in problems)


def test_cells_hold_paragraphs_lists_and_breaks():
    document, _, _ = render("<table><tr><td><p>one</p><ul><li>two</li></ul>three<br>four"
                            "</td></tr></table>")
    cell = document.tables[0].rows[0].cells[0]
    assert [(p.style.name, p.text) for p in cell.paragraphs] == [
        ("Table Text", "one"), ("List Bullet", "two"), ("Table Text", "three\nfour")]


def test_adjacent_tables_are_kept_apart():
    document, _, _ = render("<table><tr><td>a</td></tr></table><table><tr><td>b</td></tr>"
                            "</table>")
    body = document.element.body
    tags = [child.tag.split("}")[1] for child in body if child.tag != qn("w:sectPr")]
    assert tags == ["tbl", "p", "tbl"]


# ------------------------------------------------------------------ images
def test_image_from_assets_is_loaded_with_width(tmp_path, png):
    document, problems, _ = render(
        "<p><img src='templates/assets/logo.png' alt='Logo'></p>"
        "<p><img src='templates/assets/logo.png' width='96'></p>"
        "<p><img src='templates/assets/logo.png' style='width: 40mm'></p>", asset_root=tmp_path)
    natural, by_attribute, by_style = document.inline_shapes
    assert problems == []
    assert natural.width == Inches(2) and natural.height == Inches(1)
    assert by_attribute.width == Inches(1) and by_attribute.height == Inches(0.5)
    assert by_style.width == Mm(40)


def test_image_is_capped_at_text_width(tmp_path):
    folder = tmp_path / "templates" / "img"  # documents load images from templates/ only
    folder.mkdir(parents=True)
    Image.new("RGB", (2000, 100)).save(folder / "wide.png")
    document, _, _ = render("<p><img src='templates/img/wide.png'></p>", asset_root=tmp_path)
    section = document.sections[0]
    assert document.inline_shapes[0].width == (
        section.page_width - section.left_margin - section.right_margin)


@pytest.mark.parametrize("src", ["../etc/passwd", "/etc/passwd", "http://example.com/x.png",
                                 "file:///etc/passwd", "templates/../../outside.png",
                                 "data:image/svg+xml;base64,PHN2Zz4=", "missing.png"])
def test_unsafe_or_missing_image_is_refused_and_reported(tmp_path, png, src):
    (tmp_path.parent / "outside.png").write_bytes(png.read_bytes())
    document, problems, _ = render(f"<p>x<img src='{src}' alt='alt text'></p>",
                                   asset_root=tmp_path)
    assert len(document.inline_shapes) == 0
    assert len(problems) == 1 and src[:40] in problems[0] and "(line" in problems[0]
    assert document.paragraphs[0].text == "xalt text"


def test_data_uri_png_is_allowed(png):
    uri = "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()
    document, problems, _ = render(f"<p><img src='{uri}'></p>")
    assert problems == [] and len(document.inline_shapes) == 1


# ----------------------------------------------------------- unknown content
def test_unknown_elements_are_reported_and_their_text_kept():
    document, problems, _ = render(
        "<p>call <code>make</code> now</p><blockquote>quoted</blockquote><foo-bar>x</foo-bar>")
    assert [p.text for p in document.paragraphs] == ["call make now", "quoted", "x"]
    assert any("<code> (line" in p for p in problems)
    assert any("<blockquote> (line" in p for p in problems)
    assert any("<foo-bar>" in p for p in problems)


def test_script_and_style_content_never_becomes_text():
    document, problems, data = render(
        "<p>a<script>alert('boom')</script>b</p><script>var secret = 1;</script>"
        "<style>.x { color: red }</style><video>fallback</video>")
    assert [p.text for p in document.paragraphs] == ["ab"]
    xml = all_xml_text(data)
    assert "boom" not in xml and "secret" not in xml and "color: red" not in xml
    assert "fallback" not in xml
    assert any("<script>" in p for p in problems) and any("<video>" in p for p in problems)


def test_silent_things_are_not_reported():
    document, problems, _ = render(
        "<header class='page-header'>RUNNING HEAD</header>"
        "<footer class='page-footer'>RUNNING FOOT</footer>"
        "<div class='draft-watermark'>DRAFT</div>"
        "<p id='x' data-line='3' style='color: red' class='muted'>kept</p>")
    assert [p.text for p in document.paragraphs] == ["kept"]
    assert problems == []


def test_unknown_class_and_attribute_are_reported():
    _, problems, _ = render("<p class='fancy' onclick='x()'>a</p>")
    assert any("class 'fancy'" in p for p in problems)
    assert any("attribute 'onclick'" in p for p in problems)


# ----------------------------------------------------------------- text
def test_whitespace_collapses_like_a_browser():
    document, _, _ = render("""
        <p>
           Hello
           <strong> big </strong>
           world&nbsp;&nbsp;!  <br>
             next line
        </p>
        text in body""")
    assert document.paragraphs[0].text == "Hello big world\u00a0\u00a0!\nnext line"
    assert document.paragraphs[1].text == "text in body"


def test_final_br_adds_no_line_but_empty_paragraph_with_br_stays():
    document, _, _ = render("<p>a<br></p><p><br></p><p>   </p><p>b</p>")
    assert [p.text for p in document.paragraphs] == ["a", "", "b"]


# ---------------------------------------------------------- document level
def test_footer_has_text_and_page_fields():
    document, _, _ = render("<p>x</p>")
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    assert paragraph.text.startswith("Nordwerk Engineering GmbH · Offer ACME-2026-014 r1\t")
    assert "Seite 1 von 1" in paragraph.text
    assert docx_oxml.field_instructions(footer._element) == ["PAGE", "NUMPAGES"]
    assert paragraph.style.name == "Footer"


def test_metadata_language_and_page_setup():
    document, _, _ = render("<p>x</p>")
    props = document.core_properties
    assert (props.title, props.author, props.subject) == (
        META.title, META.author, META.subject)
    assert props.created == props.modified == META.created
    assert props.revision == 1 and props.last_modified_by == META.author
    assert docx_oxml.default_language(document.styles.element) == "de-DE"
    section = document.sections[0]
    near = {"abs": Mm(0.05)}
    assert (section.page_width, section.page_height) == pytest.approx((Mm(210), Mm(297)), **near)
    assert (section.left_margin, section.right_margin) == pytest.approx((Mm(25),) * 2, **near)
    assert (section.top_margin, section.bottom_margin) == pytest.approx((Mm(20),) * 2, **near)


def test_two_renders_are_byte_identical():
    body = PRICE_TABLE + "<ol><li>a</li></ol><ol><li>b</li></ol><p><a href='https://x.y'>l</a></p>"
    first = render(body)[2]
    second = render(body)[2]
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(2026, 3, 1, 9, 30, 0)}
    assert "w:rsid" not in all_xml_text(first)


def test_reference_docx_defines_every_style_the_writer_uses():
    names = {style.name for style in docx.Document(str(REFERENCE)).styles}
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4",
                 "Lead", "Small", "Address", "Caption", "Table Text", "Hyperlink",
                 "List Bullet", "List Bullet 2", "List Bullet 3", "List Number",
                 "List Number 2", "List Number 3", "List Continue", "List Continue 2",
                 "List Continue 3", "Footer", "Proposals Table", "Proposals Plain Table"):
        assert name in names
