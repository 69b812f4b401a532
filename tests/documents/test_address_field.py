"""Letters that fit an envelope (#22 item 5): the address in the DIN 5008 address field, measured
from the text coordinates of the built PDF (mm from the page's top-left corner, text baselines)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import copy_example
from ..readback import copy_minimal

PT = 25.4 / 72


def first_page_text(path: Path) -> list[tuple[str, float, float]]:
    """(text, x, baseline) of every text run on page 1, in mm from the left and the top edge."""
    page = PdfReader(path).pages[0]
    height = float(page.mediabox.height)
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x * PT, (height - y) * PT))

    page.extract_text(visitor_text=visit)
    return found


def at(runs, start: str) -> tuple[float, float]:
    hits = [(x, y) for text, x, y in runs if text.startswith(start)]
    assert hits, (start, [t for t, _, _ in runs][:30])
    return hits[0]


def assert_in_field(runs, sender: str, lines: list[str], top: float, left: float, zone: float, height: float):
    x, y = at(runs, sender)
    assert abs(x - left) < 0.5 and top < y < top + zone, ("return address", x, y)
    for line in lines:
        x, y = at(runs, line)
        assert abs(x - left) < 0.5 and top + zone < y < top + height, (line, x, y)


def test_a_german_sellers_offer_puts_the_address_in_din_5008_form_b(tmp_path, cli):
    ws = copy_example(tmp_path / "ws")
    code, _, err = cli("build", "-w", ws, "--format", "pdf", "deals/kessler-pumpen.yaml")
    assert code == 0, err
    runs = first_page_text(ws / "output" / "NW-2026-039-r1" / "offer.pdf")
    assert_in_field(runs, "Nordwerk Engineering GmbH · Kehrwieder 8", ["Kessler Pumpen GmbH", "Claudia Wenzel",
                    "Meißner Landstraße 180", "01157 Dresden", "Deutschland"], top=45, left=20, zone=17.7, height=45)
    x, y = at(runs, "Angebots-Nr.")
    assert x > 20 + 85 and y < 45 + 45  # the info block stays beside the field
    assert at(runs, "Angebot NW-2026-039")[1] > 45 + 45  # the letter begins below it


BRANDING = {
    "din5008-a": ("branding:\n  address_field: din5008-a\n", 27, 20, 12.7, 40),
    "own": ("branding:\n  address_field_top_mm: \"50\"\n  address_field_left_mm: \"24\"\n", 50, 24, 17.7, 45),
}


@pytest.mark.parametrize("name", sorted(BRANDING))
def test_the_branding_chooses_form_a_or_an_own_position(tmp_path, cli, name):
    branding, top, left, zone, height = BRANDING[name]
    ws = copy_minimal(tmp_path)
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text(encoding="utf-8") + branding, encoding="utf-8")
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 0, err
    runs = first_page_text(ws / "output" / "T-2026-001-r1" / "offer.pdf")
    assert_in_field(runs, "Testwerk GmbH · Teststraße 1", ["Kunde AG", "Hauptstraße 2", "10115 Berlin"],
                    top=top, left=left, zone=zone, height=height)


def test_flow_keeps_the_address_in_the_letterheads_column(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text(encoding="utf-8") + "branding:\n  address_field: flow\n", encoding="utf-8")
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 0, err
    x, y = at(first_page_text(ws / "output" / "T-2026-001-r1" / "offer.pdf"), "Kunde AG")
    assert abs(x - 25) < 0.5 and y < 45 + 17.7  # at the left margin, higher than any DIN field's address
