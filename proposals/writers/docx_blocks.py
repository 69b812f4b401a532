"""Block content for the DOCX writer: containers, paragraphs, headings, lists.

:func:`walk_children` is the heart of the writer: it walks an element's
children, gathers consecutive inline content (text, ``<strong>``, ``<img>``...)
into one paragraph and hands block children to :func:`render_block`, which
dispatches on the tag.  Tables live in :mod:`proposals.writers.docx_tables`.
"""

from __future__ import annotations

from docx.shared import Pt

from proposals.writers import docx_numbering
from proposals.writers import docx_oxml, docx_revisions
from proposals.writers.docx_context import (
    BLOCK_CLASSES,
    BLOCK_TAGS,
    CONTAINER_TAGS,
    FOREIGN_BLOCK_TAGS,
    HEADING_TAGS,
    KNOWN_CLASSES,
    REVISION_TAGS,
    SILENT_CLASSES,
    ListItem,
    Scope,
    check_attributes,
    check_classes,
    class_list,
    where,
)
from proposals.writers.docx_inline import WHITESPACE, Break, collect, emit
from proposals.writers.docx_oxml import W
from proposals.writers.docx_tables import render_table

PARAGRAPH_STYLES = {"lead": "Lead", "small": "Small", "note": "Small", "address": "Address", "sender": "Small", "line": "Signature Line"}
LIST_STYLES = {"ul": "List Bullet", "ol": "List Number"}
MAX_LIST_LEVEL = 3
SPACE_AFTER_TABLE = Pt(10)
RULE_LINE = Pt(6)
SIGNATURE_SPACE = Pt(24)
ALIGN_CLASSES = ("right", "center")  # block classes named like their w:jc value


class Sink:
    """Where blocks go: the document body, a header or footer, or one table cell
    (a ``w:body``, ``w:hdr``/``w:ftr`` or ``w:tc`` element of the package part ``part``,
    which holds the relationships of its images and links).

    A new cell already holds an empty paragraph (Word requires one); it is used
    for the cell's first paragraph, or removed if the cell starts with a table.
    After a table in a cell, a new spare paragraph (in ``filler_style``) ends the cell.
    """

    def __init__(self, element, part, spare=None, filler_style: str | None = None):
        self.element = element
        self.part = part
        self._end = element.find(W.sectPr) if element.tag == W.body else None
        self._spare = spare
        self._filler_style = filler_style  # style id of the empty paragraph after a cell's table
        self.after_table = False  # Word puts no space after a table; the next paragraph must

    def add_paragraph(self, style_id: str | None):
        """Add a paragraph in the style ``style_id`` (None: the default style)."""
        if self._spare is not None:
            paragraph, self._spare = self._spare, None
            docx_oxml.set_paragraph_style(paragraph, style_id)
            return paragraph
        return docx_oxml.add_paragraph(self.element, style_id, self._end)

    def unused(self, paragraph) -> bool:
        """True if ``paragraph`` is the spare and no block took it (an empty cell)."""
        return self._spare is paragraph

    def add_table(self):
        """Add an empty ``w:tbl`` for :func:`docx_table_oxml.start_table` to fill."""
        if self._spare is not None:
            self.element.remove(self._spare)
        elif docx_oxml.ends_with_table(self.element):
            docx_oxml.add_paragraph(self.element, None, self._end)  # Word would glue two adjacent tables together
        table = docx_oxml.add_block(self.element, W.tbl, self._end)
        if self.element.tag == W.tc:  # a cell must end with a paragraph
            self._spare = docx_oxml.add_paragraph(self.element, self._filler_style)
        self.after_table = True
        return table


# ------------------------------------------------------------------- walking
def is_block(element) -> bool:
    """A block element; ``del`` and ``ins`` (tracked changes) are one where they hold blocks."""
    tag = element.tag
    if not isinstance(tag, str):
        return False
    return tag in BLOCK_TAGS or tag in FOREIGN_BLOCK_TAGS or (tag in REVISION_TAGS and any(is_block(c) for c in element))


