"""``proposals estimate DEAL``: how each work package's price came about, for the internal review.

Efforts, spreads, buffers, costs and margins are the seller's own: they are printed here
and written to the spreadsheet of ``--xlsx``, never into a customer document or quote.json.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Callable

import click

from ..money import format_money, format_number, total
from ..pricing.guardrails import margin
from ..pricing.quote import Quote, QuoteLine

WIDTH = 100


def show_estimate(workspace: Path, deal: Path, xlsx: Path | None, strict: bool, report: Callable[[list, bool], None]) -> None:
    """DEAL's work packages priced and printed (and written to ``xlsx``); then ``report(warnings, strict)``."""
    from ..input.loading import load_workspace
    from .deal import price_deal, quote_warnings

    if xlsx is not None and not xlsx.parent.is_dir():
        raise click.UsageError(f"--xlsx {xlsx}: no folder {xlsx.parent}")
    ws = load_workspace(workspace, [deal])
    loaded = ws.deals[0]
    priced = price_deal(ws, loaded)
    click.echo(render_estimate(priced, loaded.model.title), nl=False)
    if xlsx is not None:
        from .estimate_xlsx import write_workbook

        write_workbook(priced, loaded.model.title, xlsx)
        click.echo(f"wrote {xlsx}")
    report(ws.warnings + quote_warnings(loaded, priced), strict)


def package_lines(quote: Quote) -> list[QuoteLine]:
    return [line for line in quote.lines if line.estimate is not None]


def render_estimate(quote: Quote, title: str) -> str:
    """Each package: the roles' three points, expected effort, spread, rate, amount and cost; buffer,
    rounding, price, the line after its discount, cost and margin; the plan."""
    fmt = lambda amount: format_money(amount, quote.currency, quote.locale)  # noqa: E731
    num = lambda value: format_number(value, quote.locale) if value is not None else "-"  # noqa: E731
    out = [f"{quote.offer_number}-r{quote.revision}  {title}"[:WIDTH], "Estimate of the work packages (internal: never in customer documents or quote.json)", ""]
    lines = package_lines(quote)
    if not lines:
        return "\n".join(out + ["This deal has no work packages."]) + "\n"
    for line in lines:
        out += _package(line, fmt, num)
    net = total(l.net_amount for l in lines if l.kind == "firm")
    out.append(f"{'Work packages in the totals (net)':<{WIDTH - 20}}{fmt(net):>20}")
    costs = [l.cost for l in lines if l.kind == "firm"]
    if costs and None not in costs and net > 0:
        cost = total(costs)  # type: ignore[arg-type]
        out.append(f"{'Internal cost':<{WIDTH - 20}}{fmt(cost):>20}")
        out.append(f"{'Margin':<{WIDTH - 20}}{format(margin(net, cost).quantize(Decimal('0.1')), 'f'):>18} %")
    return "\n".join(out) + "\n"


def _package(line: QuoteLine, fmt, num) -> list[str]:
    est = line.estimate
    assert est is not None
    head = f"Pos {line.position}  {est.id or '-'}  {line.name}"
    rows = [head[:WIDTH], f"  {est.pricing.replace('_', ' ')}, quantity {num(line.quantity)}, efforts in {est.unit_plural}" + (" (optional)" if line.kind != "firm" else "")]
    rows.append(f"  {'Role':<22}{'Opt.':>7}{'Likely':>8}{'Pess.':>7}{'Expected':>9}{'Spread':>8}{'Rate':>13}{'Amount':>13}{'Cost':>13}")
    for r in est.roles:
        cost = fmt(r.cost) if r.cost is not None else "-"
        rows.append(f"  {r.name[:21]:<22}{num(r.optimistic):>7}{num(r.likely):>8}{num(r.pessimistic):>7}{num(r.expected):>9}{num(r.spread):>8}"
                    f"{fmt(r.rate):>13}{fmt(r.amount):>13}{cost:>13}")
    spread = est.spread_percent
    rows.append(_row("Effort x rates", fmt(est.effort_amount)))
    rows.append(_row(f"Risk buffer ({format_number(est.buffer_percent.quantize(Decimal('0.1')), 'en_GB')} %)" if est.buffer_percent is not None else "Risk buffer (none: time and material)", fmt(est.buffer)))
    rows.append(_row("Rounding", fmt(est.rounding)))
    rows.append(_row("Price per package" + (f", not to exceed {fmt(est.cap)}" if est.cap is not None else ""), fmt(est.price)))
    rows.append(_row(f"Line net amount (x {num(line.quantity)}, after discount and line adjustments)", fmt(line.net_amount)))
    if line.cost is not None:
        share = f"; margin {margin(line.net_amount, line.cost).quantize(Decimal('0.1'))} %" if line.net_amount > 0 else ""
        rows.append(_row(f"Internal cost{share}", fmt(line.cost)))
    rows.append(f"  Spread: {format_number(spread.quantize(Decimal('0.1')), 'en_GB') + ' % of effort x rates' if spread is not None else '-'}")
    if est.start is not None:
        after = f"; after {', '.join(est.depends_on)}" if est.depends_on else ""
        rows.append(f"  Plan: {est.start.isoformat()} to {est.end.isoformat()}, {est.working_days} working days{after}")  # type: ignore[union-attr]
    return rows + [""]


def _row(label: str, amount: str) -> str:
    return f"  {label[:WIDTH - 23]:<{WIDTH - 22}}{amount:>20}"
