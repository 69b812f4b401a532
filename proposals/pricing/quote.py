"""The Quote: the priced result of a deal, the single source of every printed number.

Field names of the totals follow EN 16931 (BT-106 ... BT-115) so that the
offer agrees with the invoice that will follow it. Writers and templates
print these numbers; nothing downstream recomputes a price.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

LineKind = Literal["firm", "optional", "alternative"]


@dataclass(frozen=True)
class TierStep:
    """How many units were priced at which tier price (for printing the breakdown)."""

    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Step:
    """One step of a line's price waterfall; the steps add up to the line's net amount."""

    kind: Literal["list", "discount", "allowance", "charge", "cap", "periods", "credit", "effort", "buffer", "rounding"]
    label: str
    amount: Decimal


@dataclass(frozen=True)
class LineAdjustment:
    """A rounded line allowance or charge (EN 16931 BG-27/BG-28), per period."""

    kind: Literal["allowance", "charge"]
    reason: str
    amount: Decimal
    percent: Decimal | None = None


@dataclass(frozen=True)
class RoleEstimate:
    """One role's effort in a work package (per package), at its rate; internal."""

    role: str
    name: str
    expected: Decimal  # the one figure, or PERT (o + 4m + p) / 6, to 0.01
    spread: Decimal  # (p - o) / 6, to 0.01; 0 for one figure
    rate: Decimal
    amount: Decimal  # round(expected x rate)
    cost: Decimal | None  # expected x the role's cost, unrounded
    optimistic: Decimal | None = None
    cost_rate: Decimal | None = None  # the role's cost per unit
    likely: Decimal | None = None
    pessimistic: Decimal | None = None


@dataclass(frozen=True)
class PackageEstimate:
    """How a work package's price came about: internal (never in customer documents or quote.json).

    Per package: ``effort_amount`` (the roles' amounts) + ``buffer`` + ``rounding`` = ``price``; a
    capped package is priced at its effort and not to exceed ``cap``. ``steps`` is the line's build-up
    (effort per role, buffer, rounding, each x the quantity), which adds up to the line's list amount."""

    id: str | None
    pricing: str
    unit: str
    unit_plural: str
    roles: tuple[RoleEstimate, ...]
    effort_amount: Decimal
    spread_amount: Decimal  # sum of spread x rate, unrounded
    buffer: Decimal
    buffer_percent: Decimal | None  # the buffer in percent of effort_amount (None where there is none)
    rounding: Decimal
    price: Decimal
    cap: Decimal | None
    cost: Decimal | None
    steps: tuple["Step", ...]
    deliverables: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    show_effort: bool = False
    depends_on: tuple[str, ...] = ()
    buffer_rule_percent: Decimal | None = None  # the buffer rule as the package states it: a percentage
    buffer_spreads: Decimal | None = None  # ... or a number of spreads
    hourly: bool = False  # the rate card counts hours; the plan counts 8 to a working day
    round_up_to: Decimal | None = None  # the rounding rule: a fixed price is rounded up to a multiple of it
    start: date | None = None
    end: date | None = None
    working_days: int | None = None

    @property
    def spread_percent(self) -> Decimal | None:
        return self.spread_amount / self.effort_amount * 100 if self.effort_amount else None


@dataclass(frozen=True)
class ShownEffort:
    """A role's effort as the offer prints it, for a work package whose deal says ``show_effort``."""

    name: str
    quantity: Decimal
    unit: str  # as it reads with this quantity: 1 day, 6.33 days


@dataclass(frozen=True)
class QuoteLine:
    """One priced line. ``net_amount`` is rounded; everything printed comes from here."""

    position: int
    sku: str
    name: str
    description: str | None
    category: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    price_base_quantity: Decimal
    list_amount: Decimal
    discount_percent: Decimal
    discount_amount: Decimal
    net_amount: Decimal
    tax_category: str
    tax_code: str
    tax_rate: Decimal
    kind: LineKind = "firm"
    role: str | None = None
    billing: str = "once"
    periods: int = 1
    term_months: int | None = None
    period_amount: Decimal | None = None
    first_year_amount: Decimal | None = None
    tiers: tuple[TierStep, ...] = ()
    adjustments: tuple[LineAdjustment, ...] = ()
    waterfall: tuple[Step, ...] = ()
    cap: Decimal | None = None
    credit: bool = False
    delta: Decimal | None = None
    period_delta: Decimal | None = None
    alternative_to: str | None = None
    notes: str | None = None
    cost: Decimal | None = None
    source_index: int = 0
    clauses: tuple[str, ...] = ()
    converted_from: str | None = None  # the item's own currency, where its prices were converted at a stated rate
    unit_plural: str | None = None
    scope: str | None = None
    pricing: str = "per_unit"
    goods: bool = False
    estimate: PackageEstimate | None = None  # a work package's build-up; internal, left out of quote.json
    deliverables: tuple[str, ...] = ()  # a work package's, as printed
    assumptions: tuple[str, ...] = ()  # what a work package's price rests on, as printed (offer, contract annex)
    effort: tuple[ShownEffort, ...] = ()  # printed only where the deal says show_effort
    package_pricing: str | None = None  # a work package's mode: fixed, time_and_material or capped

    @property
    def recurring(self) -> bool:
        return self.billing != "once"

    @property
    def contract_pricing(self) -> str:
        """How the contract treats the line: a work package by its mode (fixed: ``package``; time and
        material or capped: ``rate_card``), every other line by its pricing model."""
        if self.pricing != "work_package":
            return self.pricing
        return "package" if self.package_pricing in (None, "fixed") else "rate_card"

    @property
    def unit_label(self) -> str:
        """The unit as it reads with this quantity: 1 day, 3 days."""
        return self.unit if self.quantity == 1 or not self.unit_plural else self.unit_plural


