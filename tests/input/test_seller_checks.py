"""Exact problems of the seller profile checks, the font probe and the workspace-wide cross-checks (issue #23).

check_seller runs on plain models through the path-naming Stub; check_workspace and index_catalog run on
real files in a temporary workspace, so their locations are file:line:column counted by hand from the YAML.
"""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest

from proposals.errors import Location, ProblemList
from proposals.input import checks
from proposals.input.checks import check_seller, check_workspace, font_installed, index_catalog
from proposals.input.loading import load_file
from proposals.input.model import CatalogFile, Deal, SellerProfile
from proposals.input.workspace import Workspace
from tests.input.test_cross_check_messages import Stub, err, warn
from tests.pricing.pricing_fixtures import SELLER, seller

from ..conftest import CASES

DUP = "input.duplicate-id"
FALLBACK = "is not installed on this machine; documents fall back to Carlito, Liberation Sans or DejaVu Sans"
NEEDS_REASON = "needs an exemption reason printed on the offer"
RAISE = "raise the revision or change the number"


@pytest.fixture
def fonts_present(monkeypatch):
    """check_seller asks fontconfig about the font; these cases are about other fields."""
    monkeypatch.setattr(checks, "font_installed", lambda family: True)


def seller_problems(root: Path = Path("/nonexistent-root"), **changes) -> list[tuple]:
    found = check_seller(Stub(seller(**changes)), root)
    return [(p.location.file, p.location.line, p.field, p.message, p.kind, p.severity) for p in found]


def tax(ident: str, code: str, rate: str, reason: str | None = None) -> dict:
    return {"id": ident, "code": code, "rate": Decimal(rate), "exemption_reason": reason}


TAXES = SELLER["tax_categories"]  # standard S 19, reduced S 7, reverse-charge AE 0 with a reason: entries 0-2

SELLER_CASES = {
    "clean": ({}, []),
    "dup-tax-id": (
        {"tax_categories": [*TAXES, tax("standard", "S", "16")]},
        [err("tax_categories/3", "tax_categories[3]", "duplicate tax category id standard (also at entry 0)", DUP)],
    ),
    "dup-credit-rating": (
        {"guardrails": {"credit_rules": [{"rating": "B"}, {"rating": "C"}, {"rating": "B", "blocked": True}]}},
        [err("guardrails/credit_rules/2", "guardrails.credit_rules[2]", "duplicate credit rating B (also at entry 0)", DUP)],
    ),
    # CHF 0.05 = 5 x 0.01, JPY 1 = 1 x 1, KWD 0.005 = 5 x 0.001: all whole multiples of the minor unit.
    # (A unit of 2 x 10^-n would leave 0.01 / 1 / 0.001 over; a unit of 10^+n would leave the whole increment.)
    "rounding-multiples": ({"payable_rounding": {"CHF": Decimal("0.05"), "JPY": Decimal("1"), "KWD": Decimal("0.005")}}, []),
    "rounding-below-cent": (
        {"payable_rounding": {"CHF": Decimal("0.005")}},
        [err("payable_rounding/CHF", "payable_rounding.CHF", "must be a multiple of the currency's smallest unit 0.01")],
    ),
    "rounding-yen-fraction": (
        {"payable_rounding": {"EUR": Decimal("0.10"), "JPY": Decimal("0.5")}},
        [err("payable_rounding/JPY", "payable_rounding.JPY", "must be a multiple of the currency's smallest unit 1")],
    ),
    "rounding-below-fils": (
        {"payable_rounding": {"KWD": Decimal("0.0005")}},
        [err("payable_rounding/KWD", "payable_rounding.KWD", "must be a multiple of the currency's smallest unit 0.001")],
    ),
    "zero-rate-code-with-rate": (
        {"tax_categories": [*TAXES, tax("zero", "Z", "7")]},
        [err("tax_categories/3/rate", "tax_categories[3].rate", "category Z must have a VAT rate of 0 (got 7)")],
    ),
    "zero-rate-needs-no-reason": ({"tax_categories": [*TAXES, tax("zero", "Z", "0")]}, []),
    "exempt-with-rate-and-no-reason": (
        {"tax_categories": [*TAXES, tax("exempt", "E", "5")]},
        [
            err("tax_categories/3/rate", "tax_categories[3].rate", "category E must have a VAT rate of 0 (got 5)"),
            err("tax_categories/3", "tax_categories[3].exemption_reason", f"category E {NEEDS_REASON}"),
        ],
    ),
    "standard-rate-zero": (
        {"tax_categories": [tax("standard", "S", "19"), tax("nil", "S", "0")]},
        [err("tax_categories/1/rate", "tax_categories[1].rate", "standard-rated category S needs a rate above 0")],
    ),
}


