"""DOCX writer: semantic offer/contract HTML -> Word document.

The same HTML that WeasyPrint turns into the PDF is parsed with lxml's HTML
parser and rebuilt on top of ``templates/reference.docx`` (page
setup and every style come from there, so sales ops can restyle in Word).
The output is byte-for-byte reproducible for the same HTML and metadata.

HTML vocabulary (closed; anything else is reported in the problem list)
=====================================================================

===================================== ==============================================================
Element / class                       What it becomes in Word
===================================== ==============================================================
``<head>`` and its content            ignored (``style``/``link``/``meta``/``title``)
``body div section article``          containers: their children are rendered in order
``main header footer figure``
``footer.page-footer``,               ignored silently (the PDF's running footer/header; the DOCX
``header.page-header``                footer is built from :class:`DocxMeta`)
``h1`` .. ``h4``                      paragraph styles "Heading 1" .. "Heading 4" (keep with next)
``h1.title``                          paragraph style "Title"
``p``                                 "Normal" ("Table Text" inside table cells)
``p.lead``                            "Lead"
``p.small``, ``p.note``               "Small"
``p.address``                         "Address" (no space after)
``p.sender``                          "Small" (the sender line above the address)
``p.line``                            "Signature Line" (a rule above, for signatures)
``br`` / ``hr``                       line break / empty paragraph with a bottom border
``strong b`` / ``em i`` / ``u``       bold / italic / underlined run
``small`` / ``sup`` / ``sub``         run in a smaller size (83 %) / superscript / subscript
``a href``                            real hyperlink, character style "Hyperlink" (http, https,
                                      mailto, tel; other targets: text kept, reported)
``a.ref href="#id"``                  cross-reference: its text with the number it shows as a field
                                      ``REF <bookmark of id> \\r \\h`` (the target's paragraph number;
                                      result: the current number), the rest literal ("clause " +
                                      "12"); see :mod:`proposals.writers.docx_fields`
``span.clause-number``                leading a heading or paragraph: Word list numbering of the
                                      contract's clauses (``data-level`` 0-2, ``data-format`` the level 0
                                      text, "%1." or "§ %1"); the span's text is then Word's to print
``span``                              text; ``span.muted`` grey, ``span.small`` smaller; any other
                                      class names a character style if one exists ("price-tag" ->
                                      "price-tag" or "Price Tag"), else plain text
``ul`` / ``ol`` > ``li``              "List Bullet" / "List Number" (levels 2, 3: "List Bullet 2"
                                      ...); every ``ol`` restarts at 1; further paragraphs of an
                                      item: "List Continue" (2, 3); deeper than 3 levels: reported
``table``                             table style "Proposals Table", full width; ``table.plain``:
                                      "Proposals Plain Table" (address and signature blocks); other
                                      table classes are PDF styling hooks, ignored silently
``colgroup > col``                    column widths from ``style="width: 12%"`` (or mm/cm/in/pt/px);
                                      a column too narrow for its longest word (or a ``num`` cell's
                                      line) is widened, as a browser does
``thead`` rows                        bold, repeated on every page (``w:tblHeader``)
``tbody`` / ``tfoot`` rows            in source order / last; no row ever splits across pages
``th`` / ``td``                       cell, paragraphs in "Table Text"; ``th`` bold; ``colspan``
                                      merges cells (``rowspan``: reported, ignored)
``td.num`` / ``.right`` / ``.center`` right aligned / right aligned / centred cell paragraphs
``tr.total`` / ``tr.subtotal``        bold with a rule above / thin rule above
``tr.grand`` / ``tr.group``           bold (the grand total) / bold on a light shading (group rows)
``td.logo-cell``                      right aligned cell (the letterhead's logo column)
``div.address-field``                 the PDF's envelope window (with its ``.return-zone``): plain
                                      blocks, the address stays in the letterhead's first cell
``img``                               inline picture, alt text as description; see
                                      :mod:`proposals.writers.docx_images` for allowed sources and
                                      sizing (``img`` classes are ignored)
``figure`` / ``figcaption``           container / paragraph style "Caption"
``.page-break`` (any block)           page break before the block's first paragraph
``.keep-together``,                   all its paragraphs and table rows kept on one page;
``div.signature``                     ``.signature`` also gets 24 pt space above
``section.clause``                    its heading is kept with the first paragraph
``.muted`` / ``.right`` /             grey text / right aligned / centred (blocks, rows, cells)
``.center``
``.draft-watermark``                  its text becomes a Word watermark in every header of every
                                      section (first-page header included), the WordArt shape
                                      Word's own "Watermark" writes (``docx_watermark``); not
                                      rendered in the body
``del`` / ``ins`` (``.standard`` /     tracked changes: the runs go into ``w:del`` (text as ``w:delText``) /
``.negotiated``), inline or around    ``w:ins``; around blocks every paragraph's mark too, so accepting a
blocks                                deleted clause removes it whole; author and date from
                                      ``DocxMeta.revisions`` (see :mod:`proposals.writers.docx_revisions`)
``id`` on a block                     a bookmark around the content of its first paragraph (a
                                      clause's heading), named by ``docx_fields.bookmark_name``
                                      (``clause-liability`` -> ``clause_liability``)
``data-*``, ``aria-*``, ``style``,    ignored silently (``style`` is read only for ``img`` and
``lang``, ``title``, other ``id``     ``col`` widths)
``script style template svg``         reported, content never rendered
``iframe video input form``...
other block-level HTML                (``blockquote``, ``pre``, ``dl``, ``h5``...) reported,
                                      content rendered as paragraphs
other inline HTML                     (``code``, ``abbr``, custom tags...) reported, text kept
===================================== ==============================================================

Whitespace is collapsed like a browser does (U+00A0 kept), so text read back
with python-docx equals what the browser shows.

Layout: :mod:`proposals.writers.docx_blocks` (walking, paragraphs, lists),
:mod:`proposals.writers.docx_tables`, :mod:`proposals.writers.docx_inline`
(runs, whitespace, links), :mod:`proposals.writers.docx_fields` (bookmarks and the REF
fields of cross-references), :mod:`proposals.writers.docx_revisions` (tracked changes), :mod:`proposals.writers.docx_images`, and the raw
OOXML in :mod:`proposals.writers.docx_oxml` (with ``docx_table_oxml``,
``docx_numbering``, ``docx_watermark`` and ``docx_package``).  python-docx keeps the package
(reference document, styles, numbering, headers and footers, images,
relationships); the content is WordprocessingML built by ``docx_oxml``, several
times faster than python-docx's object API.

Font: the branding font is written under its metric-compatible Microsoft name
where it has one (Carlito as Calibri: Word has it, LibreOffice sets Carlito
again), see :mod:`proposals.writers.docx_fonts`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Inches, Mm, RGBColor
from lxml import etree

from proposals.documents.assets import AssetPolicy
from proposals.writers import docx_fields, docx_fonts, docx_oxml
from proposals.writers import docx_package
from proposals.writers import docx_watermark
from proposals.writers.docx_blocks import Sink, walk_children
from proposals.writers.docx_context import RenderContext, Scope

_PAGE_FIELDS = re.compile(r"\{(page|pages)\}")


@dataclass(frozen=True)
class DocxMeta:
    title: str            # core property title
    author: str           # seller legal name -> core properties author
    subject: str          # e.g. "Offer ACME-2026-014 r1"
    created: datetime     # fixed timestamp (tz-aware UTC) for created/modified
    language: str         # e.g. "de-DE": document default language (w:lang)
    footer_text: str      # left part of the footer
    page_label: str       # e.g. "Page {page} of {pages}"; PAGE / NUMPAGES fields
    primary_color: str | None = None  # "#1F3A5F": recolours Title and Heading 1-4
    paper: str = "A4"                 # or "Letter"
    font: str | None = None           # document default font (w:rFonts of docDefaults)
    revisions: tuple[str, date] | None = None  # author and date of the tracked changes (del, ins);
                                               # default: the author and the creation date
    properties: tuple[tuple[str, str], ...] = ()  # custom document properties (name, text), in order


class DocxWriter:
    """Render semantic HTML to DOCX bytes on top of a reference document."""

    name = "docx"
    suffix = ".docx"

    def __init__(self, reference_docx: bytes, asset_root: AssetPolicy | Path):
        self.reference_docx = reference_docx  # sanitized (proposals.writers.reference): untrusted parts removed
        self.asset_root = AssetPolicy.of(asset_root)  # what its images may load

    def render(self, html: str, meta: DocxMeta) -> tuple[bytes, list[str]]:
        """Return the .docx bytes and a list of problems (unsupported elements,
        classes or attributes, images that could not be loaded), one
        human-readable string each like ``unsupported element <video> (line 12)``."""
        document = Document(io.BytesIO(self.reference_docx))
        docx_package.clear_body(document)
        # All that is left of the reference's body is its section properties: nothing the
        # writer adds carries revision ids, so they are stripped before the body grows.
        docx_package.strip_revision_ids(document.element)
        ctx = RenderContext(document, self.asset_root)
        author, day = meta.revisions or (meta.author, meta.created.date())
        ctx.revisions = (author, f"{day.isoformat()}T00:00:00Z")
        font = _apply_branding(document, meta, {name for _, name, _, _ in ctx.catalog()})
        body = _parse_body(html, ctx)
        if body is not None:
            ctx.targets = docx_fields.find_targets(body)
            walk_children(ctx, body, Sink(document.element.body, document.part),
                          Scope(width=text_width(document.sections[0])))
            for name in ctx.bookmarks.finish():
                ctx.report(f"cross-reference to bookmark {name}: its element made no paragraph "
                           "(only a block with an id does), the field finds nothing")
        running, header = _running(body, "footer", "page-footer"), _running(body, "header", "page-header")
        for section in document.sections:
            width = text_width(section)
            # The first page carries the letterhead; later pages the running header, as in the PDF.
            section.different_first_page_header_footer = header is not None
            stories = [section.footer, section.first_page_footer] if header is not None else [section.footer]
            for story in stories:
                build_footer(section, meta.footer_text, meta.page_label, story)
                if running is not None:
                    _add_running_story(ctx, story, running, width)
            if header is not None:
                story = section.header
                story.is_linked_to_previous = False
                docx_package.clear_story(story._element)
                _add_running_story(ctx, story, header, width)
        watermark = _watermark_text(body)
        if watermark:
            docx_watermark.add_watermark(document, watermark, font)
        _set_metadata(document, meta)
        docx_package.add_custom_properties(document, meta.properties)
        docx_package.number_drawings(document)
        return docx_package.package_bytes(document, meta.created), ctx.problems


FOOTER_PT = 7


def _running(body, tag: str, css_class: str):
    """The template's running ``<footer class="page-footer">`` or ``<header class="page-header">``."""
    if body is None:
        return None
    found = body.xpath(f'.//{tag}[contains(concat(" ", normalize-space(@class), " "), " {css_class} ")]')
    return found[0] if found else None


