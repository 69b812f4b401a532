"""Hostile text in deals, catalog and seller profile: invisible characters in identifiers,
right-to-left text and bidi controls in free text, lone surrogates, Windows device names.

Every case writes a real workspace and runs the real command line; failures must be one
located line each, exit code 2, no traceback, nothing written; builds are read back (PDF
text, every DOCX part, quote.json).
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest

from proposals.cli import run

from ..conftest import CASES, REPO

FSI, PDI, RLO, PDF_, RLE, RLI = "\u2068", "\u2069", "\u202e", "\u202c", "\u202b", "\u2067"
DEAL = "deals/basic.yaml"


def edit(ws: Path, relative: str, old: str, new: str) -> None:
    path = ws / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, (relative, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(err: str) -> list[str]:
    """The problem lines of a run (without the closing 'failed: N problems')."""
    return [line for line in err.splitlines() if not line.startswith("failed:")]


def assert_refused(ws: Path, code: int, out: str, err: str, expected: list[str]) -> None:
    found = problems(err)
    if expected and expected[0].startswith("catalog/services.yaml"):
        # a refused catalog file leaves its SKUs unknown to the deal's cross-checks
        assert all(re.fullmatch(r"deals/basic\.yaml:\d+:10: items\[\d\]\.sku: unknown SKU \w+", line) for line in found[len(expected):]), err
        found = found[: len(expected)]
    assert found == expected, err
    assert code == 2
    assert "Traceback" not in out + err and "internal error" not in out + err
    assert not (ws / "output").exists() or not any((ws / "output").iterdir())


# --- A.1 identifiers refuse invisible and control characters -------------------------------------

IDENTIFIERS = [
    # file, old text, new text, expected message line
    (DEAL, "offer_number: T-2026-001", 'offer_number: "T-2026\\u200b-001"',
     "deals/basic.yaml:1:15: offer_number: contains an invisible character U+200B ZERO WIDTH SPACE; retype the value"),
    (DEAL, "    country: DE\n", '    country: DE\n  vat_id: "DE12345\\u200b6789"\n',
     "deals/basic.yaml:11:11: customer.vat_id: contains an invisible character U+200B ZERO WIDTH SPACE; retype the value"),
    (DEAL, "    country: DE\n", '    country: DE\n  customer_number: "K-\\u202e42"\n',
     "deals/basic.yaml:11:20: customer.customer_number: contains an invisible character U+202E RIGHT-TO-LEFT OVERRIDE; retype the value"),
    (DEAL, "    country: DE\n", '    country: DE\n  registration:\n    court: Amtsgericht Berlin\n    number: "HRB\\t4711"\n',
     "deals/basic.yaml:13:13: customer.registration.number: contains a control character U+0009 CHARACTER TABULATION; retype the value"),
    (DEAL, '    postal_code: "10115"', '    postal_code: "101\\u206015"',
     "deals/basic.yaml:8:18: customer.address.postal_code: contains an invisible character U+2060 WORD JOINER; retype the value"),
    (DEAL, "  - sku: DAY", '  - sku: "DAY\\u200d"',
     "deals/basic.yaml:12:10: items[0].sku: contains an invisible character U+200D ZERO WIDTH JOINER; retype the value"),
    (DEAL, "    country: DE\n", '    country: DE\n  installed: ["LIC\\u2066"]\n',
     "deals/basic.yaml:11:15: customer.installed[0]: contains an invisible character U+2066 LEFT-TO-RIGHT ISOLATE; retype the value"),
    ("catalog/seller.yaml", "vat_id: DE123456789", 'vat_id: "DE123456789\\u2028"',
     "catalog/seller.yaml:8:9: vat_id: contains an invisible character U+2028 LINE SEPARATOR; retype the value"),
    ("catalog/seller.yaml", "vat_id: DE123456789", 'vat_id: DE123456789\ntax_number: "12/345/\\u00ad67890"',
     "catalog/seller.yaml:9:13: tax_number: contains an invisible character U+00AD SOFT HYPHEN; retype the value"),
    ("catalog/seller.yaml", "iban: DE89 3704 0044 0532 0130 00", 'iban: "DE89 3704 0044 0532 0130 00\\ufeff"',
     "catalog/seller.yaml:11:9: bank.iban: contains an invisible character U+FEFF ZERO WIDTH NO-BREAK SPACE; retype the value"),
    ("catalog/seller.yaml", "bic: COBADEFFXXX", 'bic: "COBA\\u200eDEFFXXX"',
     "catalog/seller.yaml:12:8: bank.bic: contains an invisible character U+200E LEFT-TO-RIGHT MARK; retype the value"),
    ("catalog/seller.yaml", "  email: erika@testwerk.example", '  email: "erika@test\\u200bwerk.example"',
     "catalog/seller.yaml:15:10: contact.email: contains an invisible character U+200B ZERO WIDTH SPACE; retype the value"),
    ("catalog/seller.yaml", "legal_name: Testwerk GmbH", 'legal_name: Testwerk GmbH\nregistration:\n  court: Amtsgericht Dresden\n  number: "HRB \\u2029 1"',
     "catalog/seller.yaml:5:11: registration.number: contains an invisible character U+2029 PARAGRAPH SEPARATOR; retype the value"),
    ("catalog/services.yaml", "  - sku: SUP", '  - sku: "SUP\\u0085"',
     "catalog/services.yaml:17:10: services[2].sku: contains a control character U+0085 NEXT LINE; retype the value"),
]


@pytest.mark.parametrize("relative, old, new, expected", IDENTIFIERS, ids=[case[3].split(": ")[1] for case in IDENTIFIERS])
def test_identifiers_refuse_invisible_characters(relative, old, new, expected, minimal, cli):
    edit(minimal, relative, old, new)
    code, out, err = cli("build", "-w", minimal)
    assert_refused(minimal, code, out, err, [expected])


def test_identifier_message_names_every_kind_of_invisible_character(minimal, cli):
    """Format (Cf), control (Cc) and separators (Zl, Zp): one name each, never the raw character."""
    for ch in ("\u200b", "\u202e", "\u2066", "\u061c", "\ufeff", "\x7f", "\u2028", "\u2029", "\U000e0001"):
        text = (CASES / "minimal" / DEAL).read_text().replace("offer_number: T-2026-001", f'offer_number: "T-{ord(ch):X}\\U{ord(ch):08X}"')
        (minimal / DEAL).write_text(text, encoding="utf-8")
        code, out, err = cli("check", "-w", minimal)
        name = unicodedata.name(ch, "DELETE")
        assert problems(err) == [f"deals/basic.yaml:1:15: offer_number: contains {'a control' if ch == chr(0x7F) else 'an invisible'} character U+{ord(ch):04X} {name}; retype the value"], err
        assert code == 2 and ch not in err


# --- A.2 right-to-left text is isolated in both formats --------------------------------------------

HEBREW = 'שלום בע"מ'
NAME = HEBREW + " " + RLO + "evil"  # an override that is never closed
ARABIC = "خدمة استشارية"
PLACE = "مصنع " + RLO + "Linz"
VENUE = "حيفا " + RLO + "Haifa"
DIRECTORS = ["דוד כהן", RLE + "Mallory"]


@pytest.fixture(scope="module")
def rtl_build(tmp_path_factory):
    """One workspace with right-to-left text and bidi controls in many values, built once."""
    ws = tmp_path_factory.mktemp("rtl") / "ws"
    shutil.copytree(CASES / "minimal", ws)
    (ws / "templates" / "assets").mkdir(parents=True)
    shutil.copy(REPO / "templates" / "assets" / "logo.png", ws / "templates" / "assets" / "logo.png")
    # attribute values: an href and the logo's alt text carry right-to-left values
    (ws / "templates" / "offer.html.j2").write_text(
        '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n{{ super() }}\n'
        '<p><a href="https://example.com/{{ customer.legal_name }}">{{ customer.legal_name }}</a></p>\n{% endblock %}\n',
        encoding="utf-8",
    )
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(
        seller.read_text(encoding="utf-8").replace("legal_name: Testwerk GmbH", 'legal_name: "נורדוורק בע\\"מ"\nlogo: templates/assets/logo.png\nmanaging_directors:\n  - "דוד כהן"\n  - "\\u202bMallory"'),
        encoding="utf-8",
    )
    seller.write_text(seller.read_text(encoding="utf-8") + 'default_terms:\n  venue: "\u062d\u064a\u0641\u0627 \\u202eHaifa"\n', encoding="utf-8")
    edit(ws, "catalog/services.yaml", "    name: Consulting day", f'    name: "{ARABIC}"\n    description: "Workshop \\ud83d\\ude00"')
    edit(ws, DEAL, "  legal_name: Kunde AG", '  legal_name: "שלום בע\\"מ \\u202eevil"')
    edit(ws, DEAL, "title: Test offer", "title: Test offer\n"
         'introduction: "مرحبا\\n\\nSecond paragraph \\u2067open"\n'
         "terms:\n  delivery:\n    place: \"مصنع \\u202eLinz\"\n"
         "contract:\n  deviations:\n    - clause: liability\n      action: amend\n"
         '      text: "מסמך *חשוב* \\u2069 here"\n      reason: "סיבה"')
    code = run(["build", "-w", str(ws)])
    return ws, code


def _outputs(ws: Path) -> Path:
    (folder,) = (ws / "output").iterdir()
    return folder


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _docx_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith((".xml", ".rels"))}


def test_rtl_build_writes_every_file(rtl_build):
    ws, code = rtl_build
    assert code == 0
    folder = _outputs(ws)
    assert sorted(p.name for p in folder.iterdir()) == ["contract-redline.docx", "contract.docx", "contract.json", "contract.pdf", "manifest.json", "offer.docx", "offer.pdf", "quote.json"]


def test_rtl_warnings_are_located(cli, rtl_build):
    ws, _ = rtl_build
    code, out, err = cli("check", "-w", ws)
    assert code == 0, err
    assert problems(err) == [
        "catalog/seller.yaml:6:5: WARNING: managing_directors[1]: U+202B RIGHT-TO-LEFT EMBEDDING is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]",
        "catalog/seller.yaml:33:10: WARNING: default_terms.venue: U+202E RIGHT-TO-LEFT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]",
        "deals/basic.yaml:4:15: WARNING: introduction: U+2067 RIGHT-TO-LEFT ISOLATE is never closed (no U+2069 POP DIRECTIONAL ISOLATE follows); close it or remove it [input.bidi-isolate]",
        "deals/basic.yaml:7:12: WARNING: terms.delivery.place: U+202E RIGHT-TO-LEFT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]",
        "deals/basic.yaml:12:13: WARNING: contract.deviations[0].text: U+2069 POP DIRECTIONAL ISOLATE closes no isolate; remove it [input.bidi-isolate]",
        "deals/basic.yaml:15:15: WARNING: customer.legal_name: U+202E RIGHT-TO-LEFT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]",
    ]
    code, _, err = cli("check", "-w", ws, "--strict")
    assert code == 1 and "Traceback" not in err


def test_pdf_keeps_the_text_after_an_override_in_order(rtl_build):
    """An override left open in the customer's name reverses only the name: the sentence goes on in order."""
    folder = _outputs(rtl_build[0])
    offer = _pdf_text(folder / "offer.pdf")
    assert "we accept this offer." in offer  # without the isolate: ".reffo siht tpecca ew ,live"
    assert "reffo" not in offer and "tpecca" not in offer
    assert "live" in offer  # inside its isolate the override still reverses the rest of the name
    # a value a clause prints (Markdown, then HTML): the clause's sentence goes on in order after it
    contract = " ".join(_pdf_text(folder / "contract.pdf").split())
    assert "afiaH" in contract  # the venue's own override, kept inside its isolate
    assert "provided the Customer is a merchant." in contract  # without the isolate: ".tnahcrem a si remotsuC eht dedivorp ,"
    assert "tnahcrem" not in contract


