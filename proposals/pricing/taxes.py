"""Document-level allowances and charges, the VAT breakdown, the totals, and the invariants.

VAT policy (EN 16931)
---------------------
* Every line, allowance and charge belongs to one VAT category and rate
  (BT-151/152, BT-95/96, BT-102/103). A percentage allowance or charge on
  the document is split into one part per category and per one-off/recurring
  share of the lines, each rounded, so each part carries the right VAT and
  the schedule of the one-off part is reduced by its own share only.
* Taxable amount per category and rate = lines + charges - allowances.
* ``per_category`` (default, the standard's way): tax = round(taxable x rate).
  ``per_line`` (as some ERPs do): the rounded tax of each line and part, summed.
* Prepaid amounts (BT-113) reduce the amount payable; payable rounding
  (BT-114, cash rounding such as CHF to 0.05) is shown as its own amount.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from ..errors import InvariantViolation
from ..input.model import AllowanceCharge, Deal, SellerProfile, Service, TaxCategory
from ..money import minor_unit, percent_of, round_money, total
from .issues import PricingIssue
from .quote import AllowanceChargePart, AllowanceScope, DocumentAllowanceCharge, Quote, QuoteLine, Totals, VatBreakdown

ZERO = Decimal(0)
DEFAULT_PAYABLE_ROUNDING = {"CHF": Decimal("0.05"), "SEK": Decimal("1")}

TaxKey = tuple[str, str, Decimal]  # category id, code, rate


def document_allowances_charges(deal: Deal, firm: list[QuoteLine], seller: SellerProfile, currency: str,
                                services: dict[str, Service]) -> tuple[DocumentAllowanceCharge, ...]:
    """The deal's document allowances and charges; a percentage is taken of the firm lines in its scope.

    ``services`` give each line's catalog category, which a ``categories`` scope names (the line's own
    ``category`` is the printed one, perhaps a translation)."""
    result = []
    for index, ac in enumerate(deal.allowances_charges):
        scope = None
        if ac.percent is not None:
            lines = [line for line in firm if _in_scope(ac, line, services)]
            base = total(line.net_amount for line in lines)
            parts = _percent_parts(ac.percent, _buckets(lines), base, currency)
            if ac.applies_to or ac.categories or ac.skus:
                scope = _scope(ac, lines, services)
                if base < 0:
                    raise _issue(f"allowances_charges[{index}]", f"the firm lines in the percentage's scope add up to {base}, below zero (credit lines); a percentage needs a base of more than zero")
        else:
            parts = (_fixed_part(ac, deal, seller, currency),)
            base = None
        amount = total(p.amount for p in parts)
        if not amount:
            continue  # EN 16931 allows 0.00; it changes nothing, so it is neither printed nor kept
        result.append(DocumentAllowanceCharge(ac.kind, ac.reason, amount, ac.percent, base, parts, index, scope))
    return tuple(result)


def _in_scope(ac: AllowanceCharge, line: QuoteLine, services: dict[str, Service]) -> bool:
    """A line is in a percentage's base if it matches every limit given (none given: every line)."""
    if ac.applies_to is not None and line.recurring != (ac.applies_to == "recurring"):
        return False
    if ac.categories and services[line.sku].category not in ac.categories:
        return False
    return not ac.skus or line.sku in ac.skus


def _scope(ac: AllowanceCharge, lines: list[QuoteLine], services: dict[str, Service]) -> AllowanceScope:
    names = {}
    for line in lines:
        names.setdefault(services[line.sku].category, line.category)
    printed = tuple(dict.fromkeys(names[c] for c in ac.categories if c in names))
    return AllowanceScope(ac.applies_to, tuple(ac.categories), tuple(ac.skus), tuple(line.position for line in lines), printed)


