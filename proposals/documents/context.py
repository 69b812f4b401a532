"""Quote + deal + seller -> the template context: the documented contract with templates.

Every variable a template may use is a field of :class:`TemplateContext`,
with a docstring. Templates receive exactly these names and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal
from itertools import groupby
from typing import Any, Literal

from .labels import labels_for
from ..input.model import Customer, Deal, SellerProfile
from ..input.model.common import Contact
from ..pricing.quote import Quote, QuoteLine

DocumentKind = Literal["offer", "contract", "plan", "review"]


@dataclass(frozen=True)
class LineGroup:
    """Firm lines of one catalog category, in offer order."""

    category: str
    lines: tuple[QuoteLine, ...]


@dataclass(frozen=True)
class TemplateContext:
    """The variables of every document template."""

    document: DocumentKind
    """Which document is rendered: ``offer``, ``contract``, ``plan`` (``proposals plan``) or ``review`` (``proposals review``)."""
    seller: SellerProfile
    """The seller profile (``catalog/seller.yaml``)."""
    deal: Deal
    """The deal as validated (``deals/<name>.yaml``)."""
    customer: Customer
    """Shortcut for ``deal.customer``."""
    quote: Quote
    """The priced result: lines, allowances/charges, VAT breakdown, totals, schedule. Print numbers only from here."""
    groups: tuple[LineGroup, ...]
    """Firm lines grouped by catalog category, for the price table."""
    extras: tuple[QuoteLine, ...]
    """Optional and alternative lines (priced, not in the totals)."""
    contact: Contact
    """The seller's contact for this deal."""
    t: dict[str, str]
    """Fixed wording in the document's language, from ``proposals/builtin/locales/<lang>.yaml`` and the workspace's ``templates/locales/``."""
    lang: str
    """Two-letter document language, e.g. ``de``."""
    logo: str | None
    """Workspace-relative path of the seller's logo, for ``<img src>``."""
    positions: dict[str, str]
    """SKU -> the position numbers of its lines, e.g. ``{"CONS-DAY": "3, 4"}``."""
    title: str
    """Document title, e.g. "Offer NW-2026-041"."""
    timestamp: str = ""
    """Creation time written into the documents' metadata (SOURCE_DATE_EPOCH or the offer date), ISO 8601."""
    changes: Any = None
    """Offer only: what changed since the previous revision (``proposals.commands.revisions.Changes``), when the deal names one."""
    watermark: str | None = None
    """Text across every page while the revision is a draft ("DRAFT", or "DRAFT · NOT APPROVED" with unapproved guardrail findings)."""
    addressee: Any = None
    """Who the cover letter is addressed to: the buying center's decider if there is one (greeted with the contact's ``salutation`` when the decider is the contact and has none of their own), else the customer's contact (``name``, ``title``, ``salutation``), or None. Without a salutation the letter greets by name (``t.dear``), without an addressee generically (``t.dear_all``)."""
    address_field: Any = None
    """Offer letterhead: the position of the address field for window envelopes (``top_mm`` and ``left_mm`` from the page's edges, ``height_mm``, ``return_mm``: the zone above the address whose last line is the return address), or None where the address flows in the letterhead (seller branding ``address_field``)."""
    compact: bool = False
    """True for a straight rebuy: a compact quote (prices, terms, signature) instead of the full proposal."""
    clauses: tuple[Any, ...] = ()
    """Contract only: the chosen clauses in order (``id``, ``number``, ``title``, rendered ``html``, ``deviation``, ``reason``; a deviating clause's ``standard`` wording and its ``redline``, ``added`` for a clause the negotiation brought in); in the redline also the struck clauses (``deviation`` ``strike``) where they stood."""
    numbers: dict[str, int] = field(default_factory=dict)
    """Contract only: clause id -> clause number."""
    deviations: tuple[Any, ...] = ()
    """Contract only: negotiated deviations (``number``, clause ``id``, ``title``, ``action``, ``reason``, the ``standard`` and the ``negotiated`` wording as HTML, ``None`` where there is none) for the deviations annex."""
    redline: bool = False
    """Contract only: True while the redline (``contract-redline.docx``) is rendered: each clause prints its ``redline`` HTML, a struck clause inside ``<del class="standard">``, an added one inside ``<ins class="negotiated">``."""

    charts: dict[str, Any] = field(default_factory=dict)
    """Chart name -> ``src`` (a ``data:`` URI: vector SVG in the PDF, a print PNG in the DOCX) and ``alt``: the full proposal's ``timeline`` and ``cost`` (a new task, built, not in ``check``), the plan's ``timeline``, the review's one per KPI id; empty elsewhere."""
    milestone_dates: dict[str, Any] = field(default_factory=dict)
    """Plan only: delivery milestone id -> its date (the deal's, or the end of its work package)."""
    people: dict[str, Any] = field(default_factory=dict)
    """Plan only: buying-center name -> the stakeholder (``name``, ``title``, ``department``, ``role``)."""
    review: Any = None
    """Review only: the review file as validated (``date``, ``kpis``, ``milestones``, ``remarks``, ``next_steps``)."""
    reviews: tuple[Any, ...] = ()
    """Review only: every review of the deal up to this one, oldest first."""
    standings: tuple[Any, ...] = ()
    """Review only: per KPI ``id``, ``name``, ``unit``, ``baseline``, ``target``, ``measured``, ``status`` (met, on_track, behind or empty), ``benefit`` per year (Decimal) (``proposals.pricing.benefit``)."""
    adherence: tuple[Any, ...] = ()
    """Review only: per delivery milestone ``id``, ``name``, ``planned``, ``actual`` and ``days_late`` (negative: early)."""
    benefit: Any = None
    """Review only: the benefit per year of every KPI with a value per unit, summed (Decimal), or None."""
    benefit_ratio: Any = None
    """Review only: the benefit per year as percent of the quote's payable total (Decimal, one place), or None."""

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def build_context(document: DocumentKind, deal: Deal, seller: SellerProfile, quote: Quote, labels: dict[str, str] | None = None) -> TemplateContext:
    labels = labels if labels is not None else labels_for(quote.locale)
    lang = quote.locale.split("_")[0]
    firm = [line for line in quote.lines if line.kind == "firm"]
    groups = tuple(LineGroup(category, tuple(lines)) for category, lines in groupby(firm, key=lambda l: l.category))
    title = f"{labels[document]} {deal.offer_number}"
    return TemplateContext(
        document=document,
        seller=seller,
        deal=deal,
        customer=deal.customer,
        quote=quote,
        groups=groups,
        extras=quote.extra_lines,
        contact=_contact(deal, seller),
        t=labels,
        lang=lang,
        logo=seller.logo,
        positions=_positions(quote),
            title=title,
        compact=deal.decision_situation == "straight_rebuy",
        addressee=addressee(deal),
        address_field=address_field(seller.branding, seller.address.country),
        watermark=_watermark(deal, quote, labels),
    )