@pytest.mark.parametrize("name", list(SELLER_CASES))
def test_seller_checks(name, fonts_present):
    """Guards against a mutated path, field, message or kind of the tax-category and credit-rating duplicate checks, of
    the payable-rounding check (its unit Decimal(1).scaleb(-minor_unit), ``%`` turned into ``/``) and of the zero-rate,
    standard-rate and exemption-reason checks of check_seller."""
    changes, expected = SELLER_CASES[name]
    assert seller_problems(**changes) == expected


@pytest.mark.parametrize("code", ["Z", "E", "AE", "K", "G", "O"])
def test_every_zero_rate_code_refuses_a_rate(code, fonts_present):
    """Guards against a mutated member of ZERO_RATE_CODES or REASON_CODES (Z alone needs no exemption reason)."""
    reason = None if code == "Z" else "Why no VAT"
    assert seller_problems(tax_categories=[*TAXES, tax("t", code, "1", reason)]) == [
        err("tax_categories/3/rate", "tax_categories[3].rate", f"category {code} must have a VAT rate of 0 (got 1)")
    ]
    if code != "Z":
        assert seller_problems(tax_categories=[*TAXES, tax("t", code, "0")]) == [
            err("tax_categories/3", "tax_categories[3].exemption_reason", f"category {code} {NEEDS_REASON}")
        ]


def test_missing_font_is_a_located_warning(monkeypatch):
    """Guards against a mutated location ("branding", "font"), field, message or kind of the missing-font warning, and
    against asking about another family than the seller's."""
    asked = []
    monkeypatch.setattr(checks, "font_installed", lambda family: asked.append(family) or False)
    assert seller_problems(branding={"font": "Nonexistent Sans 9"}) == [
        warn("branding/font", "branding.font", f"font Nonexistent Sans 9 {FALLBACK}", "input.missing-font")
    ]
    assert asked == ["Nonexistent Sans 9"]


def test_installed_font_gives_no_warning(monkeypatch):
    """Guards against a mutated ``not font_installed(...)`` test."""
    monkeypatch.setattr(checks, "font_installed", lambda family: family == "Carlito")
    assert seller_problems() == []


@pytest.fixture
def logo_root(tmp_path):
    (tmp_path / "templates" / "assets").mkdir(parents=True)
    (tmp_path / "templates" / "assets" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return tmp_path


def test_logo_inside_the_workspace_passes(logo_root, fonts_present):
    """Guards against a mutated ``is_file()`` test (``elif logo.is_file()`` would refuse the logo that is there)."""
    assert seller_problems(logo_root, logo="templates/assets/logo.png") == []


@pytest.mark.parametrize("logo", ["templates/assets/missing.png", "templates/assets"])
def test_missing_logo_file(logo_root, fonts_present, logo):
    """Guards against a mutated location, field, message or kind of the missing-logo error (a folder is no file)."""
    assert seller_problems(logo_root, logo=logo) == [err("logo", "logo", f"file not found: {logo}", "input.missing-asset")]


def test_logo_outside_the_workspace(logo_root, fonts_present):
    """Guards against a mutated containment test of the logo path."""
    (logo_root / "ws").mkdir()
    assert seller_problems(logo_root / "ws", logo="../templates/assets/logo.png") == [
        err("logo", "logo", "the logo must be a file inside the workspace")
    ]


# --- font_installed: fontconfig is faked, so the answers do not depend on the machine's fonts.

FC_LIST = "DejaVu Sans,DejaVu Sans Light\nCarlito\n Liberation Serif , Liberation Serif Regular\n"


@pytest.fixture
def fc(monkeypatch):
    """A fake fc-list that prints FC_LIST; records what was looked up and run."""
    seen: dict[str, list] = {"which": [], "run": []}

    def which(name, *args, **kwargs):
        seen["which"].append(name)
        return "/usr/bin/fc-list" if name == "fc-list" else None

    def run(args, **kwargs):
        seen["run"].append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, stdout=FC_LIST, stderr="")

    monkeypatch.setattr(shutil, "which", which)
    monkeypatch.setattr(subprocess, "run", run)
    return seen


@pytest.mark.parametrize("family, expected", [
    ("Carlito", True),
    ("carlito", True),
    ("DejaVu Sans", True),
    ("DejaVu Sans Light", True),
    ("liberation serif regular", True),
    ("Liberation Sans", False),
    ("Sans", False),
])
def test_font_installed_reads_fc_list(fc, family, expected):
    """Guards against a mutated fc-list name or ``is None`` test (fontconfig not consulted: always True), against
    splitting the aliases of a line on something else than "," (the second alias or a family with a space is lost),
    and against a mutated command line or timeout of the fc-list call."""
    assert font_installed(family) is expected
    assert fc["which"] == ["fc-list"]
    assert fc["run"] == [(["fc-list", ":", "family"], {"capture_output": True, "text": True, "timeout": 10})]