def walk_children(ctx, element, sink: Sink, scope: Scope) -> None:
    """Render the children of ``element``: inline runs become paragraphs in
    ``scope.style``, block children are rendered by :func:`render_block`."""
    pending: list = [element.text] if element.text else []
    for child in element:
        if is_block(child):
            _flush(ctx, pending, sink, scope)
            pending = []
            render_block(ctx, child, sink, scope)
        else:
            pending.append(child)
        if child.tail:
            pending.append(child.tail)
    _flush(ctx, pending, sink, scope)


def _flush(ctx, pending: list, sink: Sink, scope: Scope) -> None:
    if all(isinstance(node, str) and WHITESPACE.fullmatch(node) for node in pending):
        return  # whitespace between blocks: a browser shows nothing (the common case)
    pending, level, number_format = _clause_number(pending)
    segments = collect(ctx, pending, scope.fmt, scope.width)
    if segments:
        if isinstance(segments[-1], Break):  # a final <br> adds no line in a browser
            segments = segments[:-1]
        paragraph = open_paragraph(ctx, sink, scope)
        if level is not None:
            docx_numbering.set_numbering(paragraph, ctx.clause_numbering(number_format), level)
        emit(ctx, sink.part, paragraph, segments)


def _clause_number(pending: list) -> tuple[list, int | None, str | None]:
    """A leading ``span.clause-number`` becomes real Word list numbering (its text is then
    Word's to print, so a lawyer's inserted clause renumbers the rest)."""
    index = next((i for i, n in enumerate(pending) if not (isinstance(n, str) and not n.strip())), None)
    first = pending[index] if index is not None else None
    if first is None or isinstance(first, str) or first.tag != "span" or "clause-number" not in class_list(first):
        return pending, None, None
    rest = pending[index + 1 :]
    if rest and isinstance(rest[0], str) and rest[0] == first.tail:
        rest[0] = rest[0].lstrip()  # the space after the number is Word's to add
    level = int(first.get("data-level", "0")) if (first.get("data-level") or "0").isdigit() else 0
    return rest, min(level, 2), first.get("data-format")


def open_paragraph(ctx, sink: Sink, scope: Scope):
    """Create a paragraph in ``scope.style`` (or the list style of the current
    ``<li>``), applying alignment, spacing after a table and a pending page break."""
    item = scope.item
    paragraph = sink.add_paragraph(ctx.style_id(_list_item_style(item) or scope.style))
    ctx.bookmarks.open(paragraph)
    if scope.fmt.revision is not None:  # inside a <del> or <ins> of blocks: the paragraph mark too
        docx_revisions.mark_paragraph(ctx, paragraph, scope.fmt.revision)
    if item is not None and not item.used:  # the item's first paragraph: bullet or number
        item.used = True
        if item.num_id is not None:  # an <ol>'s own, restarted list
            docx_numbering.set_numbering(paragraph, item.num_id, item.ilvl)
    if sink.after_table:
        sink.after_table = False
        if ctx.space_before_of(paragraph) < SPACE_AFTER_TABLE:
            docx_oxml.set_space_before(paragraph, SPACE_AFTER_TABLE.twips)
    if scope.align is not None:
        docx_oxml.set_alignment(paragraph, scope.align)
    if ctx.pending_page_break:
        docx_oxml.paragraph_property(paragraph, W.pageBreakBefore)
        ctx.pending_page_break = False
    ctx.paragraphs.append((paragraph, scope.row_key))
    return paragraph


def _list_item_style(item: ListItem | None) -> str | None:
    """The list style for the first paragraph of a list item, the continuation style
    (indented, no bullet or number) for the later ones."""
    if item is None:
        return None
    return item.continue_style if item.used else item.style