@dataclass(frozen=True)
class AddressField:
    """Where the address goes on the letter (mm from the page's top and left edges)."""

    top_mm: Decimal
    left_mm: Decimal
    height_mm: Decimal
    return_mm: Decimal  # the zone above the address lines; the return address is its last line


# DIN 5008: 85 x 45 mm from 20 mm left; form A 27 mm from the top with a 12.7 mm zone above
# the address, form B 45 mm with 17.7 mm; the address itself has 27.3 mm (six lines).
DIN_5008 = {"din5008-a": AddressField(Decimal(27), Decimal(20), Decimal(40), Decimal("12.7")),
            "din5008-b": AddressField(Decimal(45), Decimal(20), Decimal(45), Decimal("17.7"))}
ENVELOPE_COUNTRIES = ("DE", "AT", "CH")  # where sellers post offers in DIN window envelopes


def address_field(branding, country: str) -> AddressField | None:
    """The address field the branding asks for: an own position, a DIN 5008 form, or none;
    by default form B on A4 paper for sellers in Germany, Austria and Switzerland."""
    form = branding.address_field
    if form is None:
        form = "din5008-b" if branding.paper == "A4" and country in ENVELOPE_COUNTRIES else "flow"
    if branding.address_field_top_mm is not None and branding.address_field_left_mm is not None:
        base = DIN_5008.get(form, DIN_5008["din5008-b"])
        return AddressField(branding.address_field_top_mm, branding.address_field_left_mm, base.height_mm, base.return_mm)
    return DIN_5008.get(form)


def addressee(deal: Deal):
    """The person the offer letter greets: the buying center's decider, else the customer's
    contact, or None. A decider who is also the contact (same name) and has no salutation of
    their own is greeted with the contact's: one person is greeted the same wherever the deal
    writes it down; without any, the template's generic greeting per language applies."""
    contact = deal.customer.contact
    decider = next((p for p in deal.buying_center if p.role == "decider"), None)
    if decider is None:
        return contact
    if decider.salutation is None and contact is not None and contact.salutation and _same_person(decider, contact):
        return decider.model_copy(update={"salutation": contact.salutation})
    return decider


def _same_person(a, b) -> bool:
    return " ".join(a.name.casefold().split()) == " ".join(b.name.casefold().split())


def _watermark(deal: Deal, quote: Quote, labels: dict[str, str]) -> str | None:
    from ..pricing.guardrails import unapproved

    if deal.status != "draft":
        return None
    return labels["draft"] + (" · " + labels["not_approved"] if unapproved(deal, quote) else "")


def _positions(quote: Quote) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for line in quote.lines:
        found.setdefault(line.sku, []).append(str(line.position))
    return {sku: ", ".join(numbers) for sku, numbers in found.items()}


def _contact(deal: Deal, seller: SellerProfile) -> Contact:
    if deal.seller_contact and deal.seller_contact != seller.contact.name:
        return Contact(name=deal.seller_contact, email=seller.contact.email, phone=seller.contact.phone)
    return seller.contact


def watermark_text(deal: Deal, quote: Quote, labels: dict[str, str]) -> str | None:
    """The watermark of a deal's documents ("DRAFT", "DRAFT · NOT APPROVED"), or None once issued (for the preview)."""
    return _watermark(deal, quote, labels)
