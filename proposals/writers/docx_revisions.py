"""Tracked changes for the DOCX writer: ``<del>`` and ``<ins>`` -> ``w:del`` and ``w:ins``.

The redline of a contract (``contract-redline.docx``) marks the standard wording
a negotiation removed with ``<del class="standard">`` and the negotiated wording
with ``<ins class="negotiated">`` (:mod:`proposals.documents.redline`). Here they
become Word's tracked changes, so the Review pane lists them and Accept all
gives the negotiated contract, Reject all the standard one:

- inside a paragraph, the runs of the marked text go into a ``w:del`` (deleted
  run content, its text as ``w:delText``, a field's instruction as
  ``w:delInstrText``) or a ``w:ins`` (ECMA-376 Part 1, 17.13.5.14 and .18);
- around blocks, every paragraph opened inside also has its paragraph mark
  deleted or inserted (``w:pPr/w:rPr/w:del``, 17.13.5.15 and .16), so that a
  struck clause disappears with its paragraphs when the change is accepted;
- every change carries ``w:id`` (from the counter the bookmarks use, unique in
  the document), ``w:author`` and ``w:date`` (:attr:`RenderContext.revisions`:
  the seller and the deal's date for the redline), so the file is the same
  bytes for the same inputs.
"""

from __future__ import annotations

from docx.oxml.ns import qn
from lxml import etree

from proposals.writers import docx_oxml
from proposals.writers.docx_oxml import W

TAGS = {"del": qn("w:del"), "ins": qn("w:ins")}
W_ID, W_AUTHOR, W_DATE = qn("w:id"), qn("w:author"), qn("w:date")
DELETED_TEXT = {W.t: qn("w:delText"), W.instrText: qn("w:delInstrText")}


def _attributes(ctx) -> dict[str, str]:
    author, moment = ctx.revisions
    ctx.bookmarks.next_id += 1
    return {W_ID: str(ctx.bookmarks.next_id - 1), W_AUTHOR: author, W_DATE: moment}


def wrapper(ctx, parent, kind: str):
    """A new ``w:del`` or ``w:ins`` at the end of ``parent`` (a paragraph or hyperlink) for runs."""
    return etree.SubElement(parent, TAGS[kind], _attributes(ctx))


def finish(element) -> None:
    """In a ``w:del``, text and field instructions become deleted text (Word shows nothing else)."""
    if element.tag != TAGS["del"]:
        return
    for node in element.iter(W.t, W.instrText):
        node.tag = DELETED_TEXT[node.tag]


def mark_paragraph(ctx, p, kind: str) -> None:
    """Record the paragraph's mark as deleted or inserted (the first child of the mark's properties)."""
    mark = docx_oxml.child(docx_oxml.properties(p, W.pPr), W.rPr)
    mark.insert(0, mark.makeelement(TAGS[kind], _attributes(ctx)))
