"""Cross-checks between seller profile, catalog and deals (after each file validated).

Errors stop the run; warnings (``kind`` like ``offer.stale-approval``)
are reported and fail only under ``--strict``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Iterator

from ..errors import Location, Problem
from ..money import minor_unit
from .checks_deal import deal_problems
from .checks_work import template_problems
from .findings import _close, _duplicates, error, warning
from .model import SellerProfile, Service

if TYPE_CHECKING:
    from .workspace import Loaded, Workspace

ZERO_RATE_CODES = {"Z", "E", "AE", "K", "G", "O"}
REASON_CODES = {"E", "AE", "K", "G", "O"}


def check_workspace(ws: "Workspace") -> list[Problem]:
    """All cross-checks; fills ``ws.services``. Deal checks need a sound catalog."""
    problems = list(check_seller(ws.seller, ws.root))
    catalog_problems = list(index_catalog(ws))
    problems += catalog_problems
    if any(p.severity == "error" for p in catalog_problems):
        return problems
    for deal in ws.deals:
        problems += list(deal_problems(deal, ws.seller.model, ws.services, frozenset(ws.unusable_skus)))
    problems += list(_same_offer_twice(ws))
    return problems


def _same_offer_twice(ws: "Workspace") -> Iterator[Problem]:
    """Two deal files with one offer number and revision would overwrite each other's output."""
    seen: dict[str, "Loaded"] = {}
    for loaded in ws.deals:
        # mutmut: ".lower()" -> ".upper()" is equivalent: folder names are ASCII (offer numbers are identifiers).
        key = loaded.model.folder_name.lower()
        if key in seen:
            first = ws.relative(seen[key].path)
            yield error(loaded.where("offer_number"), "offer_number", f"offer {loaded.model.folder_name} is also {first}; raise the revision or change the number", "input.duplicate-id")
        else:
            seen[key] = loaded


def check_seller(loaded: "Loaded", root) -> Iterator[Problem]:
    seller: SellerProfile = loaded.model
    yield from _duplicates(loaded, "tax_categories", [t.id for t in seller.tax_categories], "tax category id")
    yield from _duplicates(loaded, ("guardrails", "credit_rules"), [r.rating for r in seller.guardrails.credit_rules], "credit rating")
    yield from _duplicates(loaded, "exchange_rates", [r.key for r in seller.exchange_rates], "exchange rate pair")
    policy = seller.price_conversion
    if policy.rounding != "minor_unit" and policy.step is None:
        yield error(loaded.where("price_conversion"), "price_conversion.step", f"{policy.rounding} rounding needs a step, e.g. \"0.05\" or \"0.90\"")
    if policy.rounding == "ending" and policy.step is not None and policy.step >= 1:
        yield error(loaded.where("price_conversion", "step"), "price_conversion.step", f"a price ending is below 1, e.g. \"0.90\" (got {policy.step})")
    for currency, increment in seller.payable_rounding.items():
        unit = Decimal(1).scaleb(-minor_unit(currency))
        if increment % unit:
            yield error(loaded.where("payable_rounding", currency), f"payable_rounding.{currency}", f"must be a multiple of the currency's smallest unit {unit}")
    for i, tax in enumerate(seller.tax_categories):
        if tax.code in ZERO_RATE_CODES and tax.rate != 0:
            yield error(loaded.where("tax_categories", i, "rate"), f"tax_categories[{i}].rate", f"category {tax.code} must have a VAT rate of 0 (got {tax.rate})")
        if tax.code == "S" and tax.rate == 0:
            yield error(loaded.where("tax_categories", i, "rate"), f"tax_categories[{i}].rate", "standard-rated category S needs a rate above 0")
        if tax.code == "B" and tax.rate == 0:
            yield error(loaded.where("tax_categories", i, "rate"), f"tax_categories[{i}].rate", "split-payment category B needs a rate above 0 (the Italian VAT rate)")
        if tax.code in REASON_CODES and not tax.exemption_reason:
            yield error(loaded.where("tax_categories", i), f"tax_categories[{i}].exemption_reason", f"category {tax.code} needs an exemption reason printed on the offer")
    font = seller.branding.font
    if not font_installed(font):
        yield warning(loaded.where("branding", "font"), "branding.font", f"font {font} is not installed on this machine; documents fall back to Carlito, Liberation Sans or DejaVu Sans", "input.missing-font")
    if seller.logo:
        logo = (root / seller.logo).resolve()
        if not logo.is_relative_to(root.resolve()):
            yield error(loaded.where("logo"), "logo", "the logo must be a file inside the workspace")
        elif not logo.is_file():
            yield error(loaded.where("logo"), "logo", f"file not found: {seller.logo}", "input.missing-asset")


