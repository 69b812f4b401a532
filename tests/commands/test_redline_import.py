"""``proposals redline DEAL RETURNED.docx`` (issue #18 part 3): the customer's redline read back per clause.

The returned files are the issued record's own contract.docx with edits made as Word
writes them (tests/commands/redline_edits.py); the LibreOffice round trip is in
tests/writers/test_redline_libreoffice.py. Every expectation is the wording of the
example contract, changed by hand here.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from ..conftest import copy_example
from ..writers.test_reference_docx import zipped
from .redline_edits import AUTHOR, Docx

ACME = "NW-2026-041-r2"
DEAL = "deals/acme-maschinenbau.yaml"
NEXT = "deals/acme-maschinenbau-r3.yaml"
WARRANTY = ("1. The Contractor performs its services with the care of a prudent specialist company and in accordance with the recognised rules of technology.\n"
            "2. Where the Contractor owes a work result, it remedies defects reported in writing within ten working days by repair or replacement at its choice. "
            "Claims for defects expire twelve months after acceptance, except in cases of intent or gross negligence.\n")


def issue(ws: Path) -> None:
    deal = ws / DEAL
    deal.write_text(deal.read_text().replace("revision: 2\n", "revision: 2\nstatus: issued\nissued_on: 2026-11-25\n", 1))


@pytest.fixture(scope="module")
def issued(tmp_path_factory) -> Path:
    """The example workspace with the acme offer issued and built: its record is in output/."""
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("issued") / "ws")
    issue(ws)
    assert run(["build", "-w", str(ws), DEAL]) == 0
    return ws


@pytest.fixture
def ws(issued, tmp_path) -> Path:
    """A private copy of the issued workspace (the tests write the next revision into it)."""
    import shutil

    target = tmp_path / "ws"
    shutil.copytree(issued, target)
    return target


def returned(ws: Path, tmp_path: Path, *edits, name: str = "returned.docx") -> Path:
    doc = Docx(ws / "output" / ACME / "contract.docx")
    for edit in edits:
        edit(doc)
    return doc.save(tmp_path / name)


def state(ws: Path) -> dict[str, str]:
    """Every file of the workspace's deals/ and output/ with its hash: what must not change."""
    return {str(p.relative_to(ws)): hashlib.sha256(p.read_bytes()).hexdigest() for folder in ("deals", "output") for p in sorted((ws / folder).rglob("*")) if p.is_file()}


def deviations(ws: Path) -> dict[str, dict]:
    data = yaml.safe_load((ws / NEXT).read_text())
    return {d["clause"]: d for d in data["contract"]["deviations"]}


def test_tracked_and_untracked_edits_become_the_next_revisions_deviations(ws, tmp_path, cli):
    file = returned(ws, tmp_path,
                    lambda d: d.comment("within a reasonable period", "Ten working days, as in our purchasing terms."),
                    lambda d: d.tracked_replace("within a reasonable period", "within ten working days"),
                    lambda d: d.untracked_replace("Participants may be replaced by others at any time. ", ""))
    before = state(ws)
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"{file} against contract.docx of the record {ACME}:",
        "  9 Training dates and cancellation: replaced (edited without change tracking)",
        f"  11 Warranty: replaced (2 tracked changes by {AUTHOR})",
        f"      comment by {AUTHOR}: \u201cTen working days, as in our purchasing terms.\u201d",
        "2 clauses changed, 1 comment, 0 changes not imported",
        f"wrote {NEXT}: revision 3 (draft), 4 deviations; build it with: proposals build {NEXT}",
    ]
    after = state(ws)
    assert set(after) - set(before) == {NEXT} and {k: after[k] for k in before} == before  # nothing else touched
    found = deviations(ws)
    assert list(found) == ["liability", "confidentiality", "training-cancellation", "warranty"]  # the existing two kept first
    assert found["warranty"] == {"clause": "warranty", "action": "replace", "reason": f"Ten working days, as in our purchasing terms. ({AUTHOR})", "text": WARRANTY}
    assert found["training-cancellation"]["text"].startswith("1. Training dates are agreed in writing.")
    assert "Participants may be replaced" not in found["training-cancellation"]["text"]
    assert found["training-cancellation"]["text"].splitlines()[1].startswith("2. If the Contractor must cancel a date")
    assert found["training-cancellation"]["reason"] == f"Changed in the customer's redline of {ACME}"
    data = yaml.safe_load((ws / NEXT).read_text())
    assert (data["revision"], data["status"], data["previous_revision"], data["offer_number"]) == (3, "draft", DEAL, "NW-2026-041")
    assert "issued_on" in data and "decided_on" not in data


def test_the_next_revision_builds_with_the_customers_wording_and_diff_lists_it(ws, tmp_path, cli):
    file = returned(ws, tmp_path, lambda d: d.tracked_replace("within a reasonable period", "within ten working days"))
    assert cli("redline", "-w", ws, ws / DEAL, file, "--write")[0] == 0
    code, out, err = cli("build", "-w", ws, NEXT)
    assert code == 0, err
    text = " ".join("".join(page.extract_text() for page in PdfReader(ws / "output" / "NW-2026-041-r3" / "contract.pdf").pages).split())
    assert "within ten working days by repair or replacement" in text and "within a reasonable period" not in text.split("Standard wording")[0]
    code, out, err = cli("diff", "-w", ws, ws / DEAL, ws / NEXT)
    assert code == 0
    assert "deviation of clause warranty: \u2013 -> replace" in out


