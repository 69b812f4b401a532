"""A deal file (``deals/<name>.yaml``): clarified requirements and negotiated terms.

Its sections follow the B2B sales process: who the customer is and how
attractive, the decision situation, the buying center, purchase-deciding
factors, requirements, the selected items, and the negotiated terms (``terms``).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from .common import (
    Address,
    Contact,
    CurrencyCode,
    Day,
    Flag,
    Identifier,
    IdText,
    LocaleTag,
    Model,
    Number,
    Text,
    WholeNumber,
    _identifier,
    _text,
    _visible,
    IDENTIFIER_PATTERN,
)
from .currency import ExchangeRate
from .seller import CreditRating, Registration
from .terms import ContractTerms, Terms
from .work import WorkPackage

Percent = Annotated[Number, Field(ge=0, le=100)]
DecisionSituation = Literal["straight_rebuy", "modified_rebuy", "new_task"]
Department = Literal[
    "production", "rnd", "purchasing", "marketing", "management", "it", "finance", "legal", "quality", "operations", "other"
]
BuyingRole = Literal["decider", "buyer", "user", "influencer", "gatekeeper", "initiator"]
Priority = Literal["must", "should", "could"]

# Names Windows reserves for devices in every folder, with any extension and in any
# case ("com1.draft" is COM1); the superscript digits count as digits there.
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3])(\..*)?", re.IGNORECASE | re.DOTALL)


def _offer_number(value: str) -> str:
    """The offer number names the output folder and files: it must be a name every system can open."""
    _visible(value)
    device = _WINDOWS_DEVICE.fullmatch(value.strip(" ."))
    if device:
        raise PydanticCustomError(
            "offer_number",
            "Windows reserves {name} as a device name (with any extension, in any case) and cannot open a folder named {got}; choose another offer number",
            {"name": device.group(1).upper(), "got": value},
        )
    if value.endswith((".", " ")):
        raise PydanticCustomError("offer_number", "must not end with a dot or a space (Windows drops them from file names)")
    return value


OfferNumber = Annotated[str, BeforeValidator(_text), AfterValidator(_offer_number), AfterValidator(_identifier), Field(json_schema_extra={"pattern": IDENTIFIER_PATTERN})]
"""An :data:`Identifier` that also names a folder Windows can open; checked for device names first,
so ``COM¹`` is called one."""


class Customer(Model):
    """The buying organisation."""

    legal_name: Text
    """Full legal name, e.g. "Acme Maschinenbau AG"."""
    address: Address
    """Invoice address."""
    vat_id: IdText | None = None
    """VAT id; required for reverse charge."""
    registration: Registration | None = None
    """Commercial register entry, printed in the contract."""
    customer_number: IdText | None = None
    """The seller's customer number, as text."""
    segment: Text | None = None
    """Market segment, e.g. "Mid-size machine builder"."""
    credit_rating: CreditRating | None = None
    """Internal credit rating A (best) to D."""
    sales_potential: Literal["low", "medium", "high"] | None = None
    """Expected sales potential of the account (internal)."""
    contact: Contact | None = None
    """The customer's main contact, addressed in the offer."""
    installed: list[Identifier] = []
    """SKUs the customer already has under contract; they satisfy other items' ``requires``."""


class Stakeholder(Model):
    """A member of the buying center."""

    name: Text
    """Full name."""
    title: Text | None = None
    """Job title."""
    salutation: Text | None = None
    """Greeting as written in a letter, without the comma, e.g. "Dear Dr Hallmann"; the offer's cover letter goes to the decider."""
    department: Department
    """production, rnd, purchasing, marketing, management, it, finance, legal, quality, operations or other."""
    role: BuyingRole
    """Role in the decision: decider, buyer, user, influencer, gatekeeper or initiator."""
    interests: list[Text] = []
    """What this person cares about (internal notes of the sales team)."""
    gains: list[Text] = []
    """What this person gains from the offer; printed in the full proposal's section for the buying center."""


class PurchaseCriterion(Model):
    """A purchase-deciding factor with its weight and our answer."""

    id: Identifier
    """Short key, e.g. ``uptime``."""
    criterion: Text
    """The factor as the customer states it, e.g. "Guaranteed line availability"."""
    weight: Annotated[Number, Field(gt=0, le=100)]
    """Weight in percent; the weights of a deal add up to 100."""
    response: Text
    """How the offer meets it; printed in the offer."""


class Requirement(Model):
    """A clarified requirement or specification."""

    id: Identifier
    """Requirement id, e.g. ``R1``."""
    text: Text
    """The requirement as agreed with the customer."""
    priority: Priority = "must"
    """must, should or could; every must needs at least one covering item."""
    covered_by: list[Identifier] = []
    """SKUs of deal items that fulfil it."""
    tags: list[Identifier] = []
    """Keywords contract clauses can test, e.g. ``personal-data`` (brings the data-processing clause)."""


