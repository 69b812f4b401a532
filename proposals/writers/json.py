"""quote.json: the Quote in a stable schema; money and rates are strings, never floats."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any

from ..pricing.quote import Quote

SCHEMA_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")  # "1000", never "1E+3"
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def quote_document(quote: Quote, *, internal: bool = False) -> dict[str, Any]:
    """The Quote as JSON data; guardrail findings, costs and work-package estimates only when ``internal``."""
    data = _plain(quote)
    if quote.margin_percent is not None:  # internal; a percentage reads to two places, not to 28 digits
        data["margin_percent"] = format(quote.margin_percent.quantize(Decimal("0.01")), "f")
    if not internal:
        data.pop("findings")
        data.pop("margin_percent")
        for line in data["lines"]:
            line.pop("cost")
            line.pop("estimate")  # a work package's efforts, spreads, buffer and costs are the seller's own
    for ac in data["allowances_charges"]:
        if ac["scope"] is None:
            del ac["scope"]  # only a scoped percentage has one; unscoped ones read as before it existed
    return {"schema": f"proposals.quote/{SCHEMA_VERSION}", **data}


class JsonWriter:
    """Quote -> quote.json bytes (keys in schema order, two-space indent, trailing newline)."""

    name = "json"
    suffix = ".json"

    def render(self, quote: Quote) -> bytes:
        return (json.dumps(quote_document(quote), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
