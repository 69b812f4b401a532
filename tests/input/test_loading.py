"""Invalid input: every problem is one line with file:line:column, field and a plain sentence; exit 2."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ..conftest import CASES

GOOD = (CASES / "minimal" / "deals" / "basic.yaml").read_text()


def write(ws: Path, relative: str, text: str) -> None:
    (ws / relative).write_text(textwrap.dedent(text), encoding="utf-8")


def deal_with(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


CASES = {
    "negative quantity": (
        deal_with("    quantity: 3\n", "    quantity: -3\n"),
        ["deals/basic.yaml:13:15: items[0].quantity: must be greater than 0 (got -3)"],
    ),
    "yes is not a number": (
        deal_with("    quantity: 3\n", "    quantity: yes\n"),
        ["deals/basic.yaml:13:15: items[0].quantity: expected a number (got yes)"],
    ),
    "float-looking money is exact, a bool flag must be true/false": (
        deal_with("    quantity: 3\n", "    quantity: 3\n    optional: yes\n"),
        ["deals/basic.yaml:14:15: items[0].optional: expected true or false (got yes)"],
    ),
    "unquoted offer number with leading zero": (
        deal_with("offer_number: T-2026-001", "offer_number: 012"),
        ["deals/basic.yaml:1:15: offer_number: expected text; put the value in quotes so YAML keeps it as written (got 12)"],
    ),
    "impossible date": (
        deal_with("date: 2026-11-20", "date: 2025-02-30"),
        ["deals/basic.yaml:2:7: date: 2025-02-30 is not a calendar date"],
    ),
    "unknown field with suggestion": (
        deal_with("title: Test offer", "title: Test offer\ntitel: typo"),
        ["deals/basic.yaml:4:1: titel: unknown field; did you mean 'title'?"],
    ),
    "missing field points at its parent": (
        deal_with("    city: Berlin\n", ""),
        ["deals/basic.yaml:7:5: customer.address.city: required field is missing"],
    ),
    "country NO stays a string (and a non-EU customer gets a VAT hint)": (
        deal_with("    country: DE", "    country: NO"),
        ["deals/basic.yaml:10:14: WARNING: customer.address.country: the customer is outside the EU (NO) but domestic VAT is charged; set outside_scope: true if the place of supply is abroad [tax.check-treatment]"],
    ),
    "unknown SKU with suggestion": (
        deal_with("  - sku: DAY", "  - sku: DAYS"),
        ["deals/basic.yaml:12:10: items[0].sku: unknown SKU DAYS; did you mean DAY?"],
    ),
    "requires broken": (
        deal_with("  - sku: DAY", "  - sku: SUP\n    quantity: 1\n  - sku: DAY").replace("  - sku: LIC\n    quantity: 12\n    months: 12\n", ""),
        ["deals/basic.yaml:12:10: items[0].sku: SUP requires LIC, which is neither a firm item of this deal nor in customer.installed"],
    ),
    "installed base satisfies requires": (
        deal_with("  - sku: DAY", "  - sku: SUP\n    quantity: 1\n  - sku: DAY").replace("  - sku: LIC\n    quantity: 12\n    months: 12\n", "").replace("    country: DE\n", "    country: DE\n  installed: [LIC]\n"),
        [],
    ),
    "currency not offered": (
        deal_with("title: Test offer", "title: Test offer\ncurrency: USD"),
        ["deals/basic.yaml:4:11: currency: currency USD is not offered (the seller offers EUR)"],
    ),
    "must-have requirement uncovered and dates out of order": (
        deal_with("title: Test offer", "title: Test offer\nvalid_until: 2026-11-01\nrequirements:\n  - id: R1\n    text: Works\n    covered_by: []"),
        [
            "deals/basic.yaml:4:14: valid_until: is before the offer date 2026-11-20",
            "deals/basic.yaml:6:9: requirements[0]: must-have requirement R1 is covered by no firm item (optional and alternative items do not count)",
        ],
    ),
    "duplicate ids": (
        deal_with("title: Test offer", "title: Test offer\nrequirements:\n  - id: R1\n    text: A\n    covered_by: [DAY]\n  - id: R1\n    text: B\n    priority: could\n    covered_by: [DAY]"),
        ["deals/basic.yaml:8:5: requirements[1]: duplicate requirement id R1 (also at entry 0)"],
    ),
    "float with binary surprise is read exactly, discount above limit is a warning": (
        deal_with("    quantity: 3\n", "    quantity: 3\n    discount_percent: 20.5\n"),
        ["deals/basic.yaml:14:23: WARNING: items[0].discount_percent: discount 20.5 % above the limit of 15 % for DAY; needs approval [guardrails.max_discount_percent]"],
    ),
    "YAML syntax error": (
        GOOD + "items: [\n",
        ["deals/basic.yaml:18:1: YAML syntax error: expected the node content, but found '<stream end>'"],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_invalid_deal_reports_exact_location(name, minimal, cli):
    text, expected = CASES[name]
    write(minimal, "deals/basic.yaml", text)
    code, out, err = cli("check", "-w", minimal)
    errors = [line for line in err.splitlines() if not line.startswith("failed:")]
    assert errors == expected
    is_error = any("WARNING" not in line for line in expected)
    assert code == (2 if is_error else 0)
    assert not (minimal / "output").exists()


def test_all_problems_of_all_files_are_reported(minimal, cli):
    write(minimal, "deals/basic.yaml", deal_with("    quantity: 3\n", "    quantity: 0\n").replace("Kunde AG", "''"))
    write(minimal, "deals/second.yaml", GOOD.replace("date: 2026-11-20", "date: 2026-13-01"))
    code, _, err = cli("check", "-w", minimal)
    assert code == 2
    assert err.splitlines() == [
        "deals/basic.yaml:5:15: customer.legal_name: must not be empty",
        "deals/basic.yaml:13:15: items[0].quantity: must be greater than 0 (got 0)",
        "deals/second.yaml:2:7: date: 2026-13-01 is not a calendar date",
        "failed: 3 problems",
    ]


def test_catalog_and_seller_errors(minimal, cli):
    seller = (minimal / "catalog/seller.yaml").read_text()
    write(minimal, "catalog/seller.yaml", seller.replace("DE89 3704 0044 0532 0130 00", "DE88 3704 0044 0532 0130 00"))
    services = (minimal / "catalog/services.yaml").read_text()
    write(minimal, "catalog/services.yaml", services.replace('price: "1000.00"', "price: 1000.00\n    tax_category: reduced"))
    code, _, err = cli("check", "-w", minimal)
    assert code == 2
    assert err.splitlines() == [
        "catalog/seller.yaml:11:9: bank.iban: IBAN check digits do not match; a digit is probably mistyped",
        "failed: 1 problem",
    ]
    write(minimal, "catalog/seller.yaml", seller)
    code, _, err = cli("check", "-w", minimal)
    assert err.splitlines()[0] == "catalog/services.yaml:6:19: services[0].tax_category: unknown tax category reduced (seller profile has: standard, reverse-charge)"


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [{('*' + p + ', ') * 8}*{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")), "expands to more than 100000 values"),
        ("[" * 1000 + "]" * 1000, "nested more than 50 levels deep"),
        ("offer_number: " + "9" * 5000, "number with 5000 digits is too long"),
        ("offer_number: !!python/object/apply:os.system [echo hi]", "YAML tags such as tag:yaml.org,2002:python/object/apply:o… are not allowed"),
    ],
    ids=["alias bomb", "deep nesting", "huge integer", "object construction"],
)
def test_hostile_files_fail_fast_with_short_message(text, message, minimal, cli, hang_guard):
    """Each message is written only where its limit fires, before the work grows: without the
    alias limit the bomb expands to 9**9 values, without the depth limit the parser recurses
    1000 levels, so a removed limit fails here (or trips the hang guard), on any machine's speed."""
    write(minimal, "deals/basic.yaml", text)
    code, _, err = cli("check", "-w", minimal)
    assert code == 2
    assert message in err
    assert max(len(line) for line in err.splitlines()) < 200