class LineAllowanceCharge(Model):
    """An allowance (reduction) or charge (surcharge) on one line (EN 16931 BG-27/BG-28)."""

    kind: Literal["allowance", "charge"]
    """allowance reduces the line, charge adds to it."""
    reason: Text
    """Reason as printed, e.g. "Reuse of existing models"."""
    amount: Annotated[Number, Field(ge=0)] | None = None
    """Fixed amount for the whole line (per period for recurring items); give this or percent. 0 is allowed (EN 16931) and prints nowhere."""
    percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    """Percent of the line amount after the discount; give this or amount."""


class DealItem(Model):
    """A selected catalog item."""

    sku: Identifier
    """Catalog SKU."""
    quantity: Annotated[Number, Field(gt=0, decimal_places=3)]
    """Quantity in the item's unit (for recurring items: per period), at most 3 decimal places."""
    role: Identifier | None = None
    """Rate-card role for time-and-material items, e.g. ``senior``."""
    work_package: WorkPackage | None = None
    """Prices the line from the work it takes: adjusts the template of a work_package item, or describes a package of its own on a rate-card item (then with name and effort, and an id where a dependency or a milestone names it)."""
    discount_percent: Annotated[Number, Field(ge=0, lt=100, decimal_places=2)] = Decimal(0)
    """Negotiated discount on this line, in percent, at most 2 decimal places."""
    allowances_charges: list[LineAllowanceCharge] = []
    """Further allowances and charges on this line, applied after the discount."""
    cap: Annotated[Number, Field(gt=0)] | None = None
    """Not-to-exceed amount for a time-and-material (rate_card) line; the line is priced at most at this amount."""
    credit: Flag = False
    """The line is a credit (a trade-in, a credit for an earlier payment): its amount is subtracted."""
    months: Annotated[WholeNumber, Field(ge=1, le=120)] | None = None
    """Contract term in months for recurring items (default: the item's minimum term, else 12)."""
    optional: Flag = False
    """Priced and shown, but not in the totals; the customer may add it."""
    alternative_to: Identifier | None = None
    """SKU of the item this one could replace; priced, not in the totals."""
    description: Text | None = None
    """Replaces the catalog description on this offer."""
    notes: Text | None = None
    """Printed under the line, e.g. "Including travel within Germany"."""


class AllowanceCharge(Model):
    """A document-level allowance (reduction) or charge (surcharge) (EN 16931 BG-20/BG-21)."""

    kind: Literal["allowance", "charge"]
    """allowance reduces, charge adds."""
    reason: Text
    """Reason as printed, e.g. "Framework agreement discount"."""
    amount: Annotated[Number, Field(ge=0)] | None = None
    """Fixed amount; give this or percent. 0 is allowed (EN 16931): it counts as 0 and prints nowhere."""
    percent: Annotated[Number, Field(ge=0, le=100)] | None = None
    """Percent of the net total of the firm lines in its scope (``applies_to``, ``categories``, ``skus``; without them, of every firm line); split per VAT category and between one-off and recurring parts so each part carries the right VAT; give this or amount."""
    tax_category: Identifier = "standard"
    """Tax category id of a fixed amount, which may be one no line has (it gets its own VAT row); a percentage ignores it and follows the lines it applies to."""
    applies_to: Literal["one_off", "recurring"] | None = None
    """For a fixed amount: whether it reduces (or adds to) the one-off or the recurring part (empty: one_off). For a percentage: only the one-off or only the recurring lines are its base (empty: both)."""
    categories: list[Text] = []
    """For a percentage: only lines of these catalog categories, named as the catalog writes them (``Software``, not a translation), are its base."""
    skus: list[Identifier] = []
    """For a percentage: only lines of these SKUs are its base. Scopes combine: a line is in the base only if it matches every one given; the offer prints the base under the reason ("3% of €84,300.00 one-off services")."""


class Kpi(Model):
    """A success measure agreed with the customer."""

    name: Text
    """What is measured, e.g. "Overall equipment effectiveness"."""
    baseline: Text | None = None
    """Value today, as text, e.g. "62 %"."""
    target: Text
    """Agreed target, e.g. "75 % within 6 months"."""
    id: Identifier | None = None
    """Key by which review files record the KPI's measurements, e.g. ``downtime``; a KPI without one is printed, never measured."""
    unit: Text | None = None
    """Unit of the numeric values, e.g. "h/month" or "%"."""
    baseline_value: Number | None = None
    """Baseline as a number in ``unit``, e.g. "38"; with ``target_value`` the review charts and rates the KPI."""
    target_value: Number | None = None
    """Target as a number in ``unit``; below the baseline means lower is better (downtime), above it higher is better (OEE). Due at the last review date."""
    value_per_unit: Annotated[Number, Field(gt=0)] | None = None
    """What one unit of improvement over the baseline is worth to the customer per year, in the offer's currency, e.g. "21600" (an hour less downtime a month at €1,800 an hour); the review prints the benefit in money."""


