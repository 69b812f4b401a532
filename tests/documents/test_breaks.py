"""Breaks a reader notices (#22 item 6), read back from the built example documents: short tables
stay whole and with their heading, register numbers and names are never split, titles keep a
number with its word."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from proposals.cli import run

from ..conftest import copy_example


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    ws = copy_example(tmp_path_factory.mktemp("breaks") / "ws")
    assert run(["build", "-w", str(ws)]) == 0
    return ws / "output"


def pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().replace("\u00a0", " ").split()) for page in PdfReader(path).pages]


def lines(path: Path) -> list[str]:
    return [line.replace("\u00a0", " ").strip() for page in PdfReader(path).pages
            for line in page.extract_text().splitlines()]


def page_of(texts: list[str], needle: str) -> int:
    found = [number for number, text in enumerate(texts, start=1) if needle in text]
    assert found, needle
    return found[0]


def test_a_three_row_price_table_stays_whole_with_its_totals(out):
    """hafenlogistik: three priced lines used to split 2 + 1, the third alone with the totals."""
    texts = pages(out / "NW-2026-038-r1" / "offer.pdf")
    wanted = ["Scope and prices", "Nordwerk Insight platform licence", "Support plan Gold",
              "Consulting day block", "Total amount"]
    assert {page_of(texts, needle) for needle in wanted} == {page_of(texts, "Total amount")}


def test_the_milestone_table_stays_with_its_heading(out):
    """kessler: "Lieferung und Leistung" ended one page, its milestone table began the next."""
    texts = pages(out / "NW-2026-039-r1" / "offer.pdf")
    assert page_of(texts, "Lieferung und Leistung") == page_of(texts, "Dauerlaufprüfstände 6 bis 8 in der Überwachung")


@pytest.mark.parametrize("folder", ["NW-2026-039-r1", "NW-2026-041-r2"])
@pytest.mark.parametrize("words", [("HRB", "184213"), ("Jonas", "Petersen"), ("Katrin", "Albers")])
def test_register_numbers_and_names_in_the_footer_stay_on_one_line(out, folder, words):
    for name in ("offer.pdf", "contract.pdf"):
        found = lines(out / folder / name)
        assert any(" ".join(words) in line for line in found), (name, words)
        assert not any(line.endswith(words[0]) for line in found), (name, words)
    with zipfile.ZipFile(out / folder / "offer.docx") as package:
        footers = "".join(package.read(n).decode() for n in package.namelist() if re.fullmatch(r"word/footer\d+\.xml", n))
    assert "\u00a0".join(words) in footers  # Word breaks it nowhere either


def test_a_title_keeps_a_number_with_its_word(out):
    """acme: the title broke between "press line" and "3"."""
    for name in ("offer.pdf", "contract.pdf"):
        found = lines(out / "NW-2026-041-r2" / name)
        assert not any(re.search(r"\blines?$", line) for line in found[:20]), found[:20]
        assert any("line 3 and" in line for line in found[:20]), name
