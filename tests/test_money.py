"""proposals.money, against values worked out by hand (issue #23: mutation testing of the core).

Every expected value is written out here, never computed by the module under test; each test's
docstring names the mutation it kills."""

from __future__ import annotations

from decimal import Decimal

import pytest

from proposals.money import (
    MAX_MAGNITUDE,
    Money,
    MoneyInputError,
    convert_price,
    format_money,
    format_number,
    format_price,
    is_currency,
    known_locale,
    minor_unit,
    percent_of,
    round_money,
    to_decimal,
    total,
)

D = Decimal


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("1200.50"), D("1200.50")), (7, D(7)), ("  12.345 ", D("12.345")), ("-3", D(-3)), ("0.000000000001", D("0.000000000001")),
     ("0.0000166667", D("0.0000166667")),
     ("0E-20", D(0)), ("999999999999.99", D("999999999999.99")), (-(10**12) + 1, D(-(10**12) + 1)), ("1" + "0" * 39, None)],
    ids=["decimal", "int", "padded text", "negative", "twelve places", "usage price per GB-second", "zero with exponent", "just below a trillion",
         "negative just inside", "forty characters"],
)
def test_to_decimal_reads_exactly(value, expected):
    """Kills: strip() dropped, the Decimal branch or int branch swapped, `!= 0` -> `== 0` on the places check,
    `>= MAX` -> `> MAX` (see the refusals), 40-character limit moved."""
    if expected is None:  # 1e39 is 40 characters: readable, then refused as too large
        with pytest.raises(MoneyInputError, match="^a number must be below 1,000,000,000,000$"):
            to_decimal(value)
        return
    result = to_decimal(value)
    assert result == expected and isinstance(result, Decimal)


@pytest.mark.parametrize(
    ("value", "message"),
    [(True, "expected a number, not true/false"), (False, "expected a number, not true/false"),
     (1.5, 'write the amount as a quoted decimal, e.g. "1200.50"'), ("", "expected a number"), ("   ", "expected a number"),
     ("1" * 41, "expected a number"), ("12,50", "expected a number"), (None, "expected a number"), ([1], "expected a number"),
     ("NaN", "expected a finite number"), ("Infinity", "expected a finite number"), ("-Infinity", "expected a finite number"),
     (10**12, "a number must be below 1,000,000,000,000"), ("-1000000000000", "a number must be below 1,000,000,000,000"),
     ("0.0000000000001", "at most 12 decimal places"), ("-1.1234567890123", "at most 12 decimal places")],
    ids=["true", "false", "float", "empty", "blank", "41 chars", "comma", "none", "list", "nan", "inf", "-inf",
         "a trillion", "minus a trillion", "thirteen places", "negative thirteen places"],
)
def test_to_decimal_refuses_with_the_exact_message(value, message):
    """Kills: every message string mutated, `>=` -> `>` at a trillion exactly, abs() dropped (minus a trillion),
    `< -MAX_PLACES` -> `<=` (twelve places are accepted above), bool checked after int (True is an int)."""
    with pytest.raises(MoneyInputError) as raised:
        to_decimal(value)
    assert str(raised.value) == message


def test_limits_are_the_documented_ones():
    """Kills: MAX_MAGNITUDE changed (10**12 is the README's 'below a trillion')."""
    assert MAX_MAGNITUDE == 1_000_000_000_000


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("0.005", "EUR", "0.01"), ("0.004999", "EUR", "0.00"), ("2.675", "EUR", "2.68"), ("-2.675", "EUR", "-2.68"),
     ("1.5", "JPY", "2"), ("2.5", "JPY", "3"), ("1.0005", "KWD", "1.001"), ("1.00049", "KWD", "1.000"),
     ("-0.004", "EUR", "0.00"), ("123456789012.345", "EUR", "123456789012.35")],
    ids=["half up", "just below half", "binary trap", "negative half", "yen half", "yen even half", "dinar half",
         "dinar below half", "negative zero", "large amount"],
)
def test_round_money_half_up_to_the_minor_unit(amount, currency, expected):
    """Kills: ROUND_HALF_UP -> HALF_EVEN (2.5 JPY, 2.675 EUR), scaleb sign flipped, precision lowered (large
    amount needs 15 digits), the negative-zero guard dropped (str would be '-0.00')."""
    result = round_money(D(amount), currency)
    assert str(result) == expected


