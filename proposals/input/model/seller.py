"""The seller profile (``catalog/seller.yaml``): who offers, banks, taxes, rules."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .common import (
    Address,
    Contact,
    CurrencyCode,
    Flag,
    Identifier,
    IdText,
    LocaleTag,
    Model,
    Number,
    Text,
    WholeNumber,
    _visible,
)
from .currency import ExchangeRate, PriceConversion

TaxCategoryCode = Literal["S", "Z", "E", "AE", "K", "G", "O", "B", "L", "M"]
"""EN 16931 VAT category codes (UNTDID 5305 subset)."""

CreditRating = Literal["A", "B", "C", "D"]


def _iban(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}", compact):
        raise PydanticCustomError("iban", "not an IBAN (country code, two check digits, account)")
    rearranged = compact[4:] + compact[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    if int(digits) % 97 != 1:
        raise PydanticCustomError("iban", "IBAN check digits do not match; a digit is probably mistyped")
    return compact


def _bic(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?", value):
        raise PydanticCustomError("bic", "not a BIC (8 or 11 letters and digits, e.g. DEUTDEFFXXX)")
    return value


Iban = Annotated[IdText, AfterValidator(_iban)]
Bic = Annotated[IdText, AfterValidator(_bic)]
Percent = Annotated[Number, Field(ge=0, le=100)]


class Registration(Model):
    """Commercial register entry."""

    court: Text
    """Register court or authority, e.g. "Amtsgericht Hamburg"."""
    number: IdText
    """Register number, e.g. "HRB 123456"."""


class BankAccount(Model):
    """Where customers pay."""

    bank_name: Text
    """Name of the bank."""
    iban: Iban
    """IBAN; spaces allowed, check digits verified."""
    bic: Bic
    """BIC/SWIFT code."""
    account_holder: Text | None = None
    """Account holder if it differs from the legal name."""


class TaxCategory(Model):
    """A VAT category the seller invoices with."""

    id: Identifier
    """Name used by catalog items and allowances, e.g. ``standard``."""
    code: TaxCategoryCode
    """EN 16931 VAT category code (UNTDID 5305): S standard, Z zero, E exempt, AE reverse charge, K intra-EU supply, G export, O outside scope, B split payment (Italy), L IGIC (Canary Islands), M IPSI (Ceuta and Melilla)."""
    rate: Percent
    """VAT rate in percent, e.g. "19"; 0 for Z, E, AE, K, G, O; above 0 for S and B; the local rate for L (IGIC, e.g. 7) and M (IPSI, e.g. 4)."""
    exemption_reason: Text | None = None
    """Printed reason for E, AE, K, G and O, e.g. "Reverse charge: the recipient is liable for VAT (Art. 196 Directive 2006/112/EC)"."""


class EarlyPaymentDiscount(Model):
    """Cash discount for early payment (e.g. 2 % within 10 days)."""

    percent: Annotated[Number, Field(gt=0, le=100)]
    """Discount in percent."""
    days: Annotated[WholeNumber, Field(gt=0)]
    """Days after the invoice date within which it applies."""


class DefaultTerms(Model):
    """Terms a deal gets unless it negotiates others."""

    payment_days: Annotated[WholeNumber, Field(ge=0, le=365)] = 30
    """Days from invoice to due date (net)."""
    validity_days: Annotated[WholeNumber, Field(gt=0, le=365)] = 30
    """How long an offer is binding, in days from its date."""
    early_payment: EarlyPaymentDiscount | None = None
    """Default early-payment discount, if any."""
    late_interest_points: Annotated[Number, Field(ge=0, le=50)] | None = None
    """Late-payment interest in percentage points above the central bank's base rate (9 for B2B in Germany, § 288 (2) BGB); the wording comes in the document's language."""
    liability_cap_multiple: Annotated[Number, Field(gt=0, le=100)] = Decimal(1)
    """Liability for slight negligence is capped at this multiple of the net contract value."""
    venue: Text | None = None
    """Place of jurisdiction, e.g. "Hamburg". The governing law is the law at the seller's registered office."""


class CreditRule(Model):
    """What a customer with a given credit rating may be granted."""

    rating: CreditRating
    """Credit rating this rule applies to (A best, D worst)."""
    max_payment_days: Annotated[WholeNumber, Field(ge=0)] | None = None
    """Longest payment term allowed."""
    prepayment_percent: Percent | None = None
    """Share of the total that must be paid before work starts."""
    blocked: Flag = False
    """True when no offer may be issued to such customers without approval."""


class Guardrails(Model):
    """Internal limits; findings are shown to the seller, never in customer documents."""

    max_discount_percent: Percent = Decimal(100)
    """Largest discount any line may get without approval."""
    margin_floor_percent: Annotated[Number, Field(ge=-100, le=100)] | None = None
    """Lowest acceptable margin on catalog cost, in percent of the net price."""
    credit_rules: list[CreditRule] = []
    """Rules by customer credit rating."""
    min_buffer_percent: Percent | None = None
    """Lowest risk buffer a fixed or capped work package may carry without approval, in percent of its effort x rates."""
    max_spread_percent: Percent | None = None
    """Widest spread a fixed-price work package may rest on without approval: the spreads of its efforts at their rates, in percent of its effort x rates."""