def test_docx_isolates_every_rtl_value(rtl_build):
    folder = _outputs(rtl_build[0])
    offer = _docx_parts(folder / "offer.docx")
    body, header, footer = offer["word/document.xml"], offer["word/header1.xml"], offer["word/footer1.xml"]
    plain = body.replace("&quot;", '"')
    assert plain.count(HEBREW) == plain.count(FSI + NAME + PDI) >= 3  # letterhead, greeting link text, order block
    assert (FSI + NAME + PDI) in header.replace("&quot;", '"')
    # join isolates each director on its own: the open embedding of the second cannot reach the first
    # (each name unbreakable: its spaces are no-break spaces, #22 item 6)
    first, second = (name.replace(" ", "\u00a0") for name in DIRECTORS)
    assert f"{FSI}{first}{PDI}, {FSI}{second}{PDI}" in footer
    # paragraphs: each paragraph of the introduction in its own isolate, the open RLI closed before the PDI
    assert f"{FSI}مرحبا{PDI}" in plain and f"{FSI}Second paragraph {RLI}open{PDI}{PDI}" in plain
    contract = _docx_parts(folder / "contract.docx")["word/document.xml"].replace("&quot;", '"')
    assert (FSI + PLACE + PDI) in contract and (FSI + VENUE + PDI) in contract  # values printed by clauses (Markdown)
    # the amendment's Markdown: one isolate over the whole sentence, its emphasis inside, its stray PDI dropped
    assert re.search(f"{FSI}מסמך </w:t>.*?חשוב.*? here{PDI}</w:t>", contract, re.DOTALL)
    assert f"{FSI}{first}{PDI}" in _docx_parts(folder / "contract.docx")["word/footer1.xml"]


