"""The PDF writer parses a workspace's stylesheet once per process and hands it to
WeasyPrint as a user stylesheet; the documents must come out exactly as if
WeasyPrint had read the <style> elements itself."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
import io

from proposals.commands import build, render
from proposals.input.loading import load_workspace
from proposals.writers import pdf, pdf_stylesheets

from ..conftest import copy_example

FILLER = "".join(f"p.c{n} {{ margin-left: {n % 7}mm; color: #{n:06x}; }}\n" for n in range(80))  # past _CACHED_FROM


@pytest.fixture
def fresh(monkeypatch):
    """Empty stylesheet caches, and a record of whether each render moved the stylesheets."""
    monkeypatch.setattr(pdf_stylesheets, "_SEEN", set())
    monkeypatch.setattr(pdf_stylesheets, "_SHEETS", {})
    monkeypatch.setattr(pdf_stylesheets, "_UNPORTABLE", set())
    moved = []
    original = pdf._moved_stylesheets

    def spy(*args):
        result = original(*args)
        moved.append(result is not None)
        return result

    monkeypatch.setattr(pdf, "_moved_stylesheets", spy)
    return moved


def _page(css: str, body: str = '<p id="x" class="c3" style="color: blue">Text</p>', head: str = "") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}<style>{FILLER}{css}</style></head><body>{body}</body></html>"


def test_the_example_documents_come_out_byte_identical_with_the_stylesheet_reused(tmp_path, monkeypatch, fresh):
    ws = load_workspace(copy_example(tmp_path / "ws"))
    captured = []
    monkeypatch.setattr(render, "_write_format", lambda fmt, ws, html, quote, document, *rest: (captured.append((html, f"{quote.offer_number}/{document}")), (b"", []))[1])
    deal = next(d for d in ws.deals if d.model.offer_number == "NW-2026-041")
    build.render_all(ws, [deal], ("pdf",), time_limit=None)
    assert [name for _, name in captured] == ["NW-2026-041/offer", "NW-2026-041/contract"]
    for html, name in captured:
        usual = pdf.PdfWriter(ws.root, reuse=False).render(html, name)
        pdf.PdfWriter(ws.root).render(html, name)  # met once: parsed the usual way, remembered
        reused = pdf.PdfWriter(ws.root).render(html, name)
        assert fresh[-1] is True, "the second rendering did not reuse the stylesheet"
        assert reused == usual
    assert "NW-2026-041-r2" in PdfReader(io.BytesIO(reused[0])).pages[0].extract_text()


def test_a_single_rendering_parses_the_usual_way(tmp_path, fresh):
    pdf.PdfWriter(tmp_path).render(_page(""), "one")
    assert fresh == [False] and pdf_stylesheets._SHEETS == {}


@pytest.mark.parametrize("css", [
    "p { color: red !important; }",
    "p { color: red ! IMPORTANT; }",
    "#x { color: red; }",
    "body p:not(#y) { color: red; }",
    "@media print { #x { color: red; } }",
    "@page { @top-left { content: 'x' !important; } }",
    "@font-face { font-family: Own; src: url(own.woff2); }",
    "@import url(more.css);",
    "@layer base { p { color: red; } }",
    "p { -weasy-lang: 'de'; }",
    "html { lang: 'tr'; } p { text-transform: uppercase; }",  # lang= is an author rule of specificity 0
    "h1 { anchor: 'other'; }",  # so are id= and name= (anchors)
    "p { -weasy-anchor: 'other'; }",
    ":root { --w: red; } p { width: var(--w); }",  # a parsed var() warns only once
    "head, style { display: block; }",  # the cut <style> elements would have been shown
    "* { display: block; }",
    ".c3 { display: block; }",
    "body:has(p) { color: red; }",
])
def test_a_stylesheet_whose_cascade_would_change_stays_in_the_document(css, tmp_path, fresh):
    for _ in range(3):
        pdf.PdfWriter(tmp_path).render(_page(css), "doc")
    assert fresh == [False, False, False]


@pytest.mark.parametrize("head, body", [
    ('<link rel="stylesheet" href="more.css">', "<p>Text</p>"),
    ('<base href="file:///workspace/assets/">', "<p>Text</p>"),
    ("", "<p>Text</p><style>p { color: red; }</style>"),
    ("", '<p>Text</p><svg width="10px" height="10px"><rect width="5" height="5"/></svg>'),  # svg sizes are author rules too
    ("<title>&lt;x&gt;<style>p.c0 { color: red; }</style></title>", "<p>Text</p>"),  # a "<style>" that is title text
])
def test_a_document_with_other_style_sources_renders_the_usual_way(head, body, tmp_path, fresh):
    html = _page("", body, head)
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(html, "doc")
    outputs = [pdf.PdfWriter(tmp_path).render(html, "doc") for _ in range(3)]
    assert fresh == [False, False, False]
    assert outputs == [usual] * 3


def test_portable_stylesheets_move_and_keep_their_order(tmp_path, fresh):
    css = "thead { display: table-header-group; } p.c3::before { display: block; content: 'x'; }"  # display on named elements may move
    html = _page(css, '<p class="c3">Text</p>').replace("</style>", "</style><style>p.c3 { margin-left: 9mm; }</style>")
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(html, "doc")
    pdf.PdfWriter(tmp_path).render(html, "doc")
    assert pdf.PdfWriter(tmp_path).render(html, "doc") == usual
    assert fresh == [False, True]


def test_warnings_of_a_reused_stylesheet_are_reported_every_time(tmp_path, fresh):
    html = _page("p { colr: red; }")
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(html, "doc")[1]
    assert any("colr" in message for message in usual), usual
    reports = [pdf.PdfWriter(tmp_path).render(html, "doc")[1] for _ in range(3)]
    assert fresh == [False, True, True]
    assert reports == [usual] * 3


def test_style_text_inside_the_title_is_not_taken_for_the_stylesheet(tmp_path, fresh):
    html = f"<!DOCTYPE html><html><head><title>&lt;x&gt;<style>{FILLER}</style></title><STYLE>{FILLER}</STYLE></head><body><p class='c3'>Text</p></body></html>"
    usual = pdf.PdfWriter(tmp_path, reuse=False).render(html, "doc")
    outputs = [pdf.PdfWriter(tmp_path).render(html, "doc") for _ in range(3)]
    assert fresh == [False, False, False]
    assert outputs == [usual] * 3
