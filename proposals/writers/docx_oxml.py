"""Raw OOXML for the DOCX writer and the reference-document generator.

python-docx opens the reference document and keeps the package (styles,
numbering, headers and footers, images and relationships, saving).  The body
content -- paragraphs, runs, tables, rows, cells and their properties -- is
WordprocessingML built directly with lxml: python-docx's object API
searches the schema's successor lists on every property it sets, which made
it most of the writer's time.  This module holds the element names, the schema
order and the helpers every piece of hand-built XML uses, one small documented
function per feature:

* paragraphs, runs, text, line breaks, pictures and external hyperlinks,
* paragraph and run properties in schema order (:func:`child`),
* paragraph borders (``<hr>``, signature lines),
* fields (PAGE / NUMPAGES) for "Page x of y" footers,
* document defaults (language, font, font size).

Tables are in :mod:`proposals.writers.docx_table_oxml`, list numbering in
:mod:`proposals.writers.docx_numbering`, emptying the reference document and
the reproducible package in :mod:`proposals.writers.docx_package`.

Elements are created in place (``etree.SubElement`` with Clark names from
:data:`W`), so they get python-docx's element classes from the document's
parser and serialize exactly as python-docx's own would.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from lxml import etree

_SubElement = etree.SubElement


def _clark(tag: str) -> str:
    return f"{{{nsmap['w']}}}{tag}"


def _names(tags: str) -> SimpleNamespace:
    return SimpleNamespace(**{tag: _clark(tag) for tag in tags.split()})


def _ranks(tags: str) -> dict[str, int]:
    return {_clark(tag): rank for rank, tag in enumerate(tags.split())}


#: Clark names (``{namespace}local``) of the WordprocessingML elements and attributes
#: built here, computed once: ``qn("w:p")`` splits and looks up a prefix on every call.
W = _names("""
    after b before body br cantSplit color docDefaults drawing fill fldChar fldCharType
    gridCol gridSpan hanging history hyperlink i ilvl ind instrText jc keepLines keepNext left line
    lineRule numId numPr p pageBreakBefore pBdr pos pPr pStyle r right rPr rPrDefault
    rStyle sectPr shd spacing styles sz t tab tabs tbl tblGrid tblHeader tblLayout
    tblLook tblPr tblStyle tblW tc tcBorders tcMar tcPr tcW tr trPr type u val vertAlign
    w""")
XML_SPACE = qn("xml:space")
R_ID = qn("r:id")


#: Child order the OOXML schema prescribes, per parent element (as python-docx keeps it).
SCHEMA_ORDER = {
    W.pPr: _ranks("""pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr
        suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct
        topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind
        contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment
        textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"""),
    W.rPr: _ranks("""rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow
        emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position sz
        szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout
        specVanish oMath"""),
    W.tcPr: _ranks("""cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar
        textDirection tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"""),
    W.pBdr: _ranks("top left bottom right between bar"),
    W.numPr: _ranks("ilvl numId numberingChange ins"),
    W.styles: _ranks("docDefaults latentStyles style"),
    W.docDefaults: _ranks("rPrDefault pPrDefault"),
}


# --------------------------------------------------------------------- helpers
def to_twips(emu: int) -> int:
    """EMU to whole twips (1/20 pt), rounded as python-docx's ``Length.twips``."""
    return round(emu / 635)


def child(parent, tag: str):
    """Return the ``tag`` child of ``parent``, adding it in schema order if missing.

    The same place python-docx's ``get_or_add_*`` finds, but with one pass over
    the (few) existing children instead of a search per possible successor.
    """
    found = parent.find(tag)
    if found is not None:
        return found
    element = _SubElement(parent, tag)
    ranks = SCHEMA_ORDER.get(parent.tag)
    if ranks is not None:
        rank = ranks[tag]
        for sibling in parent:
            if ranks.get(sibling.tag, -1) > rank:
                sibling.addprevious(element)
                break
    return element


def properties(element, tag: str):
    """Return the property element of a ``w:p`` or ``w:r`` (``w:pPr``/``w:rPr``),
    which the schema puts first, creating it if missing."""
    found = element.find(tag)
    return _first_child(element, tag) if found is None else found