def test_an_added_sub_clause_is_an_amendment_and_a_deleted_clause_a_strike(ws, tmp_path, cli):
    file = returned(ws, tmp_path,
                    lambda d: d.tracked_new_paragraph_after("Where the Contractor owes a work result", "The warranty period for software is 24 months."),
                    lambda d: d.tracked_strike("clause_price_indexation"))
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert code == 0, err
    assert "  10 Price adjustment: struck (" in out and "  11 Warranty: amended (" in out
    found = deviations(ws)
    assert found["warranty"]["action"] == "amend" and found["warranty"]["text"] == "1. The warranty period for software is 24 months.\n"
    assert found["price-indexation"]["action"] == "strike" and "text" not in found["price-indexation"]
    assert cli("build", "-w", ws, NEXT)[0] == 0
    text = " ".join("".join(page.extract_text() for page in PdfReader(ws / "output" / "NW-2026-041-r3" / "contract.pdf").pages).split())
    assert "10.3 The warranty period for software is 24 months." in text  # clause 10 struck: warranty moves up


def test_a_further_change_to_a_negotiated_clause_replaces_its_deviation(ws, tmp_path, cli):
    """Confidentiality is amended in revision 2; the customer adds to it again: one deviation, the whole wording."""
    file = returned(ws, tmp_path, lambda d: d.tracked_new_paragraph_after("The Contractor imposes the same obligations", "Both parties return confidential documents on request."))
    assert cli("redline", "-w", ws, ws / DEAL, file, "--write")[0] == 0
    found = deviations(ws)["confidentiality"]
    assert found["action"] == "replace"
    lines = found["text"].splitlines()
    assert [line[:3] for line in lines] == ["1. ", "2. ", "3. ", "4. "]
    assert lines[2] == "3. The Contractor imposes the same obligations on its subcontractors before giving them access to confidential information."
    assert lines[3] == "4. Both parties return confidential documents on request."


def test_edits_outside_the_clauses_are_named_and_not_imported(ws, tmp_path, cli):
    file = returned(ws, tmp_path,
                    lambda d: d.untracked_replace("Hermann-Löns-Straße 40", "Hermann-Löns-Straße 42"),
                    lambda d: d.tracked_replace("Service descriptions of the items", "Service descriptions of all items"))
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert code == 0, err
    lines = out.splitlines()
    assert any(line.startswith("  title and parties: text changed: \u201cAcme Maschinenbau AG, Hermann-Löns-Straße 42") and line.endswith("; not imported: negotiate this in the deal") for line in lines), out
    assert any(line.startswith("  Annexes: text changed: \u201cService descriptions of all items listed in clause") for line in lines), out
    assert "0 clauses changed, 0 comments, 2 changes not imported" in lines
    assert list(deviations(ws)) == ["liability", "confidentiality"]  # the file is written, with nothing new


def test_a_cross_reference_updated_by_word_is_no_edit(ws, tmp_path, cli):
    """After a field update (F9) a REF field shows another number; that is Word's doing, not the customer's."""
    def renumber(doc):
        p = doc.paragraph("without prejudice to clause")
        texts = [t for t in p.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")]
        result = next(t for t in texts if t.text == "12")
        result.text = "13"

    code, out, err = cli("redline", "-w", ws, ws / DEAL, returned(ws, tmp_path, renumber))
    assert code == 0, err
    assert out.splitlines()[-1] == "0 clauses changed, 0 comments, 0 changes not imported"


def test_a_comment_alone_is_reported_and_written_nowhere(ws, tmp_path, cli):
    file = returned(ws, tmp_path, lambda d: d.comment("for good cause", "Please define good cause with examples."))
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file)
    assert code == 0
    assert out.splitlines()[1:4] == ["  16 Term and termination: comments only",
                                     f"      comment by {AUTHOR}: \u201cPlease define good cause with examples.\u201d",
                                     "0 clauses changed, 1 comment, 0 changes not imported"]


def test_a_file_of_another_record_is_refused_unless_forced(ws, tmp_path, cli):
    file = returned(ws, tmp_path, lambda d: d.set_property("proposals.revision", "1"), lambda d: d.tracked_replace("within a reasonable period", "within ten working days"))
    before = state(ws)
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert (code, out) == (2, "")
    assert err.splitlines()[0].startswith(f"{file}: the file was not built from this record: it says it is NW-2026-041 r1 (inputs ")
    assert err.splitlines()[0].endswith("); use --force to compare anyway")
    assert state(ws) == before
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--force")
    assert code == 0
    assert err.startswith(f"note: --force: compared with contract.docx of the record {ACME} (NW-2026-041 r2 (inputs ")
    assert "  11 Warranty: replaced (2 tracked changes" in out


