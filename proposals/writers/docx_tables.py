"""Tables for the DOCX writer.

* Style "Proposals Table" (class ``plain``: "Proposals Plain Table"), 100 % of
  the available width.
* ``<colgroup>/<col style="width: 12%">`` set column widths (percent of the
  available width, or mm/cm/in/pt/px) and a fixed layout; columns without a
  width share what is left; without any ``<col>`` all columns are equal.
* ``<thead>`` rows repeat on every page (``w:tblHeader``) and are bold;
  ``<tfoot>`` rows come last, as in a browser.  No row splits across pages.
* ``colspan`` merges cells; ``rowspan`` is reported and ignored.
* Cell classes ``num``/``right`` (right aligned), ``center``, ``muted``; row
  classes ``total`` (bold, rule above), ``subtotal`` (thin rule above), ``muted``.
* Table class ``keep-with-next``: its last two rows keep with the block after it.
"""

from __future__ import annotations

import re

from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm

from proposals.writers import docx_oxml
from proposals.writers import docx_table_oxml
from proposals.writers.docx_context import (
    KNOWN_CLASSES,
    OPAQUE_TAGS,
    Scope,
    check_attributes,
    check_classes,
    class_list,
    where,
)
from proposals.writers.docx_images import css_length, style_property
from proposals.writers.docx_inline import WHITESPACE
from proposals.writers.docx_oxml import W

CELL_STYLE = "Table Text"
CELL_ALIGN = {"num": "right", "right": "right", "logo-cell": "right", "center": "center"}  # w:jc
GROUP_SHADING = "F7F9FB"
ROW_RULES = {"total": (6, "1F3A5F"), "subtotal": (3, "D9DEE5")}
CELL_PADDING = Mm(4)  # left + right cell margin of "Proposals Table"
MIN_COLUMN = Mm(8)
GLYPH_EM = 0.55  # average glyph width of bold sans-serif text in em, on the safe side
LINE_BREAK = "\u2028"


def render_table(ctx, element, sink, scope: Scope, walk, sink_class) -> None:
    """Render ``<table>`` into ``sink``; ``walk`` renders a cell's children.
    Any table class is allowed (a styling hook for the PDF); only ``plain`` matters here."""
    _captions(ctx, element, sink, scope, walk)
    rows = [(tr, head, _cells(ctx, tr)) for tr, head in _rows(ctx, element)]
    declared = _declared_widths(ctx, element, scope.width)
    columns = max([sum(span for _, span in cells) for _, _, cells in rows] + [len(declared)])
    if not rows or columns == 0:
        return
    widths = fit_min_widths(resolve_widths(declared, columns, scope.width),
                            _min_widths(ctx, rows, columns))
    plain = "plain" in class_list(element)
    grid = [docx_oxml.to_twips(width) for width in widths]
    tbl = _new_table(ctx, sink, rows, grid, plain, any(w is not None for w in declared))
    page_break, ctx.pending_page_break = ctx.pending_page_break, False
    for tr, head, cells in rows:
        _render_row(ctx, tbl, tr, head, cells, widths, grid, plain, scope, walk, sink_class,
                    sink.part)
    if page_break:
        docx_oxml.paragraph_property(_first_paragraph(tbl), W.pageBreakBefore)
    if "keep-with-next" in class_list(element):
        _keep_last_rows_with_next(tbl)


def _keep_last_rows_with_next(tbl, count: int = 2) -> None:
    """``table.keep-with-next``: the last rows go with what follows (the price table's last
    line with the totals, never the totals alone), as the PDF's ``break-after: avoid``."""
    for tr in tbl.findall(W.tr)[-count:]:
        for paragraph in tr.iter(W.p):
            docx_oxml.paragraph_property(paragraph, W.keepNext)


def _new_table(ctx, sink, rows, grid: list[int], plain: bool, fixed: bool):
    tbl = sink.add_table()
    style = ctx.style_id("Proposals Plain Table" if plain else "Proposals Table", WD_STYLE_TYPE.TABLE)
    docx_table_oxml.start_table(tbl, style, grid, fixed, header_row=any(head for _, head, _ in rows))
    return tbl