def test_guardrail_findings_are_located_warnings_and_fail_under_strict(minimal, cli):
    seller = (minimal / "catalog/seller.yaml").read_text()
    write(minimal, "catalog/seller.yaml", seller.replace('max_discount_percent: "15"', 'max_discount_percent: "15"\n  margin_floor_percent: "45"'))
    expected = "deals/basic.yaml:12:5: WARNING: items[0]: margin 40.0 % on DAY is below the floor of 45 % [guardrails.margin_floor_percent]"
    code, out, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (0, [expected])
    assert out.startswith("ok: ")
    code, out, err = cli("check", "-w", minimal, "--strict")
    assert (code, err.splitlines()) == (1, [expected, "failed: 1 problem"])


CATALOG_CASES = {
    "rate card roles are unique": (
        """\
        services:
          - sku: TM
            name: Time and material
            unit: day
            pricing: rate_card
            rates:
              - {role: senior, name: Senior, price: "1350"}
              - {role: senior, name: Senior again, price: "1400"}
        """,
        "catalog/services.yaml:8:9: services[0].rates[1]: duplicate role senior (also at entry 0)",
    ),
    "a yearly minimum term is whole years": (
        """\
        services:
          - sku: Y
            name: Yearly
            unit: site-year
            price: "1000"
            billing: yearly
            minimum_term_months: 18
        """,
        "catalog/services.yaml:7:26: services[0].minimum_term_months: a yearly item runs in whole years: give a multiple of 12",
    ),
    "tiers must ascend": (
        """\
        services:
          - sku: T
            name: Tiered
            unit: piece
            pricing: volume
            tiers:
              - up_to: 10
                price: "5"
              - up_to: 5
                price: "4"
              - price: "3"
        """,
        "catalog/services.yaml:9:16: services[0].tiers[1].up_to: tiers must ascend (got 5 after 10)",
    ),
    "rate card needs rates": (
        """\
        services:
          - sku: TM
            name: Time and material
            unit: day
            pricing: rate_card
        """,
        "catalog/services.yaml:2:5: services[0].rates: rate_card pricing needs at least one role rate",
    ),
    "requires an unknown SKU": (
        """\
        services:
          - sku: A
            name: A
            unit: piece
            price: "1"
            requires: [B]
        """,
        "catalog/services.yaml:6:16: services[0].requires[0]: unknown SKU B",
    ),
    "float price is exact but a price of true is not": (
        """\
        services:
          - sku: A
            name: A
            unit: piece
            price: true
        """,
        "catalog/services.yaml:5:12: services[0].price: expected a number, not true/false (got true)",
    ),
    "duplicate SKU": (
        """\
        services:
          - sku: A
            name: A
            unit: piece
            price: "1"
          - sku: A
            name: Again
            unit: piece
            price: "2"
        """,
        "catalog/services.yaml:6:10: services[1].sku: SKU A is already defined at catalog/services.yaml:2:10",
    ),
}