def _with(ws: Path, change) -> bytes:
    with zipfile.ZipFile(ws / "output" / ACME / "contract.docx") as source:
        entries = {name: source.read(name) for name in source.namelist()}
    change(entries)
    return zipped(entries)


HOSTILE = {
    "not a zip": (lambda ws: b"%PDF-1.7 this is no Word file", "not a .docx file (a Word document is a zip archive; this file is not)"),
    "truncated": (lambda ws: (ws / "output" / ACME / "contract.docx").read_bytes()[:5000], "the file is damaged or truncated (its zip directory cannot be read)"),
    "zip bomb": (lambda ws: _with(ws, lambda e: e.update({"word/document.xml": e["word/document.xml"] + b" " * (40 * 1024 * 1024)})),
                 "word/document.xml: inflates past 16 MiB; refused (a zip bomb?)"),
    "DTD": (lambda ws: _with(ws, lambda e: e.update({"word/document.xml": b'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n' + e["word/document.xml"].split(b"?>", 1)[1]})),
            "word/document.xml: has a DOCTYPE (DTD); refused"),
    "macros": (lambda ws: _with(ws, lambda e: e.update({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})),
               "the file holds macros or ActiveX controls (word/vbaProject.bin); save it as a Word Document (.docx) without macros"),
    "offer": (lambda ws: (ws / "output" / ACME / "offer.docx").read_bytes(), "this is the offer of NW-2026-041 r2, not a contract; redline reads the contract the customer returned"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_or_wrong_file_gets_one_line_exit_2_and_nothing_written(ws, tmp_path, cli, case):
    make, reason = HOSTILE[case]
    file = tmp_path / "returned.docx"
    file.write_bytes(make(ws))
    before = state(ws)
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] in (f"{file}: cannot read the returned file: {reason}", f"{file}: {reason}")
    assert lines[1:] == ["failed: 1 problem"]
    assert state(ws) == before


def test_write_never_overwrites_a_deal_file(ws, tmp_path, cli):
    file = returned(ws, tmp_path, lambda d: d.tracked_replace("within a reasonable period", "within ten working days"))
    (ws / NEXT).write_text("# mine\n")
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file, "--write")
    assert code == 2
    assert f"{NEXT} exists; move it away to write revision 3 again" in err
    assert (ws / NEXT).read_text() == "# mine\n"


def test_without_a_record_redline_says_what_to_build(tmp_path, cli):
    ws = copy_example(tmp_path / "fresh")
    code, out, err = cli("redline", "-w", ws, ws / DEAL, ws / DEAL)
    assert code == 2
    assert err.splitlines()[0] == (f"{DEAL}:7:11: revision: no record of {ACME} in {ws / 'output' / ACME}: build the revision that went to the "
                                   f"customer first (proposals build {DEAL})")


def test_a_draft_is_compared_with_its_last_build_and_a_stale_build_refused(tmp_path, cli):
    from proposals.cli import run

    ws = copy_example(tmp_path / "draft")
    assert run(["build", "-w", str(ws), DEAL]) == 0
    file = returned(ws, tmp_path, lambda d: d.tracked_replace("within a reasonable period", "within ten working days"))
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file)
    assert code == 0
    assert err == f"note: {ACME} is a draft: compared with its last build in {ws / 'output' / ACME}, not with an issued record\n"
    deal = ws / DEAL
    deal.write_text(deal.read_text().replace("title: Predictive maintenance", "title: Predictive maintenance (v2)", 1))
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file)
    assert code == 2
    assert "the build in" in err and "is older than the deal file; build it again" in err


def test_the_redline_copy_returned_counts_only_the_customers_changes(ws, tmp_path, cli):
    """contract-redline.docx already holds the seller's tracked changes (the negotiated deviations);
    the customer's own change on top of it is the one reported."""
    doc = Docx(ws / "output" / ACME / "contract-redline.docx")
    doc.tracked_replace("within a reasonable period", "within ten working days")
    file = doc.save(tmp_path / "returned-redline.docx")
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file)
    assert code == 0, err
    assert out.splitlines() == [
        f"{file} against contract-redline.docx of the record {ACME}:",
        f"  11 Warranty: replaced (2 tracked changes by {AUTHOR})",
        "1 clause changed, 0 comments, 0 changes not imported",
        "run again with --write to create revision 3 with these changes as deviations",
    ]


def test_a_clause_the_seller_struck_is_no_change_of_the_customer(tmp_path, cli):
    """In the redline copy a struck clause is the seller's tracked deletion; returned untouched, nothing changed."""
    ws = copy_example(tmp_path / "struck")
    issue(ws)
    deal = ws / DEAL
    deal.write_text(deal.read_text().replace("  deviations:\n", "  deviations:\n    - clause: training-cancellation\n      action: strike\n      reason: Training is booked separately.\n", 1))
    assert cli("build", "-w", ws, DEAL)[0] == 0
    file = tmp_path / "returned.docx"
    file.write_bytes((ws / "output" / ACME / "contract-redline.docx").read_bytes())
    code, out, err = cli("redline", "-w", ws, ws / DEAL, file)
    assert code == 0, err
    assert out.splitlines()[1:] == ["0 clauses changed, 0 comments, 0 changes not imported"]
