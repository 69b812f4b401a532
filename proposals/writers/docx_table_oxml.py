"""Raw OOXML of the DOCX writer's tables and of the reference document's table styles.

A new ``w:tbl`` gets its properties (style, 100 % width, layout, table look) and
grid; rows never split (``w:cantSplit``) or repeat as header rows
(``w:tblHeader``); cells carry width, span, top rule, shading and margins.
Table styles get their borders and default cell margins here too.  Built with
lxml in place, as the rest of :mod:`proposals.writers.docx_oxml`, whose element
names and helpers these use.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from proposals.writers.docx_oxml import W, _clark, _replace, border

_SubElement = etree.SubElement


def start_table(tbl, style_id: str | None, columns: list[int], fixed: bool,
                header_row: bool) -> None:
    """Give a new ``w:tbl`` its properties -- style, 100 % of the available width,
    fixed or automatic layout, a table look that applies the style's header-row
    format only (no banding) -- and its grid, ``columns`` in twips."""
    tbl_pr = _SubElement(tbl, W.tblPr)
    if style_id is not None:
        _SubElement(tbl_pr, W.tblStyle).set(W.val, style_id)
    width = _SubElement(tbl_pr, W.tblW)
    width.set(W.type, "pct")
    width.set(W.w, "5000")
    _SubElement(tbl_pr, W.tblLayout).set(W.type, "fixed" if fixed else "autofit")
    look = _SubElement(tbl_pr, W.tblLook)
    look.set(W.val, "0620" if header_row else "0600")
    for name, on in (("firstRow", header_row), ("lastRow", False), ("firstColumn", False),
                     ("lastColumn", False), ("noHBand", True), ("noVBand", True)):
        look.set(_clark(name), "1" if on else "0")
    grid = _SubElement(tbl, W.tblGrid)
    for twips in columns:
        _SubElement(grid, W.gridCol).set(W.w, str(twips))


def add_row(tbl, header: bool):
    """Append a ``w:tr`` that never splits across pages and, as a header row, repeats
    on every page. Both are on/off properties written as Word writes them: the bare
    element means on (the schema's on/off-only type has no ``true``, and Word offers to
    repair a file that says it)."""
    tr = _SubElement(tbl, W.tr)
    tr_pr = _SubElement(tr, W.trPr)
    _SubElement(tr_pr, W.cantSplit)
    if header:
        _SubElement(tr_pr, W.tblHeader)
    return tr


def add_cell(tr, twips: int, span: int = 1, top_rule: tuple[int, str] | None = None,
             fill: str | None = None, no_right_margin: bool = False):
    """Append a ``w:tc`` with its (required) empty paragraph; return both.

    ``twips`` is the cell width, ``span`` the grid columns it covers, ``top_rule``
    ``(size, color)`` of a line above it, ``fill`` a background colour such as
    ``"E9EEF4"``, ``no_right_margin`` sets the right cell margin to 0.
    """
    tc = _SubElement(tr, W.tc)
    tc_pr = _SubElement(tc, W.tcPr)
    width = _SubElement(tc_pr, W.tcW)
    width.set(W.type, "dxa")
    width.set(W.w, str(twips))
    if span > 1:
        _SubElement(tc_pr, W.gridSpan).set(W.val, str(span))
    if top_rule is not None:
        _SubElement(tc_pr, W.tcBorders).append(border("w:top", *top_rule))
    if fill is not None:
        shd = _SubElement(tc_pr, W.shd)
        shd.set(W.val, "clear")
        shd.set(W.color, "auto")
        shd.set(W.fill, fill)
    if no_right_margin:
        margin = _SubElement(_SubElement(tc_pr, W.tcMar), W.right)
        margin.set(W.w, "0")
        margin.set(W.type, "dxa")
    return tc, _SubElement(tc, W.p)


def set_table_borders(tbl_pr, **edges) -> None:
    """Set ``w:tblBorders`` on a ``w:tblPr``; ``edges`` maps top/left/bottom/right/
    insideH/insideV to ``(size, color)`` or ``None`` for no line."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        spec = edges.get(edge)
        borders.append(border(f"w:{edge}", *spec) if spec else border(f"w:{edge}", val="nil"))
    _replace(tbl_pr, borders)


def set_cell_margins(tbl_pr, top: int, left: int, bottom: int, right: int) -> None:
    """Set default cell margins (twips) on a ``w:tblPr`` (``w:tblCellMar``)."""
    margins = OxmlElement("w:tblCellMar")
    for edge, value in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), str(value))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    _replace(tbl_pr, margins)
