"""Edits to a built contract.docx as Word makes them, for the tests of ``proposals redline``.

Each function changes the WordprocessingML the way Word writes a customer's edit:
tracked changes as ``w:del``/``w:ins`` around runs (deleted text as ``w:delText``), a
tracked new paragraph with its paragraph mark inserted, a struck clause with every run and
paragraph mark deleted, a comment as ``word/comments.xml`` plus ``commentRangeStart``,
``commentRangeEnd`` and a ``commentReference`` run (ECMA-376 Part 1, 17.13). An untracked
edit simply changes the text.
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
AUTHOR, DATE = "Dr. Petra Albers", "2026-12-01T10:00:00Z"


class Docx:
    """A .docx opened for editing: its parts, the parsed document, :meth:`save`."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as source:
            self.parts = {name: source.read(name) for name in source.namelist()}
        self.root = etree.fromstring(self.parts["word/document.xml"])
        self.next_id = 9000

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=True)
        from ..writers.test_reference_docx import zipped

        path.write_bytes(zipped(self.parts))
        return path

    def ident(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def paragraph(self, fragment: str):
        """The first body paragraph whose text holds ``fragment``."""
        for p in self.root.iter(f"{W}p"):
            if fragment in "".join(t.text or "" for t in p.iter(f"{W}t")):
                return p
        raise AssertionError(f"no paragraph with {fragment!r}")

    def clause(self, bookmark: str) -> list:
        """The paragraphs of a clause: its heading (which carries the bookmark) up to the next heading."""
        body = self.root.find(f"{W}body")
        found, inside = [], False
        for p in body.iter(f"{W}p"):
            style = p.find(f"{W}pPr/{W}pStyle")
            heading = style is not None and style.get(f"{W}val", "").startswith("Heading")
            if heading and inside:
                break
            if any(b.get(f"{W}name") == bookmark for b in p.iter(f"{W}bookmarkStart")):
                inside = True
            if inside:
                found.append(p)
        assert found, f"no clause {bookmark}"
        return found

    def change(self, kind: str):
        return etree.Element(f"{W}{kind}", {f"{W}id": self.ident(), f"{W}author": AUTHOR, f"{W}date": DATE})

    # ---- edits
    def untracked_replace(self, old: str, new: str) -> None:
        for t in self.paragraph(old).iter(f"{W}t"):
            if old in (t.text or ""):
                t.text = t.text.replace(old, new)
                return
        raise AssertionError(f"{old!r} is not inside one run")

    def tracked_replace(self, old: str, new: str) -> None:
        """``old`` deleted and ``new`` inserted in its place, as tracked changes (``new`` may be empty)."""
        p = self.paragraph(old)
        for run in p.iter(f"{W}r"):
            t = run.find(f"{W}t")
            if t is None or old not in (t.text or ""):
                continue
            before, after = t.text.split(old, 1)
            parent, at = run.getparent(), run.getparent().index(run)
            pieces = []
            if before:
                pieces.append(_run_like(run, before))
            deleted = self.change("del")
            gone = _run_like(run, old)
            gone.find(f"{W}t").tag = f"{W}delText"
            deleted.append(gone)
            pieces.append(deleted)
            if new:
                inserted = self.change("ins")
                inserted.append(_run_like(run, new))
                pieces.append(inserted)
            if after:
                pieces.append(_run_like(run, after))
            parent.remove(run)
            for offset, piece in enumerate(pieces):
                parent.insert(at + offset, piece)
            return
        raise AssertionError(f"{old!r} is not inside one run")

    def tracked_new_paragraph_after(self, fragment: str, text: str) -> None:
        """A new paragraph after the one holding ``fragment``, with its properties, inserted as a tracked change."""
        p = self.paragraph(fragment)
        new = etree.Element(f"{W}p")
        props = p.find(f"{W}pPr")
        if props is not None:
            new.append(copy.deepcopy(props))
        else:
            new.append(etree.Element(f"{W}pPr"))
        mark = new.find(f"{W}pPr").find(f"{W}rPr")
        if mark is None:
            mark = etree.SubElement(new.find(f"{W}pPr"), f"{W}rPr")
        mark.insert(0, self.change("ins"))
        inserted = self.change("ins")
        inserted.append(_run(text))
        new.append(inserted)
        p.addnext(new)

    def tracked_strike(self, bookmark: str) -> None:
        """Every run and paragraph mark of a clause deleted as tracked changes."""
        for p in self.clause(bookmark):
            for run in list(p.iter(f"{W}r")):
                if run.getparent().tag == f"{W}del":
                    continue
                deleted = self.change("del")
                run.addprevious(deleted)
                deleted.append(run)
                for t in run.iter(f"{W}t"):
                    t.tag = f"{W}delText"
                for instruction in run.iter(f"{W}instrText"):
                    instruction.tag = f"{W}delInstrText"
            props = p.find(f"{W}pPr")
            if props is None:
                props = etree.Element(f"{W}pPr")
                p.insert(0, props)
            mark = props.find(f"{W}rPr")
            if mark is None:
                mark = etree.SubElement(props, f"{W}rPr")
            mark.insert(0, self.change("del"))

    def comment(self, fragment: str, text: str, author: str = AUTHOR) -> None:
        """A comment on the paragraph holding ``fragment`` (its whole content), in word/comments.xml."""
        p = self.paragraph(fragment)
        ident = self.ident()
        runs = p.findall(f"{W}r")
        runs[0].addprevious(etree.Element(f"{W}commentRangeStart", {f"{W}id": ident}))
        runs[-1].addnext(etree.Element(f"{W}commentRangeEnd", {f"{W}id": ident}))
        reference = etree.SubElement(p, f"{W}r")
        etree.SubElement(reference, f"{W}commentReference", {f"{W}id": ident})
        comments = self.parts.get("word/comments.xml")
        root = etree.fromstring(comments) if comments else etree.Element(f"{W}comments", nsmap={"w": W_NS})
        node = etree.SubElement(root, f"{W}comment", {f"{W}id": ident, f"{W}author": author, f"{W}date": DATE, f"{W}initials": "PA"})
        etree.SubElement(node, f"{W}p").append(_run(text))
        self.parts["word/comments.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if comments is None:
            rels = self.parts["word/_rels/document.xml.rels"].decode()
            rels = rels.replace("</Relationships>", '<Relationship Id="rIdComments9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>')
            self.parts["word/_rels/document.xml.rels"] = rels.encode()
            types = self.parts["[Content_Types].xml"].decode()
            types = types.replace("</Types>", '<Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/></Types>')
            self.parts["[Content_Types].xml"] = types.encode()

    def set_property(self, name: str, value: str) -> None:
        custom = self.parts["docProps/custom.xml"].decode()
        start = custom.index(f'name="{name}"')
        open_at = custom.index("<vt:lpwstr>", start) + len("<vt:lpwstr>")
        close_at = custom.index("</vt:lpwstr>", open_at)
        self.parts["docProps/custom.xml"] = (custom[:open_at] + value + custom[close_at:]).encode()


def _run(text: str):
    run = etree.Element(f"{W}r")
    t = etree.SubElement(run, f"{W}t", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    t.text = text
    return run


def _run_like(run, text: str):
    new = etree.Element(f"{W}r")
    props = run.find(f"{W}rPr")
    if props is not None:
        new.append(copy.deepcopy(props))
    t = etree.SubElement(new, f"{W}t", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    t.text = text
    return new
