"""A Word file that came back from the customer, read under limits: what ``proposals redline`` compares.

The file is untrusted like any input. It is read with :mod:`proposals.input.archive`'s
limits (size, members, inflated bytes and ratio measured while inflating), its XML with
lxml's entity resolution, DTD loading and network access off; it is refused, with one
reason, when it is no zip, holds macros or ActiveX controls (a ``.docm`` saved as
``.docx``), has a DOCTYPE in a part that is read, or has no main document.

What is read, and nothing else:

* the custom document properties (``docProps/custom.xml``), where the DOCX writer puts
  the record's offer, revision and the key of its inputs;
* the main document's body in document order, paragraphs of table cells included: each
  paragraph's style, list level, the bookmarks that start in it, its text as pieces that
  know which tracked change (``w:ins``, ``w:del``, ``w:moveTo``, ``w:moveFrom``, by whom and
  when) they belong to, whether its paragraph mark is itself inserted or deleted, and the
  comments anchored in it;
* the comments part (author, date and text of each comment).

A REF field's result (the number of a cross-referenced clause) is kept as text and also
as a token naming its bookmark (:attr:`Piece.key`), so that a number a field update
moved after an inserted clause is not mistaken for an edit.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree

from .archive import Archive, Refused

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
RT_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
RT_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
RT_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
MACRO_TYPES = ("macroEnabled", "vbaProject", "activeX", "vbaData")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, collect_ids=False)


def w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


CHANGES = {w("ins"): "ins", w("moveTo"): "ins", w("del"): "del", w("moveFrom"): "del"}
TEXT = {w("t"), w("delText")}
SKIPPED = {w("pPr"), w("rPr"), w("instrText"), w("delInstrText"), w("drawing"), w("pict"), w("object"),
           w("footnoteReference"), w("endnoteReference"), w("txbxContent")}
_REF = re.compile(r"^\s*REF\s+(\S+)")


@dataclass(frozen=True)
class Change:
    """A tracked change: ``ins`` or ``del``, by whom and when (as the file says)."""

    kind: str
    author: str
    date: str


@dataclass(frozen=True)
class Piece:
    """Text of a paragraph under at most one tracked change; ``key`` is the text compared
    (a REF field's result becomes ``\\x00ref:bookmark\\x00``)."""

    text: str
    change: Change | None
    key: str


@dataclass
class Paragraph:
    style: str
    level: int | None                 # list level (w:ilvl) of a numbered paragraph, else None
    bookmarks: tuple[str, ...]
    pieces: list[Piece]
    mark: Change | None = None        # the paragraph mark inserted or deleted
    comments: list[str] = field(default_factory=list)   # ids of the comments anchored here
    table: int | None = None          # the table (counted in the body from 1) the paragraph is in

    def text(self, accept=lambda change: True, key: bool = False) -> str:
        """The text with the changes ``accept`` says yes to accepted and the others rejected."""
        out = []
        for piece in self.pieces:
            keep = piece.change is None or (accept(piece.change) == (piece.change.kind == "ins"))
            if keep:
                out.append(piece.key if key else piece.text)
        return " ".join("".join(out).split())

    @property
    def changes(self) -> list[Change]:
        return [p.change for p in self.pieces if p.change is not None] + ([self.mark] if self.mark else [])


@dataclass(frozen=True)
class Comment:
    author: str
    date: str
    text: str


@dataclass
class ReturnedDocx:
    properties: dict[str, str]
    paragraphs: list[Paragraph]
    comments: dict[str, Comment]


def read_docx(data: bytes) -> ReturnedDocx:
    """The file's properties, body paragraphs and comments, or :class:`Refused` with the reason."""
    archive = Archive(data)
    names = set(archive.infos)
    if "[Content_Types].xml" not in names or "_rels/.rels" not in names:
        raise Refused("not a Word document (no [Content_Types].xml or _rels/.rels)")
    types = _xml(archive, "[Content_Types].xml")
    declared = " ".join(e.get("ContentType") or "" for e in types)
    macros = sorted(n for n in names if "vbaproject" in n.lower() or n.lower().startswith("word/activex"))
    if macros or any(t.lower() in declared.lower() for t in MACRO_TYPES):
        where = macros[0] if macros else "its content types"
        raise Refused(f"the file holds macros or ActiveX controls ({where}); save it as a Word Document (.docx) without macros")
    package = _relationships(archive, "_rels/.rels", "")
    main = next((target for kind, target in package if kind == RT_DOCUMENT), None)
    if main is None or main not in names:
        raise Refused("no main document part (word/document.xml)")
    custom = next((target for kind, target in package if kind == RT_CUSTOM and target in names), None)
    properties = _properties(_xml(archive, custom)) if custom else {}
    document = _xml(archive, main)
    body = document.find(w("body"))
    if body is None:
        raise Refused(f"{main}: no document body")
    rels_name = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    rels = _relationships(archive, rels_name, posixpath.dirname(main)) if rels_name in names else []
    comments_part = next((target for kind, target in rels if kind == RT_COMMENTS and target in names), None)
    comments = _comments(_xml(archive, comments_part)) if comments_part else {}
    return ReturnedDocx(properties, list(_Body(body).paragraphs), comments)


def _xml(archive: Archive, member: str):
    raw = archive.inflate(member)
    try:
        root = etree.fromstring(raw, _PARSER)
    except etree.XMLSyntaxError as exc:
        if b"<!DOCTYPE" in raw[:4096].upper() or b"<!doctype" in raw[:4096]:
            raise Refused(f"{member}: has a DOCTYPE (DTD); refused") from None
        raise Refused(f"{member}: not well-formed XML ({str(exc.msg or exc)[:80]})") from None
    if root.getroottree().docinfo.doctype:
        raise Refused(f"{member}: has a DOCTYPE (DTD); refused")
    return root


def _relationships(archive: Archive, member: str, base: str) -> list[tuple[str, str]]:
    """(type, member name) of a part's internal relationships."""
    found = []
    for rel in _xml(archive, member):
        if rel.tag != f"{{{REL_NS}}}Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target") or ""
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        found.append((rel.get("Type") or "", name))
    return found


