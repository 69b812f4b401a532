"""The redline round trip with a real client (issue #18): LibreOffice edits the issued contract with
change recording on, ``proposals redline --write`` turns exactly those edits into deviations of the next
revision, and building that revision prints them.

LibreOffice (headless, over UNO) records the changes: two clauses edited, a sentence deleted in a third,
by a user named in its profile. The comment is added afterwards with python-docx's ``add_comment``
(python-docx 1.2, Word's comment parts): soffice 7.4 over UNO crashes when it stores any document that
holds a comment, whether it created the comment or loaded it, hidden or not (seen with
``com.sun.star.text.TextField.Annotation`` and with ``.uno:InsertAnnotation``), while ``soffice
--convert-to`` stores the same file. Reading a comment LibreOffice wrote is covered by the comment
markup it shares with Word (tests/commands/redline_edits.py).
"""

from __future__ import annotations

import shutil

import yaml
from pypdf import PdfReader

from ..conftest import copy_example
from ..libreoffice import Office, require_libreoffice
from .test_redline_import import ACME, DEAL, NEXT, issue

EDIT = r'''
import uno


def main(desktop, params):
    provider = context.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", context)
    profile = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess", (value("nodepath", "/org.openoffice.UserProfile/Data"),))
    profile.setPropertyValue("givenname", "Petra")
    profile.setPropertyValue("sn", "Albers")
    profile.commitChanges()
    doc = load(params["path"])
    doc.RecordChanges = True
    counts = []
    for old, new in params["edits"]:
        replace = doc.createReplaceDescriptor()
        replace.SearchString, replace.ReplaceString = old, new
        counts.append(doc.replaceAll(replace))
    doc.storeToURL(uno.systemPathToFileUrl(params["out"]), (value("FilterName", "MS Word 2007 XML"),))
    redlines = doc.Redlines.createEnumeration()
    changes = []
    while redlines.hasMoreElements():
        change = redlines.nextElement()
        changes.append((change.getPropertyValue("RedlineAuthor"), change.getPropertyValue("RedlineType")))
    doc.close(True)
    return {"counts": counts, "changes": changes}
'''

EDITS = [
    ("within a reasonable period", "within ten working days"),                                                  # 11 Warranty
    ("Acceptance may not be refused for immaterial defects.",
     "Acceptance may not be refused for immaterial defects; the Customer lists them in the acceptance record."),  # 7 Acceptance
    ("Participants may be replaced by others at any time. ", ""),                                               # 9 Training: a sentence deleted
]


def test_libreoffice_redline_becomes_the_next_revision(tmp_path, cli):
    require_libreoffice()
    from docx import Document

    ws = copy_example(tmp_path / "ws")
    issue(ws)
    assert cli("build", "-w", ws, DEAL)[0] == 0
    issued = tmp_path / "sent" / "contract.docx"  # a copy, as the customer has it: soffice leaves lock files beside what it opens
    issued.parent.mkdir()
    shutil.copy(ws / "output" / ACME / "contract.docx", issued)
    edited = tmp_path / "edited.docx"
    with Office() as office:
        done = office.run(EDIT, path=str(issued), out=str(edited), edits=EDITS)
    assert done["counts"] == [1, 1, 1]
    assert {author for author, _ in done["changes"]} == {"Petra Albers"} and len(done["changes"]) >= 3

    document = Document(str(edited))
    paragraph = next(p for p in document.paragraphs if "Where the Contractor owes a work result" in p.text)
    document.add_comment(paragraph.runs, text="Ten working days, as in our purchasing terms.", author="Petra Albers", initials="PA")
    returned = tmp_path / "returned.docx"
    document.save(str(returned))

    code, out, err = cli("redline", "-w", ws, ws / DEAL, returned, "--write")
    assert code == 0, err
    assert err == ""
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("  ") and not line.startswith("      ")] == [
        "  7 Acceptance: replaced (2 tracked changes by Petra Albers)",
        "  9 Training dates and cancellation: replaced (1 tracked change by Petra Albers)",
        "  11 Warranty: replaced (2 tracked changes by Petra Albers)",
    ]
    assert "      comment by Petra Albers: \u201cTen working days, as in our purchasing terms.\u201d" in lines
    assert lines[-2] == "3 clauses changed, 1 comment, 0 changes not imported"

    deal = yaml.safe_load((ws / NEXT).read_text())
    found = {d["clause"]: d for d in deal["contract"]["deviations"]}
    assert list(found) == ["liability", "confidentiality", "acceptance", "training-cancellation", "warranty"]
    assert found["warranty"]["reason"] == "Ten working days, as in our purchasing terms. (Petra Albers)"
    assert found["acceptance"]["reason"] == f"Changed in the customer's redline of {ACME} by Petra Albers"
    assert "within ten working days by repair or replacement" in found["warranty"]["text"]
    assert "the Customer lists them in the acceptance record." in found["acceptance"]["text"]
    assert "Participants may be replaced" not in found["training-cancellation"]["text"]

    assert cli("build", "-w", ws, NEXT)[0] == 0
    pdf = " ".join("".join(page.extract_text() for page in PdfReader(ws / "output" / "NW-2026-041-r3" / "contract.pdf").pages).split())
    contract = pdf.split("Deviations from the standard terms")[0]
    assert "11.2 Where the Contractor owes a work result, it remedies defects reported in writing within ten working days" in contract
    assert "7.2 Acceptance may not be refused for immaterial defects; the Customer lists them in the acceptance record." in contract
    assert "Participants may be replaced" not in contract
    for number, title in (("7", "Acceptance"), ("9", "Training dates and cancellation"), ("11", "Warranty")):
        assert f"{number} {title} replaced" in pdf  # the deviations annex lists each
