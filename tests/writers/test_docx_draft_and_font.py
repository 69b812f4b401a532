"""Issue #18 parts 4 and 5: a draft's DOCX carries the DRAFT watermark as a real Word header
watermark, a final one none; the DOCX names the Microsoft twin of the document font (Calibri for
Carlito) so Word sets it in the same metrics. Checked in the XML and through a real client:
LibreOffice converts the DOCX to PDF, which must show the watermark on every page (draft only),
be set in Carlito and have as many pages as our own WeasyPrint PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from proposals.writers import docx_fonts, docx_watermark
from ..conftest import copy_example

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"
DRAFT = ("acme-maschinenbau.yaml", "NW-2026-041-r2", "DRAFT")    # English, a draft
FINAL = ("kessler-pumpen.yaml", "NW-2026-039-r1", "ENTWURF")     # German, accepted
SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true",
                                   reason="LibreOffice (soffice) is not installed; CI installs it and fails without it")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The example workspace built with one draft deal and one issued deal: {name: output folder}."""
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("draft-font") / "ws")
    assert "\nstatus: accepted\n" in (ws / "deals" / FINAL[0]).read_text(encoding="utf-8")  # the example's accepted deal (issue #21)
    assert run(["build", "-w", str(ws), f"deals/{DRAFT[0]}", f"deals/{FINAL[0]}"]) == 0
    return {"draft": ws / "output" / DRAFT[1], "final": ws / "output" / FINAL[1]}


def _parts(docx: Path, prefix: str) -> dict[str, etree._Element]:
    with zipfile.ZipFile(docx) as package:
        return {name: etree.fromstring(package.read(name)) for name in package.namelist()
                if name.startswith(prefix) and name.endswith(".xml")}


def _referenced_headers(docx: Path) -> dict[str, str]:
    """{header type (default, first, even): part name} from the body's section properties."""
    with zipfile.ZipFile(docx) as package:
        rels = etree.fromstring(package.read("word/_rels/document.xml.rels"))
        body = etree.fromstring(package.read("word/document.xml"))
    targets = {r.get("Id"): "word/" + r.get("Target") for r in rels}
    R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return {ref.get(W + "type"): targets[ref.get(R)] for ref in body.iter(W + "headerReference")}


@pytest.mark.parametrize("document", ["offer", "contract"])
def test_a_drafts_docx_has_the_word_watermark_in_every_header(built, document):
    """Guards against the editable copy looking final: every header the section uses (the
    letterhead page's first-page header and the running header) holds Word's WordArt watermark
    shape with the draft text, rotated, behind the text, centred on the margins."""
    docx = built["draft"] / f"{document}.docx"
    headers = _referenced_headers(docx)
    assert set(headers) == {"default", "first"}  # the letterhead page has a header of its own
    parts = _parts(docx, "word/header")
    for kind, name in headers.items():
        shapes = [s for s in parts[name].iter(V + "shape") if s.get("id", "").startswith("PowerPlusWaterMarkObject")]
        assert len(shapes) == 1, (kind, name)
        shape = shapes[0]
        assert shape.get("type") == "#_x0000_t136" and shape.get("stroked") == "f"
        style = dict(item.split(":", 1) for item in shape.get("style").split(";"))
        assert style["rotation"] == "325" and int(style["z-index"]) < 0
        assert style["mso-position-horizontal"] == style["mso-position-vertical"] == "center"
        textpath = shape.find(V + "textpath")
        assert textpath.get("string").startswith(DRAFT[2])
        assert '"Calibri"' in textpath.get("style")
        assert parts[name].find(f".//{V}shapetype[@id='_x0000_t136']") is not None
    ids = [s.get("id") for p in parts.values() for s in p.iter(V + "shape")]
    assert len(ids) == len(set(ids)) == 2


def test_the_watermark_text_is_the_pdfs(built):
    """Guards against the two formats disagreeing: the DOCX shape says what the PDF's watermark says."""
    from ..readback import pdf_text

    docx = built["draft"] / "offer.docx"
    strings = {t.get("string") for p in _parts(docx, "word/header").values() for t in p.iter(V + "textpath") if t.get("string")}
    assert len(strings) == 1
    (text,) = strings
    assert text in " ".join(pdf_text(built["draft"] / "offer.pdf").split())


@pytest.mark.parametrize("document", ["offer", "contract"])
def test_a_final_docx_has_no_watermark(built, document):
    """Guards against an issued document going out marked as a draft."""
    docx = built["final"] / f"{document}.docx"
    with zipfile.ZipFile(docx) as package:
        xml = b"".join(package.read(n) for n in package.namelist() if n.endswith(".xml"))
    assert b"PowerPlusWaterMarkObject" not in xml and b"textpath" not in xml and FINAL[2].encode() not in xml


