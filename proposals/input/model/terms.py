"""The negotiated terms of a deal: payment, delivery, acceptance, and the deviations
from the standard contract clauses."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field

from .common import Day, Flag, Identifier, Model, Number, Text, WholeNumber
from .seller import EarlyPaymentDiscount


class PaymentMilestone(Model):
    """A payment instalment of the one-off part."""

    name: Text
    """When it is due, as printed, e.g. "On signing"."""
    percent: Annotated[Number, Field(gt=0, le=100)] | None = None
    """Share of the one-off total, in percent; give this or amount."""
    amount: Annotated[Number, Field(gt=0)] | None = None
    """Fixed amount (e.g. a deposit); give this or percent."""
    due: Day | None = None
    """Planned date, if known; the due date adds the payment days."""
    milestone: Identifier | None = None
    """Id of the delivery milestone it falls due at; without ``due``, its date (given or derived from the work packages) is the planned date."""
    remainder: Flag = False
    """This instalment absorbs the rounding remainder (default: the last percent instalment)."""


class PaymentTerms(Model):
    """Negotiated payment terms."""

    days: Annotated[WholeNumber, Field(ge=0, le=365)] | None = None
    """Days from invoice to due date (default: the seller's)."""
    early_payment: EarlyPaymentDiscount | None = None
    """Early-payment discount (default: the seller's)."""
    milestones: list[PaymentMilestone] = []
    """Instalments of the one-off part; they add up to exactly its total."""
    recurring_billing: Literal["in_advance", "in_arrears"] = "in_advance"
    """Whether recurring charges are invoiced at the start or the end of each period."""
    prepaid: Annotated[Number, Field(ge=0)] = Decimal(0)
    """Amount already paid (a deposit on an earlier order), deducted from the amount payable (EN 16931 BT-113)."""


class DeliveryMilestone(Model):
    """A delivery or performance milestone."""

    id: Identifier
    """Key, e.g. ``M1``."""
    name: Text
    """What is delivered, e.g. "Line 3 commissioned"."""
    date: Day | None = None
    """Planned date; required unless ``work_package`` derives it."""
    work_package: Identifier | None = None
    """Id of the work package whose end, derived from its effort, is the milestone's date unless ``date`` fixes it."""
    deliverables: list[Text] = []
    """What is handed over at the milestone; printed in the implementation plan (``proposals plan``)."""
    responsible: Text | None = None
    """Name of the buying-center member who accepts the milestone on the customer's side; the seller's side is the deal's seller contact."""


class DeliveryTerms(Model):
    """Schedule and place of performance."""

    start: Day | None = None
    """Planned start of work."""
    end: Day | None = None
    """Planned completion."""
    place: Text | None = None
    """Place of performance, e.g. "Customer's plant in Linz" or "remote"."""
    incoterm: Literal["EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"] = "DAP"
    """Incoterms 2020 rule for physical goods in the deal, at the place of performance."""
    milestones: list[DeliveryMilestone] = []
    """Milestones in date order."""
    allocation: dict[Identifier, Annotated[Number, Field(gt=0)]] = {}
    """People per rate-card role working on each package, e.g. ``{senior: "1", consultant: "0.5"}``; with ``start``, each work package's duration and end date follow from its effort. Packages side by side each get the full allocation (no levelling)."""


class AcceptanceTerms(Model):
    """How the customer accepts the work."""

    days: Annotated[WholeNumber, Field(ge=1, le=180)] = 10
    """Working days the customer has to test and accept."""
    deemed_acceptance: Flag = True
    """Work counts as accepted when the customer neither accepts nor reports defects in time."""
    criteria: list[Text] = []
    """Acceptance criteria."""


class Terms(Model):
    """Negotiated terms."""

    payment: PaymentTerms = PaymentTerms()
    """Payment terms."""
    delivery: DeliveryTerms = DeliveryTerms()
    """Delivery and performance schedule."""
    acceptance: AcceptanceTerms = AcceptanceTerms()
    """Acceptance procedure."""
    customer_duties: list[Text] = []
    """Cooperation duties of the customer, e.g. "Provides access to the plant network"."""


class ClauseDeviation(Model):
    """A negotiated change to a standard contract clause."""

    clause: Identifier
    """Id of the clause in the clause library, e.g. ``liability``."""
    action: Literal["replace", "amend", "strike"]
    """replace its text, amend it with a further sub-clause, or strike it."""
    text: Text | None = None
    """The new or added wording (Markdown); required for replace and amend."""
    reason: Text
    """Why it was agreed; listed in the deviations annex for legal review."""


class ContractTerms(Model):
    """How the draft contract departs from the standard terms."""

    deviations: list[ClauseDeviation] = []
    """Negotiated deviations, each with a reason."""