@dataclass(frozen=True)
class AllowanceChargePart:
    """The share of a document-level allowance or charge in one VAT category and one part (one-off or recurring)."""

    tax_category: str
    tax_code: str
    tax_rate: Decimal
    recurring: bool
    base: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class AllowanceScope:
    """The lines a scoped percentage is taken of: all given limits at once (a line must match each).

    ``part``, ``categories`` (catalog names) and ``skus`` are the scope as the deal writes it;
    ``positions`` are the firm lines it found (their net total is the base) and ``category_names``
    the categories as the offer prints them, in its language."""

    part: Literal["one_off", "recurring"] | None
    categories: tuple[str, ...]
    skus: tuple[str, ...]
    positions: tuple[int, ...]
    category_names: tuple[str, ...]


@dataclass(frozen=True)
class DocumentAllowanceCharge:
    """A document-level allowance or charge (EN 16931 BG-20/BG-21); ``amount`` is the sum of its parts.

    ``base`` of a percentage is the net total of the firm lines it is taken of: all of them, or
    those of its ``scope`` (None when unscoped, and for fixed amounts)."""

    kind: Literal["allowance", "charge"]
    reason: str
    amount: Decimal
    percent: Decimal | None
    base: Decimal | None
    parts: tuple[AllowanceChargePart, ...]
    source_index: int = 0
    scope: AllowanceScope | None = None

    @property
    def signed(self) -> Decimal:
        return -self.amount if self.kind == "allowance" else self.amount


@dataclass(frozen=True)
class VatBreakdown:
    """Taxable amount and tax per VAT category and rate (EN 16931 BG-23)."""

    category: str
    rate: Decimal
    taxable_amount: Decimal
    tax_amount: Decimal
    exemption_reason: str | None = None


@dataclass(frozen=True)
class Instalment:
    """One payment of the schedule; the instalments sum exactly to the one-off net total."""

    name: str
    percent: Decimal | None
    amount: Decimal
    due: date | None = None
    early_payment_amount: Decimal | None = None
    remainder: bool = False


@dataclass(frozen=True)
class Totals:
    """Document totals (EN 16931 BG-22)."""

    line_net_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive_total: Decimal  # BT-109
    tax_total: Decimal  # BT-110
    tax_inclusive_total: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class Finding:
    """An internal guardrail finding; never printed in customer documents. ``rule`` is its one name:
    the warning shows it, an approval gives it (``guardrails.max_discount_percent``)."""

    field: str
    message: str
    rule: str


@dataclass(frozen=True)
class Conversion:
    """An exchange rate the offer's prices were converted at; printed once, recorded in quote.json."""

    pair: str  # as stated: EUR/CHF means 1 EUR = rate CHF
    rate: Decimal
    date: date
    source: str
    from_currency: str
    to_currency: str
    positions: tuple[int, ...]  # the lines priced by it


@dataclass(frozen=True)
class AccountingVat:
    """The VAT total in the seller's VAT accounting currency (EN 16931 BT-111), where the offer's differs."""

    currency: str
    tax_total: Decimal
    pair: str
    rate: Decimal
    date: date
    source: str


@dataclass(frozen=True)
class PlannedMilestone:
    """A delivery milestone with its date: as the deal fixes it, or the end of the work package it names."""

    id: str
    name: str
    date: date | None
    derived: bool = False


@dataclass(frozen=True)
class Quote:
    """A fully priced deal."""

    offer_number: str
    revision: int
    currency: str
    locale: str
    date: date
    valid_until: date
    lines: tuple[QuoteLine, ...]
    allowances_charges: tuple[DocumentAllowanceCharge, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    totals: Totals
    one_off_net: Decimal
    recurring_net: Decimal
    schedule: tuple[Instalment, ...]
    payment_days: int
    recurring_billing: str = "in_advance"
    early_payment_percent: Decimal | None = None
    early_payment_days: int | None = None
    margin_percent: Decimal | None = None
    findings: tuple[Finding, ...] = field(default=())
    conversions: tuple[Conversion, ...] = ()
    accounting_vat: AccountingVat | None = None
    milestones: tuple[PlannedMilestone, ...] = ()

    @property
    def firm_lines(self) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.kind == "firm")

    @property
    def extra_lines(self) -> tuple[QuoteLine, ...]:
        return tuple(line for line in self.lines if line.kind != "firm")
