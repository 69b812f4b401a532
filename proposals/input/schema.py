"""JSON Schema of the deal, catalog and seller files, for editors that complete YAML as you type.

Pydantic writes the schema from the same models that validate the files; this
module turns its extras into standard JSON Schema (``gt`` -> ``exclusiveMinimum``
...), allows numbers written as quoted decimals, and names each schema. Dates
are ``format: date``. For a workspace, the fields that name something the
workspace defines (a SKU, a tax category, a rate-card role, a clause) list
what it defines as ``enum``, so an editor completes them (:data:`NAMED`).
"""

from __future__ import annotations

import json
from typing import Any

from ..version import __version__
from .model import CatalogFile, Deal, SellerProfile
from .model.common import field_descriptions
from .reference import nested_models

KINDS = {"deal": Deal, "catalog": CatalogFile, "seller": SellerProfile}
BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}
DECIMAL_TEXT = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"
UNSIGNED_TEXT = r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"


NAMED: dict[str, dict[tuple[str, str], str]] = {
    "deal": {("DealItem", "sku"): "skus", ("DealItem", "alternative_to"): "skus", ("DealItem", "role"): "roles",
             ("AllowanceCharge", "skus"): "skus", ("AllowanceCharge", "tax_category"): "tax_categories", ("ClauseDeviation", "clause"): "clauses"},
    "catalog": {("Service", "tax_category"): "tax_categories", ("Service", "clauses"): "clauses"},
    "seller": {},
}
"""Per kind: (model, field) -> which of a workspace's names the field takes."""


def schema(kind: str, names: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The JSON Schema of ``kind``; with ``names`` (``skus``, ``tax_categories``, ``roles``,
    ``clauses``: what a workspace defines) the fields of :data:`NAMED` as enumerations."""
    model = KINDS[kind]
    raw = model.model_json_schema(mode="validation")
    _describe_fields(raw, model)
    data = _standard(raw)
    for (definition, key), name in NAMED[kind].items():
        if (names or {}).get(name):
            _enumerate(data["$defs"][definition]["properties"][key], sorted(names[name]))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://proposals.invalid/schema/{__version__}/{kind}.schema.json",
        **data,
        "title": f"proposals {kind} file",
    }


def _describe_fields(data: dict[str, Any], root) -> None:
    """Each property's description: the docstring under its field in the model."""
    for model in [root, *nested_models(root)]:
        node = data if model is root else data.get("$defs", {}).get(model.__name__)
        if node is None:
            continue
        for name, text in field_descriptions(model).items():
            key = model.model_fields[name].alias or name
            if key in node.get("properties", {}):
                node["properties"][key]["description"] = text


def _enumerate(node: dict[str, Any], values: list[str]) -> None:
    """The string (or the strings of the list) of a property: one of ``values``."""
    if node.get("type") == "array":
        node = node["items"]
    for branch in node.get("anyOf", [node]):
        if branch.get("type") == "string":
            branch.pop("pattern", None)  # every value listed matches it
            branch["enum"] = values


def _standard(node: Any) -> Any:
    """Rewrite pydantic's number constraints into JSON Schema, recursively."""
    if isinstance(node, list):
        return [_standard(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _standard(v) for k, v in node.items()}
    bounds = {BOUNDS[k]: node.pop(k) for k in list(node) if k in BOUNDS}
    node.pop("decimal_places", None)  # stated in the description; JSON Schema has no such keyword
    node.pop("max_digits", None)
    if "anyOf" in node and bounds:
        node["anyOf"] = [_bounded(branch, bounds) for branch in node["anyOf"]]
    elif bounds:
        node.update(bounds)
    return node


def _bounded(branch: dict[str, Any], bounds: dict[str, Any]) -> dict[str, Any]:
    if branch.get("type") in ("number", "integer"):
        return {**branch, **bounds}
    if branch.get("type") == "string":
        floor = bounds.get("minimum", bounds.get("exclusiveMinimum"))
        # Quoted numbers cannot carry bounds in JSON Schema; at least a sign that breaks them is refused.
        return {**branch, "pattern": UNSIGNED_TEXT if floor is not None and floor >= 0 else DECIMAL_TEXT}
    return branch


def dumps(kind: str, names: dict[str, list[str]] | None = None) -> str:
    return json.dumps(schema(kind, names), indent=2, ensure_ascii=False) + "\n"