def _first_child(parent, tag: str):
    """Create ``tag`` as the first child of ``parent``."""
    element = _SubElement(parent, tag)
    first = parent[0]
    if first is not element:
        first.addprevious(element)
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


# ----------------------------------------------------------- paragraphs, runs
def add_block(parent, tag: str, end=None):
    """Append a new ``w:p`` or ``w:tbl`` to a body, cell, header or footer element;
    ``end`` is the body's final ``w:sectPr``, which must stay last."""
    if end is None:
        return _SubElement(parent, tag)
    block = end.makeelement(tag)
    end.addprevious(block)
    return block


def add_paragraph(parent, style_id: str | None, end=None):
    """Append a ``w:p`` in the style ``style_id`` (None: the default style), see :func:`add_block`."""
    p = add_block(parent, W.p, end)
    if style_id is not None:
        _SubElement(_SubElement(p, W.pPr), W.pStyle).set(W.val, style_id)
    return p


def set_paragraph_style(p, style_id: str | None) -> None:
    """Set (or with None remove) ``w:pStyle``, the first child of ``w:pPr``."""
    p_pr = p.find(W.pPr)
    current = p_pr.find(W.pStyle) if p_pr is not None else None
    if style_id is None:
        if current is not None:
            p_pr.remove(current)
        return
    if current is None:
        if p_pr is None:
            p_pr = _first_child(p, W.pPr)
        current = _first_child(p_pr, W.pStyle)
    current.set(W.val, style_id)


def paragraph_style_id(p) -> str | None:
    """The ``w:pStyle`` value of a paragraph, or None (the default style)."""
    style = p.find(f"{W.pPr}/{W.pStyle}")
    return None if style is None else style.get(W.val)


def paragraph_property(p, tag: str):
    """Return (adding if missing, in schema order) a child of the paragraph's ``w:pPr``,
    e.g. ``paragraph_property(p, W.keepNext)`` for keep-with-next."""
    return child(properties(p, W.pPr), tag)


def set_space_before(p, twips: int) -> None:
    """Give the paragraph its own space before (``w:spacing/@w:before``)."""
    paragraph_property(p, W.spacing).set(W.before, str(twips))


def space_before(p) -> int | None:
    """The paragraph's own space before (twips), None if it has none."""
    spacing = p.find(f"{W.pPr}/{W.spacing}")
    value = None if spacing is None else spacing.get(W.before)
    return None if value is None else int(value)


def set_exact_line_height(p, twips: int) -> None:
    """Give the paragraph's lines an exact height (``w:spacing/@w:line``, rule "exact")."""
    spacing = paragraph_property(p, W.spacing)
    spacing.set(W.line, str(twips))
    spacing.set(W.lineRule, "exact")


def set_alignment(p, value: str) -> None:
    """``value`` is a ``w:jc`` value: ``"right"``, ``"center"``..."""
    paragraph_property(p, W.jc).set(W.val, value)


def set_bottom_border(p, size: int = 6, color: str = "9AA5B1") -> None:
    """Draw a horizontal rule under a paragraph (``w:pBdr/w:bottom``), for ``<hr>``."""
    _replace(paragraph_property(p, W.pBdr), border("w:bottom", size, color))


def set_style_top_border(style, size: int = 4, color: str = "374151") -> None:
    """Give a paragraph style a rule above its text (``w:pBdr/w:top``), e.g. a signature line."""
    _replace(child(style.element.get_or_add_pPr(), W.pBdr), border("w:top", size, color))


def add_run(parent, props: tuple = ()):
    """Append a ``w:r`` to a paragraph or hyperlink.  ``props`` are its run properties,
    ``(tag, value)`` pairs in schema order, value None for an on/off property."""
    r = _SubElement(parent, W.r)
    if props:
        r_pr = _SubElement(r, W.rPr)
        for tag, value in props:
            if value is None:
                _SubElement(r_pr, tag)
            else:
                _SubElement(r_pr, tag).set(W.val, value)
    return r


def add_text(r, text: str) -> None:
    """Append ``w:t``; leading or trailing whitespace is kept with ``xml:space``
    (tested as python-docx's ``add_t`` does)."""
    t = _SubElement(r, W.t)
    t.text = text
    if len(text.strip()) < len(text):
        t.set(XML_SPACE, "preserve")


