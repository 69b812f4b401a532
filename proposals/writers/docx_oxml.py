"""Raw OOXML helpers for the DOCX writer and the reference-document generator.

python-docx covers paragraphs, runs, styles, tables and pictures, but not
everything a professional offer needs.  Every piece of hand-built WordprocessingML
lives here, one small documented function per feature, so the rest of the writer
speaks python-docx's object API only:

* fields (PAGE / NUMPAGES) for "Page x of y" footers,
* table row flags: repeat as header row (``w:tblHeader``), never split
  (``w:cantSplit``), table look, table width,
* cell shading, cell borders, table borders and cell margins,
* paragraph bottom border (``<hr>``),
* list numbering that restarts for every ``<ol>``,
* external hyperlinks,
* document defaults (language, font size),
* reproducibility: removal of revision ids and a zip container with fixed
  timestamps and a stable entry order.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_RSID_ATTRS = ("w:rsidR", "w:rsidRPr", "w:rsidRDefault", "w:rsidP", "w:rsidSect",
               "w:rsidTr", "w:rsidDel")


# --------------------------------------------------------------------- helpers
def _child(parent, tag: str, before: tuple[str, ...] = ()):
    """Return the first ``tag`` child of ``parent``, creating it if missing.

    A new element is inserted before the first existing child named in
    ``before`` (schema order), else appended.
    """
    found = parent.find(qn(tag))
    if found is not None:
        return found
    element = OxmlElement(tag)
    for name in before:
        successor = parent.find(qn(name))
        if successor is not None:
            successor.addprevious(element)
            return element
    parent.append(element)
    return element


def border(tag: str, size: int = 4, color: str = "auto", val: str = "single"):
    """Return a border element such as ``<w:top w:val="single" w:sz="4"/>``.

    ``size`` is in eighths of a point (4 = 0.5 pt); ``val="nil"`` removes a line.
    """
    element = OxmlElement(tag)
    element.set(qn("w:val"), val)
    if val != "nil":
        element.set(qn("w:sz"), str(size))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), color)
    return element


def _replace(parent, element) -> None:
    """Put ``element`` into ``parent``, replacing a child of the same tag."""
    old = parent.find(element.tag)
    if old is not None:
        old.addprevious(element)
        parent.remove(old)
    else:
        parent.append(element)


# ---------------------------------------------------------------------- fields
def add_field(paragraph: Paragraph, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field (e.g. ``PAGE`` or ``NUMPAGES``) to ``paragraph``.

    Word and LibreOffice compute the value when laying out the page; the
    placeholder is only what a reader without layout (python-docx) sees.
    """
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {instruction} "
            run._r.append(instr)
        elif kind == "text":
            run.text = placeholder
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)


def field_instructions(element) -> list[str]:
    """Return the stripped ``w:instrText`` strings found below ``element``."""
    return [(t.text or "").strip() for t in element.iter(qn("w:instrText"))]


# ---------------------------------------------------------------------- tables
def set_repeat_header(row) -> None:
    """Mark a table row as header row that Word repeats on every page (``w:tblHeader``)."""
    _child(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "true")


def set_cant_split(row) -> None:
    """Forbid a page break inside a table row (``w:cantSplit``)."""
    _child(row._tr.get_or_add_trPr(), "w:cantSplit", before=("w:tblHeader",)).set(
        qn("w:val"), "true")


def set_table_width_pct(table, percent: int = 100) -> None:
    """Make the table as wide as ``percent`` of the available width (``w:tblW`` pct)."""
    tbl_w = _child(table._tbl.tblPr, "w:tblW")
    tbl_w.set(qn("w:type"), "pct")
    tbl_w.set(qn("w:w"), str(percent * 50))


def set_table_look(table, first_row: bool) -> None:
    """Say which conditional table-style formats apply: header row only, no banding."""
    look = OxmlElement("w:tblLook")
    flags = {"firstRow": first_row, "lastRow": False, "firstColumn": False,
             "lastColumn": False, "noHBand": True, "noVBand": True}
    look.set(qn("w:val"), "0620" if first_row else "0600")
    for name, on in flags.items():
        look.set(qn(f"w:{name}"), "1" if on else "0")
    _replace(table._tbl.tblPr, look)


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


def set_cell_shading(tc_pr, fill: str) -> None:
    """Give a cell (``w:tcPr``) a solid background colour such as ``"E9EEF4"``."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    _replace(tc_pr, shd)


def set_cell_margin(cell, edge: str, twips: int) -> None:
    """Override one margin (``left``/``right``/``top``/``bottom``) of a single cell (``w:tcMar``)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    margins = _child(tc_pr, "w:tcMar", before=("w:textDirection", "w:tcFitText", "w:vAlign",
                                               "w:hideMark"))
    margin = OxmlElement(f"w:{edge}")
    margin.set(qn("w:w"), str(twips))
    margin.set(qn("w:type"), "dxa")
    _replace(margins, margin)


