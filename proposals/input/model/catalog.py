"""The service catalog (``catalog/*.yaml`` except ``seller.yaml``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from .common import CurrencyCode, Flag, Identifier, Model, Number, Text, WholeNumber, _visible
from .currency import PriceList
from .work import WorkPackage

PricingModel = Literal["per_unit", "graduated", "volume", "package", "rate_card", "work_package"]
Billing = Literal["once", "monthly", "yearly"]
Amount = Annotated[Number, Field(ge=0)]
Percent = Annotated[Number, Field(ge=0, le=100)]


class Tier(Model):
    """One price band of a tiered item."""

    up_to: Annotated[Number, Field(gt=0)] | None = None
    """Last quantity of this band; leave empty on the last band (no upper limit)."""
    price: Amount
    """Price per price-base quantity within this band."""


class RoleRate(Model):
    """A role's day or hour rate in a time-and-material rate card."""

    role: Identifier
    """Role key that deal items name, e.g. ``senior``."""
    name: Text
    """Role as printed, e.g. "Senior Consultant"."""
    price: Amount
    """Rate per unit for this role."""
    cost: Amount | None = None
    """Internal cost per unit, for margin guardrails."""


class ServiceText(Model):
    """A service's wording in one more language; empty fields keep the catalog's."""

    name: Text | None = None
    """Name as printed."""
    description: Text | None = None
    """Customer-facing description."""
    scope: Text | None = None
    """Contract wording of what is owed."""
    category: Text | None = None
    """Group heading."""
    unit: Text | None = None
    """Unit, singular (1 Tag)."""
    unit_plural: Text | None = None
    """Unit, plural (3 Tage)."""


def _language_key(value: str) -> str:
    import re

    from pydantic_core import PydanticCustomError

    _visible(value)
    if not re.fullmatch(r"[a-z]{2}", value):
        raise PydanticCustomError("language", "use a two-letter language code such as de (got {got})", {"got": value[:20]})
    return value


LanguageCode = Annotated[str, AfterValidator(_language_key)]


class Service(Model):
    """A sellable service, licence or package."""

    sku: Identifier
    """Unique article number, e.g. ``CONS-SEN-DAY``."""
    name: Text
    """Name as printed on the offer."""
    description: Text | None = None
    """What the customer gets; printed under the name and in the contract scope."""
    category: Text = "Services"
    """Group heading on the offer, e.g. "Consulting", "Software", "Support"."""
    unit: Text
    """Unit of quantity as printed, singular: hour, day, piece, user-month, package ..."""
    unit_plural: Text | None = None
    """Plural of the unit, e.g. days (default: the unit as written)."""
    scope: Text | None = None
    """What the contract says is owed, in neutral contract language ("The Contractor ..."); default: the description."""
    translations: dict[LanguageCode, ServiceText] = {}
    """Wording in other languages, keyed by language code, e.g. ``de:`` with name, description, unit ..."""
    pricing: PricingModel = "per_unit"
    """per_unit, graduated (each band at its rate), volume (all units at the band reached), package (fixed price, quantity counts packages), rate_card (time and material by role), work_package (priced from the effort of its work_package template)."""
    price: Amount | None = None
    """Price per price-base quantity; required for per_unit and package."""
    currency: CurrencyCode = "EUR"
    """Currency of the prices above and below (price, tiers, rates, cost)."""
    price_lists: dict[CurrencyCode, PriceList] = {}
    """Prices in further currencies, e.g. ``CHF: {price: "1150.00"}``; an offer in one of them uses that list, an offer in any other currency converts at a stated exchange rate."""
    price_base_quantity: Annotated[Number, Field(gt=0)] = Decimal(1)
    """Quantity the price refers to: 1 (per unit), 100 (per 100 units)..."""
    billing: Billing = "once"
    """once, or recurring monthly/yearly; recurring prices are per period."""
    minimum_term_months: Annotated[WholeNumber, Field(ge=1, le=120)] | None = None
    """Minimum contract term of a recurring item, in months."""
    tiers: list[Tier] = []
    """Price bands for graduated and volume pricing, in ascending order."""
    rates: list[RoleRate] = []
    """Role rates for rate_card pricing."""
    work_package: WorkPackage | None = None
    """The template of a work_package item: rate card, effort per role, pricing mode, buffer, rounding, deliverables and assumptions; a deal takes it and adjusts it."""
    tax_category: Identifier = "standard"
    """Id of a tax category in the seller profile."""
    cost: Amount | None = None
    """Internal cost per price-base quantity, for the margin guardrail; never printed."""
    min_quantity: Annotated[Number, Field(gt=0)] | None = None
    """Smallest quantity that can be ordered."""
    max_quantity: Annotated[Number, Field(gt=0)] | None = None
    """Largest quantity that can be ordered."""
    max_discount_percent: Percent | None = None
    """Largest discount allowed on this item without approval (overrides the seller's)."""
    requires: list[Identifier] = []
    """SKUs that must be in the same deal."""
    excludes: list[Identifier] = []
    """SKUs that cannot be in the same deal."""
    clauses: list[Identifier] = []
    """Contract clauses this item brings with it (ids in the clause library)."""
    goods: Flag = False
    """Physical goods shipped to the customer (brings Incoterms and transfer of risk into the contract)."""

    def needs_rate(self, currency: str) -> bool:
        """True when an offer in ``currency`` has to convert some of this item's prices (its cost aside)."""
        if currency == self.currency:
            return False
        own = self.price_lists.get(currency)
        if own is None:
            return True
        listed_roles = {r.role for r in own.rates}
        return (self.price is not None and own.price is None) or (bool(self.tiers) and not own.tiers) or any(r.role not in listed_roles for r in self.rates)


class CatalogFile(Model):
    """One catalog file: a list of services."""

    services: Annotated[list[Service], Field(min_length=1)]
    """The services of this file."""
