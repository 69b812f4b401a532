"""The offer greets the person as the deal says (#22 item 2), read back from the built PDF and DOCX."""

from __future__ import annotations

import pytest

from ..conftest import copy_example
from ..readback import copy_minimal, docx_text, pdf_text, squash


def test_the_van_dijk_offer_greets_the_decider_with_her_contact_salutation(tmp_path, cli):
    """Maartje de Vries is the decider and the contact; only her contact entry has a salutation."""
    ws = copy_example(tmp_path / "ws")
    code, _, err = cli("build", "-w", ws, "deals/van-dijk.yaml")
    assert code == 0, err
    folder = ws / "output" / "NW-2026-044-r1"
    for text in (pdf_text(folder / "offer.pdf"), docx_text(folder / "offer.docx")):
        text = squash(text)
        assert "Dear Ms de Vries," in text
        assert "Dear Maartje de Vries" not in text


CONTACT = """  contact:
    name: Petra Wenzel
{salutation}"""
DECIDER = """buying_center:
  - name: {name}
    department: management
    role: decider
"""


def _greeting(ws, cli, locale: str, contact: str | None, decider: str | None) -> str:
    deal = ws / "deals" / "basic.yaml"
    text = deal.read_text(encoding="utf-8").replace("title: Test offer\n", f"title: Test offer\nlocale: {locale}\n")
    if contact is not None:
        text = text.replace("    country: DE\n", "    country: DE\n" + CONTACT.format(salutation=contact), 1)
    if decider is not None:
        text += DECIDER.format(name=decider)
    deal.write_text(text, encoding="utf-8")
    code, _, err = cli("build", "-w", ws, "--format", "docx")
    assert code == 0, err
    return squash(docx_text(ws / "output" / "T-2026-001-r1" / "offer.docx"))


@pytest.mark.parametrize(("locale", "contact", "decider", "greeting"), [
    ("de_DE", "    salutation: Sehr geehrte Frau Wenzel\n", "Petra Wenzel", "Sehr geehrte Frau Wenzel,"),
    ("en_GB", "    salutation: Dear Ms Wenzel\n", None, "Dear Ms Wenzel,"),
    ("en_GB", "", "Petra Wenzel", "Dear Petra Wenzel,"),          # no salutation anywhere: by name
    ("de_DE", "", "Petra Wenzel", "Guten Tag Petra Wenzel,"),
    ("de_DE", "    salutation: Sehr geehrte Frau Wenzel\n", "Jonas Roth", "Guten Tag Jonas Roth,"),  # another person
    ("en_GB", None, None, "Dear Sir or Madam,"),                      # nobody named
    ("de_DE", None, None, "Sehr geehrte Damen und Herren,"),
])
def test_the_greeting_falls_back_per_language(tmp_path, cli, locale, contact, decider, greeting):
    text = _greeting(copy_minimal(tmp_path), cli, locale, contact, decider)
    assert greeting in text
    assert sum(text.count(g) for g in ("Sehr geehrte", "Guten Tag", "Dear ")) == 1  # one greeting
