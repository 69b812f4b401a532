"""Input models: seller profile, catalog, deal (pydantic v2, frozen, strict)."""

from .catalog import CatalogFile, RoleRate, Service, Tier
from .deal import AllowanceCharge, Customer, Deal, DealItem, PurchaseCriterion, Requirement, Stakeholder
from .seller import SellerProfile, TaxCategory

__all__ = [
    "AllowanceCharge",
    "CatalogFile",
    "Customer",
    "Deal",
    "DealItem",
    "PurchaseCriterion",
    "Requirement",
    "RoleRate",
    "SellerProfile",
    "Service",
    "Stakeholder",
    "TaxCategory",
    "Tier",
]