def _text_of_paragraphs(xml: str) -> list[str]:
    return ["".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.DOTALL)]


def test_docx_isolates_are_balanced_and_never_in_attributes(rtl_build):
    """Every paragraph of every part closes the isolates it opens (so none reaches the next value);
    no attribute value (hyperlink targets, picture descriptions, styles) holds one."""
    folder = _outputs(rtl_build[0])
    for name in ("offer.docx", "contract.docx"):
        for part, xml in _docx_parts(folder / name).items():
            for tag in re.findall(r"<[^<>]*>", xml):
                assert FSI not in tag and PDI not in tag, (name, part, tag)
            for text in _text_of_paragraphs(xml):
                depth = 0
                for ch in text:
                    depth += ch in "\u2066\u2067\u2068"
                    depth -= ch == PDI
                    assert depth >= 0, (name, part, text)
                assert depth == 0, (name, part, text)
    rels = _docx_parts(folder / "offer.docx")["word/_rels/document.xml.rels"]
    assert "https://example.com/" in rels


def test_pdf_links_and_metadata_have_no_isolates(rtl_build):
    from pypdf import PdfReader

    folder = _outputs(rtl_build[0])
    reader = PdfReader(folder / "offer.pdf")
    uris = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots") or [] if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]]
    assert any("example.com" in uri for uri in uris), uris
    for uri in uris:
        assert FSI not in uri and PDI not in uri and "%E2%81%A8" not in uri.upper() and "%E2%81%A9" not in uri.upper()
    for value in (reader.metadata or {}).values():
        assert FSI not in str(value) and PDI not in str(value)


