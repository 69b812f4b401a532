"""Shared state of one DOCX rendering: vocabulary, render context and scope.

The HTML vocabulary itself is documented in :mod:`proposals.writers.docx`;
this module holds it as data (which tags are blocks, which classes and
attributes are understood) plus the two small objects every renderer function
receives:

* :class:`RenderContext` -- the document being built, the problem list,
  style look-ups, the paragraphs created so far (for keep-together) and a
  pending page break;
* :class:`Scope` -- immutable, inherited formatting for the element being
  walked (default paragraph style, inline format, alignment, available width,
  list level).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, Twips

from proposals.documents.assets import AssetPolicy
from proposals.writers import docx_oxml
from proposals.writers.docx_fields import Bookmarks, Target

CONTAINER_TAGS = frozenset({"body", "div", "section", "header", "footer", "article", "main",
                            "figure"})
HEADING_TAGS = {"h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3", "h4": "Heading 4"}
BLOCK_TAGS = CONTAINER_TAGS | set(HEADING_TAGS) | {"p", "ul", "ol", "table", "hr", "figcaption"}
# Block-level HTML outside the vocabulary: rendered as paragraphs and reported.
FOREIGN_BLOCK_TAGS = frozenset({
    "address", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "dl", "dt", "fieldset", "form", "h5", "h6", "hgroup", "legend", "li", "menu", "nav",
    "pre", "summary", "tbody", "td", "tfoot", "th", "thead", "tr", "colgroup", "col"})
# Elements whose content is never text a reader sees: reported, content omitted.
OPAQUE_TAGS = frozenset({
    "script", "style", "template", "noscript", "iframe", "video", "audio", "canvas",
    "object", "embed", "svg", "math", "input", "select", "textarea", "button", "head",
    "meta", "link", "title", "base", "map", "picture", "source", "track", "frame",
    "frameset", "applet", "param"})
REVISION_TAGS = frozenset({"del", "ins"})
INLINE_FORMATS = {"strong": "bold", "b": "bold", "em": "italic", "i": "italic",
                  "u": "underline", "small": "small", "sup": "sup", "sub": "sub"}

BLOCK_CLASSES = frozenset({"page-break", "keep-together", "muted", "right", "center"})
KNOWN_CLASSES = {
    # address-field, return-zone: the letterhead's envelope window, placed by the PDF's stylesheet;
    # in the DOCX the address stays in the letterhead's first cell
    "container": BLOCK_CLASSES | {"signature", "clause", "subclause", "deviation", "page-header", "page-footer",
                                  "address-field", "return-zone"},
    "p": BLOCK_CLASSES | {"lead", "small", "note", "address", "sender", "line"},
    "h1": BLOCK_CLASSES | {"title"},
    "tr": frozenset({"total", "subtotal", "grand", "group", "muted"}),
    "cell": frozenset({"num", "center", "right", "muted", "logo-cell", "address-cell"}),
    "a": frozenset({"muted", "ref"}),  # a.ref: a cross-reference (docx_fields)
    "revision": frozenset({"standard", "negotiated"}),  # del, ins: tracked changes (docx_revisions)
}
SILENT_CLASSES = frozenset({"draft-watermark"})

COMMON_ATTRIBUTES = frozenset({"class", "id", "style", "lang", "dir", "title", "role"})
TAG_ATTRIBUTES = {
    "a": {"href", "target", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "scope", "headers"},
    "th": {"colspan", "rowspan", "scope", "headers"},
    "col": {"span"},
    "colgroup": {"span"},
}

MUTED_RGB = "6B7280"


def class_list(element) -> list[str]:
    """The element's classes in source order."""
    return (element.get("class") or "").split()


def where(element) -> str:
    """``(line N)`` for problem messages."""
    return f"(line {element.sourceline})" if element.sourceline else "(line ?)"


def check_attributes(ctx, element) -> None:
    """Report attributes the vocabulary does not know (``data-*``, ``aria-*``,
    ``id``, ``style``... are ignored silently)."""
    allowed = TAG_ATTRIBUTES.get(element.tag, ())
    for name in element.attrib:
        if name in COMMON_ATTRIBUTES or name in allowed or name.startswith(("data-", "aria-")):
            continue
        ctx.report(f"unsupported attribute '{name}' on <{element.tag}> {where(element)}")


def check_classes(ctx, element, allowed) -> None:
    """Report classes outside ``allowed`` (and outside the silently ignored ones)."""
    for name in class_list(element):
        if name not in allowed and name not in SILENT_CLASSES:
            ctx.report(f"unsupported class '{name}' on <{element.tag}> {where(element)}")


class Fmt(NamedTuple):
    """Inline formatting inherited from enclosing elements.

    Scopes and formats are named tuples rather than frozen dataclasses: the writer
    derives thousands of them per document, and ``_replace`` and tuple comparison
    cost a fraction of ``dataclasses.replace`` and a dataclass ``__eq__``.
    """

    bold: bool = False
    italic: bool = False
    underline: bool = False
    small: bool = False
    sup: bool = False
    sub: bool = False
    muted: bool = False
    char_style: str | None = None
    href: str | None = None
    ref: Target | None = None  # an ``a.ref``: its text holds a REF field to this target
    revision: str | None = None  # "del" or "ins": a tracked change (docx_revisions)

    def switched_on(self, **flags: bool) -> Fmt:
        """This format with every flag given as True switched on; itself if that changes
        nothing (as for most table cells)."""
        on = {name: True for name, value in flags.items() if value and not getattr(self, name)}
        return self._replace(**on) if on else self


