"""What changed between two revisions of a deal, and the rules for issued revisions.

:func:`compare` is pure: two priced deals in, a :class:`Changes` out (lines
added, removed and changed, totals with their deltas, schedule, terms,
clauses). ``proposals diff`` prints it, ``--json`` serialises it, and an offer
whose deal names its ``previous_revision`` gets a "changes since" page from it.

Reconciliation: every changed line carries its effect on the net total (its
amount counted in the total before and now: a firm line's net amount, nothing
for an optional or alternative one), every document allowance or charge whose
amount moved is a row of its own, and the effects add up to the change of the
net total to the cent (``line_net_total - allowances + charges`` on both
sides); :func:`compare` refuses to return changes that do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..input.model import Deal
from ..pricing.quote import Quote, QuoteLine
from .deal import price_deal
from ..input.loading import Loaded, Workspace

LINE_FIELDS = ("quantity", "unit_price", "discount_percent", "periods", "net_amount", "kind")
TOTALS = ("line_net_total", "allowance_total", "charge_total", "tax_exclusive_total", "tax_total", "payable")
# The documents' own words for the totals (keys of the built-in vocabulary), so a diff reads like the offer.
TOTAL_WORDS = {"line_net_total": "line_net_total", "allowance_total": "allowances_total", "charge_total": "charges_total",
               "tax_exclusive_total": "net_total", "tax_total": "vat", "payable": "payable"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class LineChange:
    """A line of the offer that was added, removed or changed (matched by SKU, role and kind)."""

    change: str  # added, removed, changed
    sku: str
    name: str
    old_amount: Decimal | None
    new_amount: Decimal | None
    fields: tuple[FieldChange, ...] = ()
    old_counted: Decimal | None = None  # the amount counted in the net total before (None: not in it)
    new_counted: Decimal | None = None

    @property
    def delta(self) -> Decimal:
        return (self.new_amount or Decimal(0)) - (self.old_amount or Decimal(0))

    @property
    def effect(self) -> Decimal:
        """What the change did to the net total."""
        return (self.new_counted or Decimal(0)) - (self.old_counted or Decimal(0))


@dataclass(frozen=True)
class AllowanceChange:
    """A document allowance or charge whose amount moved (signed: an allowance is negative)."""

    change: str  # added, removed, changed
    kind: str    # allowance, charge
    reason: str
    old: Decimal | None
    new: Decimal | None

    @property
    def effect(self) -> Decimal:
        return (self.new or Decimal(0)) - (self.old or Decimal(0))


@dataclass(frozen=True)
class TotalChange:
    name: str
    old: Decimal
    new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.new - self.old


@dataclass
class Changes:
    """Everything that differs between two revisions."""

    offer_number: str
    old_revision: int
    new_revision: int
    currency: str
    lines: list[LineChange] = field(default_factory=list)
    allowances: list[AllowanceChange] = field(default_factory=list)
    totals: list[TotalChange] = field(default_factory=list)
    schedule: list[FieldChange] = field(default_factory=list)
    terms: list[FieldChange] = field(default_factory=list)
    clauses_added: list[str] = field(default_factory=list)
    clauses_removed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.lines or self.allowances or self.totals or self.schedule or self.terms or self.clauses_added or self.clauses_removed)


def _key(line: QuoteLine) -> tuple:
    """Lines match by SKU and role; a firm line that became optional is a change, not two."""
    return (line.sku, line.role or "", line.alternative_to or "")


def _keyed(quote: Quote) -> dict[tuple, QuoteLine]:
    found: dict[tuple, QuoteLine] = {}
    for line in quote.lines:
        key, n = _key(line), 1
        while key + (n,) in found:
            n += 1
        found[key + (n,)] = line
    return found


def compare(old_deal: Deal, old: Quote, new_deal: Deal, new: Quote, old_clauses: list[str] | None = None, new_clauses: list[str] | None = None) -> Changes:
    changes = Changes(new.offer_number, old.revision, new.revision, new.currency)
    changes.lines = _lines(old, new)
    changes.allowances = _allowances(old, new)
    changes.totals = [TotalChange(name, getattr(old.totals, name), getattr(new.totals, name)) for name in TOTALS if getattr(old.totals, name) != getattr(new.totals, name)]
    changes.schedule = _schedule(old, new)
    changes.terms = _terms(old_deal, old, new_deal, new)
    if old_clauses is not None and new_clauses is not None:
        changes.clauses_added = [c for c in new_clauses if c not in old_clauses]
        changes.clauses_removed = [c for c in old_clauses if c not in new_clauses]
    _reconcile(changes, new.totals.tax_exclusive_total - old.totals.tax_exclusive_total)
    return changes


def _reconcile(changes: Changes, net_delta: Decimal) -> None:
    """The rows' effects add up to the change of the net total, or this is a bug."""
    rows = sum((row.effect for row in [*changes.lines, *changes.allowances]), Decimal(0))
    if rows != net_delta:
        raise RuntimeError(f"changes of {changes.offer_number} do not reconcile: rows {rows}, net total {net_delta}")


