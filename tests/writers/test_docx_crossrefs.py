"""Cross-references that stay true (issue #18): clause headings carry bookmarks named from their clause ids, every
``ref("id")``, annex reference and deviations-annex entry is a REF field whose stored result is the current number,
and after a lawyer inserts a clause and fields update, every reference names the new number."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from proposals.writers.docx_fields import MAX_NAME, bookmark_name

from ..conftest import copy_example
from ..libreoffice import Office, require_libreoffice
from ..readback import docx_text, squash
from .test_docx import render

ACME = "NW-2026-041-r2"
# The references of the acme contract, by clause id: term and fixed-price services refer to the subject clause
# (ref("subject")), the SLA clause to liability, the annex list to the subject and SLA clauses, the deviations annex to
# the two negotiated clauses twice (its list and the heading of each clause's wording). Their numbers come from
# contract.json.
ACME_REFERENCES = sorted(["subject", "subject", "subject", "sla", "liability", "liability", "liability", "confidentiality", "confidentiality"])
BOOKMARK_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def heading(number: int, clause_id: str, title: str, fmt: str = "%1.", label: str = "{n}.") -> str:
    return (f'<section class="clause" id="clause-{clause_id}"><h2><span class="clause-number" data-level="0" data-format="{fmt}">'
            f'{label.format(n=number)}</span> {title}</h2><p>Text of {title}.</p></section>')


def ref_fields(element) -> list[tuple[str, str]]:
    """``(instruction, stored result)`` of every complex field below ``element``, in document order."""
    found, instruction, result, state = [], "", "", None
    for node in element.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t")):
        if node.tag == qn("w:fldChar"):
            kind = node.get(qn("w:fldCharType"))
            if kind == "begin":
                instruction, result, state = "", "", "instr"
            elif kind == "separate":
                state = "result"
            else:
                found.append((" ".join(instruction.split()), result))
                state = None
        elif node.tag == qn("w:instrText") and state == "instr":
            instruction += node.text or ""
        elif node.tag == qn("w:t") and state == "result":
            result += node.text or ""
    return found


def bookmarks(element) -> dict[str, object]:
    """Bookmark name -> the paragraph its start is in (each start has its end in the same paragraph)."""
    ends = {e.get(qn("w:id")): e for e in element.iter(qn("w:bookmarkEnd"))}
    found = {}
    for start in element.iter(qn("w:bookmarkStart")):
        paragraph = start.getparent()
        assert ends[start.get(qn("w:id"))].getparent() is paragraph, start.get(qn("w:name"))
        found[start.get(qn("w:name"))] = paragraph
    return found


# ------------------------------------------------------------------ bookmark names
def test_bookmark_names_are_the_ids_where_they_can_be_and_stable_valid_names_where_not():
    assert bookmark_name("clause-liability") == "clause_liability"
    assert bookmark_name("clause-fixed-price-services") == "clause_fixed_price_services"
    odd = ["clause-prüfung", "clause-a_b", "clause-a-b", "clause-" + "x" * 60, "clause-" + "x" * 61, "7-days", "clause-a b", "clause-a.b"]
    names = [bookmark_name(i) for i in odd]
    assert all(len(n) <= MAX_NAME and BOOKMARK_NAME.fullmatch(n) for n in names), names
    assert len(set(names)) == len(names)  # "a_b" and "a-b" do not meet, nor do two long ids with the same start
    assert [bookmark_name(i) for i in odd] == names  # the same every build
    assert bookmark_name("clause-prüfung") == "clause_pr_fung_93114c41"  # fixed: documents already sent carry it


# ---------------------------------------------------------------- the writer, small
def test_a_reference_is_literal_text_and_a_ref_field_holding_the_current_number():
    """Forward and backward references; the field covers the number only ("clause " stays text)."""
    document, problems, _ = render(
        '<p>As <a class="ref" href="#clause-liability">clause 2</a> says.</p>'
        + heading(1, "warranty", "Warranty") + heading(2, "liability", "Liability")
        + '<p>See <a class="ref" href="#clause-warranty">clause 1</a> and <a class="ref" href="#clause-liability">clause 2</a>.</p>')
    assert problems == []
    body = document.element.body
    assert ref_fields(body) == [(r"REF clause_liability \r \h", "2"), (r"REF clause_warranty \r \h", "1"), (r"REF clause_liability \r \h", "2")]
    marks = bookmarks(body)
    assert set(marks) == {"clause_warranty", "clause_liability"}
    for name, title in (("clause_warranty", "Warranty"), ("clause_liability", "Liability")):
        paragraph = docx.text.paragraph.Paragraph(marks[name], document)
        assert (paragraph.style.name, paragraph.text) == ("Heading 2", title)
        assert paragraph._p.pPr.numPr is not None  # the bookmarked paragraph is the numbered one: REF \r names its number
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "As clause 2 says." and texts[-1] == "See clause 1 and clause 2."


def test_a_list_label_with_text_is_all_field_and_a_reference_showing_only_digits_asks_word_to_drop_the_text():
    """"§ %1" numbering: REF \\r gives "§ 2" in Word and LibreOffice, so "§ 2" is the field; a reference that prints "2"
    gets \\t (Word drops the "§ ")."""
    document, problems, _ = render(
        heading(1, "a", "A", "§ %1", "§ {n}") + heading(2, "b", "B", "§ %1", "§ {n}")
        + '<p>Siehe <a class="ref" href="#clause-b">§ 2</a>; Ziffer <a class="ref" href="#clause-b">2</a>.</p>')
    assert problems == []
    assert ref_fields(document.element.body) == [(r"REF clause_b \r \h", "§ 2"), (r"REF clause_b \r \t \h", "2")]
    assert document.paragraphs[-1].text == "Siehe § 2; Ziffer 2."


@pytest.mark.parametrize(("html", "problem"), [
    ('<p><a class="ref" href="#clause-nowhere">clause 9</a></p>', "reference to '#clause-nowhere' (line 2) not a field: no element has that id; text kept"),
    ('<section id="plain"><h2>Plain</h2></section><p><a class="ref" href="#plain">above</a></p>', "not a field: it has no span.clause-number"),
    (heading(1, "a", "A") + '<p><a class="ref" href="#clause-a">the first clause</a></p>', "reference 'the first clause' to clause_a does not show its number '1.'"),
])
def test_a_reference_that_cannot_be_a_field_keeps_its_text_and_is_reported(html, problem):
    document, problems, _ = render(html)
    assert any(problem in p for p in problems), problems
    assert ref_fields(document.element.body) == []
    assert document.paragraphs[-1].text in ("clause 9", "above", "the first clause")


def test_an_id_used_twice_is_one_bookmark_and_reported():
    document, problems, _ = render(heading(1, "a", "A") + heading(2, "a", "Again"))
    assert list(bookmarks(document.element.body)) == ["clause_a"]
    assert any("id 'clause-a' (line 2) used twice" in p for p in problems), problems


# ------------------------------------------------------------------ the acme contract
@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("crossrefs") / "ws")
    assert run(["build", "-w", str(ws), "deals/acme-maschinenbau.yaml"]) == 0
    return ws / "output" / ACME


def clause_numbers(folder: Path) -> dict[str, int]:
    return {c["id"]: c["number"] for c in json.loads((folder / "contract.json").read_text())["clauses"]}


def test_the_contract_as_built_reads_right_before_any_field_update(acme):
    """The stored field results are the numbers of contract.json, so a reader that never updates fields (python-docx,
    a viewer, Word before F9) reads the same references as the PDF."""
    numbers = clause_numbers(acme)
    document = docx.Document(str(acme / "contract.docx"))
    body = document.element.body
    marks = bookmarks(body)
    assert sorted(marks) == sorted(bookmark_name(f"clause-{i}") for i in numbers)  # every clause, referenced or not
    for clause_id, number in numbers.items():
        paragraph = docx.text.paragraph.Paragraph(marks[bookmark_name(f"clause-{clause_id}")], document)
        assert paragraph.style.name == "Heading 2" and paragraph._p.pPr.numPr is not None, clause_id
    fields = [f for f in ref_fields(body) if f[0].startswith("REF ")]
    by_name = {bookmark_name(f"clause-{i}"): i for i in numbers}
    assert sorted(by_name[f[0].split()[1]] for f in fields) == ACME_REFERENCES
    assert all(result == str(numbers[by_name[instr.split()[1]]]) and instr.endswith(r"\r \h") for instr, result in fields), fields
    text = squash(docx_text(acme / "contract.docx"))
    assert f"without prejudice to clause {numbers['liability']}." in text
    assert f"Service level description of the support plan (clause {numbers['sla']})" in text


def test_the_contract_pdf_links_each_reference_to_its_clause(acme):
    links = [a.get_object().get("/Dest") for page in PdfReader(acme / "contract.pdf").pages for a in page.get("/Annots") or []]
    assert sorted(str(d) for d in links if d is not None) == sorted(f"clause-{i}" for i in ACME_REFERENCES)


INSERT_AND_UPDATE = r'''
import uno
from com.sun.star.text.ControlCharacter import PARAGRAPH_BREAK

# value() and paragraphs() come from tests/libreoffice.py


def references(doc):
    found, fields = [], doc.getTextFields().createEnumeration()
    while fields.hasMoreElements():
        field = fields.nextElement()
        if field.supportsService("com.sun.star.text.textfield.GetReference"):
            found.append([field.SourceName, field.getPresentation(False)])
    return sorted(found)


def main(desktop, params):
    doc = load(params["docx"])
    try:
        result = {"loaded": references(doc)}
        # A lawyer puts the cursor at the start of clause 4's heading and presses Enter: the new, empty paragraph above
        # is a heading in the same list, numbered 4; then types its title.
        heading = next(p for p in paragraphs(doc) if p.String == params["before"])
        result["label_before"] = heading.ListLabelString
        cursor = doc.Text.createTextCursorByRange(heading.getStart())
        doc.Text.insertControlCharacter(cursor, PARAGRAPH_BREAK, False)
        cursor.gotoPreviousParagraph(False)
        doc.Text.insertString(cursor, params["title"], False)
        inserted = next(p for p in paragraphs(doc) if p.String == params["title"])
        result["inserted"] = [inserted.ListLabelString, inserted.ParaStyleName]
        result["label_after"] = heading.ListLabelString
        doc.getTextFields().refresh()  # update fields (F9 in Word, Tools > Update > Fields in LibreOffice)
        result["updated"] = references(doc)
        doc.storeToURL(uno.systemPathToFileUrl(params["text"]), (value("FilterName", "Text (encoded)"), value("FilterOptions", "UTF8,LF")))
        return result
    finally:
        doc.close(True)
'''


def insert_before_clause_4(folder: Path, title: str, references: list[str], tmp_path: Path, shown: str = "{}") -> tuple[dict, dict, str]:
    """Open the built contract.docx in LibreOffice, insert a clause heading before clause 4, update fields and export
    the text; check the fields as loaded and updated against ``references`` (clause ids) and contract.json, each number
    as REF \\r shows it (``shown``: "{}", "§ {}"). Returns the clause numbers before and after the insertion and the
    squashed text."""
    require_libreoffice()
    numbers = clause_numbers(folder)
    shifted = {i: n + 1 if n >= 4 else n for i, n in numbers.items()}
    before = next(c["title"] for c in json.loads((folder / "contract.json").read_text())["clauses"] if c["number"] == 4)
    with Office() as office:
        result = office.run(INSERT_AND_UPDATE, docx=str(folder / "contract.docx"), before=before, title=title, text=str(tmp_path / "contract.txt"))
    expected = lambda table: sorted([bookmark_name(f"clause-{i}"), shown.format(table[i])] for i in references)  # noqa: E731
    assert result["loaded"] == expected(numbers)
    assert result["label_before"] == result["inserted"][0] and result["inserted"][1] == "Heading 2"  # numbered 4, a clause heading
    assert result["updated"] == expected(shifted)
    text = squash((tmp_path / "contract.txt").read_text(encoding="utf-8"))
    assert f"{result['inserted'][0]} {title} {result['label_after']} {before}" in text
    return numbers, shifted, text


def test_after_inserting_a_clause_in_libreoffice_and_updating_fields_every_reference_names_the_new_number(acme, tmp_path):
    """Guards against references that are plain text, fields pointing at the wrong bookmark or at none, bookmarks that
    are not on the numbered heading (REF would name another paragraph's number) and a clause list that does not
    renumber: LibreOffice opens contract.docx, a numbered clause heading goes in before clause 4, fields are updated,
    and the exported text must name every referenced clause by its shifted number (computed from contract.json)."""
    numbers, shifted, text = insert_before_clause_4(acme, "Escrow of the source code", ACME_REFERENCES, tmp_path)
    assert {shifted["liability"], shifted["sla"], shifted["confidentiality"]} == {13, 9, 16}  # the references that move
    assert "4. Escrow of the source code 5. Fixed-price services" in text
    assert f"{shifted['liability']}. Liability (negotiated)" in text
    assert f"without prejudice to clause {shifted['liability']}." in text
    assert f"scope described in clause {shifted['subject']};" in text
    assert f"stated per item in clause {shifted['subject']} and" in text
    assert f"Service descriptions of the items listed in clause {shifted['subject']}" in text
    assert f"Service level description of the support plan (clause {shifted['sla']})" in text
    assert f"{shifted['liability']} Liability replaced" in text and f"{shifted['confidentiality']} Confidentiality amended" in text
    assert f"clause {numbers['liability']}." not in text and f"(clause {numbers['sla']})" not in text


def test_german_references_are_all_field_and_follow_an_inserted_clause_too(tmp_path):
    """The German contract numbers clauses "§ 4" (list text "§ %1"), and REF \\r gives "§ 10" with the sign: guards against
    a field that holds only the digits (LibreOffice and Word would then print "§ § 11" after an update) or a "§ " left as
    text beside it; the deviations annex (a deviation added to the deal) prints and follows "§ 9" the same way."""
    from proposals.cli import run

    ws = copy_example(tmp_path / "ws")
    deal = ws / "deals" / "kessler-pumpen.yaml"
    assert "\ncontract:" not in deal.read_text()
    deal.write_text(deal.read_text() + 'contract:\n  deviations:\n    - clause: warranty\n      action: amend\n      reason: Wunsch des Kunden.\n      text: "Zusatz."\n')
    assert run(["build", "-w", str(ws), "deals/kessler-pumpen.yaml"]) == 0
    folder = ws / "output" / "NW-2026-039-r1"
    references = sorted(["subject", "subject", "sla", "liability", "warranty", "warranty"])
    fields = ref_fields(docx.Document(str(folder / "contract.docx")).element.body)
    numbers = clause_numbers(folder)
    assert sorted(result for _, result in fields) == sorted(f"§ {numbers[i]}" for i in references)  # as built: the whole "§ 10"
    numbers, shifted, text = insert_before_clause_4(folder, "Hinterlegung des Quellcodes", references, tmp_path, "§ {}")
    assert {shifted["liability"], shifted["sla"], shifted["warranty"]} == {11, 9, 10}
    assert f"unbeschadet § {shifted['liability']}." in text
    assert f"Service-Level-Beschreibung des Supportpakets (§ {shifted['sla']})" in text
    assert f"Klausel Titel Änderung Grund § {shifted['warranty']} Gewährleistung ergänzt" in text
    assert "§ §" not in text