def _add_running_story(ctx: RenderContext, story, element, width: int) -> None:
    """Render a running header's or footer's content (the PDF's source) into a Word header/footer."""
    story_element = story._element  # python-docx looks the part up again on every access
    start = len(ctx.paragraphs)
    walk_children(ctx, element, Sink(story_element, story.part), Scope(width=width))
    del ctx.paragraphs[start:]  # these paragraphs take no part in body keep-with-next chains
    docx_oxml.shrink_story_text(story_element, FOOTER_PT, "6B7280")


PAPER = {"A4": (Mm(210), Mm(297)), "Letter": (Inches(8.5), Inches(11))}
BRANDED_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4")


def _watermark_text(body) -> str:
    """The text of the template's ``.draft-watermark`` (whitespace collapsed), or ""."""
    if body is None:
        return ""
    found = body.xpath('.//*[contains(concat(" ", normalize-space(@class), " "), " draft-watermark ")]')
    return " ".join("".join(found[0].itertext()).split()) if found else ""


def _apply_branding(document, meta: DocxMeta, names: set[str]) -> str:
    """Seller branding over the reference document: paper size, heading colour, font
    (``names``: the names of the document's styles). Returns the document font's
    name in Word (:func:`proposals.writers.docx_fonts.word_font`)."""
    width, height = PAPER[meta.paper]
    for section in document.sections:
        section.page_width, section.page_height = width, height
    if meta.primary_color:
        for name in BRANDED_STYLES:
            if name in names:
                document.styles[name].font.color.rgb = RGBColor.from_string(meta.primary_color.lstrip("#"))
    if not meta.font:
        return docx_oxml.default_font(document.styles.element) or "Calibri"
    font = docx_fonts.use_font(document, meta.font)
    docx_oxml.set_default_font(document.styles.element, font)
    return font


