"""Generate the file-format reference (README section) from the models, so it cannot drift.

``python -m proposals.commands.readme`` prints it; ``--write`` replaces the section of
README.md between the markers; a test fails when README and models disagree.
"""

from __future__ import annotations

import sys
import types
import typing
from pathlib import Path

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ..input.model import CatalogFile, Deal, SellerProfile
from ..input.model.common import attribute_docstrings, field_descriptions

BEGIN = "<!-- BEGIN GENERATED FIELD REFERENCE: python -m proposals.commands.readme --write -->"
END = "<!-- END GENERATED FIELD REFERENCE -->"
ROOTS = (
    ("catalog/seller.yaml", SellerProfile),
    ("catalog/*.yaml (every other file)", CatalogFile),
    ("deals/*.yaml", Deal),
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
        raise TypeError(f"document the type {annotation!r} in proposals.commands.readme.type_name")
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


TEMPLATE_BEGIN = "<!-- BEGIN GENERATED TEMPLATE REFERENCE: python -m proposals.commands.readme --write -->"
TEMPLATE_END = "<!-- END GENERATED TEMPLATE REFERENCE -->"


def template_reference() -> str:
    """Every template variable (type, meaning) and every filter (signature, meaning)."""
    import dataclasses
    import inspect
    import typing

    from ..documents.context import TemplateContext
    from ..documents.templating import filters

    hints = typing.get_type_hints(TemplateContext)
    docs = {name: " ".join(text.split()).replace("|", "\\|") for name, text in attribute_docstrings(TemplateContext).items()}
    rows = [TEMPLATE_BEGIN, "", "| variable | type | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(TemplateContext):
        kind = getattr(hints[f.name], "__name__", None) or str(hints[f.name]).replace("typing.", "")
        rows.append(f"| `{f.name}` | `{kind.replace('|', chr(92) + '|')}` | {docs.get(f.name, '')} |")
    rows += ["", "| filter | arguments | meaning |", "|---|---|---|"]
    for name, function in sorted(filters("en_GB", "EUR").items()):
        signature = str(inspect.signature(function)).replace("|", "\\|")
        rows.append(f"| `{name}` | `{signature}` | {(function.__doc__ or '').strip().splitlines()[0] if function.__doc__ else ''} |")
    rows += ["", TEMPLATE_END]
    return "\n".join(rows)


def undocumented_filters() -> list[str]:
    from ..documents.templating import filters

    return sorted(name for name, function in filters("en_GB", "EUR").items() if not (function.__doc__ or "").strip())


def reference() -> str:
    parts = [BEGIN, ""]
    for where, root in ROOTS:
        parts.append(f"**`{where}`** is a [{root.__name__}](#{root.__name__.lower()}).\n")
    seen: list[type[BaseModel]] = []
    for _, root in ROOTS:
        seen += [m for m in nested_models(root) if m not in seen]
    parts += [model_table(m) for m in seen]
    parts.append(END)
    return "\n".join(parts)


def undocumented() -> list[str]:
    """Every model field without a docstring (a test keeps this empty)."""
    models = {m for _, root in ROOTS for m in nested_models(root)}
    return sorted(f"{m.__name__}.{n}" for m in models for documented in [field_descriptions(m)] for n in m.model_fields if not documented.get(n))


def update_readme(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + reference() + text[end:]
    start, end = new.index(TEMPLATE_BEGIN), new.index(TEMPLATE_END) + len(TEMPLATE_END)
    new = new[:start] + template_reference() + new[end:]
    readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if "--write" in sys.argv:
        update_readme(Path("README.md"))
    else:
        print(reference())
