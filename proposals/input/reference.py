"""The field reference of the input files, generated from the models so it cannot drift.

Every model a seller, catalog or deal file can hold, as a Markdown table per model:
field, type, required or default, and the docstring under the field.
``proposals.commands.readme`` writes it into README.md; the JSON Schema
(``proposals.input.schema``) takes its descriptions from the same docstrings.
"""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .model import CatalogFile, Deal, SellerProfile
from .model.review import Review
from .model.common import field_descriptions

ROOTS = (
    ("catalog/seller.yaml", SellerProfile),
    ("catalog/*.yaml (every other file)", CatalogFile),
    ("deals/*.yaml", Deal),
    ("reviews/<deal>/*.yaml", Review),
)


def type_name(annotation: typing.Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in args if a is not type(None))
    if origin is list:
        return f"list of {type_name(args[0])}"
    if origin is dict:
        return f"mapping of {type_name(args[0])} to {type_name(args[1])}"
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if origin is not None or "0x" in repr(annotation):
        raise TypeError(f"document the type {annotation!r} in proposals.input.reference.type_name")
    names = {"str": "text", "Decimal": "decimal", "int": "whole number", "bool": "true/false", "date": "date (YYYY-MM-DD)"}
    return names.get(getattr(annotation, "__name__", ""), str(annotation))


def nested_models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []

    def visit(annotation: typing.Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                for f in annotation.model_fields.values():
                    visit(f.annotation)
            return
        for arg in typing.get_args(annotation):
            visit(arg)

    visit(model)
    return found


def model_table(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip().splitlines()[0]
    rows = [f"### {model.__name__}", "", doc, "", "| field | type | required / default | meaning |", "|---|---|---|---|"]
    descriptions = field_descriptions(model)
    for name, f in model.model_fields.items():
        if f.is_required():
            need = "required"
        elif f.default is None or f.default in ([], {}) or f.default is PydanticUndefined:
            need = "optional"
        elif isinstance(f.default, BaseModel):
            need = "see type"
        else:
            need = f"`{f.default}`"
        meaning = descriptions.get(name, "").replace("|", "\\|").replace("\n", " ")
        rows.append(f"| `{name}` | {type_name(f.annotation)} | {need} | {meaning} |")
    return "\n".join(rows) + "\n"


def field_tables() -> str:
    """Which model each kind of file is, then one table per model, in the order first reached."""
    parts = [f"**`{where}`** is a [{root.__name__}](#{root.__name__.lower()}).\n" for where, root in ROOTS]
    seen: list[type[BaseModel]] = []
    for _, root in ROOTS:
        seen += [m for m in nested_models(root) if m not in seen]
    parts += [model_table(m) for m in seen]
    return "\n".join(parts)


def undocumented() -> list[str]:
    """Every model field without a docstring (a test keeps this empty)."""
    models = {m for _, root in ROOTS for m in nested_models(root)}
    return sorted(f"{m.__name__}.{n}" for m in models for documented in [field_descriptions(m)] for n in m.model_fields if not documented.get(n))