# -------------------------------------------------------------------- blocks
def render_block(ctx, element, sink: Sink, scope: Scope) -> None:
    """Render one block element with its common classes (page-break,
    keep-together, signature, clause, muted, right, center)."""
    classes = class_list(element)
    if SILENT_CLASSES.intersection(classes) or _is_running_header_footer(element, classes):
        return
    check_attributes(ctx, element)
    if "page-break" in classes:
        ctx.pending_page_break = True
    if element.get("id"):
        _bookmark(ctx, element)
    start = len(ctx.paragraphs)
    handler = HANDLERS.get(element.tag, _foreign)
    handler(ctx, element, sink, block_scope(scope, classes))
    _apply_keeps(ctx, classes, ctx.paragraphs[start:])


def _bookmark(ctx, element) -> None:
    """A block's ``id`` becomes a bookmark around its first paragraph (a clause's heading),
    the target of the REF fields of ``a.ref`` (:mod:`proposals.writers.docx_fields`)."""
    target = ctx.targets.get(element.get("id"))
    if target is not None and not ctx.bookmarks.pend(target.name):
        ctx.report(f"id '{element.get('id')[:80]}' {where(element)} used twice; only the first is a bookmark")


def block_scope(scope: Scope, classes: list[str]) -> Scope:
    """Scope for a block's content after its ``muted``/``right``/``center`` classes."""
    if "muted" in classes:
        scope = scope.but(fmt=scope.fmt._replace(muted=True))
    for name in ALIGN_CLASSES:
        if name in classes:
            scope = scope.but(align=name)
    return scope


def _is_running_header_footer(element, classes) -> bool:
    return (element.tag, "page-footer" in classes, "page-header" in classes) in {
        ("footer", True, False), ("header", False, True)}


def _apply_keeps(ctx, classes: list[str], created: list) -> None:
    if not created:
        return
    if "keep-together" in classes or "signature" in classes:
        keep_together(created)
    if "signature" in classes and ctx.space_before_of(created[0][0]) < SIGNATURE_SPACE:
        first_row = created[0][1]
        # Every cell of a signature table's first row gets the room, so the parties' names line up.
        targets = [p for p, row in created if first_row is not None and row is first_row] or [created[0][0]]
        for paragraph in targets:
            docx_oxml.set_space_before(paragraph, SIGNATURE_SPACE.twips)  # room to sign
    if "clause" in classes:
        docx_oxml.paragraph_property(created[0][0], W.keepNext)


def keep_together(created: list) -> None:
    """Keep paragraphs (and table rows) on one page: keep-lines on all, keep-with-next
    on all but the last paragraph, or all but the last table row."""
    last_paragraph, last_row = created[-1]
    for paragraph, row_key in created:
        docx_oxml.paragraph_property(paragraph, W.keepLines)
        is_last = paragraph is last_paragraph or (row_key is not None and row_key is last_row)
        if not is_last:
            docx_oxml.paragraph_property(paragraph, W.keepNext)


def _container(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, KNOWN_CLASSES["container"])
    if "subclause" in class_list(element):  # its lists sit under its text (the PDF's 10 mm)
        scope = scope.but(indent=scope.indent + docx_numbering.CLAUSE_INDENT)
    walk_children(ctx, element, sink, scope)


def _revision(ctx, element, sink: Sink, scope: Scope) -> None:
    """``del``/``ins`` around blocks: their paragraphs, content and marks, a tracked change."""
    check_classes(ctx, element, KNOWN_CLASSES["revision"])
    walk_children(ctx, element, sink, scope.but(fmt=scope.fmt._replace(revision=element.tag)))


def _paragraph(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, KNOWN_CLASSES["p"])
    styles = [PARAGRAPH_STYLES[c] for c in class_list(element) if c in PARAGRAPH_STYLES]
    walk_children(ctx, element, sink, scope.but(style=styles[0] if styles else scope.style))


def _heading(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, KNOWN_CLASSES["h1"] if element.tag == "h1" else BLOCK_CLASSES)
    title = element.tag == "h1" and "title" in class_list(element)
    style = "Title" if title else HEADING_TAGS[element.tag]
    walk_children(ctx, element, sink, scope.but(style=style, item=None))


def _caption(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, BLOCK_CLASSES)
    walk_children(ctx, element, sink, scope.but(style="Caption", item=None))


