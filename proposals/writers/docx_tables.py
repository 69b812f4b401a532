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
"""

from __future__ import annotations

import re
from dataclasses import replace

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Emu, Mm
from docx.table import Table

from proposals.writers import docx_oxml
from proposals.writers.docx_context import (KNOWN_CLASSES, OPAQUE_TAGS, Scope,
                                            check_attributes, check_classes, class_list, where)
from proposals.writers.docx_images import css_length, style_property
from proposals.writers.docx_inline import WHITESPACE

CELL_STYLE = "Table Text"
CELL_ALIGN = {"num": WD_ALIGN_PARAGRAPH.RIGHT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
              "logo-cell": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
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
    table = _new_table(ctx, sink, rows, widths, plain, any(w is not None for w in declared))
    page_break, ctx.pending_page_break = ctx.pending_page_break, False
    for row, (tr, head, cells) in zip(table.rows, rows):
        _render_row(ctx, row, tr, head, cells, widths, scope, walk, sink_class)
        if plain:  # right-aligned text in the last column ends exactly at the margin
            docx_oxml.set_cell_margin(row.cells[-1], "right", 0)
    if page_break:
        _first_paragraph(table).paragraph_format.page_break_before = True


def _new_table(ctx, sink, rows, widths: list[int], plain: bool, fixed: bool):
    table = sink.add_table(len(rows), len(widths))
    ctx.apply_style(table, ctx.style("Proposals Plain Table" if plain else "Proposals Table",
                                     WD_STYLE_TYPE.TABLE))
    _apply_widths(table, widths, fixed)
    docx_oxml.set_table_width_pct(table, 100)
    docx_oxml.set_table_look(table, first_row=any(head for _, head, _ in rows))
    return table


def _first_paragraph(table):
    """The table's first paragraph: where a page break before the table goes."""
    first = next(table.rows[0].cells[0].iter_inner_content())
    return _first_paragraph(first) if isinstance(first, Table) else first


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


def _apply_widths(table, widths: list[int], fixed: bool) -> None:
    table.autofit = not fixed
    for column, width in zip(table.columns, widths):
        column.width = Emu(width)
    for row in table.rows:
        for cell, width in zip(_fresh_cells(row), widths):
            cell.width = Emu(width)


# ---------------------------------------------------------------------- rows
def _row_classes(ctx, row, tr, head: bool) -> list[str]:
    """Check the ``<tr>`` and set the row flags: never split, repeat if in thead."""
    check_attributes(ctx, tr)
    check_classes(ctx, tr, KNOWN_CLASSES["tr"])
    docx_oxml.set_cant_split(row)
    if head:
        docx_oxml.set_repeat_header(row)
    return class_list(tr)


def _fresh_cells(row) -> list:
    """The cells of a row nothing has merged yet: one per ``<w:tc>`` (python-docx's
    ``row.cells`` works out spans and vertical merges for every call)."""
    from docx.table import _Cell

    return [_Cell(tc, row.table) for tc in row._tr.tc_lst]


def _render_row(ctx, row, tr, head, cells, widths, scope, walk, sink_class) -> None:
    classes = _row_classes(ctx, row, tr, head)
    fmt = replace(scope.fmt, bold=scope.fmt.bold or head or bool({"total", "grand", "group"} & set(classes)),
                  muted=scope.fmt.muted or "muted" in classes)
    row_scope = Scope(style=CELL_STYLE, fmt=fmt, row_key=row._tr)
    grid, column = _fresh_cells(row), 0
    for element, span in cells:
        cell = grid[column].merge(grid[column + span - 1]) if span > 1 else grid[column]
        width = sum(widths[column:column + span]) - CELL_PADDING
        _render_cell(ctx, element, cell, row_scope.but(width=max(width, MIN_COLUMN)), walk,
                     sink_class)
        _rule_above(cell, classes)
        if "group" in classes:
            docx_oxml.set_cell_shading(cell._tc.get_or_add_tcPr(), GROUP_SHADING)
        column += span
    for cell in grid[column:]:
        ctx.apply_style(cell.paragraphs[0], ctx.style(CELL_STYLE))
        _rule_above(cell, classes)
    if "group" in classes:  # a group heading never stands alone at the foot of a page
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _render_cell(ctx, element, cell, scope: Scope, walk, sink_class) -> None:
    check_attributes(ctx, element)
    check_classes(ctx, element, KNOWN_CLASSES["cell"])
    classes = class_list(element)
    align = next((CELL_ALIGN[c] for c in classes if c in CELL_ALIGN), None)
    fmt = replace(scope.fmt, bold=scope.fmt.bold or element.tag == "th",
                  muted=scope.fmt.muted or "muted" in classes)
    spare = cell.paragraphs[0]
    ctx.apply_style(spare, ctx.style(CELL_STYLE))
    spare.alignment = align
    walk(ctx, element, sink_class(cell, spare, ctx.style(CELL_STYLE)),
         scope.but(fmt=fmt, align=align))


def _rule_above(cell, classes: list[str]) -> None:
    for name, (size, color) in ROW_RULES.items():
        if name in classes:
            docx_oxml.set_cell_top_border(cell, size, color)