@pytest.mark.parametrize("name", CATALOG_CASES)
def test_invalid_catalog_reports_exact_location(name, minimal, cli):
    text, expected = CATALOG_CASES[name]
    write(minimal, "catalog/services.yaml", text)
    write(minimal, "deals/basic.yaml", "")
    (minimal / "deals" / "basic.yaml").unlink()
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (2, [expected, "failed: 1 problem"])


SELLER_CASES = {
    "unknown VAT category code": (
        ("    code: S", "    code: X"),
        "catalog/seller.yaml:20:11: tax_categories[0].code: must be one of 'S', 'Z', 'E', 'AE', 'K', 'G', 'O', 'B', 'L' or 'M' (got X)",
    ),
    "duplicate credit rating": (
        ('max_discount_percent: "15"', 'max_discount_percent: "15"\n  credit_rules:\n    - {rating: C, max_payment_days: 14}\n    - {rating: C, blocked: true}'),
        "catalog/seller.yaml:30:7: guardrails.credit_rules[1]: duplicate credit rating C (also at entry 0)",
    ),
    "exemption reason required for AE": (
        ("    exemption_reason: Reverse charge\n", ""),
        "catalog/seller.yaml:22:5: tax_categories[1].exemption_reason: category AE needs an exemption reason printed on the offer",
    ),
    "standard rate cannot be zero": (
        ('    rate: "19"', '    rate: "0"'),
        "catalog/seller.yaml:21:11: tax_categories[0].rate: standard-rated category S needs a rate above 0",
    ),
    "logo must exist inside the workspace": (
        ("default_locale: en_GB", "logo: ../outside.png\ndefault_locale: en_GB"),
        "catalog/seller.yaml:16:7: logo: the logo must be a file inside the workspace",
    ),
    "unknown locale": (
        ("default_locale: en_GB", "default_locale: english"),
        "catalog/seller.yaml:16:17: default_locale: unknown locale english (write it like de_DE or en_GB)",
    ),
    "BIC malformed": (
        ("bic: COBADEFFXXX", "bic: COBA"),
        "catalog/seller.yaml:12:8: bank.bic: not a BIC (8 or 11 letters and digits, e.g. DEUTDEFFXXX)",
    ),
}