def font_installed(family: str) -> bool:
    """Whether fontconfig knows the family (True when fontconfig cannot be asked)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return True
    found = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=10).stdout
    families = {name.strip().lower() for line in found.splitlines() for name in line.split(",")}
    return family.lower() in families


def index_catalog(ws: "Workspace") -> Iterator[Problem]:
    seller: SellerProfile = ws.seller.model
    for loaded in ws.catalog_files:
        for i, service in enumerate(loaded.model.services):
            where = loaded.where("services", i, "sku")
            if service.sku in ws.services:
                yield error(where, f"services[{i}].sku", f"SKU {service.sku} is already defined at {ws.service_places[service.sku]}", "input.duplicate-id")
                continue
            ws.services[service.sku] = service
            ws.service_places[service.sku] = where
    from .clause_files import known_ids

    clause_ids = known_ids(ws.root / "templates")
    for loaded in ws.catalog_files:
        for i, service in enumerate(loaded.model.services):
            yield from check_service(loaded, i, service, seller, ws.services, clause_ids)


def check_service(loaded: "Loaded", i: int, s: Service, seller: SellerProfile, services: dict[str, Service], clause_ids: set[str]) -> Iterator[Problem]:
    base = ("services", i)
    name = f"services[{i}]"

    def at(*field: str | int) -> Location:
        return loaded.where(*base, *field)

    if s.pricing in ("per_unit", "package") and s.price is None:
        yield error(at(), f"{name}.price", f"{s.pricing} pricing needs a price")
    if s.pricing in ("graduated", "volume"):
        yield from _check_tiers(at, name, s)
    elif s.tiers:
        yield error(at("tiers"), f"{name}.tiers", f"tiers are used only with graduated or volume pricing (this item is {s.pricing})")
    if s.pricing == "rate_card":
        if not s.rates:
            yield error(at(), f"{name}.rates", "rate_card pricing needs at least one role rate")
        yield from _duplicates(loaded, base + ("rates",), [r.role for r in s.rates], "role")
    elif s.rates:
        yield error(at("rates"), f"{name}.rates", f"rates are used only with rate_card pricing (this item is {s.pricing})")
    if s.pricing != "per_unit" and s.pricing != "package" and s.price is not None:
        yield error(at("price"), f"{name}.price", f"{s.pricing} pricing takes its prices from {_price_source(s.pricing)}, not price")
    yield from template_problems(at, name, s, services)
    if s.billing == "yearly" and s.minimum_term_months is not None and s.minimum_term_months % 12:
        yield error(at("minimum_term_months"), f"{name}.minimum_term_months", "a yearly item runs in whole years: give a multiple of 12")
    if s.billing == "once" and s.minimum_term_months is not None:
        yield error(at("minimum_term_months"), f"{name}.minimum_term_months", "a minimum term needs monthly or yearly billing")
    if seller.tax_category(s.tax_category) is None:
        known = ", ".join(t.id for t in seller.tax_categories)
        yield error(at("tax_category"), f"{name}.tax_category", f"unknown tax category {s.tax_category} (seller profile has: {known})")
    if s.currency not in seller.offered_currencies():
        yield error(at("currency"), f"{name}.currency", f"currency {s.currency} is not offered by the seller ({', '.join(seller.offered_currencies())})")
    yield from _check_price_lists(at, name, s, seller)
    if s.min_quantity is not None and s.max_quantity is not None and s.min_quantity > s.max_quantity:
        yield error(at("max_quantity"), f"{name}.max_quantity", f"is below min_quantity {s.min_quantity}")
    for j, clause in enumerate(s.clauses):
        if clause not in clause_ids:
            yield error(at("clauses", j), f"{name}.clauses[{j}]", f"no clause {clause} in the clause library (known: {', '.join(sorted(clause_ids))})")
    for field in ("requires", "excludes"):
        for j, sku in enumerate(getattr(s, field)):
            if sku not in services:
                yield error(at(field, j), f"{name}.{field}[{j}]", f"unknown SKU {sku}{_close(sku, services)}")
            elif sku == s.sku:
                yield error(at(field, j), f"{name}.{field}[{j}]", "an item cannot refer to itself")


def _price_source(pricing: str) -> str:
    return {"rate_card": "rates", "work_package": "the effort of its work_package template"}.get(pricing, "tiers")


def _check_price_lists(at, name: str, s: Service, seller: SellerProfile) -> Iterator[Problem]:
    """A price list in another currency prices the item the same way its own prices do."""
    for currency, own in s.price_lists.items():
        here, field = ("price_lists", currency), f"{name}.price_lists.{currency}"
        if currency == s.currency:
            yield error(at(*here), field, f"{currency} is the item's own currency; its prices are the item's price, tiers and rates")
        elif currency not in seller.offered_currencies():
            yield error(at(*here), field, f"currency {currency} is not offered by the seller ({', '.join(seller.offered_currencies())})")
        if own.price is not None and s.pricing not in ("per_unit", "package"):
            yield error(at(*here, "price"), f"{field}.price", f"{s.pricing} pricing takes its prices from {'rates' if s.pricing == 'rate_card' else 'tiers'}, not price")
        if own.tiers and s.pricing not in ("graduated", "volume"):
            yield error(at(*here, "tiers"), f"{field}.tiers", f"tiers are used only with graduated or volume pricing (this item is {s.pricing})")
        elif own.tiers and [t.up_to for t in own.tiers] != [t.up_to for t in s.tiers]:
            bands = ", ".join("open" if t.up_to is None else f"up to {t.up_to}" for t in s.tiers)
            yield error(at(*here, "tiers"), f"{field}.tiers", f"give one price per band of the item's own tiers, with the same up_to ({bands})")
        if own.rates and s.pricing != "rate_card":
            yield error(at(*here, "rates"), f"{field}.rates", f"rates are used only with rate_card pricing (this item is {s.pricing})")
            continue
        roles = {r.role for r in s.rates}
        for j, rate in enumerate(own.rates):
            if rate.role not in roles:
                yield error(at(*here, "rates", j, "role"), f"{field}.rates[{j}].role", f"{s.sku} has no role {rate.role}{_close(rate.role, roles)}")


def _check_tiers(at, name: str, s: Service) -> Iterator[Problem]:
    if not s.tiers:
        yield error(at(), f"{name}.tiers", f"{s.pricing} pricing needs tiers")
        return
    previous = Decimal(0)
    for j, tier in enumerate(s.tiers):
        last = j == len(s.tiers) - 1
        if tier.up_to is None and not last:
            yield error(at("tiers", j, "up_to"), f"{name}.tiers[{j}].up_to", "only the last tier may be open-ended")
        elif tier.up_to is not None and last:
            yield error(at("tiers", j, "up_to"), f"{name}.tiers[{j}].up_to", "the last tier must be open-ended (leave up_to empty)")
        elif tier.up_to is not None and tier.up_to <= previous:
            yield error(at("tiers", j, "up_to"), f"{name}.tiers[{j}].up_to", f"tiers must ascend (got {tier.up_to} after {previous})")
        previous = tier.up_to or previous