def test_minor_units_and_currencies_from_iso_4217():
    """Kills: minor_unit returning a constant, is_currency inverted."""
    assert (minor_unit("EUR"), minor_unit("JPY"), minor_unit("KWD"), minor_unit("CHF")) == (2, 0, 3, 2)
    assert is_currency("SEK") and is_currency("EUR") and not is_currency("EURO") and not is_currency("XYZ")


@pytest.mark.parametrize("code", [None, "XYZ", "EURO", ""])
def test_money_in_an_unknown_currency_is_refused_not_rounded_to_cents(code):
    """Babel answers 2 places for any code it does not know; that would round yen to cents unnoticed.

    Kills every mutant that passes None instead of the currency to round_money or minor_unit.
    """
    with pytest.raises(ValueError, match="unknown currency"):
        minor_unit(code)
    with pytest.raises(ValueError, match="unknown currency"):
        round_money(D("1.005"), code)


def test_total_is_decimal_even_when_empty():
    """An empty sum is Decimal('0'), not the int 0 (which has no quantize and prints as 0, not 0.00).

    Kills: the start value dropped (sum() starts at int 0), a mutated start value.
    """
    empty = total([])
    assert isinstance(empty, Decimal) and empty == 0 and round_money(empty, "EUR") == D("0.00")
    assert total(iter([D("1.10"), D("2.205")])) == D("3.305")
    assert total(D(n) for n in ("-1", "1")) == 0


def test_percent_of_is_unrounded():
    """19 % of 10.01 = 1.9019 exactly. Kills: * -> /, / 100 -> * 100, an early rounding."""
    assert percent_of(D("10.01"), D("19")) == D("1.9019")
    assert percent_of(D("200"), D("2.5")) == D("5")


def test_money_arithmetic_keeps_currency_and_refuses_to_mix():
    """Kills: + -> -, - -> +, the currency check dropped or inverted, rounded() not rounding."""
    assert Money(D("10.50"), "EUR") + Money(D("0.25"), "EUR") == Money(D("10.75"), "EUR")
    assert Money(D("10.50"), "EUR") - Money(D("0.25"), "EUR") == Money(D("10.25"), "EUR")
    assert Money(D("1.005"), "EUR").rounded() == Money(D("1.01"), "EUR")
    assert Money(D("2.5"), "JPY").rounded() == Money(D("3"), "JPY")
    assert str(Money(D("1.50"), "CHF")) == "CHF 1.50"
    for combine in (lambda a, b: a + b, lambda a, b: a - b):
        with pytest.raises(ValueError) as raised:
            combine(Money(D(1), "EUR"), Money(D(1), "CHF"))
        assert str(raised.value) == "cannot combine EUR and CHF"


@pytest.mark.parametrize(("tag", "known"), [("de_DE", True), ("de-CH", True), ("en", True), ("xx_YY", False), ("", False), ("de_", False)])
def test_known_locale(tag, known):
    """Kills: the '-' -> '_' replacement dropped (de-CH), the except branch returning True."""
    assert known_locale(tag) is known


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [("1234.5", "EUR", "de_DE", "1.234,50\xa0€"), ("1234.5", "EUR", "en_GB", "€1,234.50"), ("1235", "JPY", "ja_JP", "￥1,235"),
     ("1234.5", "CHF", "de_CH", "CHF\xa01'234.50"), ("-0.5", "KWD", "en_US", "-KWD0.500")],
    ids=["german", "british", "yen", "swiss", "dinar"],
)
def test_format_money_uses_the_currency_digits(amount, currency, locale, expected):
    """Expected texts are CLDR's patterns for each locale. Amounts arrive rounded (round_money); Babel
    itself would round a yen half to even. Kills: currency_digits=True -> False (yen would print
    '1,235.00'), the locale not passed on."""
    assert format_money(D(amount), currency, locale) == expected