def test_the_docx_names_calibri_for_carlito_with_its_font_table_entry(built):
    """Guards against Word falling back to an unrelated font: the document default font is the
    metric-compatible Calibri (which Word has), described in the font table with Calibri's PANOSE
    number and family and Carlito as its alternate name."""
    docx = built["draft"] / "offer.docx"
    styles = _parts(docx, "word/styles.xml")["word/styles.xml"]
    fonts = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert {fonts.get(W + a) for a in ("ascii", "hAnsi", "cs", "eastAsia")} == {"Calibri"}
    table = _parts(docx, "word/fontTable.xml")["word/fontTable.xml"]
    entry = table.find(f"{W}font[@{W}name='Calibri']")
    assert entry.find(W + "altName").get(W + "val") == "Carlito"
    assert entry.find(W + "panose1").get(W + "val") == "020F0502020204030204"
    assert entry.find(W + "family").get(W + "val") == "swiss"
    with zipfile.ZipFile(docx) as package:
        assert b"Carlito" not in package.read("word/styles.xml")


@pytest.mark.parametrize(("family", "name", "kind", "alt"), [
    ("Carlito", "Calibri", "swiss", "Carlito"),
    ("Caladea", "Cambria", "roman", "Caladea"),
    ("Liberation Mono", "Courier New", "modern", "Liberation Mono"),
    ("DejaVu Sans", "DejaVu Sans", "auto", None),
])
def test_any_branding_font_gets_a_font_table_entry(family, name, kind, alt):
    """Guards against seller.branding.font breaking for fonts without a Microsoft twin: every
    font is declared, a twin by its Microsoft name, any other font under its own name."""
    from docx import Document

    from proposals.builtin import BUILTIN

    document = Document(str(BUILTIN / "reference.docx"))
    assert docx_fonts.use_font(document, family) == name
    table = etree.fromstring(docx_fonts.font_table_part(document).blob)
    (entry,) = table.findall(f"{W}font[@{W}name='{name}']")
    assert entry.find(W + "family").get(W + "val") == kind
    found = entry.find(W + "altName")
    assert (found.get(W + "val") if found is not None else None) == alt


def test_the_shape_keeps_the_texts_aspect_ratio():
    """Guards against stretched watermark letters: a longer text gets a wider shape, same height."""
    short, long = docx_watermark.shape_size("DRAFT"), docx_watermark.shape_size("DRAFT · NOT APPROVED")
    assert short[1] == long[1] and long[0] > 3 * short[0]
    assert 110 < short[0] < 135  # 2.75 em of Calibri Bold at 44 pt


# ------------------------------------------------------------------ through LibreOffice
def _convert(docx: Path, outdir: Path) -> Path:
    if SOFFICE is None:
        pytest.fail("soffice (LibreOffice) is required in CI: scripts/setup --test installs libreoffice-writer-nogui")
    profile = outdir / "lo-profile"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(docx)], check=True, capture_output=True, timeout=180)
    return outdir / (docx.stem + ".pdf")


def _fill_colours(page) -> list[tuple[float, float, float]]:
    data = page.get_contents().get_data().decode("latin-1")
    return [tuple(float(x) for x in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", data)]


def _has_watermark_fill(page) -> bool:
    want = tuple(int(docx_watermark.FILL[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return any(all(abs(a - b) < 0.003 for a, b in zip(c, want)) for c in _fill_colours(page))


def _fonts(reader) -> set[str]:
    found = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            found.add(re.sub(r"^[A-Z]{6}\+", "", font.get_object()["/BaseFont"].lstrip("/")))
    return found


@pytest.fixture(scope="module")
def converted(built, tmp_path_factory):
    out = tmp_path_factory.mktemp("lo")
    return {kind: _convert(built[kind] / "offer.docx", out / kind) for kind in ("draft", "final")}


@needs_soffice
def test_libreoffice_shows_the_watermark_on_every_page_of_the_draft_only(converted):
    """Guards against a watermark that only exists in the XML: LibreOffice draws the WordArt (as
    outlines, not text, so it is found by its fill colour) on every page of the draft, on none of
    the final document."""
    draft, final = PdfReader(converted["draft"]), PdfReader(converted["final"])
    assert len(draft.pages) > 1
    assert [_has_watermark_fill(p) for p in draft.pages] == [True] * len(draft.pages)
    assert not any(_has_watermark_fill(p) for p in final.pages)


@needs_soffice
@pytest.mark.parametrize("kind", ["draft", "final"])
def test_libreoffice_sets_the_docx_in_carlito_on_as_many_pages_as_our_pdf(built, converted, kind):
    """Guards against the Word name breaking the layout: LibreOffice replaces Calibri with the
    metric-compatible Carlito (no other font in the document), and the page count equals the
    WeasyPrint PDF's."""
    reader = PdfReader(converted[kind])
    assert _fonts(reader) == {"Carlito", "Carlito-Bold"}
    assert len(reader.pages) == len(PdfReader(built[kind] / "offer.pdf").pages)
