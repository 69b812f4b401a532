"""Shared building blocks of the input models: strict base, field types, addresses.

Types are strict on purpose: ``quantity: yes`` is an error, not 1; an
unquoted ``012`` where text is meant is an error that says to quote it.
Every field carries a docstring; the README's field reference is generated
from them (``proposals.input.reference``) and a test fails when one is missing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ...money import MoneyInputError, is_currency, known_locale, to_decimal


class Model(BaseModel):
    """Frozen, strict, closed: unknown keys are rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        validate_default=False,
        defer_build=True,
    )


def attribute_docstrings(cls: type) -> dict[str, str]:
    """The docstrings written under the annotated attributes of one class body
    (model fields, dataclass fields), by attribute name."""
    import ast
    import inspect

    body = ast.parse(inspect.getsource(cls)).body[0].body
    return {
        node.target.id: inspect.cleandoc(following.value.value)
        for node, following in zip(body, body[1:])
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(following, ast.Expr)
        and isinstance(following.value, ast.Constant) and isinstance(following.value.value, str)
    }


def field_descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Each field's docstring, own and inherited.

    Read on demand for the README and the JSON Schema: pydantic's
    ``use_attribute_docstrings`` would parse every model's source at import,
    a tenth of the start-up of every command.
    """
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls not in (BaseModel, Model):
            found.update(attribute_docstrings(cls))
    return {name: text for name, text in found.items() if name in model.model_fields}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a list" if isinstance(value, list) else "a mapping"
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, Decimal, date)) and not isinstance(value, bool) or value is True or value is False:
        raise PydanticCustomError(
            "text_expected",
            "expected text; put the value in quotes so YAML keeps it as written (got {got})",
            {"got": _describe(value)},
        )
    raise PydanticCustomError("text_expected", "expected text (got {got})", {"got": _describe(value)})


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

# Control characters have no name in the Unicode database, only aliases.
_CONTROL_NAMES = dict(zip(
    [*range(0x20), 0x7F, *range(0x80, 0xA0)],
    "NULL|START OF HEADING|START OF TEXT|END OF TEXT|END OF TRANSMISSION|ENQUIRY|ACKNOWLEDGE|ALERT|BACKSPACE"
    "|CHARACTER TABULATION|LINE FEED|LINE TABULATION|FORM FEED|CARRIAGE RETURN|SHIFT OUT|SHIFT IN|DATA LINK ESCAPE"
    "|DEVICE CONTROL ONE|DEVICE CONTROL TWO|DEVICE CONTROL THREE|DEVICE CONTROL FOUR|NEGATIVE ACKNOWLEDGE"
    "|SYNCHRONOUS IDLE|END OF TRANSMISSION BLOCK|CANCEL|END OF MEDIUM|SUBSTITUTE|ESCAPE|INFORMATION SEPARATOR FOUR"
    "|INFORMATION SEPARATOR THREE|INFORMATION SEPARATOR TWO|INFORMATION SEPARATOR ONE|DELETE"
    "|PADDING CHARACTER|HIGH OCTET PRESET|BREAK PERMITTED HERE|NO BREAK HERE|INDEX|NEXT LINE|START OF SELECTED AREA"
    "|END OF SELECTED AREA|CHARACTER TABULATION SET|CHARACTER TABULATION WITH JUSTIFICATION|LINE TABULATION SET"
    "|PARTIAL LINE FORWARD|PARTIAL LINE BACKWARD|REVERSE LINE FEED|SINGLE SHIFT TWO|SINGLE SHIFT THREE"
    "|DEVICE CONTROL STRING|PRIVATE USE ONE|PRIVATE USE TWO|SET TRANSMIT STATE|CANCEL CHARACTER|MESSAGE WAITING"
    "|START OF GUARDED AREA|END OF GUARDED AREA|START OF STRING|SINGLE GRAPHIC CHARACTER INTRODUCER"
    "|SINGLE CHARACTER INTRODUCER|CONTROL SEQUENCE INTRODUCER|STRING TERMINATOR|OPERATING SYSTEM COMMAND"
    "|PRIVACY MESSAGE|APPLICATION PROGRAM COMMAND".split("|"),
))


def character_name(ch: str) -> str:
    """``U+200B ZERO WIDTH SPACE``: a character as messages name it (controls by their alias)."""
    name = _CONTROL_NAMES.get(ord(ch)) or unicodedata.name(ch, "")
    return f"U+{ord(ch):04X} {name}".rstrip()


_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp"})


def invisible_character(value: str) -> str | None:
    """The first format (Cf) or control (Cc) character, line or paragraph separator in ``value``, or None.

    Such a character prints as nothing (U+200B ZERO WIDTH SPACE) or reorders what
    follows it (U+202E RIGHT-TO-LEFT OVERRIDE): an identifier holding one reads as
    another. ``str.isprintable`` is false for every one of them, and true for
    nearly every value, so the scan runs only for the rare rest.
    """
    if value.isprintable():
        return None
    return next((ch for ch in value if unicodedata.category(ch) in _INVISIBLE_CATEGORIES), None)


def _visible(value: str) -> str:
    """Identifiers (numbers, codes, ids, addresses) hold no invisible or control character."""
    bad = invisible_character(value)
    if bad is not None:
        what = "a control" if unicodedata.category(bad) == "Cc" else "an invisible"
        raise PydanticCustomError("invisible", "contains {what} character {name}; retype the value", {"what": what, "name": character_name(bad)})
    return value


# Bidirectional text (UAX #9). Bidi-active: characters of class R, AL or AN, the
# explicit formatting characters and the marks LRM, RLM, ALM. They lie in these
# blocks (a test checks every code point); unassigned code points there default
# to R or AL, so they count too.
RTL_BLOCKS = re.compile(
    "[\u0590-\u08ff\u200e\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefe"
    "\U00010800-\U00010fff\U0001e800-\U0001efff]"
)
_BIDI_ACTIVE_CLASSES = frozenset({"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI", ""})
LRM = "\u200e"
EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
PDF = "\u202c"
ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
FSI, PDI = "\u2068", "\u2069"
PARAGRAPH_SEPARATORS = re.compile("(\r\n|[\n\r\u001c-\u001e\u0085\u2029])")
"""Bidi class B: each ends every embedding, override and isolate (UAX #9, rule P1)."""


def bidi_active(text: str) -> bool:
    """Whether ``text`` has a right-to-left or Arabic-number character, or a bidi mark or control."""
    for match in RTL_BLOCKS.finditer(text):
        ch = match.group()
        if ch == LRM or unicodedata.bidirectional(ch) in _BIDI_ACTIVE_CLASSES:
            return True
    return False


def bidi_imbalance(text: str) -> tuple[str, str] | None:
    """The first unbalanced explicit bidi character of ``text`` as (kind, sentence), or None.

    Kinds: ``override`` (an embedding or override never closed, a PDF that closes
    nothing) and ``isolate`` (an isolate never closed, a PDI that closes none).
    Each paragraph is balanced on its own: a line break ends them all (UAX #9, P1).
    """
    for paragraph in PARAGRAPH_SEPARATORS.split(text):
        open_: list[str] = []
        for ch in paragraph:
            if ch in EMBEDDINGS or ch in ISOLATES:
                open_.append(ch)
            elif ch == PDF:
                if open_ and open_[-1] in EMBEDDINGS:
                    open_.pop()
                elif not open_:  # inside an isolate an unmatched PDF is ignored (BD9)
                    return "override", f"{character_name(ch)} closes no embedding or override; remove it"
            elif ch == PDI:
                if not any(c in ISOLATES for c in open_):
                    return "isolate", f"{character_name(ch)} closes no isolate; remove it"
                while open_.pop() not in ISOLATES:  # a PDI also closes the embeddings inside its isolate
                    pass
        if open_:
            first = open_[0]
            if first in ISOLATES:
                return "isolate", f"{character_name(first)} is never closed (no {character_name(PDI)} follows); close it or remove it"
            return "override", f"{character_name(first)} is never closed (no {character_name(PDF)} follows), so it reorders the rest of the value; close it or remove it"
    return None


def _non_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    bad = _CONTROL.search(value)
    if bad:
        raise PydanticCustomError("control", "contains the control character U+{code}; remove it", {"code": f"{ord(bad.group()):04X}"})
    return value


def _number(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except MoneyInputError as exc:
        raise PydanticCustomError("number", "{reason} (got {got})", {"reason": str(exc), "got": _describe(value)}) from None


def _whole(value: Any) -> Any:
    if isinstance(value, str) and value.strip().isdigit():
        raise PydanticCustomError("whole_number", "expected a whole number; remove the quotes (got \"{got}\")", {"got": _describe(value)})
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("whole_number", "expected a whole number (got {got})", {"got": _describe(value)})
    return value


def _flag(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticCustomError("flag", "expected true or false (got {got})", {"got": _describe(value)})
    return value


def _day(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "expected a date written as YYYY-MM-DD (got {got})", {"got": _describe(value)})


def _identifier_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return _visible(value)


def _currency(value: str) -> str:
    _visible(value)
    if not is_currency(value):
        raise PydanticCustomError("currency", "unknown currency code {got} (use ISO 4217, e.g. EUR)", {"got": _describe(value)})
    return value


def _locale(value: str) -> str:
    _visible(value)
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", value) or not known_locale(value):
        raise PydanticCustomError("locale", "unknown locale {got} (write it like de_DE or en_GB)", {"got": _describe(value)})
    return value


def _country(value: str) -> str:
    _visible(value)
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise PydanticCustomError("country", "expected a two-letter ISO country code such as DE (got {got})", {"got": _describe(value)})
    return value


def _identifier(value: str) -> str:
    _visible(value)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        raise PydanticCustomError(
            "identifier",
            "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit) (got {got})",
            {"got": _describe(value)},
        )
    return value


Text = Annotated[str, BeforeValidator(_text), AfterValidator(_non_blank)]
IdText = Annotated[str, BeforeValidator(_text), AfterValidator(_identifier_text)]
"""Text that identifies (a VAT id, an IBAN, a customer number, an e-mail address): no invisible or control character."""
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Identifier = Annotated[str, BeforeValidator(_text), AfterValidator(_identifier), Field(json_schema_extra={"pattern": IDENTIFIER_PATTERN})]
Number = Annotated[Decimal, BeforeValidator(_number)]
WholeNumber = Annotated[int, BeforeValidator(_whole)]
Flag = Annotated[bool, BeforeValidator(_flag)]
Day = Annotated[date, BeforeValidator(_day)]
CurrencyCode = Annotated[str, BeforeValidator(_text), AfterValidator(_currency)]
LocaleTag = Annotated[str, BeforeValidator(_text), AfterValidator(_locale)]
CountryCode = Annotated[str, BeforeValidator(_text), AfterValidator(_country)]


class Address(Model):
    """A postal address."""

    street: Text
    """Street and number, e.g. "Speicherstadt 12"."""
    postal_code: IdText
    """Postal code, as text (quote it: "01067" keeps its leading zero)."""
    city: Text
    """City."""
    country: CountryCode
    """ISO 3166 two-letter country code, e.g. DE, AT, NO (quote not needed; NO stays "NO")."""
    region: Text | None = None
    """State, province or region where the postal system needs it."""


class Contact(Model):
    """A person to contact."""

    name: Text
    """Full name."""
    email: IdText | None = None
    """E-mail address."""
    phone: IdText | None = None
    """Phone number, as text."""
    title: Text | None = None
    """Job title, e.g. "Head of Sales"."""
    salutation: Text | None = None
    """Greeting as written in a letter, without the comma: "Dear Mr Lindner", "Sehr geehrte Frau Wenzel"."""
