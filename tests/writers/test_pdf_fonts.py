"""The PDF writer keeps one font configuration per process, so Pango's caches stay warm
from one document to the next, and drops it after a document added a font face to it;
the documents must come out exactly as with WeasyPrint's fresh configuration per document."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from proposals.commands import build, render
from proposals.input.loading import load_workspace
from proposals.writers import pdf, pdf_fonts

from ..conftest import copy_example


def fontconfig_match(family: str, style: str) -> tuple[str, str, str]:
    """(family, style, file) of the font fontconfig picks for ``family`` in ``style``: through
    WeasyPrint's own fontconfig binding, the lookup its Pango does when it lays a document out."""
    from proposals.writers.pdf_weasyprint import load_weasyprint

    load_weasyprint()
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcPatternAddString(pattern, b"style", style.encode())
        fontconfig.FcConfigSubstitute(config, pattern, 0)  # FcMatchPattern
        fontconfig.FcDefaultSubstitute(pattern)
        match = fontconfig.FcFontMatch(config, pattern, ffi.new("FcResult *"))
        if match == ffi.NULL:
            return "", "", ""
        try:
            value = ffi.new("FcChar8 **")
            found = []
            for name in (b"family", b"style", b"file"):
                found.append(ffi.string(value[0]).decode() if fontconfig.FcPatternGetString(match, name, 0, value) == 0 else "")
            return found[0], found[1], found[2]
        finally:
            fontconfig.FcPatternDestroy(match)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


@pytest.fixture(scope="module")
def carlito_italic() -> Path:
    """Carlito Italic's file, as fontconfig finds it (no path of one distribution's layout); the
    test fails, never skips, when it is missing: scripts/setup installs fonts-crosextra-carlito."""
    family, style, file = fontconfig_match("Carlito", "Italic")
    if family != "Carlito" or style != "Italic" or not Path(file).is_file():
        pytest.fail(f"fontconfig has no Carlito Italic (it offers {family!r} {style!r} at {file!r}): run scripts/setup, which installs fonts-crosextra-carlito", pytrace=False)
    return Path(file)


@pytest.fixture
def kept(monkeypatch):
    """No font configuration kept yet; the list that holds the one in use."""
    fonts: list = []
    monkeypatch.setattr(pdf_fonts, "_FONTS", fonts)
    return fonts


def _fonts_of(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _page(css: str) -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}</style></head><body><p>Kept fonts</p></body></html>"


def test_every_example_document_comes_out_byte_identical_with_one_configuration_kept_across_them(tmp_path, monkeypatch, kept):
    """Guards against the kept configuration changing any document (fonts, metrics, bytes) or not being kept."""
    ws = load_workspace(copy_example(tmp_path / "ws"))
    captured = []
    monkeypatch.setattr(render, "_write_format", lambda fmt, ws, html, quote, document, *rest: (captured.append((html, f"{quote.offer_number}/{document}")), (b"", []))[1])
    build.render_all(ws, ws.deals, ("pdf",), time_limit=None)
    assert len(captured) == 2 * len(ws.deals) + 3 >= 8  # + the accepted example deal's plan and two reviews (issue #21)
    usual = [pdf.PdfWriter(ws.root, reuse=False).render(html, name) for html, name in captured]
    assert kept == []  # the usual way makes its own configuration per document
    configurations, outputs = [], []
    for html, name in captured:
        outputs.append(pdf.PdfWriter(ws.root).render(html, name))
        configurations.append(kept[0])
    assert all(c is configurations[0] for c in configurations) and configurations[0].documents == len(captured)
    assert outputs == usual
    assert {"Carlito"} <= _fonts_of(outputs[0][0])


def test_a_document_that_adds_a_font_face_is_the_last_to_use_the_configuration(tmp_path, kept, carlito_italic):
    """Guards against a kept configuration being reused after a document added a font face to it
    (the face would leak into later documents: ``without`` would come out in House)."""
    (tmp_path / "templates" / "fonts").mkdir(parents=True)  # documents load fonts from templates/ only
    shutil.copy(carlito_italic, tmp_path / "templates" / "fonts" / "House.ttf")
    with_face = _page("@font-face { font-family: House; src: url(templates/fonts/House.ttf); } p { font-family: House; }")
    without = _page("p { font-family: House, Carlito; }")  # House is known only where the face was added
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(without, "b")
    assert _fonts_of(usual[0]) == {"Carlito"}

    pdf.PdfWriter(tmp_path).render(_page("p { color: red; }"), "first")
    first = kept[0]
    data, problems = pdf.PdfWriter(tmp_path).render(with_face, "a")
    assert _fonts_of(data) == {"House-Italic"} and problems == []  # the face, under its family name
    assert first.faces_added and kept == []  # dropped: the next document gets a new one
    assert pdf.PdfWriter(tmp_path).render(without, "b") == usual
    assert kept[0] is not first


def test_a_long_running_process_renews_its_configuration(tmp_path, kept, monkeypatch):
    """Guards against a long-running process (the preview) keeping one configuration for good."""
    monkeypatch.setattr(pdf_fonts, "_FONTS_RENEWED_AFTER", 2)
    html = _page("p { color: red; }")
    seen = []
    for _ in range(4):
        pdf.PdfWriter(tmp_path).render(html, "doc")
        seen.append(kept[0] if kept else None)
    assert seen[1] is None and seen[3] is None  # dropped after its second document
    assert seen[0] is not None and seen[2] is not None and seen[0] is not seen[2]


def test_a_face_added_for_a_family_an_earlier_document_fell_back_on_is_measured_anew(tmp_path, kept, carlito_italic):
    """Guards against line metrics cached for a family's fallback font being reused once a face of that family is added."""
    (tmp_path / "templates" / "fonts").mkdir(parents=True)  # documents load fonts from templates/ only
    shutil.copy(carlito_italic, tmp_path / "templates" / "fonts" / "House.ttf")
    body = "<p>Kept fonts one</p><p>Kept fonts two</p>"
    fell_back = _page("p { font-family: House; font-size: 40px; }").replace("<p>Kept fonts</p>", body)
    with_face = _page("@font-face { font-family: House; src: url(templates/fonts/House.ttf); } p { font-family: House; font-size: 40px; }").replace("<p>Kept fonts</p>", body)
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(with_face, "b")
    pdf.PdfWriter(tmp_path).render(fell_back, "a")  # line metrics of "House" as the fallback font
    assert pdf.PdfWriter(tmp_path).render(with_face, "b") == usual
