"""The DOCX laid out as the PDF (#22 item 7, in part): LibreOffice converts the built DOCX to PDF,
and the positions of main blocks are compared with our own PDF's, from text coordinates (mm from
the page's left and top edges)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from proposals.cli import run

from ..conftest import copy_example
from ..libreoffice import SOFFICE, require_libreoffice

PT = 25.4 / 72


def runs(path: Path) -> list[tuple[int, str, float, float]]:
    """(page, text, x, baseline) of every text run, mm from the left and top edges."""
    found = []
    for number, page in enumerate(PdfReader(path).pages):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, number=number, height=height):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                found.append((number, text.strip(), x * PT, (height - y) * PT))

        page.extract_text(visitor_text=visit)
    return found


def x_of(found, start: str, exact: bool = False) -> float:
    hits = [x for _, text, x, _ in found if (text == start if exact else text.startswith(start))]
    assert hits, start
    return hits[0]


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """{document: (runs of our PDF, runs of LibreOffice's PDF of the DOCX)} for the acme deal."""
    require_libreoffice()
    ws = copy_example(tmp_path_factory.mktemp("layout") / "ws")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml"]) == 0
    folder, converted = ws / "output" / "NW-2026-041-r2", tmp_path_factory.mktemp("lo")
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{converted / 'profile'}", "--convert-to", "pdf",
                    "--outdir", str(converted), str(folder / "offer.docx"), str(folder / "contract.docx")],
                   check=True, capture_output=True, timeout=300)
    return {name: (runs(folder / f"{name}.pdf"), runs(converted / f"{name}.pdf")) for name in ("offer", "contract")}


def test_the_info_block_values_are_right_aligned_as_in_the_pdf(both):
    """A one-character value (the revision) starts far right of a long one (the offer number)
    when both end at the same edge; left-aligned, they started at the same x."""
    for found in both["offer"]:
        assert x_of(found, "2", exact=True) - x_of(found, "NW-2026-041") > 10


def test_clause_bullets_sit_under_the_clause_text(both):
    pdf, docx = both["contract"]
    first_bullet = "Predictive maintenance readiness"
    assert abs(x_of(docx, first_bullet) - x_of(pdf, first_bullet)) < 2.0  # was 9 mm further left
