"""Revisions: issued records that never change, what changed, approvals, expiry."""

from __future__ import annotations

import json
from pathlib import Path

from ..conftest import REPO
from ..readback import docx_text, pdf_text, squash

ISSUED = "status: issued\nissued_on: 2026-11-21\n"


def issue(ws: Path, extra: str = "") -> Path:
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("title: Test offer\n", "title: Test offer\n" + ISSUED + extra))
    return deal


def test_issued_revision_rebuilds_to_its_record_or_refuses(minimal, cli):
    deal = issue(minimal)
    assert cli("build", "-w", minimal)[0] == 0
    folder = minimal / "output" / "T-2026-001-r1"
    record = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, out, err = cli("build", "-w", minimal)
    assert code == 0, err
    assert f"verified {folder}: identical to the issued record, left untouched" in out
    deal.write_text(deal.read_text().replace("quantity: 3", "quantity: 4"))
    code, out, err = cli("build", "-w", minimal)
    assert code == 2
    assert err.splitlines()[0] == (
        "deals/basic.yaml:4:9: status: T-2026-001-r1 is issued; its inputs changed since the record (deals/basic.yaml); raise the revision to change the offer"
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == record
    deal.write_text(deal.read_text().replace("revision: 1\n", "").replace("offer_number: T-2026-001\n", "offer_number: T-2026-001\nrevision: 2\n").replace(ISSUED, ""))
    assert cli("build", "-w", minimal)[0] == 0
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == record  # r1 untouched, r2 beside it
    assert (minimal / "output" / "T-2026-001-r2" / "offer.pdf").is_file()


def test_issuing_needs_approval_of_every_finding(minimal, cli):
    seller = minimal / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text().replace('max_discount_percent: "15"', 'max_discount_percent: "10"'))
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("    quantity: 3\n", "    quantity: 3\n    discount_percent: 12\n"))
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 0 and "[guardrails.max_discount_percent]" in err  # a draft may carry it, watermarked
    assert "NOT APPROVED" in squash(pdf_text(minimal / "output" / "T-2026-001-r1" / "offer.pdf"))
    issue(minimal)
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 2
    assert "status: cannot be issued while 'discount 12 % above the limit of 10 % for DAY; needs approval' (guardrails.max_discount_percent) has no approval" in err
    code, _, err = cli("check", "-w", minimal)
    assert code == 2 and "has no approval" in err
    deal.write_text(deal.read_text() + "approvals:\n  - rule: guardrails.max_discount_percent\n    field: items[0].discount_percent\n    by: Erika Muster\n    on: 2026-11-20\n")
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 0, err
    assert "guardrails.max_discount_percent" not in err
    assert "DRAFT" not in pdf_text(minimal / "output" / "T-2026-001-r1" / "offer.pdf")


def test_check_reports_expired_offers(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("date: 2026-11-20", "date: 2025-01-10").replace("title: Test offer\n", "title: Test offer\nstatus: issued\nissued_on: 2025-01-10\n"))
    code, _, err = cli("check", "-w", minimal)
    assert code == 0
    assert "WARNING: valid_until: offer T-2026-001-r1 expired on 2025-02-09; raise the revision to offer again [offer.expired]" in err


def test_diff_of_the_example_revisions(cli):
    code, out, err = cli("diff", "--json", "-w", REPO, "deals/history/acme-maschinenbau-r1.yaml", "deals/acme-maschinenbau.yaml")
    assert code == 0, err
    data = json.loads(out)
    assert (data["from_revision"], data["to_revision"]) == (1, 2)
    assert [(l["change"], l["sku"], l["delta"]) for l in data["lines"]] == [
        # r2 prices the assessment and the line connections as work packages (issue #19): the typed-in packages
        # go, the packages priced from their effort come (19,100.00 and 3 x 11,300.00 = 33,900.00)
        ("added", "WP-PDM-ASSESS", "19100.00"),
        ("added", "WP-LINE-CONNECT", "33900.00"),
        ("changed", "SW-ASSET-MONITOR", "-10080.00"),
        ("changed", "SW-EDGE-GATEWAY", "-960.00"),
        ("added", "SW-CONNECTOR-ERP", "7200.00"),
        ("changed", "SW-ANALYTICS-MODULE", "0.00"),
        ("removed", "CONS-PDM-ASSESS", "-18500.00"),
        ("removed", "COM-LINE-PKG", "-39200.00"),
    ]
    totals = {t["name"]: t["delta"] for t in data["totals"]}
    # 19,100 + 33,900 - 10,080 - 960 + 7,200 - 18,500 - 39,200 = -8,540, and the analytics module (16,560.00) left
    # the totals as an option: -25,100.00
    assert totals["line_net_total"] == "-25100.00" and totals["payable"] == "-28972.93"
    code, out, _ = cli("diff", "-w", REPO, "deals/history/acme-maschinenbau-r1.yaml", "deals/acme-maschinenbau.yaml")
    assert "  + SW-CONNECTOR-ERP Insight ERP/CMMS connector: – -> €7,200.00 (+€7,200.00)" in out
    assert "  Amount payable: €328,005.89 -> €299,032.96 (−€28,972.93)" in out  # the offer's own words


