"""Plain-object builders for pricing tests: no files, no YAML."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from proposals.input.model import Deal, SellerProfile, Service

SELLER: dict[str, Any] = {
    "legal_name": "Testwerk GmbH",
    "address": {"street": "Teststraße 1", "postal_code": "01067", "city": "Dresden", "country": "DE"},
    "vat_id": "DE123456789",
    "bank": {"bank_name": "Testbank", "iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    "contact": {"name": "Erika Muster"},
    "currencies": ["EUR", "JPY", "CHF", "KWD", "SEK"],
    "tax_categories": [
        {"id": "standard", "code": "S", "rate": Decimal("19")},
        {"id": "reduced", "code": "S", "rate": Decimal("7")},
        {"id": "reverse-charge", "code": "AE", "rate": Decimal("0"), "exemption_reason": "Reverse charge"},
    ],
}


def seller(**changes: Any) -> SellerProfile:
    return SellerProfile.model_validate({**SELLER, **changes})


def service(sku: str, price: str | None = "100.00", **fields: Any) -> Service:
    data = {"sku": sku, "name": sku.title(), "unit": "piece", **fields}
    if price is not None:
        data["price"] = Decimal(price)
    return Service.model_validate(data)


def deal(items: list[dict], **fields: Any) -> Deal:
    base = {
        "offer_number": "T-1",
        "date": __import__("datetime").date(2026, 11, 20),
        "title": "Test",
        "customer": {"legal_name": "Kunde AG", "address": {"street": "A 1", "postal_code": "10115", "city": "Berlin", "country": "DE"}},
        "items": [{k: (Decimal(v) if isinstance(v, str) and k in ("quantity", "discount_percent", "cap") else v) for k, v in item.items()} for item in items],
    }
    return Deal.model_validate({**base, **fields})


def catalog(*services: Service) -> dict[str, Service]:
    return {s.sku: s for s in services}