class SuccessMonitoring(Model):
    """How seller and customer check success together."""

    kpis: list[Kpi] = []
    """Key figures."""
    reviews: list[Day] = []
    """Dates of joint success reviews, in order."""


class Approval(Model):
    """A recorded approval of a guardrail finding, so the revision may be issued."""

    rule: IdText
    """The rule the finding names, e.g. ``guardrails.max_discount_percent`` (see ``proposals quote``)."""
    field: IdText | None = None
    """The deal field of the finding, e.g. ``items[3].discount_percent``; empty approves every finding of the rule."""
    by: Text
    """Who approved, e.g. "Dr. Katrin Albers (Managing Director)"."""
    on: Day
    """Date of the approval."""
    note: Text | None = None
    """Why, for the record."""


class Deal(Model):
    """One offer to one customer, with everything learned in the sales process."""

    offer_number: OfferNumber
    """Offer number, as text: quote it ("012") so leading zeros stay."""
    revision: Annotated[WholeNumber, Field(ge=1, le=999)] = 1
    """Revision of the offer, counting up from 1."""
    status: Literal["draft", "issued", "accepted", "rejected", "expired"] = "draft"
    """draft (rebuilds freely, DRAFT watermark), issued (its output is the record of what the customer received), accepted, rejected or expired."""
    issued_on: Day | None = None
    """When this revision was sent to the customer; required once issued."""
    decided_on: Day | None = None
    """When the customer accepted or rejected it."""
    previous_revision: IdText | None = None
    """Workspace path of the previous revision's deal file, e.g. ``deals/history/acme-r1.yaml``: the offer gets a "changes since" page."""
    approvals: list[Approval] = []
    """Approvals of guardrail findings; a revision with unapproved findings can only be a draft."""
    date: Day
    """Offer date."""
    valid_until: Day | None = None
    """Last day the offer is binding (default: date + the seller's validity days)."""
    title: Text
    """Subject line, e.g. "Predictive maintenance for press line 3"."""
    locale: LocaleTag | None = None
    """Document language and formats, e.g. de_DE or en_GB (default: the seller's)."""
    currency: CurrencyCode | None = None
    """Currency of the offer (default: the seller's)."""
    exchange_rates: list[ExchangeRate] = []
    """Exchange rates for this offer, e.g. ``- {pair: EUR/CHF, rate: "0.9412", date: 2026-11-30, source: ECB reference rate}``; they take precedence over the seller profile's, and the offer prints the ones it used."""
    customer: Customer
    """The customer."""
    decision_situation: DecisionSituation = "new_task"
    """straight_rebuy (routine re-order), modified_rebuy (changed re-order) or new_task (new solution)."""
    introduction: Text | None = None
    """Opening paragraph of the offer, addressed to the customer."""
    buying_center: list[Stakeholder] = []
    """The people involved in the purchase decision."""
    purchase_criteria: list[PurchaseCriterion] = []
    """Purchase-deciding factors, weighted."""
    requirements: list[Requirement] = []
    """Clarified requirements and specifications."""
    items: Annotated[list[DealItem], Field(min_length=1)]
    """Selected catalog items."""
    allowances_charges: list[AllowanceCharge] = []
    """Document-level allowances and charges."""
    terms: Terms = Terms()
    """Negotiated terms."""
    contract: ContractTerms = ContractTerms()
    """Negotiated deviations from the standard contract clauses."""
    implementation_support: list[Text] = []
    """How the seller advises during implementation."""
    success_monitoring: SuccessMonitoring = SuccessMonitoring()
    """Joint success monitoring."""
    seller_contact: Text | None = None
    """Name of the seller's contact for this deal (default: the seller profile's contact)."""
    reverse_charge: Flag = False
    """True for EU B2B cross-border services: VAT is owed by the customer; needs the customer's VAT id."""
    outside_scope: Flag = False
    """True for services to business customers outside the EU: standard-rated lines move to the seller's O (outside scope) category."""
    notes: list[Text] = []
    """Further remarks printed at the end of the offer."""
    price_details: Flag = False
    """Add an appendix to the offer that explains every line's price step by step."""

    @property
    def folder_name(self) -> str:
        return f"{self.offer_number}-r{self.revision}"

    def due_dates(self) -> list[datetime.date]:
        return [m.date for m in self.terms.delivery.milestones]
