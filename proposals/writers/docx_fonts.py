"""The document font as Word knows it.

The PDF is set in the branding font, by default Carlito, which Word on Windows
and macOS does not have. Carlito is metric-compatible with Calibri (every glyph
has Calibri's advance width, the lines have its height), and so are the other
free fonts in :data:`WORD_TWINS` with the Microsoft fonts they were made for. The
DOCX therefore names the Microsoft font: Word sets the text in its own Calibri,
and LibreOffice, which has no Calibri, replaces it with Carlito by its font
replacement table (fontconfig's metric aliases on Linux), so in either program
the lines break where the PDF's do and the page count stays. The font table
entry carries the exact Microsoft font's PANOSE number, family and pitch, which
Word uses to choose a substitute, and the branding font as ``w:altName``.

A branding font without a Microsoft twin is named as it is: Word uses it where
it is installed and substitutes one of the font table's family otherwise (lines
may then break differently). The fonts are not embedded: a font file costs
0.6-0.8 MB per face (Carlito's four: 2.7 MB, 1.2 MB compressed, some 17 times
the example offer's whole DOCX), Word honours embedded fonts only where its
settings and platform allow, and the DOCX would depend on the font files of the
machine that builds it.
"""

from __future__ import annotations

from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

# free font -> the Microsoft font with the same metrics
WORD_TWINS = {
    "Carlito": "Calibri",
    "Caladea": "Cambria",
    "Liberation Sans": "Arial",
    "Arimo": "Arial",
    "Liberation Serif": "Times New Roman",
    "Tinos": "Times New Roman",
    "Liberation Mono": "Courier New",
    "Cousine": "Courier New",
    "Liberation Sans Narrow": "Arial Narrow",
    "Gelasio": "Georgia",
}
# Microsoft font -> (PANOSE-1, w:family, w:pitch), as Word writes them in its font table
FONT_FACTS = {
    "Calibri": ("020F0502020204030204", "swiss", "variable"),
    "Cambria": ("02040503050406030204", "roman", "variable"),
    "Arial": ("020B0604020202020204", "swiss", "variable"),
    "Times New Roman": ("02020603050405020304", "roman", "variable"),
    "Courier New": ("02070309020205020404", "modern", "fixed"),
    "Arial Narrow": ("020B0606020202030204", "swiss", "variable"),
    "Georgia": ("02040502050405020303", "roman", "variable"),
}


def word_font(family: str) -> str:
    """The name the DOCX gives ``family``: its Microsoft twin, or itself."""
    return WORD_TWINS.get(family, family)


def declare_font(font_table, family: str) -> str:
    """Make sure the font table (``w:fonts``) describes the Word name of ``family``
    and return that name; the branding font becomes its ``w:altName``."""
    name = word_font(family)
    entry = next((f for f in font_table.iterchildren(qn("w:font")) if f.get(qn("w:name")) == name), None)
    if entry is None:
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), name)
        font_table.append(entry)
    facts = FONT_FACTS.get(name)
    if facts is None and len(entry):
        return name  # a font the reference document already describes
    signature = entry.find(qn("w:sig"))  # the Unicode ranges Word wrote, if the entry is Word's
    for child in list(entry):
        entry.remove(child)
    if name != family:
        _add(entry, "w:altName", family)
    panose, kind, pitch = facts or (None, "auto", "variable")
    if panose:
        _add(entry, "w:panose1", panose)
    _add(entry, "w:charset", "00")
    _add(entry, "w:family", kind)
    _add(entry, "w:pitch", pitch)
    if signature is not None:
        entry.append(signature)
    return name


def font_table_part(document):
    """The document's font table part (python-docx keeps it as plain bytes), or None."""
    for rel in document.part.rels.values():
        if not rel.is_external and rel.reltype.endswith("/fontTable"):
            return rel.target_part
    return None


def use_font(document, family: str) -> str:
    """Declare ``family`` in the font table part (rewritten in place) and return its Word name."""
    part = font_table_part(document)
    if part is None:
        return word_font(family)
    table = parse_xml(part.blob)
    name = declare_font(table, family)
    part._blob = serialize_part_xml(table)
    return name


def _add(entry, tag: str, value: str) -> None:
    element = OxmlElement(tag)
    element.set(qn("w:val"), value)
    entry.append(element)
