"""The one front door for money: parsing, currencies, rounding.

Rounding policy
---------------
* Amounts are :class:`~decimal.Decimal` from the YAML text to the printed
  document; a binary float is refused wherever money is read.
* Every rounding goes through :func:`round_money`, which rounds to the
  currency's minor unit (ISO 4217, via Babel's currency data: EUR 2, JPY 0,
  KWD 3) with ROUND_HALF_UP, the commercial rounding that EN 16931 and German
  commercial practice expect (0.005 -> 0.01).
* Intermediate results (unit price x quantity, percentages) stay unrounded;
  each line net amount is rounded once, and totals are sums of rounded amounts,
  so printed lines always add up to printed totals.
* Amounts of different currencies are never added: :class:`Money` raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any, Iterable

from babel.core import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_precision, list_currencies

CENT_CONTEXT_PRECISION = 34
MAX_MAGNITUDE = 10**12  # no quantity or price of a services offer comes near a trillion
MAX_PLACES = 12  # usage prices such as 0.0000166667 per GB-second; amounts are still rounded to the minor unit
_KNOWN_CURRENCIES = frozenset(list_currencies())


class MoneyInputError(ValueError):
    """A value meant as money or a number could not be read exactly."""


def to_decimal(value: Any) -> Decimal:
    """Read a number exactly: int, Decimal or its decimal text; never a float or bool."""
    if isinstance(value, bool):
        raise MoneyInputError("expected a number, not true/false")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        raise MoneyInputError("write the amount as a quoted decimal, e.g. \"1200.50\"")
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 40:
            raise MoneyInputError("expected a number")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise MoneyInputError("expected a number") from None
    else:
        raise MoneyInputError("expected a number")
    if not result.is_finite():
        raise MoneyInputError("expected a finite number")
    if abs(result) >= MAX_MAGNITUDE:
        raise MoneyInputError(f"a number must be below {MAX_MAGNITUDE:,}")
    if result != 0 and result.as_tuple().exponent < -MAX_PLACES:
        raise MoneyInputError(f"at most {MAX_PLACES} decimal places")
    return result


def is_currency(code: str) -> bool:
    """True for an ISO 4217 code that Babel knows."""
    return code in _KNOWN_CURRENCIES


def minor_unit(currency: str) -> int:
    """Decimal places of the currency's minor unit (EUR 2, JPY 0, KWD 3).

    Babel answers 2 for a code it does not know; money in an unknown currency is a bug upstream
    (every currency is validated on input), so it is refused instead of rounded to cents.
    """
    if not is_currency(currency):
        raise ValueError(f"unknown currency {currency!r}")
    return get_currency_precision(currency)


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit; the only rounding of money."""
    # Equivalent mutant: Decimal(2).scaleb(...) rounds the same, quantize() uses only the exponent.
    exponent = Decimal(1).scaleb(-minor_unit(currency))
    with localcontext() as ctx:
        ctx.prec = CENT_CONTEXT_PRECISION
        result = amount.quantize(exponent, rounding=ROUND_HALF_UP)
    return result if result else abs(result)  # never print "-0.00"


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of amounts, starting from ``Decimal(0)``: an empty sum is money too, never the int 0."""
    return sum(amounts, Decimal(0))


def convert_price(price: Decimal, factor: Decimal, source: str, currency: str, rounding: str, step: Decimal | None) -> Decimal:
    """A unit price (or tier rate, role rate) in ``source`` converted into ``currency`` by ``factor`` (target units
    per source unit), before anything is discounted, rounded or summed: ERPs that convert the rounded, discounted
    amount instead turn 9.99 into 9.50. The seller's declared policy then rounds it:

    - ``minor_unit``: half up to the currency's minor unit, plus the places the list price has beyond its own
      currency's minor unit (a usage price of EUR 0.0000166667 keeps ten places in CHF; EUR 0.10 is whole yen);
    - ``increment``: half up to a multiple of ``step`` (0.05, 1, 10);
    - ``ending``: up to the next price ending in ``step`` (0.90: 1,149.37 becomes 1,149.90; 1,149.90 stays).
    """
    with localcontext() as ctx:
        ctx.prec = CENT_CONTEXT_PRECISION
        exact = price * factor
        if rounding == "increment":
            # Equivalent mutants here and below: Decimal(2) for Decimal(1) in quantize(), which uses only the exponent.
            return (exact / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step  # type: ignore[operator]
        if rounding == "ending":
            return (exact - step).to_integral_value(rounding=ROUND_CEILING) + step  # type: ignore[operator]
        extra = max(0, -price.normalize().as_tuple().exponent - minor_unit(source))  # type: ignore[operator]
        places = minor_unit(currency) + extra
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent_of(base: Decimal, percent: Decimal) -> Decimal:
    """``percent`` % of ``base``, unrounded."""
    return base * percent / Decimal(100)


@dataclass(frozen=True)
class Money:
    """An amount in one currency; arithmetic refuses to mix currencies."""

    amount: Decimal
    currency: str

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def rounded(self) -> "Money":
        return Money(round_money(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount}"


def known_locale(tag: str) -> bool:
    """True when Babel has data for a locale such as ``de_DE`` or ``en``."""
    try:
        Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """Locale-aware money: ``1.234,56 €`` (de_DE), ``€1,234.56`` (en_GB)."""
    # currency_digits=True is Babel's default too (dropping it is an equivalent mutant); it is spelled
    # out because the currency's digits, not the locale's pattern, must decide the decimals.
    return format_currency(amount, currency, locale=locale, currency_digits=True)


def format_price(amount: Decimal, currency: str, locale: str) -> str:
    """A unit price or tier rate with every decimal it has, and at least the currency's: ``€49.999``,
    ``€0.0000166667``, ``€50.00``; so that printed quantity x printed price gives the printed amount."""
    places = max(minor_unit(currency), -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
    # Equivalent mutants: Decimal(2) for Decimal(1) (quantize() uses only the exponent), and None for False
    # (Babel only tests decimal_quantization for truth).
    exact = amount.quantize(Decimal(1).scaleb(-places))
    return format_currency(exact, currency, locale=locale, decimal_quantization=False)


def format_number(value: Decimal, locale: str, max_places: int = 3) -> str:
    """A quantity or rate without trailing zeros: ``1,5`` or ``1.5``."""
    # Equivalent mutant: with max_places 0 the pattern "#,##0." formats as "#,##0" does in Babel.
    pattern = "#,##0." + "#" * max_places if max_places else "#,##0"
    return format_decimal(value, format=pattern, locale=locale)
