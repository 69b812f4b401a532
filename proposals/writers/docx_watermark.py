"""The DRAFT watermark of a Word document, as Word itself writes it.

Word's "Design > Watermark" puts a VML WordArt shape into every header of the
section: a ``w:pict`` in a header paragraph's run holding the text-path shape
type ``_x0000_t136`` and a ``v:shape`` named ``PowerPlusWaterMarkObject...``
(the name Word's "Remove Watermark" looks for), absolutely positioned in the
centre of the margin box, rotated, filled light and not stroked, behind the
text (negative ``z-index``) and not laid out in table cells. Word and
LibreOffice both read this markup; DrawingML has no equivalent that Word treats
as a watermark.

The look follows the PDF's ``.draft-watermark``: the text in bold at 44 pt,
rotated 35 degrees counter-clockwise, in the PDF's 30 % of dark blue over white
(about 1.8:1 against the paper: seen at a glance on screen and in print, while
text beneath it keeps a contrast of 8:1; the colour is mixed in advance, so no
client has to honour a fill opacity).
The shape is as wide and high as the text's capitals at that size; ``trim``
keeps LibreOffice from recomputing its height from the font's line height
(LibreOffice 7.4 reads only the family and size of the text path's style, so it
draws the text in regular weight, as outlines).
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn

from proposals.writers import docx_oxml

SIZE_PT = 44        # the PDF stylesheet's font-size of .draft-watermark
ROTATION = 325      # VML turns clockwise: the PDF's rotate(-35deg)
FILL = "#BCC4CF"    # rgba(31, 58, 95, 0.3) over white, as the PDF shows it
CAP_HEIGHT = 0.65   # em: the text path fits its glyphs' outlines, capitals here
# Advance widths (em) of Calibri Bold = Carlito Bold (metric-compatible); other
# characters count as DEFAULT_ADVANCE. They give the shape the text's own aspect
# ratio, so the fitted glyphs are not stretched.
ADVANCE = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (
    0.606, 0.561, 0.529, 0.630, 0.488, 0.459, 0.637, 0.631, 0.267, 0.331, 0.547, 0.423, 0.874,
    0.659, 0.676, 0.532, 0.686, 0.563, 0.473, 0.495, 0.653, 0.591, 0.906, 0.551, 0.520, 0.478)))
ADVANCE.update({" ": 0.226, "\u00b7": 0.268, "-": 0.306, "\u00c4": 0.606, "\u00d6": 0.676, "\u00dc": 0.653})
DEFAULT_ADVANCE = 0.55

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
       'xmlns:w10="urn:schemas-microsoft-com:office:word"')

# The shape type Word writes with every WordArt watermark (o:spt 136, "text plain").
SHAPETYPE = (
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    + "".join(f'<v:f eqn="{eqn}"/>' for eqn in (
        "sum #0 0 10800", "prod #0 2 1", "sum 21600 0 @1", "sum 0 0 @2", "sum 21600 0 @3",
        "if @0 @3 0", "if @0 21600 @1", "if @0 0 @2", "if @0 @4 21600", "mid @5 @6",
        "mid @8 @5", "mid @7 @8", "mid @6 @7", "sum @6 0 @5"))
    + '</v:formulas><v:path textpathok="t" o:connecttype="custom" '
    'o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" o:connectangles="270,180,90,0"/>'
    '<v:textpath on="t" fitshape="t"/><v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/>'
    '</v:handles><o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>')


def shape_size(text: str, size_pt: float = SIZE_PT) -> tuple[float, float]:
    """Width and height (pt) of the shape that shows ``text`` at ``size_pt`` unstretched."""
    width = sum(ADVANCE.get(c.upper() if c.islower() else c, DEFAULT_ADVANCE) for c in text) * size_pt
    return round(width, 1), round(CAP_HEIGHT * size_pt, 1)


def watermark_run(text: str, font: str, number: int):
    """A ``w:r`` holding the watermark shape; ``number`` keeps shape ids unique in the document."""
    width, height = shape_size(text)
    style = ";".join((
        "position:absolute", "margin-left:0", "margin-top:0", f"width:{width}pt", f"height:{height}pt",
        f"rotation:{ROTATION}", "z-index:-251654144",
        "mso-position-horizontal:center", "mso-position-horizontal-relative:margin",
        "mso-position-vertical:center", "mso-position-vertical-relative:margin"))
    text_style = f'font-family:"{font}";font-size:1pt;font-weight:bold'
    return parse_xml(
        f'<w:r {_NS}><w:rPr><w:noProof/><w:sz w:val="2"/></w:rPr><w:pict>{SHAPETYPE}'
        f'<v:shape id="PowerPlusWaterMarkObject{number}" o:spid="_x0000_s{2048 + number}" '
        f'type="#_x0000_t136" style="{style}" o:allowincell="f" fillcolor="{FILL}" stroked="f">'
        f'<v:fill on="t" color="{FILL}"/>'
        f'<v:textpath style={quoteattr(text_style)} trim="t" string={quoteattr(text)}/>'
        '<w10:wrap anchorx="margin" anchory="margin"/></v:shape></w:pict></w:r>')


def add_watermark(document, text: str, font: str) -> None:
    """Put the watermark into every header of every section: the default header, the
    first-page header where the section has one, the even-page header where the
    document has them (headers that do not exist yet are created, empty)."""
    number = 0
    for section in document.sections:
        stories = [section.header]
        if section.different_first_page_header_footer:
            stories.append(section.first_page_header)
        if document.settings.odd_and_even_pages_header_footer:
            stories.append(section.even_page_header)
        for story in stories:
            story.is_linked_to_previous = False  # a header of its own (python-docx adds one paragraph)
            number += 1
            _anchor_paragraph(story).append(watermark_run(text, font, number))


def _anchor_paragraph(story):
    """The paragraph that anchors the shape: the header's last block if that is a
    paragraph, else (the header ends in a table, after which Word adds an empty
    paragraph of its own on opening) a new paragraph one point high after it, so the
    header grows neither in Word nor in LibreOffice."""
    element = story._element
    last = element[-1] if len(element) else None
    if last is not None and last.tag == qn("w:p"):
        return last
    style = story.part.get_style_id("Header", WD_STYLE_TYPE.PARAGRAPH)
    paragraph = docx_oxml.add_paragraph(element, style)
    docx_oxml.paragraph_property(paragraph, docx_oxml.W.spacing).set(docx_oxml.W.after, "0")
    docx_oxml.set_exact_line_height(paragraph, 20)
    mark = docx_oxml.child(docx_oxml.properties(paragraph, docx_oxml.W.pPr), docx_oxml.W.rPr)
    docx_oxml.child(mark, docx_oxml.W.sz).set(docx_oxml.W.val, "2")
    return paragraph
