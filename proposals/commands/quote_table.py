"""The priced deal as an aligned terminal table (``proposals quote``), at most 100 columns."""

from __future__ import annotations

from decimal import Decimal

from ..money import format_money, format_number, format_price
from ..pricing.quote import AllowanceScope, Quote, QuoteLine

WIDTH = 100
NAME = 44


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_table(quote: Quote, title: str) -> str:
    """The quote for a salesperson's terminal: lines, tiers, totals, VAT, schedule, findings."""
    fmt = lambda amount: format_money(amount, quote.currency, quote.locale)  # noqa: E731
    out = [_cut(f"{quote.offer_number}-r{quote.revision}  {title}", WIDTH), f"{quote.date.isoformat()}, valid until {quote.valid_until.isoformat()}, {quote.currency}, {quote.locale}", ""]
    header = f"{'Pos':>3}  {'Item':<{NAME}} {'Qty':>10} {'Unit price':>14} {'Disc':>6} {'Amount':>16}"
    out += [header, "-" * len(header)]
    for line in quote.lines:
        out += _line_rows(line, quote, fmt)
    out.append("-" * len(header))
    t = quote.totals
    rows = [("Line net total (BT-106)", t.line_net_total)]
    for a in quote.allowances_charges:
        rows.append((_cut(f"{'Allowance' if a.kind == 'allowance' else 'Charge'}: {a.reason}", 60), a.signed))
        if a.scope is not None:
            rows.append((_cut(f"  {format_number(a.percent, quote.locale, 2)} % of {fmt(a.base)}: {_scope(a.scope)}", WIDTH - 20), None))
    rows += [("Tax exclusive total (BT-109)", t.tax_exclusive_total)]
    rows += [(f"VAT {v.category} {format_number(v.rate, quote.locale, 2)} % on {fmt(v.taxable_amount)}", v.tax_amount) for v in quote.vat_breakdown]
    rows += [("Tax inclusive total (BT-112)", t.tax_inclusive_total)]
    if t.prepaid:
        rows.append(("Prepaid (BT-113)", -t.prepaid))
    if t.rounding:
        rows.append(("Rounding (BT-114)", t.rounding))
    rows.append(("Payable (BT-115)", t.payable))
    if quote.recurring_net:
        rows += [("", None), ("Net total split: one-off part", quote.one_off_net), ("Net total split: recurring over the terms", quote.recurring_net)]
    out += [f"{label:<{WIDTH - 20}}{fmt(amount):>20}" if amount is not None else label for label, amount in rows]
    if quote.accounting_vat:
        a = quote.accounting_vat
        out.append(f"{f'VAT total in {a.currency} (BT-111), 1 {a.pair[:3]} = {a.rate} {a.pair[4:]}':<{WIDTH - 20}}{format_money(a.tax_total, a.currency, quote.locale):>20}")
    for c in quote.conversions:
        items = ", ".join(str(p) for p in c.positions)
        out += [_cut(f"Items {items} converted from {c.from_currency} at 1 {c.pair[:3]} = {c.rate} {c.pair[4:]}", WIDTH), _cut(f"  rate of {c.date.isoformat()}: {c.source}", WIDTH)]
    out += _schedule(quote, fmt) + _findings(quote)
    return "\n".join(out) + "\n"


def _scope(scope: AllowanceScope) -> str:
    """The base of a scoped percentage for the salesperson: the limits as the deal gives them, and the lines found."""
    limits = [scope.part.replace("_", "-")] if scope.part else []
    limits += [f"category {', '.join(scope.categories)}"] if scope.categories else []
    limits += [f"SKU {', '.join(scope.skus)}"] if scope.skus else []
    return f"{', '.join(limits)} (pos. {', '.join(str(p) for p in scope.positions)})"


def _line_rows(line: QuoteLine, quote: Quote, fmt) -> list[str]:
    mark = {"firm": "", "optional": " (optional)", "alternative": f" (alt. to {line.alternative_to})"}[line.kind]
    qty = format_number(line.quantity, quote.locale)
    disc = f"{format_number(line.discount_percent, quote.locale, 2)}%" if line.discount_percent else ""
    amount = fmt(line.net_amount) if line.kind == "firm" else f"({fmt(line.net_amount)})"
    price = lambda amount: format_price(amount, quote.currency, quote.locale)  # noqa: E731 - every decimal the price has
    unit = "tiers" if line.pricing == "graduated" and len(line.tiers) > 1 else price(line.unit_price)  # as the offer prints it
    rows = [f"{line.position:>3}  {_cut(line.name + mark, NAME):<{NAME}} {qty:>10} {unit:>14} {disc:>6} {amount:>16}"]
    detail = f"{line.sku}, {line.unit}, {line.tax_code} {format_number(line.tax_rate, quote.locale, 2)} %"
    if line.recurring:
        detail += f"; {fmt(line.period_amount)} per {'month' if line.billing == 'monthly' else 'year'} x {line.periods}, first year {fmt(line.first_year_amount)}"
    rows.append("     " + _cut(detail, WIDTH - 5))
    if len(line.tiers) > 1 or (line.tiers and line.tiers[0].quantity != line.quantity):
        rows += ["     tier: " + _cut(f"{format_number(s.quantity, quote.locale)} x {price(s.unit_price)} = {fmt(s.amount)}", WIDTH - 11) for s in line.tiers]
    if line.estimate is not None:  # a work package's build-up (internal; proposals estimate shows all of it)
        rows += ["     " + _cut(f"{s.kind}: {s.label} = {fmt(s.amount)}", WIDTH - 5) for s in line.estimate.steps]
    if line.delta is not None:
        rows.append(f"     delta against the offer: {'+' if line.delta >= 0 else '-'}{fmt(abs(line.delta))}")
    return rows


def _schedule(quote: Quote, fmt) -> list[str]:
    if not quote.schedule:
        return []
    rows = ["", f"Payment schedule (one-off part, net; payable within {quote.payment_days} days)"]
    for i in quote.schedule:
        share = f"{format_number(i.percent, quote.locale, 2)} %" if i.percent is not None else "fixed"
        due = i.due.isoformat() if i.due else ""
        rows.append(f"  {_cut(i.name, 46):<46} {share:>9} {due:>12} {fmt(i.amount):>20}")
    return rows


def _findings(quote: Quote) -> list[str]:
    if not quote.findings:
        return []
    rows = ["", "Guardrail findings (internal)"]
    for f in quote.findings:
        rows += ["  " + _cut(f.message, WIDTH - 2), "    " + _cut(f"[{f.rule}]", WIDTH - 4)]
    if quote.margin_percent is not None:
        rows.append(f"  total margin {quote.margin_percent.quantize(Decimal('0.1'))} %")
    return rows