def test_quote_json_keeps_values_as_written(rtl_build):
    """quote.json is data, not a layout: names stay exactly as written (no isolates); a surrogate pair is the character it encodes."""
    folder = _outputs(rtl_build[0])
    quote = json.loads((folder / "quote.json").read_text(encoding="utf-8"))
    assert quote["lines"][0]["name"] == ARABIC
    assert FSI not in (folder / "quote.json").read_text(encoding="utf-8")
    assert "Workshop \U0001f600" in _docx_parts(folder / "offer.docx")["word/document.xml"]


def test_values_without_rtl_text_are_untouched(rtl_build):
    folder = _outputs(rtl_build[0])
    body = _docx_parts(folder / "offer.docx")["word/document.xml"]
    assert "Hauptstraße 2" in body and FSI + "Hauptstraße" not in body and "Hauptstraße 2" + PDI not in body
    title = "Test\u00a0offer"  # the title's last two words kept together (#22 item 6)
    assert title in body and FSI + title not in body


def test_a_workspace_without_rtl_text_gets_no_isolates(minimal, cli):
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    assert code == 0, err
    folder = _outputs(minimal)
    for name in ("offer.docx", "contract.docx"):
        for part, xml in _docx_parts(folder / name).items():
            assert FSI not in xml and PDI not in xml, part


# --- A.3 unbalanced controls in free text are located warnings --------------------------------------