def _counted(line: QuoteLine) -> Decimal | None:
    return line.net_amount if line.kind == "firm" else None


def _allowances(old: Quote, new: Quote) -> list[AllowanceChange]:
    """Document allowances and charges matched by kind and reason (and order among equals)."""
    def keyed(quote: Quote) -> dict[tuple, Decimal]:
        found: dict[tuple, Decimal] = {}
        for ac in quote.allowances_charges:
            key, n = (ac.kind, ac.reason), 1
            while key + (n,) in found:
                n += 1
            found[key + (n,)] = ac.signed
        return found

    before, after = keyed(old), keyed(new)
    out = []
    for key in dict.fromkeys([*after, *before]):
        was, now = before.get(key), after.get(key)
        if was != now:
            change = "added" if was is None else "removed" if now is None else "changed"
            out.append(AllowanceChange(change, key[0], key[1], was, now))
    return out


def _lines(old: Quote, new: Quote) -> list[LineChange]:
    before, after = _keyed(old), _keyed(new)
    out = []
    for key, line in after.items():
        if key not in before:
            out.append(LineChange("added", line.sku, line.name, None, line.net_amount, (), None, _counted(line)))
            continue
        was = before[key]
        fields = tuple(FieldChange(f, getattr(was, f), getattr(line, f)) for f in LINE_FIELDS if getattr(was, f) != getattr(line, f))
        if fields:
            out.append(LineChange("changed", line.sku, line.name, was.net_amount, line.net_amount, fields, _counted(was), _counted(line)))
    out += [LineChange("removed", line.sku, line.name, line.net_amount, None, (), _counted(line), None)
            for key, line in before.items() if key not in after]
    return out


def _schedule(old: Quote, new: Quote) -> list[FieldChange]:
    """One change per instalment (matched by name) whose amount or due date moved."""
    before = {i.name: i for i in old.schedule}
    after = {i.name: i for i in new.schedule}
    out = []
    for name in list(dict.fromkeys([*before, *after])):
        a, b = before.get(name), after.get(name)
        if a is None or b is None or (a.amount, a.due) != (b.amount, b.due):
            out.append(FieldChange(f"instalment {name}", a.amount if a else None, b.amount if b else None))
    return out


def _terms(old_deal: Deal, old: Quote, new_deal: Deal, new: Quote) -> list[FieldChange]:
    pairs = {
        "payment days": (old.payment_days, new.payment_days),
        "early-payment discount": ((old.early_payment_percent, old.early_payment_days), (new.early_payment_percent, new.early_payment_days)),
        "valid until": (old.valid_until, new.valid_until),
        "delivery period": ((old_deal.terms.delivery.start, old_deal.terms.delivery.end), (new_deal.terms.delivery.start, new_deal.terms.delivery.end)),
        "place of performance": (old_deal.terms.delivery.place, new_deal.terms.delivery.place),
        # as planned: a date a work package derives counts like one the deal fixes
        "delivery milestones": ([(m.id, m.date) for m in old.milestones], [(m.id, m.date) for m in new.milestones]),
        "acceptance period (working days)": (old_deal.terms.acceptance.days, new_deal.terms.acceptance.days),
    }
    out = [FieldChange(name, a, b) for name, (a, b) in pairs.items() if a != b]
    # One readable entry per clause whose deviation was added, dropped or changed (replace, amend, strike).
    was = {d.clause: (d.action, d.text) for d in old_deal.contract.deviations}
    now = {d.clause: (d.action, d.text) for d in new_deal.contract.deviations}
    for clause in dict.fromkeys([*was, *now]):
        if was.get(clause) != now.get(clause):
            old_action, new_action = (was.get(clause) or (None,))[0], (now.get(clause) or (None,))[0]
            same = old_action == new_action
            out.append(FieldChange(f"deviation of clause {clause}", f"{old_action} (other wording)" if same else old_action, new_action))
    return out