@dataclass
class ListItem:
    """Numbering state of one ``<li>``: its first paragraph carries the bullet or
    number, later paragraphs of the same item are indented continuations."""

    style: str
    continue_style: str
    num_id: int | None
    ilvl: int
    used: bool = False


class Scope(NamedTuple):
    """Inherited, immutable rendering state for the element being walked."""

    style: str = "Normal"
    fmt: Fmt = Fmt()
    align: str | None = None  # a w:jc value: "right", "center"
    width: int = 0
    list_level: int = 0
    item: ListItem | None = None
    row_key: object = None
    indent: int = 0  # twips a list is moved right by: under a sub-clause's text, as the PDF's margin

    def but(self, **changes) -> Scope:
        return self._replace(**changes)


@dataclass
class RenderContext:
    """Mutable state of one :meth:`DocxWriter.render` call."""

    document: object
    asset_root: AssetPolicy  # what images may load
    problems: list[str] = field(default_factory=list)
    paragraphs: list = field(default_factory=list)
    pending_page_break: bool = False
    targets: dict[str, Target] = field(default_factory=dict)  # HTML id -> bookmark (docx_fields)
    bookmarks: Bookmarks = field(default_factory=Bookmarks)
    revisions: tuple[str, str] = ("", "")  # author and ISO date of tracked changes (docx_revisions)
    _styles: dict = field(default_factory=dict)
    _ids: dict = field(default_factory=dict)
    _defaults: dict = field(default_factory=dict)
    _inherited_values: dict = field(default_factory=dict)
    _catalog: list | None = None
    _names: dict | None = None
    _char_styles: set | None = None
    _clause_num_id: int | None = None

    def report(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def style(self, name: str, kind=WD_STYLE_TYPE.PARAGRAPH):
        """Return the named style of the reference document, or None (reported once)."""
        if name not in self._styles:
            self._styles[name] = self._find_style(name, kind)
        return self._styles[name]

    def style_id(self, name: str, kind=WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """The id to write for the named style: None for the default style of its kind
        (Word's way of naming it) and for a missing one (reported once, as :meth:`style`)."""
        key = (name, kind)
        if key not in self._ids:
            style = self.style(name, kind)
            if kind not in self._defaults:
                # python-docx's Styles.default(): the last style of the kind marked default
                defaults = [s for s, _, k, default in self.catalog() if k == kind and default]
                self._defaults[kind] = defaults[-1] if defaults else None
            style_id = style.style_id if style is not None else None
            self._ids[key] = None if style_id == self._defaults[kind] else style_id
        return self._ids[key]

    def catalog(self) -> list[tuple[str, str, WD_STYLE_TYPE, bool]]:
        """``(style_id, name, type, is_default)`` of every style of the document.

        Read once and shared by the name, type and default look-ups: python-docx builds
        a style object for every style on each pass over ``document.styles``.
        """
        if self._catalog is None:
            self._catalog = [(s.style_id, s.name, s.type,
                              bool(s.element.default) and s.element.type is not None)
                             for s in self.document.styles]
        return self._catalog

    def style_name_of(self, p) -> str:
        """Name of a paragraph's style ("Normal" when it has none), without python-docx's scan."""
        if self._names is None:
            self._names = {s: name for s, name, kind, _ in self.catalog() if kind == WD_STYLE_TYPE.PARAGRAPH}
        return self._names.get(docx_oxml.paragraph_style_id(p), "Normal")

    def _find_style(self, name: str, kind):
        try:
            style = self.document.styles[name]
        except KeyError:
            style = None
        if style is None or style.type != kind:
            self.report(f"style '{name}' missing from reference.docx; default style used")
            return None
        return style

    def clause_numbering(self, level0_format: str | None) -> int:
        """numId of the contract's multi-level clause numbering (12. / 12.1 / 12.1.1), made once."""
        if self._clause_num_id is None:
            from proposals.writers.docx_numbering import add_clause_numbering

            self._clause_num_id = add_clause_numbering(self.document, level0_format or "%1.")
        return self._clause_num_id

    def char_style_for_class(self, css_class: str) -> str | None:
        """Name of the character style a ``span`` class maps to: the class itself or
        its title-cased form (``price-tag`` -> ``Price Tag``), if such a style exists."""
        if self._char_styles is None:
            self._char_styles = {name for _, name, kind, _ in self.catalog()
                                 if kind == WD_STYLE_TYPE.CHARACTER}
        for name in (css_class, css_class.replace("-", " ").title()):
            if name in self._char_styles:
                return name
        return None

    def font_size(self, style_name: str) -> Pt:
        """Effective font size of a paragraph style (following ``based on``)."""
        size = self._inherited(style_name, "size", lambda s: s.font.size)
        if size is None:
            return Pt(docx_oxml.default_font_half_points(self.document.styles.element) / 2)
        return size

    def space_before_of(self, p) -> int:
        """Effective space before a paragraph: its own, else its style's (EMU)."""
        own = docx_oxml.space_before(p)
        if own is not None:
            return Twips(own)
        name = self.style_name_of(p)
        return self._inherited(name, "space_before", lambda s: s.paragraph_format.space_before) or 0

    def _inherited(self, style_name: str, what: str, read):
        """A style property, else the one of the style it is based on..., kept per style."""
        key = (style_name, what)
        if key not in self._inherited_values:
            style, value = self.style(style_name), None
            while style is not None and value is None:
                value = read(style)
                style = style.base_style
            self._inherited_values[key] = value
        return self._inherited_values[key]

    def numbering(self):
        return self.document.part.numbering_part.element