@pytest.mark.parametrize(
    "value, expected",
    [
        ('"Kunde \\u202dAG"', "U+202D LEFT-TO-RIGHT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]"),
        ('"Kunde \\u202aAG"', "U+202A LEFT-TO-RIGHT EMBEDDING is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]"),
        ('"Kunde AG\\u202c"', "U+202C POP DIRECTIONAL FORMATTING closes no embedding or override; remove it [input.bidi-override]"),
        ('"\\u2068Kunde AG"', "U+2068 FIRST STRONG ISOLATE is never closed (no U+2069 POP DIRECTIONAL ISOLATE follows); close it or remove it [input.bidi-isolate]"),
        ('"Kunde\\u2069 \\u2066AG\\u2069"', "U+2069 POP DIRECTIONAL ISOLATE closes no isolate; remove it [input.bidi-isolate]"),
        ('"Kunde \\u202eAG\\nGmbH"', "U+202E RIGHT-TO-LEFT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]"),
        ('"Kunde \\u202eGA\\u202c AG"', None),  # closed: legitimate
        ('"Kunde \\u2067שלום\\u202b x\\u2069 AG"', None),  # the PDI closes the embedding inside its isolate
        ('"אבג\\u200d\\u200cد AG"', None),  # right-to-left letters, ZWJ and ZWNJ are plain text
    ],
    ids=["LRO", "LRE", "stray PDF", "open FSI", "stray PDI", "line break ends it", "closed override", "closed isolate", "plain RTL"],
)
def test_unbalanced_bidi_controls_in_free_text_warn(value, expected, minimal, cli):
    edit(minimal, DEAL, "  legal_name: Kunde AG", f"  legal_name: {value}")
    code, out, err = cli("check", "-w", minimal)
    assert "Traceback" not in out + err
    if expected is None:
        assert (code, problems(err)) == (0, []), err
        return
    assert (code, problems(err)) == (0, [f"deals/basic.yaml:5:15: WARNING: customer.legal_name: {expected}"])


def test_strict_build_stops_at_a_bidi_warning(minimal, cli):
    edit(minimal, DEAL, "  legal_name: Kunde AG", '  legal_name: "Kunde \\u202eAG"')
    code, out, err = cli("build", "-w", minimal, "--strict")
    assert code == 1 and "[input.bidi-override]" in err and "Traceback" not in out + err
    assert not (minimal / "output").exists()


def test_catalog_free_text_warns_too(minimal, cli):
    edit(minimal, "catalog/services.yaml", "    name: Licence", '    name: "Licence \\u202e"')
    code, _, err = cli("check", "-w", minimal)
    assert (code, problems(err)) == (0, ["catalog/services.yaml:8:11: WARNING: services[1].name: U+202E RIGHT-TO-LEFT OVERRIDE is never closed (no U+202C POP DIRECTIONAL FORMATTING follows), so it reorders the rest of the value; close it or remove it [input.bidi-override]"])


# --- B.4 lone surrogates are refused where they stand ------------------------------------------------

