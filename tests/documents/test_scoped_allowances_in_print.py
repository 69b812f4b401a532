"""Issue #17 part 3 in print: a scoped percentage prints the base it is taken of, in English and in
German, read back from the PDF and the DOCX; an unscoped one prints as it always did.

The deal (one workspace, built once in English and once in German), in line order:
  1 DAY    Services,              one-off: 30 days x 1,000.00  = 30,000.00
  2 PLC    Commissioning,         one-off: 1 package            = 54,300.00
  3 CLOUD  Hosting & operations,  monthly: 250.00 x 12 months   =  3,000.00
  line net total 87,300.00; one-off 84,300.00 (the issue's figure), recurring 3,000.00.
Allowances and charges:
  Framework discount   3 % applies_to one_off:  3 % of 84,300.00 =  2,529.00 off
  Hosting surcharge   10 % categories [Hosting & operations]: 10 % of 3,000.00 = 300.00 on
  Integration rebate   2 % skus [PLC]:          2 % of 54,300.00 =  1,086.00 off
  Travel flat          1 % unscoped:            1 % of 87,300.00 =    873.00 on
Net 87,300.00 - 2,529.00 - 1,086.00 + 300.00 + 873.00 = 84,858.00; VAT 19 % = 16,123.02;
total 100,981.02."""

from __future__ import annotations

import json

import pytest

from ..readback import copy_minimal, docx_text, pdf_text, squash

SERVICES = """
  - sku: PLC
    name: PLC integration
    category: Commissioning
    unit: package
    pricing: package
    price: "54300.00"
    translations:
      de:
        name: SPS-Integration
        category: Inbetriebnahme
        unit: Paket
  - sku: CLOUD
    name: Cloud operation
    category: Hosting & operations
    unit: month
    billing: monthly
    price: "250.00"
    translations:
      de:
        name: Cloud-Betrieb
        category: Hosting & Betrieb
        unit: Monat
"""

ITEMS = """items:
  - sku: DAY
    quantity: 30
  - sku: PLC
    quantity: 1
  - sku: CLOUD
    quantity: 1
    months: 12
allowances_charges:
  - kind: allowance
    reason: Framework discount
    percent: 3
    applies_to: one_off
  - kind: charge
    reason: Hosting surcharge
    percent: 10
    categories: [Hosting & operations]
  - kind: allowance
    reason: Integration rebate
    percent: 2
    skus: [PLC]
  - kind: charge
    reason: Travel flat
    percent: 1
"""


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{(language, format): squashed text} of the offer built in English and in German."""
    from proposals.cli import run

    texts = {}
    for lang, locale in (("en", "en_GB"), ("de", "de_DE")):
        ws = copy_minimal(tmp_path_factory.mktemp(f"scoped-{lang}"))
        services = ws / "catalog" / "services.yaml"
        services.write_text(services.read_text() + SERVICES)
        deal = ws / "deals" / "basic.yaml"
        deal.write_text(deal.read_text().split("items:")[0] + f"locale: {locale}\n" + ITEMS)
        assert run(["build", "-w", str(ws)]) == 0
        folder = ws / "output" / "T-2026-001-r1"
        texts[lang, "pdf"] = squash(pdf_text(folder / "offer.pdf"))
        texts[lang, "docx"] = squash(docx_text(folder / "offer.docx"))
        texts[lang, "json"] = json.loads((folder / "quote.json").read_text())
    return texts


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_english_offer_prints_the_base_of_each_scoped_percentage(printed, fmt):
    """One-off: "3% of €84,300.00 one-off services" (84,300.00 = 30,000.00 + 54,300.00); the category in
    the offer's wording, its "&" escaped once; the SKU as the position it found (PLC is line 2).
    Guards against: the base printed as the line net total (€87,300.00), the scope text dropped, the
    SKU printed instead of the position, the category name escaped twice (&amp;)."""
    text = printed["en", fmt]
    for fragment in ("Less: Framework discount 3% of €84,300.00 one-off services −€2,529.00",
                     "Plus: Hosting surcharge 10% of €3,000.00 Hosting & operations €300.00",
                     "Less: Integration rebate 2% of €54,300.00 for item 2 −€1,086.00",
                     "€84,858.00", "€16,123.02", "€100,981.02"):
        assert fragment in text, fragment
    assert "&amp;" not in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_german_offer_prints_the_base_in_german_with_the_translated_category(printed, fmt):
    """The same figures in German: "3 % von 84.300,00 € für einmalige Leistungen", the category as its
    translation (Hosting & Betrieb, although the deal names the catalog's Hosting & operations),
    "Position 2". Guards against: a missing German key (the English text or a KeyError), the catalog
    category printed instead of its translation."""
    text = printed["de", fmt]
    for fragment in ("Abzüglich: Framework discount 3 % von 84.300,00 € für einmalige Leistungen −2.529,00 €",
                     "Zuzüglich: Hosting surcharge 10 % von 3.000,00 € für Hosting & Betrieb 300,00 €",
                     "Abzüglich: Integration rebate 2 % von 54.300,00 € für Position 2 −1.086,00 €",
                     "84.858,00 €", "100.981,02 €"):
        assert fragment in text, fragment


@pytest.mark.parametrize("lang", ["en", "de"])
def test_an_unscoped_percentage_prints_as_before(printed, lang):
    """1 % of every line, 87,300.00 -> 873.00, prints only its rate, "(1%)" / "(1 %)", as before scopes
    existed. Guards against the scope text printed for an unscoped percentage (e.g. "of €87,300.00")."""
    text = printed[lang, "pdf"]
    assert ("Plus: Travel flat (1%) €873.00" if lang == "en" else "Zuzüglich: Travel flat (1 %) 873,00 €") in text
    assert "87,300.00 " not in text.replace("€87,300.00", "") and "87.300,00 € für" not in text


def test_quote_json_carries_the_scope_and_the_positions_it_found_and_leaves_it_out_when_unscoped(printed):
    """quote.json (German build): the one-off scope found lines 1 and 2 (base "84300.00"); the category
    scope names the catalog's "Hosting & operations" and prints "Hosting & Betrieb"; the SKU scope found
    line 2; the unscoped percentage has no "scope" key at all, as before scopes existed. Guards against:
    the printed name stored as the scope, the scope key written as null for unscoped percentages (which
    would change every existing quote.json)."""
    acs = printed["de", "json"]["allowances_charges"]
    assert [(a["base"], a.get("scope")) for a in acs] == [
        ("84300.00", {"part": "one_off", "categories": [], "skus": [], "positions": [1, 2], "category_names": []}),
        ("3000.00", {"part": None, "categories": ["Hosting & operations"], "skus": [], "positions": [3], "category_names": ["Hosting & Betrieb"]}),
        ("54300.00", {"part": None, "categories": [], "skus": ["PLC"], "positions": [2], "category_names": []}),
        ("87300.00", None)]
    assert "scope" not in acs[3]
