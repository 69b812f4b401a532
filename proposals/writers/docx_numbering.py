"""List numbering in OOXML for the DOCX writer and the reference-document generator.

Every ``<ol>`` restarts its list (a new ``w:num`` with a ``w:startOverride``);
contract clauses get a multi-level list of their own; paragraphs and list
styles are linked to a list and level by ``w:numPr``.  The numbering part
itself is python-docx's; the properties are set with the helpers of
:mod:`proposals.writers.docx_oxml`.
"""

from __future__ import annotations

from docx.oxml.ns import qn

from proposals.writers.docx_oxml import W, child, properties


def style_numbering(style) -> tuple[int, int] | None:
    """Return ``(numId, ilvl)`` a paragraph style's ``w:numPr`` links to, or None."""
    p_pr = style.element.pPr
    num_pr = None if p_pr is None else p_pr.numPr
    if num_pr is None or num_pr.numId is None:
        return None
    return num_pr.numId.val, (num_pr.ilvl.val if num_pr.ilvl is not None else 0)


def restarted_num(numbering, num_id: int, ilvl: int) -> int:
    """Create a new ``w:num`` sharing the abstract list of ``num_id`` that starts
    again at 1 on level ``ilvl``; return its numId.

    Every ``<ol>`` gets its own w:num with a ``w:startOverride``; paragraphs that
    only named the list style would otherwise continue the previous list.
    """
    template = numbering.num_having_numId(num_id)
    num = numbering.add_num(template.abstractNumId.val)
    num.add_lvlOverride(ilvl=ilvl).add_startOverride(1)
    return num.numId


CLAUSE_INDENT = 567  # twips: 10 mm, as the PDF's hanging indent of sub-clauses


def add_clause_numbering(document, level0_text: str) -> int:
    """Add a multi-level list for contract clauses: level 0 ``level0_text`` ("%1." or "§ %1")
    for headings, level 1 "%1.%2" and level 2 "%1.%2.%3" for sub-clauses; return its numId."""
    from xml.sax.saxutils import quoteattr

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    ids = [int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum"))]
    abstract_id = max(ids, default=0) + 1
    levels = [(level0_text, 0, 0, "space"), ("%1.%2", CLAUSE_INDENT, CLAUSE_INDENT, "tab"), ("%1.%2.%3", 2 * CLAUSE_INDENT, CLAUSE_INDENT, "tab")]
    xml = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:suff w:val="{suffix}"/>'
        f"<w:lvlText w:val={quoteattr(text)}/><w:lvlJc w:val=\"left\"/>"
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr><w:rPr><w:b/></w:rPr></w:lvl>'
        for i, (text, left, hanging, suffix) in enumerate(levels)
    )
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:nsid w:val="5052C{abstract_id:03X}"/><w:multiLevelType w:val="multilevel"/>{xml}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # abstractNum elements must precede num elements
    else:
        numbering.append(abstract)
    return numbering.add_num(abstract_id).numId


def set_numbering(p, num_id: int, ilvl: int) -> None:
    """Attach a paragraph to list ``num_id`` on level ``ilvl`` (``w:numPr``)."""
    _set_num_pr(properties(p, W.pPr), num_id, ilvl)


def set_style_numbering(style, num_id: int, ilvl: int) -> None:
    """Link a paragraph style (e.g. "List Number 2") to list ``num_id``, level ``ilvl``."""
    _set_num_pr(style.element.get_or_add_pPr(), num_id, ilvl)


def _set_num_pr(p_pr, num_id: int, ilvl: int) -> None:
    num_pr = child(p_pr, W.numPr)
    child(num_pr, W.ilvl).set(W.val, str(ilvl))
    child(num_pr, W.numId).set(W.val, str(num_id))


def level_indent(numbering, num_id: int, ilvl: int) -> tuple[int, int]:
    """``(left, hanging)`` twips of a list level (``w:ind`` of its ``w:lvl``); (0, 0) if it has none."""
    num = numbering.num_having_numId(num_id)
    abstract = next((a for a in numbering.findall(qn("w:abstractNum"))
                     if a.get(qn("w:abstractNumId")) == str(num.abstractNumId.val)), None)
    level = None if abstract is None else next(
        (lvl for lvl in abstract.findall(qn("w:lvl")) if lvl.get(qn("w:ilvl")) == str(ilvl)), None)
    ind = None if level is None else level.find(f"{qn('w:pPr')}/{qn('w:ind')}")
    if ind is None:
        return 0, 0
    return int(ind.get(qn("w:left"), "0")), int(ind.get(qn("w:hanging"), "0"))