@pytest.mark.parametrize(
    ("value", "locale", "places", "expected"),
    [("1.5", "de_DE", 3, "1,5"), ("1.5", "en_GB", 3, "1.5"), ("1234.0", "de_DE", 3, "1.234"), ("0.1234", "en_GB", 3, "0.123"),
     ("0.1234", "en_GB", 4, "0.1234"), ("2.75", "en_GB", 0, "3"), ("12", "en_GB", 2, "12")],
    ids=["german decimal", "british decimal", "grouping, no trailing zeros", "three places", "four places", "no places", "integer"],
)
def test_format_number_drops_trailing_zeros(value, locale, places, expected):
    """Kills: '#' -> '0' in the pattern (trailing zeros), the max_places count ignored, `if max_places` inverted."""
    assert format_number(D(value), locale, places) == expected


def test_format_number_shows_three_places_by_default():
    """0.12345 -> 0.123 (quantities print at most three places). Kills: the default 3 -> 4."""
    assert format_number(D("0.12345"), "en_GB") == "0.123"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [("49.999", "EUR", "en_GB", "€49.999"), ("50", "EUR", "en_GB", "€50.00"), ("50.000", "EUR", "en_GB", "€50.00"),
     ("0.0000166667", "EUR", "de_DE", "0,0000166667\xa0€"), ("1234.5", "EUR", "de_DE", "1.234,50\xa0€"),
     ("0.0111051596", "EUR", "en_GB", "€0.0111051596"), ("1200", "JPY", "ja_JP", "￥1,200"), ("0.25", "JPY", "ja_JP", "￥0.25"),
     ("1.5", "KWD", "en_GB", "KWD1.500"), ("1.2345", "KWD", "de_DE", "1,2345\xa0KWD"), ("1E+2", "EUR", "en_GB", "€100.00")],
    ids=["three places", "whole", "trailing zeros", "ten places de", "grouping de", "kWh price", "yen whole", "yen fraction",
         "dinar minor unit", "dinar four places", "exponent form"],
)
def test_format_price_shows_every_decimal_the_price_has(amount, currency, locale, expected):
    """A unit price prints with its own precision and at least the currency's minor unit (issue #17), so
    10 x €49.999 reads as €499.99. Kills: max -> min, the minor unit ignored, trailing zeros kept (50.000),
    decimal_quantization left on (it would round 49.999 to 50.00), the exponent of 1E+2 taken as places."""
    assert format_price(D(amount), currency, locale) == expected


@pytest.mark.parametrize(("price", "rate", "source", "currency", "rounding", "step", "expected"), [
    ("1.00", "1.125", "CHF", "EUR", "minor_unit", None, "1.13"),            # a tie: 1.125 -> 1.13 (half even would give 1.12)
    ("0.0000166667", "0.9412", "EUR", "CHF", "minor_unit", None, "0.0000156867"),  # 8 places beyond the cent kept: 0.00001568669804
    ("49.999", "161.27", "EUR", "JPY", "minor_unit", None, "8063.3"),      # one place beyond the cent: 8,063.338873 -> 8,063.3 yen
    ("0.10", "161.27", "EUR", "JPY", "minor_unit", None, "16"),            # a plain cent price becomes whole yen: 16.127 -> 16
    ("1200", "0.32", "JPY", "KWD", "minor_unit", None, "384.000"),         # yen to dinar: three places
    ("1200", "0.9411875", "EUR", "CHF", "increment", "0.05", "1129.45"),   # 1,129.425 is 22,588.5 steps: a tie, up
    ("1000", "1.1291", "CHF", "EUR", "ending", "0.90", "1129.90"),         # 1,129.10: up to the next .90, never down to 1,128.90
    ("1000", "1.1299", "CHF", "EUR", "ending", "0.90", "1129.90"),         # 1,129.90 already ends in .90
    ("1000", "1.12991", "CHF", "EUR", "ending", "0.90", "1130.90"),        # 1,129.91 is past it
])
def test_convert_price_rounds_by_the_declared_policy(price, rate, source, currency, rounding, step, expected):
    """Kills: half up replaced by the context's half even (the ties), ceiling replaced by rounding to nearest
    (1,129.10 would end at 1,128.90), either minor unit or the price's extra places dropped, the step ignored."""
    result = convert_price(D(price), D(rate), source, currency, rounding, None if step is None else D(step))
    assert result == D(expected) and str(result) == expected