def _first_paragraph(tbl):
    """The table's first paragraph: where a page break before the table goes."""
    first = tbl.find(W.tr).find(W.tc)[1]  # the block after the cell's w:tcPr
    return _first_paragraph(first) if first.tag == W.tbl else first


def _captions(ctx, element, sink, scope: Scope, walk) -> None:
    for caption in element.findall("caption"):
        ctx.report(f"unsupported element <caption> {where(caption)}, "
                   "rendered as a paragraph before the table")
        walk(ctx, caption, sink, scope.but(style="Caption", item=None))


# ----------------------------------------------------------------- structure
def _rows(ctx, element) -> list[tuple]:
    """``(tr, is_header)`` pairs: thead rows, body rows, then tfoot rows."""
    head, body, foot = [], [], []
    target = {"thead": head, "tbody": body, "tfoot": foot}
    for child in element:
        if child.tag in target:
            check_attributes(ctx, child)
            target[child.tag].extend(_row_elements(ctx, child))
        elif child.tag == "tr":
            body.append(child)
        elif isinstance(child.tag, str) and child.tag not in ("colgroup", "col", "caption"):
            ctx.report(f"unsupported element <{child.tag}> in <table> {where(child)}, omitted")
    return [(tr, True) for tr in head] + [(tr, False) for tr in body + foot]


def _row_elements(ctx, group) -> list:
    rows = []
    for child in group:
        if child.tag == "tr":
            rows.append(child)
        elif isinstance(child.tag, str):
            ctx.report(f"unsupported element <{child.tag}> in <{group.tag}> {where(child)}, "
                       "omitted")
    return rows


def _cells(ctx, tr) -> list[tuple]:
    """``(td_or_th, colspan)`` pairs of one row."""
    cells = []
    for child in tr:
        if child.tag in ("td", "th"):
            cells.append((child, _span(ctx, child)))
        elif isinstance(child.tag, str):
            ctx.report(f"unsupported element <{child.tag}> in <tr> {where(child)}, omitted")
    return cells


def _span(ctx, cell) -> int:
    if cell.get("rowspan", "1").strip() not in ("", "1"):
        ctx.report(f"unsupported attribute 'rowspan' on <{cell.tag}> {where(cell)}, "
                   "cell spans one row")
    try:
        return max(1, min(int(cell.get("colspan", "1")), 1000))
    except ValueError:
        ctx.report(f"invalid colspan on <{cell.tag}> {where(cell)}, 1 used")
        return 1


# -------------------------------------------------------------------- widths
def _declared_widths(ctx, element, available: int) -> list:
    """Width in EMU (or None) per column from ``<col>`` elements."""
    widths: list = []
    cols = element.findall("col") + element.findall("colgroup/col")
    for col in sorted(cols, key=lambda c: c.sourceline or 0):
        check_attributes(ctx, col)
        value = style_property(col.get("style"), "width") or col.get("width")
        width = css_length(value, available) if value else None
        widths.extend([width] * _col_span(col))
    return widths


def _col_span(col) -> int:
    try:
        return max(1, min(int(col.get("span", "1")), 1000))
    except ValueError:
        return 1


