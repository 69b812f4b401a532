"""The changes page reconciles (#22 item 1): every row shows its effect on the net total, document
allowances and charges are rows of their own, and the rows add up to the net total's change to the
cent. Read back from the built offers (DOCX tables and PDF text) of every revision pair built here:
the example's Acme offer (revision 2 against 1) and revision pairs of the minimal workspace that
move a line out of the total and one into it, change quantities, change a percentage allowance and add a charge,
in English and German."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from proposals.cli import run

from ..conftest import copy_example
from ..readback import copy_minimal, pdf_text, squash

HEADERS = {("Description", "Before", "Now", "Difference"), ("Beschreibung", "Vorher", "Jetzt", "Differenz")}
NET_TOTAL = {"Total net", "Gesamtbetrag netto"}


def amount(text: str, lang: str) -> Decimal:
    """``− €9,800.00`` (en), ``+ 1.234,56 €`` (de) -> Decimal."""
    digits = re.sub(r"[^\d.,]", "", text)
    digits = digits.replace(",", "") if lang == "en" else digits.replace(".", "").replace(",", ".")
    value = Decimal(digits)
    return -value if "−" in text or "-" in text else value


def changes_tables(path: Path):
    """The rows of the changes table and of the totals table under it, as cell texts."""
    tables = [[[c.text.strip() for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]
    found = next(i for i, t in enumerate(tables) if tuple(t[0]) in HEADERS)
    return tables[found][1:], tables[found + 1]


def reconcile(folder: Path, lang: str) -> tuple[Decimal, list[str]]:
    """Assert the page adds up; return the net total's change and the rows' descriptions."""
    rows, totals = changes_tables(folder / "offer.docx")
    effects = [amount(row[3], lang) for row in rows]
    net = next(row for row in totals if row[0] in NET_TOTAL)
    before, now, delta = (amount(cell, lang) for cell in net[1:4])
    assert now - before == delta
    assert sum(effects) == delta, f"rows add up to {sum(effects)}, the net total moved by {delta}"
    pdf = squash(pdf_text(folder / "offer.pdf"))
    for row in rows:
        assert squash(row[3]) in pdf  # the PDF prints the same effects
    return delta, [row[0] for row in rows]


def test_the_acme_changes_page_reconciles_to_the_cent(tmp_path):
    ws = copy_example(tmp_path / "ws")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml"]) == 0
    folder = ws / "output" / "NW-2026-041-r2"
    delta, names = reconcile(folder, "en")
    assert delta == Decimal("-24347.00")  # net totals of the two quotes: 251,288.20 - 275,635.20 (r2 prices its packages from the work)
    rows, _ = changes_tables(folder / "offer.docx")
    analytics = next(row for row in rows if row[0].startswith("Insight predictive analytics module"))
    assert (analytics[1], analytics[2], analytics[3]) == ("€16,560.00", "(€16,560.00)", "−\u00a0€16,560.00")
    assert any(name.startswith("Less: Framework agreement discount FA-2026-07") for name in names)
    text = squash(pdf_text(folder / "offer.pdf"))
    assert "The offer is now valid until 18 December 2026 (before: until 11 December 2026)." in text


R1 = """offer_number: T-2026-001
revision: 1
date: 2026-11-20
title: Test offer
locale: {locale}
customer:
  legal_name: Kunde AG
  address:
    street: Hauptstraße 2
    postal_code: "10115"
    city: Berlin
    country: DE
items:
  - sku: DAY
    quantity: 3
  - sku: LIC
    quantity: 12
    months: 12
  - sku: SUP
    quantity: 1
    months: 12
    optional: true
allowances_charges:
  - kind: allowance
    reason: Framework discount
    percent: "5"
"""

R2 = """offer_number: T-2026-001
revision: 2
previous_revision: deals/old/r1.yaml
date: 2026-11-27
title: Test offer
locale: {locale}
customer:
  legal_name: Kunde AG
  address:
    street: Hauptstraße 2
    postal_code: "10115"
    city: Berlin
    country: DE
items:
  - sku: LIC
    quantity: 15
    months: 12
  - sku: SUP
    quantity: 1
    months: 12
  - sku: DAY
    quantity: 2
    discount_percent: 10
    optional: true
allowances_charges:
  - kind: allowance
    reason: Framework discount
    percent: "7.5"
  - kind: charge
    reason: Travel
    amount: "333.33"
"""


@pytest.mark.parametrize(("locale", "lang"), [("en_GB", "en"), ("de_DE", "de")])
def test_a_revision_pair_that_moves_lines_and_allowances_reconciles(tmp_path, cli, locale, lang):
    ws = copy_minimal(tmp_path)
    (ws / "deals" / "old").mkdir()
    (ws / "deals" / "old" / "r1.yaml").write_text(R1.format(locale=locale), encoding="utf-8")
    (ws / "deals" / "basic.yaml").write_text(R2.format(locale=locale), encoding="utf-8")
    code, _, err = cli("build", "-w", ws, "deals/basic.yaml")
    assert code == 0, err
    delta, names = reconcile(ws / "output" / "T-2026-001-r2", lang)
    assert delta != 0 and len(names) == 5  # three lines, the changed allowance, the new charge