@pytest.mark.parametrize("name", SELLER_CASES)
def test_invalid_seller_reports_exact_location(name, minimal, cli):
    (old, new), expected = SELLER_CASES[name]
    seller = (minimal / "catalog/seller.yaml").read_text()
    assert old in seller
    write(minimal, "catalog/seller.yaml", seller.replace(old, new))
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (2, [expected, "failed: 1 problem"])


def test_uncovered_should_requirement_is_a_warning(minimal, cli):
    write(minimal, "deals/basic.yaml", deal_with("title: Test offer", "title: Test offer\nrequirements:\n  - id: R1\n    text: Nice to have\n    priority: should"))
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (0, ["deals/basic.yaml:5:9: WARNING: requirements[0]: should-have requirement R1 is covered by no item; the offer says so [offer.requirement-uncovered]"])


def test_tabs_are_refused_the_same_way_with_or_without_libyaml():
    from proposals.input.yamlsource import YamlProblem, parse

    for text, where in (("a:\t1\n", "f:1:3"), ("name: Acme\t# note\n", "f:1:11")):
        with pytest.raises(YamlProblem) as caught:
            parse(text, "f")
        assert str(caught.value.problem).startswith(f"{where}: YAML syntax error: found character '\\t'")


def test_one_bad_value_in_a_catalog_file_is_one_message(minimal, cli):
    """Issue #20 item 3: a bad price in DAY reports that price, not also every other service of the file as an
    unknown SKU; LIC, valid in the same file, stays known, so the deal's own mistake with it is still found
    (12 users of a graduated licence below its new minimum of 20), and an SKU that exists nowhere still is."""
    services = (minimal / "catalog/services.yaml").read_text()
    services = services.replace('price: "1000.00"', "price: abc").replace("    minimum_term_months: 12\n", "    minimum_term_months: 12\n    min_quantity: 20\n", 1)
    write(minimal, "catalog/services.yaml", services)
    deal = (minimal / "deals/basic.yaml").read_text().replace("    months: 12\n", "    months: 12\n  - sku: NOPE\n    quantity: 1\n", 1)
    write(minimal, "deals/basic.yaml", deal)
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (2, [
        "catalog/services.yaml:5:12: services[0].price: expected a number (got abc)",
        "deals/basic.yaml:15:15: items[1].quantity: LIC is sold from 20 user-month (got 12)",
        "deals/basic.yaml:17:10: items[2].sku: unknown SKU NOPE",
        "failed: 3 problems"])


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("title: Test offer", "title: Offer: phase 2", [
        "deals/basic.yaml:3:13: YAML syntax error: mapping values are not allowed here; a value containing ': ' must be quoted: title: \"Offer: phase 2\"",
        "    title: Offer: phase 2",
        "                ^"]),
    ("title: Test offer", "title: Test\n  bad: indent", [
        "deals/basic.yaml:4:6: YAML syntax error: mapping values are not allowed here; check the indentation: is this line indented under a key it does not belong to?",
        "      bad: indent",
        "         ^"]),
    ("title: Test offer", 'title: "unclosed', [
        "deals/basic.yaml:8:19: YAML syntax error: expected <block end>, but found '<scalar>'; line 3 opens a \" quote it does not close",
        '        postal_code: "10115"',
        "                      ^"]),
    ("title: Test offer", "title: Test offer\n\tnotes: x", [
        "deals/basic.yaml:4:1: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces; YAML does not allow tabs",
        "    \tnotes: x",
        "    ^"]),
], ids=["colon in a value", "indentation", "open quote", "tab"])
def test_a_yaml_syntax_error_shows_the_line_a_caret_and_a_hint(minimal, cli, old, new, expected):
    """Issue #20 item 6: the offending source line with a caret under the column, and for the common mistakes
    a hint in the words of the fix. Guards against a bare parser message, a caret in the wrong column, and the
    hint of one mistake given for another."""
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace(old, new, 1))
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()) == (2, [*expected, "failed: 1 problem"])
    code, out, _ = cli("check", "-w", minimal, "--format", "json")
    assert code == 2 and "^" not in out  # the caret is for terminals; JSON keeps one object per problem