def test_revision_two_shows_its_changes_page_in_both_formats(tmp_path, cli):
    from ..conftest import copy_example

    ws = copy_example(tmp_path / "ws")
    code, out, err = cli("build", "-w", ws, "deals/acme-maschinenbau.yaml")
    assert code == 0, err
    folder = ws / "output" / "NW-2026-041-r2"
    for text in (squash(pdf_text(folder / "offer.pdf")), squash(docx_text(folder / "offer.docx"))):
        assert "Changes since revision 1" in text
        assert "Insight ERP/CMMS connector" in text and "+ €7,200.00" in text
        assert "€328,005.89" in text and "− €28,972.93" in text


def test_previous_revision_must_be_an_earlier_revision(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    (minimal / "deals" / "old").mkdir()
    (minimal / "deals" / "old" / "r1.yaml").write_text(deal.read_text())
    deal.write_text(deal.read_text().replace("title: Test offer\n", "title: Test offer\nprevious_revision: deals/old/r1.yaml\n"))
    code, _, err = cli("check", "-w", minimal)
    assert (code, err.splitlines()[0]) == (2, "deals/basic.yaml:4:20: previous_revision: deals/old/r1.yaml is T-2026-001 r1; it must be an earlier revision of T-2026-001")


def test_an_issued_record_cannot_be_overwritten_by_a_draft_or_go_unnoticed_when_damaged(minimal, cli):
    deal = issue(minimal)
    assert cli("build", "-w", minimal)[0] == 0
    folder = minimal / "output" / "T-2026-001-r1"
    deal.write_text(deal.read_text().replace(ISSUED, "").replace("title: Test offer", "title: Changed offer"))
    code, _, err = cli("build", "-w", minimal)
    assert code == 2 and "T-2026-001-r1 was issued; an issued revision cannot become a draft again: raise the revision" in err
    assert json.loads((folder / "manifest.json").read_text())["status"] == "issued"
    deal.write_text(deal.read_text().replace("title: Changed offer", "title: Test offer"))
    issue(minimal)
    with open(folder / "offer.pdf", "ab") as pdf:
        pdf.write(b"tampered")
    code, _, err = cli("build", "-w", minimal)
    assert code == 2 and "the record T-2026-001-r1 is damaged: offer.pdf is missing or differs from its manifest" in err


def test_recording_the_customers_answer_keeps_the_record_valid(minimal, cli):
    deal = issue(minimal)
    assert cli("build", "-w", minimal)[0] == 0
    deal.write_text("# accepted by phone\n" + deal.read_text().replace("status: issued\n", "status: accepted\ndecided_on: 2026-11-25\n"))
    code, out, err = cli("build", "-w", minimal)
    assert code == 0, err
    assert "identical to the issued record" in out


def test_an_approval_that_matches_no_finding_is_reported(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text() + "approvals:\n  - rule: guardrails.max_discount\n    by: Erika Muster\n    on: 2026-11-20\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 0
    assert "deals/basic.yaml:18:11: WARNING: approvals[0].rule: approves no finding of this revision (findings name: none) [offer.stale-approval]" in err.splitlines()


def test_a_changed_issued_deal_is_found_by_check_and_refused_alike_before_rendering(minimal, cli):
    """Issue #20 item 2: an issued deal whose inputs changed passed check --strict and then failed build (2) and
    pack (1, after 'rendered ...' for every deal). Now check finds it, and build and pack refuse it with the
    same line and exit 2 before rendering anything. Guards against the record check running only after rendering."""
    issue(minimal)
    assert cli("build", "-w", minimal)[0] == 0
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", "quantity: 4"))
    line = "deals/basic.yaml:4:9: status: T-2026-001-r1 is issued; its inputs changed since the record (deals/basic.yaml); raise the revision to change the offer"
    for command in (["check", "--strict"], ["build"], ["pack", "-o", minimal / "output"]):
        code, out, err = cli(*command, "-w", minimal)
        assert (command[0], code, err.splitlines()[0]) == (command[0], 2, line)
        assert "rendered" not in out and "rendered" not in err