def set_cell_top_border(cell, size: int, color: str) -> None:
    """Draw a line above one cell (used for total and subtotal rows)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = _child(tc_pr, "w:tcBorders", before=("w:shd", "w:noWrap", "w:tcMar",
                                                   "w:vAlign", "w:hideMark"))
    _replace(borders, border("w:top", size, color))


def body_ends_with_table(container) -> bool:
    """True if the last block in ``container`` (document or cell) is a table."""
    element = getattr(container, "_body", container)._element
    blocks = [c for c in element if c.tag in (qn("w:p"), qn("w:tbl"))]
    return bool(blocks) and blocks[-1].tag == qn("w:tbl")


def remove_paragraph(paragraph: Paragraph) -> None:
    """Delete a paragraph (e.g. the empty one a new table cell starts with)."""
    element = paragraph._p
    element.getparent().remove(element)


# ------------------------------------------------------------------ paragraphs
def set_bottom_border(paragraph: Paragraph, size: int = 6, color: str = "9AA5B1") -> None:
    """Draw a horizontal rule under a paragraph (``w:pBdr/w:bottom``), for ``<hr>``."""
    p_pr = paragraph._p.get_or_add_pPr()
    p_bdr = _child(p_pr, "w:pBdr", before=("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"))
    _replace(p_bdr, border("w:bottom", size, color))


def set_style_top_border(style, size: int = 4, color: str = "374151") -> None:
    """Give a paragraph style a rule above its text (``w:pBdr/w:top``), e.g. a signature line."""
    p_pr = style.element.get_or_add_pPr()
    p_bdr = _child(p_pr, "w:pBdr", before=("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc"))
    _replace(p_bdr, border("w:top", size, color))


def set_default_font(styles_element, family: str) -> None:
    """Set the document's default font (``w:docDefaults/w:rPrDefault/w:rPr/w:rFonts``)."""
    fonts = styles_element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts"))
    if fonts is None:
        return
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), family)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)


def shrink_story_text(story, size_pt: float, color: str) -> None:
    """Set every run of a header/footer story (tables included) to a small grey font."""
    from docx.shared import Pt, RGBColor

    for paragraph in _story_paragraphs(story):
        paragraph.paragraph_format.space_after = Pt(0)
        for run in paragraph.runs:
            run.font.size = Pt(size_pt)
            run.font.color.rgb = RGBColor.from_string(color)


def _story_paragraphs(story):
    yield from story.paragraphs
    for table in story.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


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


def set_numbering(paragraph: Paragraph, num_id: int, ilvl: int) -> None:
    """Attach a paragraph to list ``num_id`` on level ``ilvl`` (``w:numPr``)."""
    _set_num_pr(paragraph._p.get_or_add_pPr(), num_id, ilvl)


def set_style_numbering(style, num_id: int, ilvl: int) -> None:
    """Link a paragraph style (e.g. "List Number 2") to list ``num_id``, level ``ilvl``."""
    _set_num_pr(style.element.get_or_add_pPr(), num_id, ilvl)


def _set_num_pr(p_pr, num_id: int, ilvl: int) -> None:
    num_pr = p_pr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = ilvl
    num_pr.get_or_add_numId().val = num_id


# ------------------------------------------------------------------ hyperlinks
def add_hyperlink(paragraph: Paragraph, url: str):
    """Append an external ``w:hyperlink`` to ``paragraph`` and return the element."""
    r_id = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    return link


def add_run_to(link, paragraph: Paragraph) -> Run:
    """Append a new run inside a hyperlink element and return it as a python-docx Run."""
    r = OxmlElement("w:r")
    link.append(r)
    return Run(r, paragraph)


def set_picture_description(inline_shape, text: str) -> None:
    """Store the image's alt text as the drawing's description (accessibility)."""
    inline_shape._inline.docPr.set("descr", text)


# ------------------------------------------------------------ document parts
def clear_body(document) -> None:
    """Remove every block from the document body but keep the final ``w:sectPr``."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def clear_story(story) -> None:
    """Remove all content of a header or footer."""
    for child in list(story._element):
        story._element.remove(child)


def _doc_defaults_rpr(styles_element):
    defaults = _child(styles_element, "w:docDefaults", before=("w:latentStyles", "w:style"))
    rpr_default = _child(defaults, "w:rPrDefault", before=("w:pPrDefault",))
    return _child(rpr_default, "w:rPr")


def set_default_language(styles_element, language: str) -> None:
    """Set the document language (``w:lang`` in ``w:docDefaults``), e.g. ``de-DE``."""
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    _replace(_doc_defaults_rpr(styles_element), lang)


def default_language(styles_element) -> str | None:
    """Return the ``w:val`` of the document default language, if any."""
    lang = _doc_defaults_rpr(styles_element).find(qn("w:lang"))
    return None if lang is None else lang.get(qn("w:val"))


def default_font_half_points(styles_element, fallback: int = 20) -> int:
    """Return the default font size from ``w:docDefaults`` in half points."""
    size = _doc_defaults_rpr(styles_element).find(qn("w:sz"))
    return int(size.get(qn("w:val"))) if size is not None else fallback


def strip_revision_ids(element) -> None:
    """Remove ``w:rsid*`` attributes below ``element`` and any ``w:rsids`` list,
    so that nothing session-specific ends up in the output."""
    for rsids in element.findall(qn("w:rsids")):
        element.remove(rsids)
    names = [qn(a) for a in _RSID_ATTRS]
    for node in element.iter():
        for name in names:
            node.attrib.pop(name, None)


# -------------------------------------------------------------- reproducibility
def zip_timestamp(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """Convert ``moment`` to the UTC date-time tuple zip entries store (>= 1980)."""
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    stamp = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    return max(stamp, ZIP_EPOCH)


def normalize_zip(blob: bytes, moment: datetime) -> bytes:
    """Rewrite a .docx container byte-for-byte reproducibly: fixed timestamps,
    fixed permissions, ``[Content_Types].xml`` first, then entries sorted by name."""
    stamp = zip_timestamp(moment)
    source = zipfile.ZipFile(io.BytesIO(blob))
    names = sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name), compresslevel=6)
    return out.getvalue()
