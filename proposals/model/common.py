"""Shared building blocks of the input models: strict base, field types, addresses.

Types are strict on purpose: ``quantity: yes`` is an error, not 1; an
unquoted ``012`` where text is meant is an error that says to quote it.
Every field carries a docstring; the README's field reference is generated
from them (``proposals.docs``) and a test fails when one is missing.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from ..money import MoneyInputError, is_currency, known_locale, to_decimal


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


def _currency(value: str) -> str:
    if not is_currency(value):
        raise PydanticCustomError("currency", "unknown currency code {got} (use ISO 4217, e.g. EUR)", {"got": _describe(value)})
    return value


def _locale(value: str) -> str:
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", value) or not known_locale(value):
        raise PydanticCustomError("locale", "unknown locale {got} (write it like de_DE or en_GB)", {"got": _describe(value)})
    return value


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise PydanticCustomError("country", "expected a two-letter ISO country code such as DE (got {got})", {"got": _describe(value)})
    return value


def _identifier(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        raise PydanticCustomError(
            "identifier",
            "use letters, digits, '.', '_' or '-' (at most 64, starting with a letter or digit) (got {got})",
            {"got": _describe(value)},
        )
    return value


Text = Annotated[str, BeforeValidator(_text), AfterValidator(_non_blank)]
Identifier = Annotated[str, BeforeValidator(_text), AfterValidator(_identifier), Field(json_schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"})]
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
    postal_code: Text
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
    email: Text | None = None
    """E-mail address."""
    phone: Text | None = None
    """Phone number, as text."""
    title: Text | None = None
    """Job title, e.g. "Head of Sales"."""
    salutation: Text | None = None
    """Greeting as written in a letter, without the comma: "Dear Mr Lindner", "Sehr geehrte Frau Wenzel"."""