def add_break(r) -> None:
    _SubElement(r, W.br)


def add_picture(r, part, blob: bytes, width: int, height: int, description: str) -> None:
    """Append an inline picture to a run; ``part`` (document, header or footer part)
    stores the image and names it; the alt text becomes the drawing's description."""
    inline = part.new_pic_inline(io.BytesIO(blob), width, height)
    inline.docPr.set("descr", description)
    _SubElement(r, W.drawing).append(inline)


def add_hyperlink(p, part, url: str):
    """Append an external ``w:hyperlink`` (target related from ``part``) and return it."""
    link = _SubElement(p, W.hyperlink)
    link.set(R_ID, part.relate_to(url, RT.HYPERLINK, is_external=True))
    link.set(W.history, "1")
    return link


def ends_with_table(container) -> bool:
    """True if the last block in a body, cell or story element is a table."""
    for block in reversed(container):
        if block.tag == W.p or block.tag == W.tbl:
            return block.tag == W.tbl
    return False


# ---------------------------------------------------------------------- fields
def add_field(p, instruction: str, placeholder: str = "1") -> None:
    """Append a complex field (e.g. ``PAGE`` or ``NUMPAGES``) to the paragraph ``p``.

    Word and LibreOffice compute the value when laying out the page; the
    placeholder is only what a reader without layout (python-docx) sees.
    """
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = add_run(p)
        if kind == "instr":
            instr = _SubElement(run, W.instrText)
            instr.set(XML_SPACE, "preserve")
            instr.text = f" {instruction} "
        elif kind == "text":
            add_text(run, placeholder)
        else:
            _SubElement(run, W.fldChar).set(W.fldCharType, kind)


def add_tabbed_paragraph(story_element, style_id: str | None, tab_twips: int):
    """Append a paragraph in ``style_id`` with one right-aligned tab stop (a footer line)."""
    p = _SubElement(story_element, W.p)
    p_pr = _SubElement(p, W.pPr)
    if style_id is not None:
        _SubElement(p_pr, W.pStyle).set(W.val, style_id)
    tab = _SubElement(_SubElement(p_pr, W.tabs), W.tab)
    tab.set(W.pos, str(tab_twips))
    tab.set(W.val, "right")
    return p


def field_instructions(element) -> list[str]:
    """Return the stripped ``w:instrText`` strings found below ``element``."""
    return [(t.text or "").strip() for t in element.iter(qn("w:instrText"))]


# --------------------------------------------------------------- header/footer
def shrink_story_text(story_element, size_pt: float, color: str) -> None:
    """Give the paragraphs of a header/footer story (and of its tables' cells) no
    space after, and their runs a small grey font."""
    half_points = str(round(size_pt * 2))
    for p in _story_paragraphs(story_element):
        paragraph_property(p, W.spacing).set(W.after, "0")
        for r in p.iterchildren(W.r):
            r_pr = properties(r, W.rPr)
            child(r_pr, W.sz).set(W.val, half_points)
            old = r_pr.find(W.color)
            if old is not None:  # a new w:color: a theme colour must not stay
                r_pr.remove(old)
            child(r_pr, W.color).set(W.val, color)


def _story_paragraphs(story_element):
    yield from story_element.iterchildren(W.p)
    for tbl in story_element.iterchildren(W.tbl):
        for tr in tbl.iterchildren(W.tr):
            for tc in tr.iterchildren(W.tc):
                yield from tc.iterchildren(W.p)


# ------------------------------------------------------------ document defaults
def _doc_defaults_rpr(styles_element):
    return child(child(child(styles_element, W.docDefaults), W.rPrDefault), W.rPr)


def set_default_font(styles_element, family: str) -> None:
    """Set the document's default font (``w:docDefaults/w:rPrDefault/w:rPr/w:rFonts``)."""
    fonts = styles_element.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr") + "/" + qn("w:rFonts"))
    if fonts is None:
        return
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), family)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attribute), None)


def default_font(styles_element) -> str | None:
    """The document default font (``w:ascii`` of the docDefaults' ``w:rFonts``), if any."""
    fonts = _doc_defaults_rpr(styles_element).find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:ascii"))


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
