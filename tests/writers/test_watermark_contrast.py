"""A draft is visibly a draft (#22 item 4): the watermark's contrast, measured in the built files.

The PDF's watermark is found in each page's content stream as the text drawn at the
watermark's size, with the fill colour and the fill opacity (``/ca`` of the graphics
state) in force; blended over white paper, that is the colour the reader sees. The
DOCX watermark is the Word shape's fill. WCAG's contrast ratio of that colour against
the paper must show at a glance (at least 1.5:1, where 1.1:1 was nearly invisible),
and body text beneath it must stay readable (at least 4.5:1, WCAG AA).
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import pikepdf
import pytest

from proposals.cli import run

from ..conftest import copy_example

WHITE = (1.0, 1.0, 1.0)
BODY_TEXT = (0x1F / 255, 0x29 / 255, 0x37 / 255)  # the stylesheet's text colour, #1f2937
WATERMARK_MIN_PX = 30  # the watermark is set at 30 or 44 pt (40 or 58.7 px); body text at most 25 px


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    low, high = sorted((luminance(a), luminance(b)))
    return (high + 0.05) / (low + 0.05)


def watermark_colours(pdf) -> list[tuple[float, float, float]]:
    """Per page, the colour of the watermark's text as it shows over white paper."""
    found = []
    for page in pdf.pages:
        states = page.Resources.get("/ExtGState", {})
        fill, alpha, stack = (0.0, 0.0, 0.0), 1.0, []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "q":
                stack.append((fill, alpha))
            elif op == "Q" and stack:
                fill, alpha = stack.pop()
            elif op == "rg":
                fill = tuple(float(Decimal(str(x))) for x in operands)
            elif op == "gs":
                alpha = float(states[str(operands[0])].get("/ca", alpha))
            elif op == "Tf" and float(operands[1]) >= WATERMARK_MIN_PX:
                found.append(tuple(alpha * c + (1 - alpha) * 1.0 for c in fill))
                break
    return found


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    ws = copy_example(tmp_path_factory.mktemp("watermark") / "ws")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml"]) == 0
    return ws / "output" / "NW-2026-041-r2"


@pytest.mark.parametrize("name", ["offer.pdf", "contract.pdf"])
def test_the_pdf_watermark_shows_on_every_page_and_keeps_the_text_readable(draft, name):
    with pikepdf.open(draft / name) as pdf:
        colours, pages = watermark_colours(pdf), len(pdf.pages)
    assert len(colours) == pages > 1
    for colour in colours:
        assert contrast(colour, WHITE) >= 1.5, f"watermark {colour} nearly invisible: {contrast(colour, WHITE):.2f}:1"
        assert contrast(colour, BODY_TEXT) >= 4.5


def test_the_docx_watermark_is_as_visible_as_the_pdfs(draft):
    with pikepdf.open(draft / "offer.pdf") as pdf:
        pdf_colour = watermark_colours(pdf)[0]
    with zipfile.ZipFile(draft / "offer.docx") as package:
        headers = [package.read(n).decode() for n in package.namelist() if re.fullmatch(r"word/header\d+\.xml", n)]
    fills = {m for xml in headers for m in re.findall(r'fillcolor="#([0-9A-Fa-f]{6})"', xml)}
    assert len(fills) == 1
    (fill,) = fills
    docx_colour = tuple(int(fill[i:i + 2], 16) / 255 for i in (0, 2, 4))
    assert contrast(docx_colour, WHITE) >= 1.5 and contrast(docx_colour, BODY_TEXT) >= 4.5
    assert all(abs(a - b) < 0.01 for a, b in zip(docx_colour, pdf_colour))  # the same colour in both
