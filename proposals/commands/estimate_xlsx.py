"""The estimate as a spreadsheet for the internal review (``proposals estimate DEAL --xlsx FILE``).

One sheet, one block per work package. The three points, rates and costs are values;
expected effort, spread, each role's amount, the buffer, the rounding step, the price per
package, the line's list amount (rounded to cents, as the offer rounds it) and the totals are
formulas, so a reviewer who changes an effort sees the price follow. The line's net amount
(after its discount and line adjustments) is a value from the Quote; the sums equal the
offer's. Numbers are written as their Decimal text (openpyxl would print them with
``"%.16g"``, through a float: 98.04 became 98.04000000000001). openpyxl is imported here
only, so the other commands do not load it.
"""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from ..pricing.quote import Quote, QuoteLine

HEADER = ("Pos", "Package", "Role", "Optimistic", "Likely", "Pessimistic", "Expected", "Spread", "Rate", "Amount", "Cost rate", "Cost")
MONEY = "#,##0.00"


def write_workbook(quote: Quote, title: str, path: Path) -> None:
    """Write the workbook to ``path`` (via a temporary file beside it, then renamed into place)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Estimate"
    sheet.append([f"{quote.offer_number}-r{quote.revision} {title}"])
    sheet.append([f"Estimate of the work packages in {quote.currency}: internal, never in customer documents"])
    sheet.append(list(HEADER))
    list_cells, net_cells = [], []
    for line in (l for l in quote.lines if l.estimate is not None):
        list_cell, net_cell = _package(sheet, line)
        if line.kind == "firm":
            list_cells.append(list_cell)
            net_cells.append(net_cell)
    row = sheet.max_row + 2
    _labelled(sheet, row, "Work packages in the totals: list amount", "=" + ("+".join(list_cells) or "0"))
    _labelled(sheet, row + 1, "Work packages in the totals: net amount", "=" + ("+".join(net_cells) or "0"))
    for column, width in zip("ABCDEFGHIJKL", (6, 34, 24, 11, 9, 11, 10, 9, 12, 14, 11, 14)):
        sheet.column_dimensions[column].width = width
    temporary = path.with_name(f".{path.name}.tmp")
    with _decimal_text():
        book.save(temporary)
    temporary.replace(path)


def _package(sheet, line: QuoteLine) -> tuple[str, str]:
    """One package's block; returns the cells of its list amount and of its net amount."""
    est = line.estimate
    assert est is not None
    sheet.append([line.position, line.name, f"{est.id or ''} {est.pricing.replace('_', ' ')}, efforts in {est.unit_plural}".strip()])
    first = sheet.max_row + 1
    for r in est.roles:
        n = sheet.max_row + 1
        three = r.optimistic is not None
        expected = f"=ROUND((D{n}+4*E{n}+F{n})/6,2)" if three else r.expected
        spread = f"=ROUND((F{n}-D{n})/6,2)" if three else 0
        cost = f"=G{n}*K{n}" if r.cost is not None else None
        sheet.append([None, None, r.name, r.optimistic, r.likely, r.pessimistic, expected, spread, r.rate, f"=ROUND(G{n}*I{n},2)", r.cost_rate, cost])
    last = sheet.max_row
    effort = _labelled(sheet, last + 1, "Effort x rates", f"=SUM(J{first}:J{last})")
    if est.pricing == "time_and_material":
        buffer_formula = 0
    elif est.buffer_rule_percent is not None:
        buffer_formula = f"=ROUND(J{last + 1}*{est.buffer_rule_percent}/100,2)"
    elif est.buffer_spreads is not None:
        buffer_formula = f"=ROUND({est.buffer_spreads}*SUMPRODUCT(H{first}:H{last},I{first}:I{last}),2)"
    else:
        buffer_formula = 0
    buffer = _labelled(sheet, last + 2, "Risk buffer", buffer_formula)
    if est.pricing == "fixed" and est.round_up_to is not None:  # up to the next multiple of the declared step
        total_ = f"ROUND({effort}+{buffer},2)"  # the sum in cents first: binary noise must not round up a whole step
        rounding_formula = f"=CEILING({total_},{_text(est.round_up_to)})-{effort}-{buffer}"
    elif est.pricing == "fixed":
        rounding_formula = f"=ROUND({effort}+{buffer},2)-{effort}-{buffer}"
    else:
        rounding_formula = 0
    rounding = _labelled(sheet, last + 3, "Rounding", rounding_formula)
    if est.pricing == "fixed":
        price = _labelled(sheet, last + 4, "Price per package", f"={effort}+{buffer}+{rounding}")
    else:  # billed at the rates; a capped package is not to exceed effort + buffer, rounded
        cap = f"; not to exceed {est.cap} per package" if est.cap is not None else ""
        price = _labelled(sheet, last + 4, f"Price per package (time and material{cap})", f"={effort}")
    _labelled(sheet, last + 5, "Quantity", line.quantity, money=False)
    list_cell = _labelled(sheet, last + 6, "List amount", f"=ROUND({price}*J{last + 5},2)")
    net_cell = _labelled(sheet, last + 7, "Net amount (after discount and line adjustments; value from the offer)", line.net_amount)
    if line.cost is not None:
        _labelled(sheet, last + 8, "Internal cost", f"=SUM(L{first}:L{last})*J{last + 5}")
    sheet.append([])
    return list_cell, net_cell


def _labelled(sheet, row: int, label: str, value, money: bool = True) -> str:
    sheet.cell(row=row, column=2, value=label)
    cell = sheet.cell(row=row, column=10, value=value)
    if money:
        cell.number_format = MONEY
    return f"J{row}"


def _text(value: Decimal) -> str:
    """A Decimal as plain digits (no exponent), exactly as it is."""
    return format(value, "f")


@contextmanager
def _decimal_text():
    """While saving, openpyxl writes a Decimal cell as its own text instead of ``"%.16g" % value``."""
    from openpyxl.cell import _writer

    original = _writer.safe_string
    _writer.safe_string = lambda value: _text(value) if isinstance(value, Decimal) else original(value)
    try:
        yield
    finally:
        _writer.safe_string = original