def _rule(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, BLOCK_CLASSES)
    paragraph = open_paragraph(ctx, sink, scope.but(item=None))
    docx_oxml.set_exact_line_height(paragraph, RULE_LINE.twips)  # a thin line, not an empty text line
    docx_oxml.set_bottom_border(paragraph)


def _foreign(ctx, element, sink: Sink, scope: Scope) -> None:
    ctx.report(f"unsupported element <{element.tag}> {where(element)}, rendered as paragraphs")
    walk_children(ctx, element, sink, scope)


def _table(ctx, element, sink: Sink, scope: Scope) -> None:
    render_table(ctx, element, sink, scope, walk_children, Sink)


# --------------------------------------------------------------------- lists
def _list(ctx, element, sink: Sink, scope: Scope) -> None:
    check_classes(ctx, element, BLOCK_CLASSES)
    level = scope.list_level + 1
    if level > MAX_LIST_LEVEL:
        ctx.report(f"list nested deeper than {MAX_LIST_LEVEL} levels {where(element)}, "
                   f"shown at level {MAX_LIST_LEVEL}")
    shown = min(level, MAX_LIST_LEVEL)
    suffix = "" if shown == 1 else f" {shown}"
    style, continuation = LIST_STYLES[element.tag] + suffix, "List Continue" + suffix
    numbering = docx_numbering.style_numbering(ctx.style(style)) if ctx.style(style) else None
    ilvl = numbering[1] if numbering else shown - 1
    num_id = None
    if element.tag == "ol" and numbering:
        num_id = docx_numbering.restarted_num(ctx.numbering(), numbering[0], ilvl)
    inner = scope.but(list_level=level)
    start = len(ctx.paragraphs)
    for child in _list_children(ctx, element, sink, inner):
        _list_item(ctx, child, sink, inner, ListItem(style, continuation, num_id, ilvl))
    if scope.indent and numbering:
        left, hanging = docx_numbering.level_indent(ctx.numbering(), numbering[0], ilvl)
        for paragraph, _ in ctx.paragraphs[start:]:
            ind = docx_oxml.paragraph_property(paragraph, W.ind)
            ind.set(W.left, str(left + scope.indent))
            ind.set(W.hanging, str(hanging))


def _list_children(ctx, element, sink: Sink, scope: Scope):
    """Yield the ``<li>`` children; anything else is reported and rendered as is."""
    loose = scope.but(item=None)
    _stray_text(ctx, element, element.text, sink, loose)
    for child in element:
        if child.tag == "li":
            yield child
        elif isinstance(child.tag, str):
            ctx.report(f"unsupported element <{child.tag}> directly in <{element.tag}> "
                       f"{where(child)}, rendered outside the list items")
            if is_block(child):
                render_block(ctx, child, sink, loose)
            else:
                _flush(ctx, [child], sink, loose)
        _stray_text(ctx, element, child.tail, sink, loose)


def _stray_text(ctx, element, text: str | None, sink: Sink, scope: Scope) -> None:
    if text and text.strip():
        ctx.report(f"text outside <li> in <{element.tag}> {where(element)}, kept")
        _flush(ctx, [text], sink, scope)


def _list_item(ctx, element, sink: Sink, scope: Scope, item: ListItem) -> None:
    check_attributes(ctx, element)
    check_classes(ctx, element, {"muted", "page-break"})
    if "page-break" in class_list(element):
        ctx.pending_page_break = True
    scope = block_scope(scope, class_list(element)).but(item=item)
    start = len(ctx.paragraphs)
    walk_children(ctx, element, sink, scope)
    if len(ctx.paragraphs) == start:
        open_paragraph(ctx, sink, scope)  # an empty <li> still shows its bullet


HANDLERS = {tag: _container for tag in CONTAINER_TAGS}
HANDLERS.update({tag: _heading for tag in HEADING_TAGS})
HANDLERS.update({"p": _paragraph, "ul": _list, "ol": _list, "table": _table, "hr": _rule,
                 "figcaption": _caption, "del": _revision, "ins": _revision})