def test_font_installed_without_fontconfig(monkeypatch):
    """Guards against ``return True`` becoming ``return False`` when fc-list is missing: then nothing can be said."""
    monkeypatch.setattr(shutil, "which", lambda name, *args, **kwargs: None)
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: pytest.fail("fc-list is not there to run"))
    assert font_installed("Nonexistent Sans 9") is True


# --- index_catalog and check_workspace on real files.

SELLER_YAML = (CASES / "minimal" / "catalog" / "seller.yaml").read_text(encoding="utf-8")


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load(root: Path, relative: str, text: str, model):
    problems = ProblemList()
    loaded = load_file(write(root, relative, text), root, model, problems)
    assert problems.items == [] and loaded is not None
    return loaded


def workspace(root: Path, catalogs: dict[str, str], deals: dict[str, str]) -> Workspace:
    return Workspace(
        root,
        load(root, "catalog/seller.yaml", SELLER_YAML, SellerProfile),
        [load(root, name, text, CatalogFile) for name, text in catalogs.items()],
        [load(root, name, text, Deal) for name, text in deals.items()],
    )


def shown(problems) -> list[tuple]:
    return [(str(p.location), p.field, p.message, p.kind, p.severity) for p in problems]


FIRST = """\
services:
  - sku: A
    name: First A
    unit: piece
    price: "1"
"""
SECOND = """\
services:
  - sku: A
    name: Second A
    unit: piece
    price: "2"
  - sku: B
    name: B
    unit: piece
    price: "3"
"""


def test_duplicate_sku_across_files(tmp_path):
    """Guards against a mutated kind of the duplicate-SKU error, and against ``continue`` becoming ``break`` (the
    services after a duplicate in the same file would not be indexed)."""
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST, "catalog/b.yaml": SECOND}, {})
    assert shown(index_catalog(ws)) == [
        ("catalog/b.yaml:2:10", "services[0].sku", "SKU A is already defined at catalog/a.yaml:2:10", DUP, "error")
    ]
    assert {sku: s.name for sku, s in ws.services.items()} == {"A": "First A", "B": "B"}
    assert ws.service_places == {"A": Location("catalog/a.yaml", 2, 10), "B": Location("catalog/b.yaml", 6, 10)}


def test_workspace_clauses_are_known(tmp_path):
    """Guards against a mutated clause library folder (ws.root / "templates") or clause ids passed as None: a clause
    of the workspace's own library, next to a built-in one, is known."""
    write(tmp_path, "templates/clauses/en/house-rules.md", "# House rules\n\nBe kind.\n")
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST + "    clauses: [house-rules, sla]\n"}, {})
    assert shown(index_catalog(ws)) == []


def test_unknown_clause_names_the_workspace_clauses(tmp_path):
    """Guards against a clause library read from elsewhere than the workspace's templates/clauses."""
    write(tmp_path, "templates/clauses/en/house-rules.md", "# House rules\n\nBe kind.\n")
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST + "    clauses: [house-rule]\n"}, {})
    [problem] = shown(index_catalog(ws))
    assert problem[:2] == ("catalog/a.yaml:6:15", "services[0].clauses[0]")
    assert problem[2].startswith("no clause house-rule in the clause library (known: ") and ", house-rules, " in problem[2]


DEAL = """\
offer_number: T-1
date: 2026-11-20
title: Test
customer:
  legal_name: Kunde AG
  address:
    street: A 1
    postal_code: "10115"
    city: Berlin
    country: DE
items:
  - sku: ZZZ
    quantity: 1
"""


def test_catalog_errors_stop_before_the_deal_checks(tmp_path, fonts_present):
    """Guards against a mutated severity test (``!=``, or another string than "error") in check_workspace: with an
    error in the catalog, the deal's unknown SKU is not reported (it could be a symptom of the catalog error)."""
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST, "catalog/b.yaml": SECOND}, {"deals/a.yaml": DEAL})
    assert shown(check_workspace(ws)) == [
        ("catalog/b.yaml:2:10", "services[0].sku", "SKU A is already defined at catalog/a.yaml:2:10", DUP, "error")
    ]


def test_sound_catalog_lets_the_deal_checks_run(tmp_path, fonts_present):
    """Guards against check_workspace returning before the deal checks and the duplicate-offer check."""
    ws = workspace(tmp_path, {"catalog/a.yaml": FIRST}, {"deals/a.yaml": DEAL, "deals/b.yaml": DEAL})
    assert shown(check_workspace(ws)) == [
        ("deals/a.yaml:12:10", "items[0].sku", "unknown SKU ZZZ", "input.cross-check", "error"),
        ("deals/b.yaml:12:10", "items[0].sku", "unknown SKU ZZZ", "input.cross-check", "error"),
        ("deals/b.yaml:1:15", "offer_number", f"offer T-1-r1 is also deals/a.yaml; {RAISE}", DUP, "error"),
    ]
