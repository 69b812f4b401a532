"""`proposals schema`: the JSON Schema accepts every example file and rejects the invalid fixtures."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import jsonschema
import pytest

from proposals.input.yamlsource import parse

from ..conftest import CASES, REPO
from .test_loading import CASES as INVALID_DEALS


def as_editor_sees(value):
    """YAML as an editor's schema check sees it: numbers are numbers, dates are text."""
    if isinstance(value, dict):
        return {k: as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def validator(cli, kind, *args):
    code, out, _ = cli("schema", "--plain", kind, *args) if not args else cli("schema", kind, *args)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def load(path):
    return as_editor_sees(parse(path.read_text(encoding="utf-8"), path.name).data)


def test_every_example_file_is_valid(cli):
    deal, catalog, seller = validator(cli, "deal"), validator(cli, "catalog"), validator(cli, "seller")
    files = [(deal, p) for p in sorted((REPO / "deals").rglob("*.yaml"))]
    files += [(seller, REPO / "catalog" / "seller.yaml")]
    files += [(catalog, p) for p in sorted((REPO / "catalog").glob("*.yaml")) if p.name != "seller.yaml"]
    files += [(deal, CASES / "minimal" / "deals" / "basic.yaml")]
    for check, path in files:
        errors = [e.message for e in check.iter_errors(load(path))]
        assert errors == [], (path, errors[:3])


@pytest.mark.parametrize(
    "name",
    ["negative quantity", "yes is not a number", "float-looking money is exact, a bool flag must be true/false", "unknown field with suggestion", "missing field points at its parent"],
)
def test_invalid_fixtures_are_rejected(name, cli):
    check = validator(cli, "deal")
    text, _ = INVALID_DEALS[name]
    assert list(check.iter_errors(as_editor_sees(parse(text, "x.yaml").data))), name


def test_schema_refuses_path_like_offer_numbers_and_negative_quoted_quantities(cli):
    check = validator(cli, "deal")
    good = load(CASES / "minimal" / "deals" / "basic.yaml")
    assert not list(check.iter_errors(good))
    assert list(check.iter_errors({**good, "offer_number": "../../etc/x"}))
    bad_item = {**good["items"][0], "quantity": "-3"}
    assert list(check.iter_errors({**good, "items": [bad_item]}))


BUILTIN_CLAUSE_IDS = ["acceptance", "confidentiality", "cooperation", "data-processing", "delivery", "final", "fixed-price-services", "goods-delivery", "liability",
                      "price-indexation", "prices", "reverse-charge", "rights-of-use", "sla", "subject", "term", "time-and-material", "training-cancellation", "warranty"]


def failures(check, data) -> list[tuple[str, str]]:
    """(where, message) of every error; of a value that may also be null, the error of its non-null branch."""
    found = []
    for error in check.iter_errors(data):
        branches = [e for e in error.context if e.validator != "type"] if error.validator == "anyOf" else []
        found += [(e.json_path, e.message) for e in branches or [error]]
    return sorted(found)


def test_a_workspace_schema_knows_its_skus_tax_categories_roles_and_clauses(cli, minimal):
    """Guards #20 item 10: the YAML language server completes a SKU and flags 2026-02-30 as you type.
    The minimal workspace's deal validates; each broken value fails with exactly its message."""
    deal, catalog = validator(cli, "deal", "-w", minimal), validator(cli, "catalog", "-w", minimal)
    good = load(minimal / "deals" / "basic.yaml")
    assert failures(deal, good) == []
    assert failures(catalog, load(minimal / "catalog" / "services.yaml")) == []
    broken = {**good, "date": "2026-02-30", "valid_until": "2026-13-01", "items": [{**good["items"][0], "sku": "DAX"}, *good["items"][1:]],
              "allowances_charges": [{"kind": "allowance", "reason": "Bundle", "percent": 5, "tax_category": "reduced", "skus": ["LIC", "LIX"]}],
              "contract": {"deviations": [{"clause": "liabilty", "action": "strike", "reason": "agreed"}]}}
    assert failures(deal, broken) == [
        ("$.allowances_charges[0].skus[1]", "'LIX' is not one of ['DAY', 'LIC', 'SUP']"),
        ("$.allowances_charges[0].tax_category", "'reduced' is not one of ['reverse-charge', 'standard']"),
        ("$.contract.deviations[0].clause", f"'liabilty' is not one of {BUILTIN_CLAUSE_IDS}"),
        ("$.date", "'2026-02-30' is not a 'date'"),
        ("$.items[0].sku", "'DAX' is not one of ['DAY', 'LIC', 'SUP']"),
        ("$.valid_until", "'2026-13-01' is not a 'date'"),
    ]
    service = load(minimal / "catalog" / "services.yaml")["services"][0]
    assert failures(catalog, {"services": [{**service, "tax_category": "zero", "clauses": ["sla", "slaa"]}]}) == [
        ("$.services[0].clauses[1]", f"'slaa' is not one of {BUILTIN_CLAUSE_IDS}"),
        ("$.services[0].tax_category", "'zero' is not one of ['reverse-charge', 'standard']"),
    ]


def test_the_example_workspace_schema_lists_its_rate_card_roles_and_the_plain_one_none(cli):
    roles = lambda *args: json.loads(cli("schema", "deal", *args)[1])["$defs"]["DealItem"]["properties"]["role"]["anyOf"][0]
    assert roles("-w", REPO) == {"type": "string", "enum": ["consultant", "engineer", "junior", "principal", "senior"]}
    assert roles("--plain") == {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"}