def _properties(root) -> dict[str, str]:
    found = {}
    for prop in root.iter(f"{{{CUSTOM_NS}}}property"):
        name = prop.get("name")
        if name and len(prop):
            found[name] = "".join(prop[0].itertext())
    return found


def _comments(root) -> dict[str, Comment]:
    found = {}
    for comment in root.iter(w("comment")):
        paragraphs = [" ".join("".join(t.text or "" for t in p.iter(w("t"))).split()) for p in comment.iter(w("p"))]
        found[comment.get(w("id")) or ""] = Comment(comment.get(w("author")) or "", comment.get(w("date")) or "", " ".join(x for x in paragraphs if x))
    return found


def _change(element) -> Change:
    return Change(CHANGES[element.tag], element.get(w("author")) or "", element.get(w("date")) or "")


class _Body:
    """The walk over the body: blocks in order, table cells' paragraphs included."""

    def __init__(self, body):
        self.paragraphs: list[Paragraph] = []
        self.tables = 0
        self._blocks(body, None)

    def _blocks(self, parent, table: int | None) -> None:
        for child in parent:
            if child.tag == w("p"):
                self.paragraphs.append(_paragraph(child, table))
            elif child.tag == w("tbl"):
                self.tables += 1
                number = self.tables if table is None else table
                for cell in child.iter(w("tc")):
                    if _nearest_table(cell) is child:
                        self._blocks(cell, number)
            elif child.tag not in (w("sectPr"), w("tblPr"), w("tblGrid")):
                self._blocks(child, table)  # content controls, custom XML, tracked block wrappers


def _nearest_table(cell):
    node = cell.getparent()
    while node is not None and node.tag != w("tbl"):
        node = node.getparent()
    return node


def _paragraph(p, table: int | None) -> Paragraph:
    props = p.find(w("pPr"))
    style, level, mark = "", None, None
    if props is not None:
        found = props.find(w("pStyle"))
        style = found.get(w("val")) or "" if found is not None else ""
        ilvl = props.find(f"{w('numPr')}/{w('ilvl')}")
        if props.find(w("numPr")) is not None:
            level = int(ilvl.get(w("val")) or 0) if ilvl is not None and (ilvl.get(w("val")) or "0").isdigit() else 0
        for tag in ("ins", "del"):
            marked = props.find(f"{w('rPr')}/{w(tag)}")
            if marked is not None:
                mark = Change(tag, marked.get(w("author")) or "", marked.get(w("date")) or "")
    bookmarks = tuple(b.get(w("name")) or "" for b in p.iter(w("bookmarkStart")))
    walker = _Runs()
    walker.walk(p, None)
    comments = [c.get(w("id")) or "" for c in p.iter(w("commentRangeStart"), w("commentReference"))]
    return Paragraph(style, level, bookmarks, walker.pieces, mark, list(dict.fromkeys(comments)), table)


class _Runs:
    """Text pieces of one paragraph in order, fields' instructions left out and REF results keyed."""

    def __init__(self):
        self.pieces: list[Piece] = []
        self.fields: list[list] = []   # open complex fields: [instruction, in result?, bookmark]

    def add(self, text: str, change: Change | None) -> None:
        if not text:
            return
        ref = next((f[2] for f in reversed(self.fields) if f[1] and f[2]), None)
        if any(not f[1] for f in self.fields):
            return  # between begin and separate: the instruction's own runs
        key = f"\x00ref:{ref}\x00" if ref else text
        if ref and self.pieces and self.pieces[-1].key == key:
            key = ""  # one token per field result, however many runs it has
        self.pieces.append(Piece(text, change, key))

    def walk(self, element, change: Change | None) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIPPED:
                continue
            if tag in CHANGES:
                self.walk(child, _change(child))
            elif tag in TEXT:
                self.add(child.text or "", change)
            elif tag in (w("tab"), w("br"), w("cr")):
                self.add(" ", change)
            elif tag == w("noBreakHyphen"):
                self.add("-", change)
            elif tag == w("fldChar"):
                self._field_char(child.get(w("fldCharType")))
            elif tag == w("instrText") or tag == w("delInstrText"):
                continue
            elif tag == w("fldSimple"):
                found = _REF.match(child.get(w("instr")) or "")
                self.fields.append(["", True, found.group(1) if found else None])
                self.walk(child, change)
                self.fields.pop()
            else:
                if tag == w("r"):
                    for instruction in child.iter(w("instrText"), w("delInstrText")):
                        if self.fields and not self.fields[-1][1]:
                            self.fields[-1][0] += instruction.text or ""
                self.walk(child, change)

    def _field_char(self, kind: str | None) -> None:
        if kind == "begin":
            self.fields.append(["", False, None])
        elif kind == "separate" and self.fields:
            found = _REF.match(self.fields[-1][0])
            self.fields[-1][1], self.fields[-1][2] = True, found.group(1) if found else None
        elif kind == "end" and self.fields:
            self.fields.pop()