def as_data(changes: Changes) -> dict[str, Any]:
    """JSON-ready; money and numbers as strings."""

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return format(value, "f")
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    return {
        "schema": "proposals.diff/1",
        "offer_number": changes.offer_number,
        "from_revision": changes.old_revision,
        "to_revision": changes.new_revision,
        "currency": changes.currency,
        "lines": [
            {"change": l.change, "sku": l.sku, "name": l.name, "old_amount": plain(l.old_amount), "new_amount": plain(l.new_amount), "delta": plain(l.delta),
             "effect_on_net_total": plain(l.effect), "fields": [{"field": f.field, "old": plain(f.old), "new": plain(f.new)} for f in l.fields]}
            for l in changes.lines
        ],
        "allowances_charges": [{"change": a.change, "kind": a.kind, "reason": a.reason, "old": plain(a.old), "new": plain(a.new),
                                "effect_on_net_total": plain(a.effect)} for a in changes.allowances],
        "totals": [{"name": t.name, "old": plain(t.old), "new": plain(t.new), "delta": plain(t.delta)} for t in changes.totals],
        "schedule": [{"instalment": f.field.removeprefix("instalment "), "old": plain(f.old), "new": plain(f.new)} for f in changes.schedule],
        "terms": [{"term": f.field, "old": plain(f.old), "new": plain(f.new)} for f in changes.terms],
        "clauses_added": changes.clauses_added,
        "clauses_removed": changes.clauses_removed,
    }


def render_text(changes: Changes, locale: str, workspace_templates=None) -> str:
    """The changes for a terminal: one line per change, money in the deal's locale, totals in the documents' words."""
    from ..documents.labels import load_labels
    from ..money import format_money

    words, _ = load_labels(locale, workspace_templates)

    fmt = lambda amount: format_money(amount, changes.currency, locale) if amount is not None else "–"  # noqa: E731
    signed = lambda amount: ("+" if amount >= 0 else "−") + format_money(abs(amount), changes.currency, locale)  # noqa: E731
    out = [f"{changes.offer_number}: revision {changes.old_revision} -> {changes.new_revision}"]
    if changes.empty:
        return out[0] + "\nno changes\n"
    mark = {"added": "+", "removed": "-", "changed": "~"}
    if changes.lines:
        out.append("lines:")
        for line in changes.lines:
            detail = "; ".join(f"{f.field} {_show(f.old)} -> {_show(f.new)}" for f in line.fields if f.field != "net_amount")
            out.append(f"  {mark[line.change]} {line.sku} {line.name}: {fmt(line.old_amount)} -> {fmt(line.new_amount)} ({signed(line.effect)}){'; ' + detail if detail else ''}")
    for a in changes.allowances:
        out.append(f"  {mark[a.change]} {words.get(a.kind, a.kind)} {a.reason}: {fmt(a.old)} -> {fmt(a.new)} ({signed(a.effect)})")
    if changes.totals:
        out.append("totals:")
        out += [f"  {words.get(TOTAL_WORDS[t.name], t.name)}: {fmt(t.old)} -> {fmt(t.new)} ({signed(t.delta)})" for t in changes.totals]
    for f in changes.schedule:
        out.append(f"schedule: {f.field}: {fmt(f.old)} -> {fmt(f.new)}")
    for f in changes.terms:
        out.append(f"term: {f.field}: {_show(f.old)} -> {_show(f.new)}")
    if changes.clauses_added or changes.clauses_removed:
        out.append(f"clauses: added {', '.join(changes.clauses_added) or 'none'}; removed {', '.join(changes.clauses_removed) or 'none'}")
    return "\n".join(out) + "\n"


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if value is None:
        return "–"
    return str(value)


def changes_between(ws: Workspace, before: Loaded, after: Loaded):
    """Price both revisions (with today's catalog) and compare them, clauses included."""
    from ..documents.clauses import ClauseProblem, library, select
    from .revisions import compare

    old, new = price_deal(ws, before), price_deal(ws, after)
    try:
        lang = new.locale.split("_")[0]
        available = library(lang, ws.root / "templates")
        old_ids = [c.id for c in select(available, before.model, old, ws.seller.model).clauses]
        new_ids = [c.id for c in select(available, after.model, new, ws.seller.model).clauses]
    except ClauseProblem:
        old_ids = new_ids = None  # clause problems are reported by check and build, not by a comparison
    return compare(before.model, old, after.model, new, old_ids, new_ids)
