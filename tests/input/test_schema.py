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


def validator(cli, kind):
    code, out, _ = cli("schema", kind)
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


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