def resolve_widths(declared: list, columns: int, total: int) -> list[int]:
    """Column widths in EMU that add up to ``total``: declared widths are kept in
    proportion, undeclared columns share the rest (at least ``MIN_COLUMN``)."""
    declared = (declared + [None] * columns)[:columns]
    known = sum(w for w in declared if w is not None)
    unknown = declared.count(None)
    share = max((total - known) // unknown, MIN_COLUMN) if unknown else 0
    widths = [share if w is None else w for w in declared]
    scale = total / sum(widths) if sum(widths) else 1
    return [round(w * scale) for w in widths]


def fit_min_widths(widths: list[int], minimums: list[int]) -> list[int]:
    """Widen columns narrower than their content's longest word, taking the space
    from columns with room to spare -- what a browser's table layout does."""
    deficit = sum(max(m - w, 0) for w, m in zip(widths, minimums))
    slack = [max(w - m, 0) for w, m in zip(widths, minimums)]
    if deficit == 0 or sum(slack) < deficit:
        return widths
    ratio = deficit / sum(slack)
    return [m if m > w else round(w - s * ratio) for w, m, s in zip(widths, minimums, slack)]


def _min_widths(ctx, rows, columns: int) -> list[int]:
    """Per column, the narrowest width that breaks no word (no line of a ``num`` cell)."""
    em = ctx.font_size(CELL_STYLE)
    minimums = [0] * columns
    for _, _, cells in rows:
        column = 0
        for element, span in cells:
            if span == 1:
                minimums[column] = max(minimums[column], _min_width(element, em))
            column += span
    return minimums


def _min_width(element, em: int) -> int:
    text = "".join(_text_with_breaks(element))
    if "num" in class_list(element):  # numbers never wrap (CSS white-space: nowrap)
        units = [WHITESPACE.sub(" ", line).strip() for line in text.split(LINE_BREAK)]
    else:
        units = re.split(f"[ \t\n\r\f{LINE_BREAK}]+", text)
    longest = max((len(unit) for unit in units), default=0)
    return round(longest * em * GLYPH_EM) + CELL_PADDING if longest else 0


def _text_with_breaks(element):
    yield element.text or ""
    for child in element:
        if child.tag == "br":
            yield LINE_BREAK
        elif isinstance(child.tag, str) and child.tag not in OPAQUE_TAGS:
            yield from _text_with_breaks(child)
        yield child.tail or ""


# ---------------------------------------------------------------------- rows
def _render_row(ctx, tbl, tr, head, cells, widths, grid, plain, scope, walk, sink_class,
                part) -> None:
    """One ``<tr>``: a ``w:tr`` with a cell per ``<td>``/``<th>`` (spanning its colspan),
    then empty cells up to the table's column count."""
    check_attributes(ctx, tr)
    check_classes(ctx, tr, KNOWN_CLASSES["tr"])
    classes = class_list(tr)
    row = docx_table_oxml.add_row(tbl, head)
    fmt = scope.fmt.switched_on(bold=head or bool({"total", "grand", "group"} & set(classes)),
                                muted="muted" in classes)
    # a row both total and subtotal gets the subtotal rule (the last one set used to replace the first)
    rule = next((ROW_RULES[name] for name in reversed(ROW_RULES) if name in classes), None)
    fill = GROUP_SHADING if "group" in classes else None
    column = 0
    for element, span in cells:
        end = column + span
        tc, spare = docx_table_oxml.add_cell(row, _merged_width(grid[column:end]), span, rule, fill,
                                             no_right_margin=plain and end == len(grid))
        width = max(sum(widths[column:end]) - CELL_PADDING, MIN_COLUMN)
        _render_cell(ctx, element, tc, spare, Scope(style=CELL_STYLE, fmt=fmt, width=width, row_key=row),
                     walk, sink_class, part)
        column = end
    for index in range(column, len(grid)):
        _, spare = docx_table_oxml.add_cell(row, grid[index], top_rule=rule,
                                            no_right_margin=plain and index == len(grid) - 1)
        docx_oxml.set_paragraph_style(spare, ctx.style_id(CELL_STYLE))
    if "group" in classes:  # a group heading never stands alone at the foot of a page
        for tc in row.iterchildren(W.tc):
            for paragraph in tc.iterchildren(W.p):
                docx_oxml.paragraph_property(paragraph, W.keepNext)


def _merged_width(spanned: list[int]) -> int:
    """Width (twips) of a cell spanning grid columns of these widths: their sum, added
    up as python-docx's cell merge did (a 0 width adds nothing)."""
    total = spanned[0]
    for width in spanned[1:]:
        if total and width:
            total += width
    return total


def _render_cell(ctx, element, tc, spare, scope: Scope, walk, sink_class, part) -> None:
    check_attributes(ctx, element)
    check_classes(ctx, element, KNOWN_CLASSES["cell"])
    classes = class_list(element)
    align = next((CELL_ALIGN[c] for c in classes if c in CELL_ALIGN), None)
    fmt = scope.fmt.switched_on(bold=element.tag == "th", muted="muted" in classes)
    style = ctx.style_id(CELL_STYLE)
    sink = sink_class(tc, part, spare, style)
    walk(ctx, element, sink, scope.but(fmt=fmt, align=align))
    if sink.unused(spare):  # an empty cell: its paragraph is formatted as the cell's text would be
        docx_oxml.set_paragraph_style(spare, style)
        if align is not None:
            docx_oxml.set_alignment(spare, align)
