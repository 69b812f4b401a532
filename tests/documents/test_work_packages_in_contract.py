"""Work packages in the contract: the planned milestone dates, and each package under the clause of its mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from proposals.documents.templating import filters

from ..conftest import copy_example
from ..readback import docx_text, pdf_text, squash

ACME = "NW-2026-041-r2"

# One package of each mode on the rate card (senior EUR 1,350.00 a day; 5 % discount on the capped one).
MODES = """\
  - sku: CONS-TM-DAY
    quantity: 1
    work_package: {id: WPF, name: Fixed design review, pricing: fixed, effort: [{role: senior, effort: "2"}]}
  - sku: CONS-TM-DAY
    quantity: 1
    work_package: {id: WPT, name: Open support desk, pricing: time_and_material, effort: [{role: senior, effort: "3"}]}
  - sku: CONS-TM-DAY
    quantity: 1
    discount_percent: 5
    work_package: {id: WPC, name: Capped data migration, pricing: capped, buffer_percent: "10", round_up_to: "100", effort: [{role: senior, effort: "4"}]}
"""


def _build(tmp_path_factory, locale: str | None = None) -> Path:
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("wp-contract") / "ws")
    deal = ws / "deals" / "acme-maschinenbau.yaml"
    text = deal.read_text(encoding="utf-8").replace("\nallowances_charges:", "\n" + MODES + "\nallowances_charges:", 1)
    deal.write_text(f"locale: {locale}\n" + text if locale else text, encoding="utf-8")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml"]) == 0
    return ws / "output" / ACME


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return _build(tmp_path_factory)


def _clause(text: str, title: str, following: str) -> str:
    return text[text.index(title):text.index(following, text.index(title))]


def test_the_contract_names_the_offers_milestone_dates_not_the_build_date(built):
    offer = squash(pdf_text(built / "offer.pdf"))
    planned = "M1 Readiness assessment presented, roadmap and data architecture approved (19 Jan 2027)"
    assert "approved 19 Jan 2027" in offer  # the offer's table: M1 ends with WP1's plan
    for text in (squash(pdf_text(built / "contract.pdf")), squash(docx_text(built / "contract.docx"))):
        assert planned in text
        assert "M3 Machining lines 1 and 2 connected and live (16 Apr 2027)" in text


def test_no_date_prints_nothing_rather_than_today():
    assert filters("en_GB", "EUR")["date"](None, "medium") == ""


def test_each_package_is_listed_under_the_clause_of_its_mode_and_the_cap_is_printed(built):
    lines = {l["name"]: l for l in json.loads((built / "quote.json").read_text())["lines"]}
    fixed, tm, capped = (lines[n]["position"] for n in ("Fixed design review", "Open support desk", "Capped data migration"))
    for text in (squash(pdf_text(built / "contract.pdf")), squash(docx_text(built / "contract.docx"))):
        fixed_clause = _clause(text, "Fixed-price services", "Additional effort")
        tm_clause = _clause(text, "Services on a time-and-material basis", "Fixed-price services")
        listed = lambda clause: {int(n) for n in re.search(r"Positions? ([\d, ]+) (?:is|are)", clause).group(1).split(", ")}
        assert fixed in listed(fixed_clause) and fixed not in listed(tm_clause)
        assert {tm, capped} <= listed(tm_clause) and not {tm, capped} & listed(fixed_clause)
        # capped: 4 x 1,350.00 = 5,400.00 + 10 % buffer 540.00 = 5,940.00, rounded up to 6,000.00, less the 5 % discount: 5,700.00
        assert f"position {capped} at most €5,700.00" in tm_clause


def test_the_german_contract_files_them_alike(tmp_path_factory):
    built = _build(tmp_path_factory, "de_DE")
    lines = {l["name"]: l["position"] for l in json.loads((built / "quote.json").read_text())["lines"]}
    text = squash(pdf_text(built / "contract.pdf"))
    listed = lambda after: {int(n) for n in re.search(r"Die Positionen ([\d, ]+) werden " + after, text).group(1).split(", ")}  # noqa: E731
    assert lines["Fixed design review"] in listed("zum Festpreis") and lines["Fixed design review"] not in listed("nach Aufwand")
    assert {lines["Open support desk"], lines["Capped data migration"]} <= listed("nach Aufwand")
    assert f"Position {lines['Capped data migration']} höchstens 5.700,00 € (netto)" in text
    assert "M1 Readiness assessment presented, roadmap and data architecture approved (19.01.2027)" in text
