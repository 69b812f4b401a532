"""Every word right (#22 item 3), read back from built contracts: country names with their article,
recurring quantities that read as what is billed, percent signs by the locale's rule (Babel's),
typographic quotes in English as in German."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from proposals.cli import run

from ..conftest import copy_example
from ..readback import docx_text, pdf_text, squash


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """The example workspace, plus a German copy of the van Dijk deal (Dutch customer)."""
    ws = copy_example(tmp_path_factory.mktemp("language") / "ws")
    deal = (ws / "deals" / "van-dijk.yaml").read_text(encoding="utf-8")
    assert "locale: en_GB\n" in deal and "offer_number: NW-2026-044\n" in deal
    german = deal.replace("locale: en_GB\n", "locale: de_DE\n").replace("offer_number: NW-2026-044\n", "offer_number: NW-2026-944\n")
    (ws / "deals" / "van-dijk-de.yaml").write_text(german, encoding="utf-8")
    assert run(["build", "-w", str(ws), "deals/van-dijk.yaml", "deals/van-dijk-de.yaml",
                "deals/acme-maschinenbau.yaml", "deals/kessler-pumpen.yaml"]) == 0
    return ws / "output"


def texts(out: Path, folder: str) -> dict[str, str]:
    contract = out / folder
    return {"pdf": squash(pdf_text(contract / "contract.pdf")), "docx": squash(docx_text(contract / "contract.docx"))}


@pytest.mark.parametrize(("folder", "wanted", "wrong"), [
    ("NW-2026-044-r1", "business in the Netherlands (VAT ID", "in Netherlands"),
    ("NW-2026-944-r1", "des Auftraggebers in den Niederlanden erbracht", "in Niederlande"),
])
def test_a_country_in_running_text_has_its_article(out, folder, wanted, wrong):
    for kind, text in texts(out, folder).items():
        assert wanted in text, kind
        assert wrong not in text, kind


@pytest.mark.parametrize(("folder", "wanted", "wrong"), [
    ("NW-2026-041-r2", "Insight named users: 20 users, billed monthly, term 24 months", r"\d+ \w+ per (month|year)"),
    ("NW-2026-039-r1", "monatlich abgerechnet", r"\d+ \w+ pro (Monat|Jahr),"),
])
def test_a_recurring_quantity_reads_as_billed_not_as_new_units_each_period(out, folder, wanted, wrong):
    for kind, text in texts(out, folder).items():
        assert wanted in text, kind
        assert not re.search(wrong, text), (kind, re.search(wrong, text))


@pytest.mark.parametrize(("folder", "phrases", "wrong"), [
    ("NW-2026-041-r2", ["by at most 5% a year", "exceeds 3%,", "charged at 50%", "deduct 2% when"], r"\b(5|3|50|2) %"),
    ("NW-2026-944-r1", ["zu 50 %", "2 % Skonto"], r"\b(50|2)%"),
])
def test_percent_signs_follow_the_locale(out, folder, phrases, wrong):
    for kind, text in texts(out, folder).items():
        for phrase in phrases:
            assert phrase in text, (kind, phrase)
        assert not re.search(wrong, text), (kind, re.search(wrong, text))


def test_english_contracts_use_typographic_quotes(out):
    for kind, text in texts(out, "NW-2026-041-r2").items():
        assert "hereinafter the \u201cContractor\u201d" in text and "hereinafter the \u201cCustomer\u201d" in text, kind
        assert '"' not in text, kind
        assert "the Contractor\u2019s standard terms" in text, kind  # the deviations annex
        assert "Contractor's" not in text and "Customer's business" not in text, kind