def _parse_body(html: str, ctx: RenderContext):
    """The HTML's ``<body>``, or None (an empty document is reported).

    lxml's plain HTML parser rather than ``lxml.html``'s, which is the same parser with
    element classes that cost a Python class look-up for every element the walk touches.
    """
    try:
        root = etree.fromstring(html.encode("utf-8"),
                                etree.HTMLParser(encoding="utf-8", remove_comments=True))
    except ValueError:  # text that cannot be encoded (lone surrogates)
        root = None
    if root is None:
        ctx.report("empty HTML document")
        return None
    return next(root.iter("body"), None)


def text_width(section) -> int:
    """Width between the left and right page margins of a section (EMU)."""
    return section.page_width - section.left_margin - section.right_margin


def build_footer(section, footer_text: str, page_label: str, footer=None) -> None:
    """Replace a footer of the section (default: the main one): ``footer_text`` left, the
    page label with live PAGE / NUMPAGES fields right-aligned on a tab at the right margin."""
    footer = section.footer if footer is None else footer
    footer.is_linked_to_previous = False
    element = footer._element  # python-docx looks the part up again on every access
    docx_package.clear_story(element)
    style = footer.part.get_style_id("Footer", WD_STYLE_TYPE.PARAGRAPH)
    paragraph = docx_oxml.add_tabbed_paragraph(element, style, docx_oxml.to_twips(text_width(section)))
    # add_run gives python-docx's w:r element, whose text setter makes tabs and line breaks
    # their own elements, as Paragraph.add_run(text) did
    docx_oxml.add_run(paragraph).text = footer_text
    docx_oxml.add_run(paragraph).add_tab()
    for index, part in enumerate(_PAGE_FIELDS.split(page_label)):
        if index % 2 == 0:
            if part:
                docx_oxml.add_run(paragraph).text = part
        else:
            docx_oxml.add_field(paragraph, "PAGE" if part == "page" else "NUMPAGES")


def _set_metadata(document, meta: DocxMeta) -> None:
    moment = meta.created.astimezone(timezone.utc) if meta.created.tzinfo else meta.created
    props = document.core_properties
    props.title, props.author, props.subject = meta.title, meta.author, meta.subject
    props.last_modified_by, props.revision, props.language = meta.author, 1, meta.language
    props.created = props.modified = moment.replace(microsecond=0)
    props.keywords = props.comments = props.category = props.content_status = ""
    docx_oxml.set_default_language(document.styles.element, meta.language)
    docx_package.strip_revision_ids(document.settings.element)