def _buckets(lines: list[QuoteLine]) -> dict[tuple[TaxKey, bool], Decimal]:
    buckets: dict[tuple[TaxKey, bool], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        buckets[((line.tax_category, line.tax_code, line.tax_rate), line.recurring)] += line.net_amount
    return buckets


def _percent_parts(percent: Decimal, buckets: dict, line_total: Decimal, currency: str) -> tuple[AllowanceChargePart, ...]:
    """Split round(base x percent) over the VAT/recurring buckets of the base's lines by largest remainder.

    ``line_total`` is the base: the net total of every firm line, or of those in the scope. The
    printed allowance is then exactly the percentage of the printed base, and its parts still add up to it.
    """
    keys = [k for k, base in sorted(buckets.items(), key=lambda kv: (kv[0][1], kv[0][0][1], -kv[0][0][2])) if base]
    exact = {k: percent_of(buckets[k], percent) for k in keys}
    rounded = {k: round_money(v, currency) for k, v in exact.items()}
    target = round_money(percent_of(line_total, percent), currency)
    unit = Decimal(1).scaleb(-minor_unit(currency))
    # Equivalent mutants: ">=" for ">" (when the sum already meets the target the loop breaks before
    # the first step), and "/ step" for "* step" in the sort key (step is +-unit: same sign, same order).
    step = unit if target > total(rounded.values()) else -unit
    for key in sorted(keys, key=lambda k: -(exact[k] - rounded[k]) * step):
        if total(rounded.values()) == target:
            break
        rounded[key] += step
    return tuple(AllowanceChargePart(k[0][0], k[0][1], k[0][2], k[1], buckets[k], rounded[k]) for k in keys)


def _fixed_part(ac, deal: Deal, seller: SellerProfile, currency: str) -> AllowanceChargePart:
    """A fixed amount in its own tax category, which no line needs to have (EN 16931 BR-E-08, BR-Z-08 ...:
    the "cash discount neutralised" charge in category E gets its own VAT row)."""
    tax = tax_category_for(ac.tax_category, deal, seller)
    return AllowanceChargePart(tax.id, tax.code, tax.rate, ac.applies_to == "recurring", None, round_money(ac.amount, currency))


def totals_and_vat(deal: Deal, firm: list[QuoteLine], acs: tuple[DocumentAllowanceCharge, ...], seller: SellerProfile, currency: str):
    """Totals, VAT breakdown, one-off net and recurring net of a priced deal."""
    vat = vat_breakdown(firm, acs, seller, currency)
    line_net = total(line.net_amount for line in firm)
    allowances = total(a.amount for a in acs if a.kind == "allowance")
    charges = total(a.amount for a in acs if a.kind == "charge")
    exclusive = line_net - allowances + charges
    tax = total(v.tax_amount for v in vat)
    if exclusive < 0:
        raise _issue("allowances_charges", f"the offer's net total would be negative ({exclusive}); credits and allowances exceed the order")
    _no_negative_part(firm, acs, vat)
    prepaid = round_money(deal.terms.payment.prepaid, currency)
    if prepaid > exclusive + tax:
        raise _issue("terms.payment.prepaid", f"more was paid ({prepaid}) than the offer's total ({exclusive + tax})")
    due = exclusive + tax - prepaid
    payable = cash_round(due, seller.payable_rounding.get(currency) or DEFAULT_PAYABLE_ROUNDING.get(currency))
    money = lambda amount: round_money(amount, currency)  # noqa: E731 - exact already; fixes the exponent of sums like 0
    totals = Totals(*(money(a) for a in (line_net, allowances, charges, exclusive, tax, exclusive + tax, prepaid, payable - due, payable)))
    recurring = total(l.net_amount for l in firm if l.recurring)
    recurring += total(_signed(a, p) for a in acs for p in a.parts if p.recurring)
    return totals, vat, money(exclusive - recurring), money(recurring)


def _no_negative_part(firm: list[QuoteLine], acs: tuple[DocumentAllowanceCharge, ...], vat: tuple[VatBreakdown, ...]) -> None:
    """An allowance may not take a VAT category, or the one-off or recurring part, below zero: an offer has no negative tax base."""
    taxable = {(v.category, v.rate): v.taxable_amount for v in vat}
    side = {recurring: total(l.net_amount for l in firm if l.recurring == recurring) for recurring in (False, True)}
    for ac in acs:
        for p in ac.parts:
            side[p.recurring] += _signed(ac, p)
    for ac in acs:
        for p in ac.parts if ac.kind == "allowance" else ():
            where = f"allowances_charges[{ac.source_index}]"
            if taxable[(p.tax_code, p.tax_rate)] < 0:
                raise _issue(where, f"the allowance takes the taxable amount of tax category {p.tax_category} below zero ({taxable[(p.tax_code, p.tax_rate)]})")
            if side[p.recurring] < 0:
                raise _issue(where, f"the allowance takes the {'recurring' if p.recurring else 'one-off'} part of the offer below zero ({side[p.recurring]})")


def _issue(field: str, message: str):
    return PricingIssue(field, message)


def _signed(ac: DocumentAllowanceCharge, part: AllowanceChargePart) -> Decimal:
    return -part.amount if ac.kind == "allowance" else part.amount


def cash_round(amount: Decimal, increment: Decimal | None) -> Decimal:
    """Round to a multiple of ``increment`` (half up); unchanged without one."""
    if increment is None:
        return amount
    # Equivalent mutant: Decimal(2) for Decimal(1), quantize() uses only the exponent.
    return (amount / increment).quantize(Decimal(1), rounding=ROUND_HALF_UP) * increment


def vat_breakdown(firm: list[QuoteLine], acs: tuple[DocumentAllowanceCharge, ...], seller: SellerProfile, currency: str) -> tuple[VatBreakdown, ...]:
    taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    per_line_tax: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    reasons: dict[tuple[str, Decimal], str | None] = {}
    entries = [(l.tax_code, l.tax_rate, l.tax_category, l.net_amount) for l in firm]
    entries += [(p.tax_code, p.tax_rate, p.tax_category, _signed(a, p)) for a in acs for p in a.parts]
    for code, rate, category_id, amount in entries:
        key = (code, rate)
        taxable[key] += amount
        per_line_tax[key] += round_money(percent_of(amount, rate), currency)
        reasons.setdefault(key, seller.tax_category(category_id).exemption_reason)  # type: ignore[union-attr]
    per_line = seller.tax_rounding == "per_line"

    def tax_of(key: tuple[str, Decimal]) -> Decimal:
        return per_line_tax[key] if per_line else round_money(percent_of(taxable[key], key[1]), currency)

    order = sorted(taxable, key=lambda k: (k[0] != "S", k[0], -k[1]))
    return tuple(VatBreakdown(code, rate, taxable[(code, rate)], tax_of((code, rate)), reasons[(code, rate)]) for code, rate in order)


def invariants(quote: Quote) -> None:
    """Everything printed adds up; a violation is a bug in proposals, never user error."""
    t = quote.totals
    firm = quote.firm_lines
    _expect(total(l.net_amount for l in firm) == t.line_net_total, "lines do not sum to the line net total")
    for line in quote.lines:
        _expect(total(s.amount for s in line.waterfall) == line.net_amount, f"waterfall of line {line.position}")
    for ac in quote.allowances_charges:
        _expect(total(p.amount for p in ac.parts) == ac.amount, f"parts of {ac.reason}")
    _expect(t.line_net_total - t.allowance_total + t.charge_total == t.tax_exclusive_total, "tax exclusive total")
    _expect(total(v.taxable_amount for v in quote.vat_breakdown) == t.tax_exclusive_total, "VAT taxable amounts")
    _expect(total(v.tax_amount for v in quote.vat_breakdown) == t.tax_total, "VAT breakdown does not sum to the tax total")
    _expect(t.tax_exclusive_total + t.tax_total == t.tax_inclusive_total, "tax inclusive total")
    _expect(t.tax_inclusive_total - t.prepaid + t.rounding == t.payable, "payable")
    _expect(quote.one_off_net + quote.recurring_net == t.tax_exclusive_total, "one-off and recurring parts")
    if quote.schedule:
        _expect(total(i.amount for i in quote.schedule) == quote.one_off_net, "schedule does not sum to the one-off total")


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise InvariantViolation(f"pricing invariant violated: {what}")


def tax_category_for(category_id: str, deal: Deal, seller: SellerProfile) -> TaxCategory:
    """The seller's tax category; reverse-charge deals move standard-rated (S) ones to AE, outside-scope deals to O."""
    category = seller.tax_category(category_id)
    assert category is not None  # cross-checks guarantee it
    target = "AE" if deal.reverse_charge else "O" if deal.outside_scope else None
    if target and category.code == "S":
        return next(t for t in seller.tax_categories if t.code == target)
    return category
