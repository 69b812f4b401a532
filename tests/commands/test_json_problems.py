"""`build --json` and `check --format json` speak the pack summary's problem shape, and every guardrail
has one name: the warning shows the id an approval gives (#20 items 1 and 6)."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest

from proposals.commands.pack import SUMMARY_SCHEMA

PROBLEM = {**SUMMARY_SCHEMA["$defs"]["problem"], "$defs": SUMMARY_SCHEMA["$defs"]}


def test_build_json_prints_the_pack_summary_of_what_it_built(cli, minimal):
    """Guards against build --json printing anything but the summary on stdout, or files whose
    hashes are not those written."""
    code, out, err = cli("build", "--json", "-w", minimal)
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    folder = minimal / "output" / "T-2026-001-r1"
    deal = summary["deals"][0]
    assert code == 0 and err.startswith(f"built {folder}: ")
    assert {k: v for k, v in summary.items() if k != "deals"} == {"schema": "proposals.pack-summary/2", "manifest": None, "zip": None, "problems": []}
    assert [{k: v for k, v in deal.items() if k not in ("files", "seconds")}] == [
        {"deal": "deals/basic.yaml", "folder": "T-2026-001-r1", "status": "built", "warnings": [], "problems": []}]
    assert deal["files"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}


def test_build_json_reports_an_invalid_deal_as_failed_with_its_located_problem(cli, minimal):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", "quantity: -3"))
    code, out, _ = cli("build", "--json", "-w", minimal)
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert code == 2 and not (minimal / "output").exists()
    assert summary["deals"] == [{"deal": "deals/basic.yaml", "folder": "", "status": "failed", "files": {}, "warnings": [], "seconds": 0.0, "problems": [
        {"file": "deals/basic.yaml", "line": 13, "column": 15, "field": "items[0].quantity", "message": "must be greater than 0 (got -3)", "kind": "input.invalid", "severity": "error"}]}]


def test_build_json_under_strict_fails_the_deal_with_its_guardrail_warning(cli, minimal):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", 'quantity: 3\n    discount_percent: "20"'))
    code, out, _ = cli("build", "--json", "--strict", "-w", minimal)
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert code == 1 and not (minimal / "output").exists()
    assert [(d["status"], d["problems"]) for d in summary["deals"]] == [("failed", [
        {"file": "deals/basic.yaml", "line": 14, "column": 23, "field": "items[0].discount_percent", "message": "discount 20 % above the limit of 15 % for DAY; needs approval",
         "kind": "guardrails.max_discount_percent", "severity": "warning"}])]


def test_check_json_problems_have_the_pack_summary_shape(cli, minimal):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", 'quantity: 3\n    discount_percent: "20"'))
    code, out, _ = cli("check", "--format", "json", "-w", minimal)
    problems = json.loads(out)
    for problem in problems:
        jsonschema.validate(problem, PROBLEM)
    assert (code, problems) == (0, [{"file": "deals/basic.yaml", "line": 14, "column": 23, "field": "items[0].discount_percent",
                                     "message": "discount 20 % above the limit of 15 % for DAY; needs approval", "kind": "guardrails.max_discount_percent", "severity": "warning"}])


GUARDRAILS = {
    # name: (seller.yaml guardrails added, services.yaml DAY lines added, deal.yaml DAY lines added, deal lines added at the end) -> (rule, field) of each finding
    "the seller's discount limit": ("", "", '    discount_percent: "20"\n', "", [("guardrails.max_discount_percent", "items[0].discount_percent")]),
    "a service's own discount limit": ("", '    max_discount_percent: "10"\n', '    discount_percent: "12"\n', "", [("services[DAY].max_discount_percent", "items[0].discount_percent")]),
    "the margin floor": ('  margin_floor_percent: "45"\n', "", "", "", [("guardrails.margin_floor_percent", "items[0]")]),
    "a blocked credit rating": ("  credit_rules:\n    - rating: C\n      blocked: true\n", "", "", "customer_rating", [("guardrails.credit_rules[C]", "customer.credit_rating")]),
    "a credit rating's payment days": ("  credit_rules:\n    - rating: C\n      max_payment_days: 14\n", "", "", "customer_rating", [("guardrails.credit_rules[C]", "customer.credit_rating")]),
    "a credit rating's prepayment": ("  credit_rules:\n    - rating: C\n      prepayment_percent: \"30\"\n", "", "", "customer_rating", [("guardrails.credit_rules[C]", "customer.credit_rating")]),
}


@pytest.mark.parametrize("name", GUARDRAILS)
def test_every_guardrail_warns_with_the_id_its_approval_gives(cli, minimal, name):
    """Guards against a guardrail whose warning names one id while its approval must give another:
    each finding's warning is approved by an approval of exactly the rule and field the warning
    shows, after which the deal may be issued."""
    seller_rules, service_lines, item_lines, customer, expected = GUARDRAILS[name]
    seller, services, deal = minimal / "catalog" / "seller.yaml", minimal / "catalog" / "services.yaml", minimal / "deals" / "basic.yaml"
    seller.write_text(seller.read_text().replace('guardrails:\n  max_discount_percent: "15"\n', 'guardrails:\n  max_discount_percent: "15"\n' + seller_rules))
    services.write_text(services.read_text().replace('    cost: "600.00"\n', '    cost: "600.00"\n' + service_lines, 1))
    text = deal.read_text().replace("    quantity: 3\n", "    quantity: 3\n" + item_lines, 1)
    deal.write_text(text.replace("  legal_name: Kunde AG\n", "  legal_name: Kunde AG\n  credit_rating: C\n") if customer else text)
    code, out, _ = cli("check", "--format", "json", "-w", minimal)
    found = [(p["kind"], p["field"]) for p in json.loads(out) if p["severity"] == "warning"]
    assert (code, found) == (0, expected)
    approvals = "".join(f"  - rule: {rule}\n    field: {field}\n    by: Erika Muster\n    on: 2026-11-20\n" for rule, field in expected)
    deal.write_text(deal.read_text() + "status: issued\nissued_on: 2026-11-20\napprovals:\n" + approvals)
    assert cli("check", "--format", "json", "-w", minimal)[:2] == (0, "[]\n")
