"""Deviations shown as tracked changes (issue #18 part 2): contract-redline.docx is the contract in which every
negotiated deviation is a tracked change of the seller, dated with the deal, against the standard wording; the
clean contract.docx has none; the PDF's deviations annex prints both wordings; contract.json names what was compared.

"One tracked change per deviation" is counted by clause: a reworded clause may hold several changes (a deletion and
an insertion, in LibreOffice two redlines), so the tests assert that the clauses holding changes are exactly the
deviating clauses, each with at least one, and every change is the seller's of the deal's date."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from ..conftest import copy_example
from ..libreoffice import Office, require_libreoffice
from ..readback import docx_text, squash

ACME = "NW-2026-041-r2"
SELLER = "Nordwerk Engineering GmbH"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STRIKE = "    - clause: training-cancellation\n      action: strike\n      reason: Training is booked separately.\n"


def build(ws: Path, deal: str = "deals/acme-maschinenbau.yaml") -> None:
    from proposals.cli import run

    assert run(["build", "-w", str(ws), deal]) == 0


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    ws = copy_example(tmp_path_factory.mktemp("redline") / "ws")
    build(ws)
    return ws / "output" / ACME


@pytest.fixture(scope="module")
def struck(tmp_path_factory) -> Path:
    """The acme deal with a third deviation that strikes a whole clause (training-cancellation, clause 9)."""
    ws = copy_example(tmp_path_factory.mktemp("struck") / "ws")
    deal = ws / "deals" / "acme-maschinenbau.yaml"
    text = deal.read_text()
    assert "  deviations:\n" in text
    deal.write_text(text.replace("  deviations:\n", "  deviations:\n" + STRIKE, 1))
    build(ws)
    return ws / "output" / ACME


@pytest.fixture(scope="module")
def standard(tmp_path_factory) -> Path:
    """The acme deal without its deviations: the standard contract the redline is compared with."""
    ws = copy_example(tmp_path_factory.mktemp("standard") / "ws")
    deal = ws / "deals" / "acme-maschinenbau.yaml"
    text = deal.read_text()
    start, end = text.index("\ncontract:\n"), text.index("\nimplementation_support:")
    deal.write_text(text[:start] + text[end:])
    build(ws)
    return ws / "output" / ACME


def body(path: Path):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml")).find(f"{W}body")


def changes_by_clause(path: Path) -> dict[str | None, list]:
    """Every w:ins and w:del of the document (run content and paragraph marks), by the clause whose heading (a Heading 2
    with a clause bookmark) comes before it; None for changes outside any clause."""
    found: dict[str | None, list] = {}
    clause = None
    for p in body(path).iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == "Heading2":
            mark = p.find(f"{W}bookmarkStart")
            clause = mark.get(f"{W}name") if mark is not None else None
        for change in p.iter(f"{W}ins", f"{W}del"):
            found.setdefault(clause, []).append(change)
    return found


def accepted_text(path: Path) -> list[str]:
    """Each paragraph's text with every change accepted: all w:t, inserted ones included (python-docx leaves out the
    runs inside w:ins), none of the deleted text (w:delText); paragraphs whose mark is deleted and that hold no text
    left are gone."""
    found = []
    for p in body(path).iter(f"{W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{W}t"))
        if text or p.find(f"{W}pPr/{W}rPr/{W}del") is None:
            found.append(text)
    return found


def deal_date(folder: Path) -> str:
    return json.loads((folder / "quote.json").read_text())["date"] + "T00:00:00Z"


def test_the_redline_marks_exactly_the_deviating_clauses_as_the_sellers_changes_of_the_deal_date(acme):
    """Guards against changes outside the negotiated clauses, a negotiated clause without one, changes without the
    seller as author or with another date (the build's clock), and deletions whose text Word would still show as
    plain text (w:t instead of w:delText)."""
    changes = changes_by_clause(acme / "contract-redline.docx")
    assert sorted(changes, key=str) == ["clause_confidentiality", "clause_liability"]
    every = [c for found in changes.values() for c in found]
    assert {(c.get(f"{W}author"), c.get(f"{W}date")) for c in every} == {(SELLER, deal_date(acme))}
    ids = [c.get(f"{W}id") for c in every]
    assert len(set(ids)) == len(ids)
    deleted = " ".join(t.text for c in changes["clause_liability"] if c.tag == f"{W}del" for t in c.iter(f"{W}delText"))
    inserted = " ".join(t.text for c in changes["clause_liability"] if c.tag == f"{W}ins" for t in c.iter(f"{W}t"))
    assert "(the net contract value)" in deleted and "twice the net contract value" in inserted
    assert "Product Liability Act" not in deleted + inserted  # 12.1 is unchanged: word-level, not the whole clause
    assert not [t for c in every if c.tag == f"{W}del" for t in c.iter(f"{W}t")]
    amended = " ".join(t.text for c in changes["clause_confidentiality"] for t in c.iter(f"{W}t"))
    assert amended == "The Contractor imposes the same obligations on its subcontractors before giving them access to confidential information."


def test_the_clean_contract_has_no_tracked_changes_and_reads_as_the_redline_accepted(acme):
    """Guards against the redline's marks leaking into contract.docx, and against a redline whose unmarked and
    inserted text is not the clean contract."""
    clean = body(acme / "contract.docx")
    assert not list(clean.iter(f"{W}ins", f"{W}del", f"{W}delText"))
    assert accepted_text(acme / "contract-redline.docx") == accepted_text(acme / "contract.docx")


def test_a_struck_clause_is_one_deleted_clause_heading_and_all(struck):
    """Guards against a struck clause missing from the redline (it is left out of the clean contract) or deleted only in
    part: every paragraph of clause 9 has its text and its paragraph mark deleted, so accepting removes it whole."""
    changes = changes_by_clause(struck / "contract-redline.docx")
    assert sorted(changes, key=str) == ["clause_confidentiality", "clause_liability", "clause_training_cancellation"]
    paragraphs, inside = [], False
    for p in body(struck / "contract-redline.docx").iter(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        if style is not None and style.get(f"{W}val") == "Heading2":
            mark = p.find(f"{W}bookmarkStart")
            inside = mark is not None and mark.get(f"{W}name") == "clause_training_cancellation"
        if inside:
            paragraphs.append(p)
    assert len(paragraphs) == 3  # heading, 9.1, 9.2
    for p in paragraphs:
        assert p.find(f"{W}pPr/{W}rPr/{W}del") is not None
        assert not list(p.iter(f"{W}t")) and list(p.iter(f"{W}delText"))
    clauses = docx_text(struck / "contract.docx").split("Standard and negotiated wording")[0]  # the annex shows it
    assert "Training dates are agreed in writing" not in clauses


def test_a_deal_without_deviations_writes_a_redline_without_changes(standard):
    """Every build writes the redline; without deviations it is the clean contract's text with no change at all."""
    assert not list(body(standard / "contract-redline.docx").iter(f"{W}ins", f"{W}del"))
    assert accepted_text(standard / "contract-redline.docx") == accepted_text(standard / "contract.docx")


def test_outputs_and_contract_json_name_the_redline_and_the_compared_clause_versions(struck):
    """The manifest records the redline like every output; contract.json says, per deviation, which standard clause
    file, version and sha256 it was compared with (so a lawyer can tell the redline's baseline later)."""
    manifest = json.loads((struck / "manifest.json").read_text())
    data = (struck / "contract-redline.docx").read_bytes()
    assert manifest["outputs"]["contract-redline.docx"] == hashlib.sha256(data).hexdigest()
    contract = json.loads((struck / "contract.json").read_text())
    compared = {d["clause"]: d["compared"] for d in contract["deviations"]}
    assert sorted(compared) == ["confidentiality", "liability", "training-cancellation"]
    root = Path(__file__).resolve().parents[2]
    for clause, found in compared.items():
        path = root / found["file"]
        assert found["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"version: {found['version']}" in path.read_text()


def test_the_pdf_annex_prints_standard_and_negotiated_wording_of_each_deviation(struck):
    """Guards against an annex that lists deviations without their wording: the last pages of contract.pdf hold, for
    the replaced, amended and struck clause, the standard wording and the negotiated one."""
    reader = PdfReader(struck / "contract.pdf")
    start = next(i for i, page in enumerate(reader.pages) if "Standard and negotiated wording" in page.extract_text())
    annex = squash(" ".join(page.extract_text() for page in reader.pages[start:]))
    assert "Standard wording Negotiated wording" in annex
    assert "(the net contract value)." in annex and "in total to twice the net contract value." in annex  # liability
    assert annex.count("This obligation continues for three years after the end of the contract.") == 2  # both sides
    assert "imposes the same obligations on its subcontractors" in annex
    assert "Training dates are agreed in writing" in annex and "Struck." in annex


REVIEW = r'''
import uno

# value() and paragraphs() come from tests/libreoffice.py


def redlines(doc):
    """Each redline as LibreOffice lists it (Edit > Track Changes > Manage): type, author, date, and the clause heading
    (list label and title) that comes before its start."""
    headings = [p for p in paragraphs(doc) if p.ParaStyleName == "Heading 2"]
    found, items = [], doc.getRedlines().createEnumeration()
    while items.hasMoreElements():
        item = items.nextElement()
        start, clause = item.getPropertyValue("RedlineStart"), None
        for h in headings:
            if doc.Text.compareRegionStarts(h.getStart(), start) >= 0:
                clause = h.String
        moment = item.getPropertyValue("RedlineDateTime")
        found.append({"type": item.getPropertyValue("RedlineType"), "author": item.getPropertyValue("RedlineAuthor"),
                      "date": "%04d-%02d-%02d" % (moment.Year, moment.Month, moment.Day), "clause": clause})
    return found


def export(doc, path):
    doc.storeToURL(uno.systemPathToFileUrl(path), (value("FilterName", "Text (encoded)"), value("FilterOptions", "UTF8,LF")))


def review(desktop, path, command, text):
    doc = load(path)
    try:
        listed = redlines(doc)
        if command:
            dispatcher = uno.getComponentContext().ServiceManager.createInstance("com.sun.star.frame.DispatchHelper")
            dispatcher.executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, ())
        left = doc.getRedlines().createEnumeration().hasMoreElements()
        export(doc, text)
        return listed, left
    finally:
        doc.close(True)


def main(desktop, params):
    listed, _ = review(desktop, params["redline"], "", params["out"] + "/as-is.txt")
    _, after_accept = review(desktop, params["redline"], ".uno:AcceptAllTrackedChanges", params["out"] + "/accepted.txt")
    _, after_reject = review(desktop, params["redline"], ".uno:RejectAllTrackedChanges", params["out"] + "/rejected.txt")
    for name in ("clean", "standard"):
        review(desktop, params[name], "", params["out"] + "/" + name + ".txt")
    return {"redlines": listed, "left": [after_accept, after_reject]}
'''


def clause_block(text: str, title: str) -> list[str]:
    """The lines of one clause in an exported text: from its heading (``12. Liability...``) to the next heading's line,
    without the deviation note and the heading's "(negotiated)"; blank lines dropped."""
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.split(" ", 1)[-1].startswith(title) and line[0].isdigit())
    block = [lines[start].replace(" (negotiated)", "")]
    for line in lines[start + 1 :]:
        if line[0].isdigit() and "." in line.split(" ", 1)[0] and line.split(" ", 1)[0].count(".") == 1 and line.split(" ", 1)[0].endswith("."):
            break  # the next clause's heading, "13. Rights of use"
        if not line.startswith("Deviation from the standard terms:"):
            block.append(line)
    return block


def test_libreoffice_lists_the_negotiated_changes_and_accepting_or_rejecting_them_gives_either_contract(struck, tmp_path, tmp_path_factory):
    """In LibreOffice (a real client of the file): the redlines lie in exactly the three deviating clauses (one for the
    struck clause, one for the amendment, a deletion and an insertion for the reworded liability cap), all are the
    seller's, of the deal's date; Accept all gives the text of the clean contract.docx, line for
    line; Reject all gives the standard wording of each deviating clause, as the contract of the same deal without
    deviations prints it. Guards against tracked changes that Word-compatible readers ignore or misplace, changes of
    another author or date, a struck clause that does not come back on rejection, and paragraph marks left behind."""
    require_libreoffice()
    ws = copy_example(tmp_path_factory.mktemp("standard-for-struck") / "ws")
    deal = ws / "deals" / "acme-maschinenbau.yaml"
    text = deal.read_text()
    deal.write_text(text[: text.index("\ncontract:\n")] + text[text.index("\nimplementation_support:") :])
    build(ws)
    with Office() as office:
        result = office.run(REVIEW, redline=str(struck / "contract-redline.docx"), clean=str(struck / "contract.docx"),
                            standard=str(ws / "output" / ACME / "contract.docx"), out=str(tmp_path))
    listed = result["redlines"]
    by_clause: dict[str, int] = {}
    for redline in listed:
        by_clause[redline["clause"]] = by_clause.get(redline["clause"], 0) + 1
    # the struck clause one deletion (heading and text), the amendment one insertion, the replaced liability clause one
    # deletion and one insertion (the one stretch of words that changed)
    assert by_clause == {"Training dates and cancellation": 1, "Liability (negotiated)": 2, "Confidentiality (negotiated)": 1}, listed
    assert {(r["author"], r["date"]) for r in listed} == {(SELLER, deal_date(struck)[:10])}
    assert {r["type"] for r in listed} == {"Insert", "Delete"}
    assert result["left"] == [False, False]  # nothing left to review after accepting or rejecting all
    read = lambda name: (tmp_path / f"{name}.txt").read_text(encoding="utf-8")  # noqa: E731
    assert read("accepted") == read("clean")
    rejected, standard = read("rejected"), read("standard")
    for title in ("Training dates and cancellation", "Liability", "Confidentiality"):
        assert clause_block(rejected, title) == clause_block(standard, title), title
    assert "twice the net contract value" not in " ".join(clause_block(rejected, "Liability"))
