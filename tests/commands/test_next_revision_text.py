"""The next revision's deal text (``proposals redline --write``): the file's own text with four edits."""

from __future__ import annotations

from types import SimpleNamespace

import yaml

from proposals.commands.next_revision import next_path, next_revision_text

ENTRY = [{"clause": "warranty", "action": "replace", "reason": "Ten days (P. Albers)", "text": "1. First.\n2. Second.\n"}]


def deal(revision: int = 1):
    return SimpleNamespace(revision=revision)


def test_a_deal_without_revision_status_or_contract_gets_them_after_the_offer_number():
    text = "# a comment that stays\noffer_number: T-1\ndate: 2026-01-05\nitems:\n  - sku: A  # keep me\n    quantity: 1\n"
    out = next_revision_text(text, deal(), "deals/t.yaml", ENTRY)
    assert out == ("# a comment that stays\noffer_number: T-1\nrevision: 2\nprevious_revision: deals/t.yaml\nstatus: draft\n"
                   "date: 2026-01-05\nitems:\n  - sku: A  # keep me\n    quantity: 1\n\ncontract:\n  deviations:\n"
                   "    - clause: warranty\n      action: replace\n      reason: Ten days (P. Albers)\n      text: |\n        1. First.\n        2. Second.\n")


def test_existing_keys_are_replaced_in_place_and_decided_on_removed():
    text = ("offer_number: T-1\nrevision: 3\nstatus: accepted\nissued_on: 2026-01-06\ndecided_on: 2026-01-20\nprevious_revision: deals/history/t-r2.yaml\n"
            "contract:\n  deviations:\n    - clause: nda\n      action: strike\n      reason: Old.\n\nnotes: kept\n")
    out = next_revision_text(text, deal(3), "deals/t.yaml", [{"clause": "nda", "action": "strike", "reason": "Old."}] + ENTRY)
    data = yaml.safe_load(out)
    assert (data["revision"], data["status"], data["previous_revision"], data["issued_on"].isoformat()) == (4, "draft", "deals/t.yaml", "2026-01-06")
    assert "decided_on" not in data and data["notes"] == "kept"
    assert [d["clause"] for d in data["contract"]["deviations"]] == ["nda", "warranty"]
    assert out.endswith("        2. Second.\n\nnotes: kept\n")


def test_a_contract_block_without_deviations_gets_them():
    text = "offer_number: T-1\ncontract:\n  language: de\nother: 1\n"
    data = yaml.safe_load(next_revision_text(text, deal(), "deals/t.yaml", ENTRY))
    assert data["contract"] == {"language": "de", "deviations": ENTRY} and data["other"] == 1


def test_the_next_file_is_named_by_revision():
    from pathlib import Path

    assert next_path(Path("deals/acme.yaml"), 3) == Path("deals/acme-r3.yaml")
    assert next_path(Path("deals/acme-r3.yaml"), 4) == Path("deals/acme-r4.yaml")