def _colour(value: str) -> str:
    _visible(value)
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
        raise PydanticCustomError("colour", "write a colour as #RRGGBB, e.g. #1F3A5F")
    return value.upper()


def _font(value: str) -> str:
    _visible(value)
    if not re.fullmatch(r"[A-Za-z0-9 ]{1,40}", value):
        raise PydanticCustomError("font", "a font family name has letters, digits and spaces only")
    return value


class Branding(Model):
    """How documents look, without editing templates."""

    primary_color: Annotated[Text, AfterValidator(_colour)] = "#1F3A5F"
    """Colour of headings, table heads and rules, as #RRGGBB."""
    font: Annotated[Text, AfterValidator(_font)] = "Carlito"
    """Font family of the documents (installed on the machine that builds); Carlito, Liberation Sans and DejaVu Sans follow as fallbacks."""
    paper: Literal["A4", "Letter"] = "A4"
    """Paper size of PDF and DOCX."""
    address_field: Literal["din5008-a", "din5008-b", "flow"] | None = None
    """Where the offer's letterhead puts the customer's address, for window envelopes: the DIN 5008 address field of form A (27 mm from the top edge) or form B (45 mm), 20 mm from the left edge, with the return-address line above it; ``flow``: in the letterhead without a fixed position. Default: form B on A4 for sellers in Germany, Austria or Switzerland, else ``flow``."""
    address_field_top_mm: Annotated[Number, Field(ge=0, le=200)] | None = None
    """An own position of the address field: its top edge, in mm from the page's top edge (with ``address_field_left_mm``; the field keeps form B's size, 85 x 45 mm)."""
    address_field_left_mm: Annotated[Number, Field(ge=0, le=120)] | None = None
    """An own position of the address field: its left edge, in mm from the page's left edge."""


class SellerProfile(Model):
    """The offering company: identity, bank, taxes, defaults and guardrails."""

    legal_name: Text
    """Full legal name as registered, e.g. "Nordwerk Engineering GmbH"."""
    trading_name: Text | None = None
    """Short name used in running text."""
    address: Address
    """Registered address."""
    vat_id: IdText
    """VAT identification number, e.g. DE123456789."""
    tax_number: IdText | None = None
    """National tax number, where printed."""
    registration: Registration | None = None
    """Commercial register entry."""
    managing_directors: list[Text] = []
    """Names printed in the legal footer."""
    bank: BankAccount
    """Bank account printed on offers and contracts."""
    contact: Contact
    """Default sales contact."""
    website: IdText | None = None
    """Web address printed in the footer."""
    logo: IdText | None = None
    """Path of the logo image (PNG or JPEG, so both PDF and DOCX can show it) inside the workspace, e.g. ``templates/assets/logo.png``."""
    default_locale: LocaleTag = "en_GB"
    """Locale for documents when a deal does not set one."""
    default_currency: CurrencyCode = "EUR"
    """Currency used when a deal does not set one."""
    currencies: list[CurrencyCode] = []
    """Currencies offers may be made in (empty: only the default currency)."""
    tax_categories: Annotated[list[TaxCategory], Field(min_length=1)]
    """VAT categories used by the catalog."""
    exchange_rates: list[ExchangeRate] = []
    """Exchange rates for pricing items in a currency they have no price list for; a deal's own rates take precedence."""
    exchange_rate_max_age_days: Annotated[WholeNumber, Field(ge=0)] | None = None
    """Refuse rates older than this many days at the offer date (empty: no limit)."""
    price_conversion: PriceConversion = PriceConversion()
    """How converted unit prices are rounded."""
    vat_accounting_currency: CurrencyCode | None = None
    """Currency the seller accounts VAT in (EN 16931 BT-6), e.g. EUR; when set, an offer with VAT in another currency also shows its VAT total in this one (BT-111), converted at a stated rate."""
    payable_rounding: dict[CurrencyCode, Annotated[Number, Field(gt=0, le=1)]] = {}
    """Cash rounding of the amount payable per currency (EN 16931 BT-114), e.g. ``CHF: "0.05"``; built in: CHF 0.05, SEK 1."""
    tax_rounding: Literal["per_category", "per_line"] = "per_category"
    """Round VAT per category and rate on the sum (EN 16931) or per line (as some ERPs do)."""
    default_terms: DefaultTerms = DefaultTerms()
    """Terms used unless the deal negotiates others."""
    guardrails: Guardrails = Guardrails()
    """Internal pricing and credit rules."""
    branding: Branding = Branding()
    """Colours, font and paper size of the documents."""

    def offered_currencies(self) -> list[str]:
        return list(dict.fromkeys([self.default_currency, *self.currencies]))

    def tax_category(self, category_id: str) -> TaxCategory | None:
        return next((t for t in self.tax_categories if t.id == category_id), None)