@pytest.mark.parametrize(
    "relative, old, new, expected",
    [
        (DEAL, "  legal_name: Kunde AG", '  legal_name: "Kunde \\ud800 AG"', "deals/basic.yaml:5:15: customer.legal_name: contains U+D800, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
        (DEAL, "title: Test offer", 'title: "Test \\ude00\\ud83d offer"', "deals/basic.yaml:3:8: title: contains U+DE00, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
        (DEAL, "title: Test offer", 'title: Test offer\nnotes: ["\\U0000DBFF"]', "deals/basic.yaml:4:9: notes[0]: contains U+DBFF, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
        ("catalog/services.yaml", "    name: Licence", '    name: "Licence \\udfff"', "catalog/services.yaml:8:11: services[1].name: contains U+DFFF, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
        ("catalog/services.yaml", "    name: Licence", '    "na\\ud801me": Licence', "catalog/services.yaml:8:5: services[1]: contains U+D801, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
        ("catalog/seller.yaml", "  name: Erika Muster", '  name: "Erika \\udbff"', "catalog/seller.yaml:14:9: contact.name: contains U+DBFF, a lone surrogate (half of a UTF-16 pair, not a character); write the character itself"),
    ],
    ids=["deal", "reversed pair", "long escape", "catalog", "catalog key", "seller"],
)
def test_lone_surrogates_are_refused_at_load(relative, old, new, expected, minimal, cli):
    edit(minimal, relative, old, new)
    code, out, err = cli("build", "-w", minimal)
    assert_refused(minimal, code, out, err, [expected])


def test_a_template_printing_a_lone_surrogate_is_its_error(minimal, cli):
    """A Jinja string escape can still make one: the template is named, nothing is written (exit 1, not a crash)."""
    (minimal / "templates").mkdir()
    (minimal / "templates" / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>{{ "x\\ud800y" }}</p>{% endblock %}\n', encoding="utf-8")
    code, out, err = cli("build", "-w", minimal)
    assert problems(err) == ["templates/offer.html.j2: the document holds U+D800, a lone surrogate (half of a UTF-16 pair, not a character), after 'T-2026-001: Test offer</h1> <p>x'; a template prints it (an escape such as \\ud800?)"], err
    assert code == 1 and "Traceback" not in out + err and "internal error" not in out + err
    assert not (minimal / "output").exists()


def test_a_clause_printing_a_lone_surrogate_is_its_error(minimal, cli):
    clauses = minimal / "templates" / "clauses" / "en"
    clauses.mkdir(parents=True)
    (clauses / "odd.md").write_text('---\ntitle: Odd\norder: 99\nwhen: "true"\n---\n1. Text {{ "a\\udc00b" }} here.\n', encoding="utf-8")
    code, out, err = cli("build", "-w", minimal)
    assert problems(err) == ["templates/clauses/en/odd.md: the clause prints U+DC00, a lone surrogate (half of a UTF-16 pair, not a character); look for an escape such as \\ud800"], err
    assert code == 1 and "Traceback" not in out + err and "internal error" not in out + err
    assert not (minimal / "output").exists()


# --- B.5 offer numbers that Windows cannot open as a folder ------------------------------------------

@pytest.mark.parametrize(
    "number, device",
    [("CON", "CON"), ("prn", "PRN"), ("Aux", "AUX"), ("nul", "NUL"), ("COM1", "COM1"), ("com0", "COM0"), ("LPT9", "LPT9"),
     ("com1.draft", "COM1"), ("Lpt9", "LPT9"), ("con.tar.gz", "CON"), ("NUL.", "NUL"), ("COM¹", "COM¹"), ("lpt³.x", "LPT³")],
)
def test_windows_device_names_are_refused(number, device, minimal, cli):
    edit(minimal, DEAL, "offer_number: T-2026-001", f'offer_number: "{number}"')
    code, out, err = cli("build", "-w", minimal)
    expected = f"deals/basic.yaml:1:15: offer_number: Windows reserves {device} as a device name (with any extension, in any case) and cannot open a folder named {number}; choose another offer number"
    assert_refused(minimal, code, out, err, [expected])


@pytest.mark.parametrize("number", ["T-2026-001.", "T-2026.."])
def test_trailing_dots_are_refused(number, minimal, cli):
    edit(minimal, DEAL, "offer_number: T-2026-001", f'offer_number: "{number}"')
    code, out, err = cli("build", "-w", minimal)
    assert_refused(minimal, code, out, err, ["deals/basic.yaml:1:15: offer_number: must not end with a dot or a space (Windows drops them from file names)"])


def test_trailing_space_is_refused(minimal, cli):
    edit(minimal, DEAL, "offer_number: T-2026-001", 'offer_number: "T-2026-001 "')
    code, out, err = cli("check", "-w", minimal)
    assert code == 2 and problems(err) == ["deals/basic.yaml:1:15: offer_number: must not end with a dot or a space (Windows drops them from file names)"]


@pytest.mark.parametrize("number", ["CONSULT-7", "COM10", "LPT", "NULL-1", "AUX2", "PRN-2026.1"])
def test_names_that_only_look_like_devices_are_fine(number, minimal, cli):
    edit(minimal, DEAL, "offer_number: T-2026-001", f'offer_number: "{number}"')
    code, out, err = cli("check", "-w", minimal)
    assert (code, problems(err)) == (0, []), err


# --- the character classes themselves ---------------------------------------------------------------

def test_rtl_blocks_cover_every_bidi_active_character():
    """The quick block filter of bidi_active misses no character of class R, AL, AN or an explicit control."""
    from proposals.input.model.common import bidi_active

    active = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    missed = [hex(c) for c in range(0x110000) if unicodedata.bidirectional(chr(c)) in active and not bidi_active(chr(c))]
    assert missed == []
    assert bidi_active("\u200e") and bidi_active("\u200f") and bidi_active("\u061c")  # LRM, RLM, ALM
    assert not any(bidi_active(s) for s in ("Hauptstraße 2", "€1,234.56", "1.234,56 €", "− 960,00", "Müller · Ölmühle", "日本語", "\u200d\u200c"))
