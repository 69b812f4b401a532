"""The contract: clauses chosen by condition, numbered once, referenced by id, deviations annexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import copy_example
from ..readback import copy_minimal, docx_text, pdf_text, squash


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    from proposals.cli import run

    ws = tmp_path_factory.mktemp("contracts") / "ws"
    copy_example(ws)
    assert run(["build", "-w", str(ws)]) == 0
    return ws / "output"


def clause_ids(output: Path, folder: str) -> list[str]:
    return [c["id"] for c in json.loads((output / folder / "contract.json").read_text())["clauses"]]


def test_clause_set_follows_each_deal(example):
    acme, hafen, kessler, van_dijk = (clause_ids(example, f) for f in ("NW-2026-041-r2", "NW-2026-038-r1", "NW-2026-039-r1", "NW-2026-044-r1"))
    assert "reverse-charge" in van_dijk and not {"reverse-charge"} & set(acme + hafen + kessler)
    assert "sla" in acme and "sla" in hafen and "sla" in kessler and "sla" in van_dijk  # each sells a support plan
    assert "data-processing" in acme  # R2 is tagged personal-data (and the platform brings it)
    assert "time-and-material" in acme and "time-and-material" not in van_dijk  # acme sells rate-card days
    assert "price-indexation" in acme and "price-indexation" not in hafen  # 24-month terms vs 12
    assert "cooperation" in acme and "cooperation" not in hafen  # customer duties agreed or not
    assert acme[0] == "subject" and acme[-1] == "final"


def test_numbers_and_references_agree_in_pdf_and_docx(example):
    folder = example / "NW-2026-041-r2"
    data = json.loads((folder / "contract.json").read_text())
    liability = next(c["number"] for c in data["clauses"] if c["id"] == "liability")
    pdf, word = squash(pdf_text(folder / "contract.pdf")), squash(word_numbered_text(folder / "contract.docx"))
    for text in (pdf, word):
        assert f"{liability}. Liability (negotiated)" in text
        assert f"{liability}.2 For slight negligence" in text
        assert f"without prejudice to clause {liability}." in text  # the SLA clause's ref("liability")
        assert "1.1 The Contractor provides the following services" in text


def word_numbered_text(path: Path) -> str:
    """The DOCX body as Word shows it: clause numbers come from Word's list numbering, not the text."""
    import docx

    document = docx.Document(str(path))
    numbering = document.part.numbering_part.element
    counters: dict[int, list[int]] = {}
    lines = []
    for paragraph in document.paragraphs:
        p_pr = paragraph._p.pPr
        num_pr = p_pr.numPr if p_pr is not None else None
        if num_pr is None or paragraph.style.name.startswith("List"):
            lines.append(paragraph.text)
            continue
        num_id, level = num_pr.numId.val, num_pr.ilvl.val
        abstract = numbering.num_having_numId(num_id).abstractNumId.val
        counter = counters.setdefault(abstract, [0, 0, 0])
        counter[level] += 1
        counter[level + 1 :] = [0] * (2 - level)
        pattern = _level_text(numbering, abstract, level)
        label = pattern.replace("%1", str(counter[0])).replace("%2", str(counter[1])).replace("%3", str(counter[2]))
        lines.append(f"{label} {paragraph.text}")
    return "\n".join(lines)


def _level_text(numbering, abstract_id: int, level: int) -> str:
    from docx.oxml.ns import qn

    for abstract in numbering.findall(qn("w:abstractNum")):
        if abstract.get(qn("w:abstractNumId")) == str(abstract_id):
            lvl = [l for l in abstract.findall(qn("w:lvl")) if l.get(qn("w:ilvl")) == str(level)][0]
            return lvl.find(qn("w:lvlText")).get(qn("w:val"))
    raise AssertionError(abstract_id)


def test_deviations_are_marked_annexed_and_recorded(example):
    folder = example / "NW-2026-041-r2"
    data = json.loads((folder / "contract.json").read_text())
    assert [(d["clause"], d["action"]) for d in data["deviations"]] == [("liability", "replace"), ("confidentiality", "amend")]
    confidentiality = next(c["number"] for c in data["clauses"] if c["id"] == "confidentiality")
    for text in (squash(pdf_text(folder / "contract.pdf")), squash(word_numbered_text(folder / "contract.docx") + docx_text(folder / "contract.docx"))):
        assert "Deviations from the standard terms" in text
        assert "purchasing policy P-07" in text
        assert f"{confidentiality}.3 The Contractor imposes the same obligations on its subcontractors" in text
        assert "twice the net contract value" in text


def test_build_output_names_the_deviations(tmp_path, cli):
    ws = tmp_path / "ws"
    copy_example(ws)
    code, out, _ = cli("build", "-w", ws, "--format", "pdf", "deals/acme-maschinenbau.yaml")
    assert code == 0
    assert "NW-2026-041-r2: contract deviates from the standard terms: 12 Liability (replace), 15 Confidentiality (amend)" in out


def write_clause(ws: Path, name: str, text: str) -> None:
    folder = ws / "templates" / "clauses" / "en"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)


def test_unknown_reference_fails_with_clause_file_and_line(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    write_clause(ws, "extra.md", '---\ntitle: Extra\nwhen: "true"\norder: 90\n---\n1. First.\n2. See {{ ref("nonsense") }}.\n')
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 1
    assert err.splitlines()[0].startswith("templates/clauses/en/extra.md:7:1: unknown clause reference nonsense (this contract has: subject, ")


def test_failing_condition_fails_with_its_line(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    write_clause(ws, "extra.md", '---\ntitle: Extra\norder: 90\nwhen: "deal.no_such_field > 3"\n---\n1. Text.\n')
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 1
    assert err.splitlines()[0].startswith("templates/clauses/en/extra.md:4:7: when: the condition failed:")


def test_workspace_clause_overrides_builtin_and_customer_markdown_is_literal(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("legal_name: Kunde AG", 'legal_name: "*Kunde* [AG](http://x) _GmbH_"'))
    write_clause(ws, "warranty.md", '---\ntitle: Our warranty\nwhen: "true"\norder: 60\n---\n1. Warranty for {{ customer.legal_name }} as agreed.\n')
    code, _, err = cli("build", "-w", ws)
    assert code == 0, err
    folder = ws / "output" / "T-2026-001-r1"
    for text in (squash(pdf_text(folder / "contract.pdf")), squash(docx_text(folder / "contract.docx"))):
        assert "Our warranty" in text
        assert "Warranty for *Kunde* [AG](http://x) _GmbH_ as agreed." in text


def test_unknown_deviation_clause_is_located_in_the_deal(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text() + "contract:\n  deviations:\n    - clause: liabilty\n      action: strike\n      reason: typo\n")
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 1
    assert err.splitlines()[0].startswith("deals/basic.yaml:19:15: contract.deviations[0].clause: no clause liabilty in the library (known: ")


def test_struck_clause_disappears_and_numbers_close_up(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text() + "contract:\n  deviations:\n    - clause: warranty\n      action: strike\n      reason: Covered by the framework agreement.\n")
    code, out, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 0, err
    data = json.loads((minimal / "output" / "T-2026-001-r1" / "contract.json").read_text())
    assert "warranty" not in [c["id"] for c in data["clauses"]]
    assert [c["number"] for c in data["clauses"]] == list(range(1, len(data["clauses"]) + 1))
    assert data["struck"][0]["id"] == "warranty"
    text = squash(pdf_text(minimal / "output" / "T-2026-001-r1" / "contract.pdf"))
    assert "Warranty" in text.split("Deviations from the standard terms")[-1]  # listed in the annex only


def test_striking_a_referenced_clause_points_at_the_deal(minimal, cli):
    deal = minimal / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("  - sku: DAY\n", "  - sku: DAY\n    quantity: 1\n  - sku: SUP\n", 1).replace("    quantity: 1\n    quantity: 3\n", "    quantity: 1\n") + "contract:\n  deviations:\n    - clause: subject\n      action: strike\n      reason: test\n")
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 1
    assert "deals/basic.yaml:" in err.splitlines()[0] and "refers to subject; strike or replace" in err.splitlines()[0]


@pytest.mark.parametrize(
    "header, message",
    [
        ('title: X\nwhen: "reverse_chrage"\n', "when: the condition failed: 'reverse_chrage' is undefined"),
        ('title: X\nwhen: "1 / 0"\n', "when: the condition failed: division by zero"),
        ("title: X\norder: soon\n", "order: expected a whole number (got soon)"),
        ("title: X\nreplaces: liability\n", "replaces: expected a list of clause ids, e.g. [liability]"),
        ("title: X\nrequires: [nonexistent]\n", "refers to clause nonexistent, which is not in the library"),
        ("titel: X\n", "unknown header field"),
    ],
)
def test_broken_clause_headers_are_located_errors(header, message, tmp_path, cli):
    ws = copy_minimal(tmp_path)
    write_clause(ws, "extra.md", f"---\n{header}---\n1. Text.\n")
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 1, err
    first = err.splitlines()[0]
    assert first.startswith("templates/clauses/en/extra.md:"), first
    assert message in err, err


def test_excluded_clauses_stay_out(minimal, cli):
    # The minimal deal sells consulting days and a licence: no support plan, no personal data,
    # no EU cross-border sale, a 12-month term.
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 0, err
    ids = [c["id"] for c in json.loads((minimal / "output" / "T-2026-001-r1" / "contract.json").read_text())["clauses"]]
    for absent in ("sla", "data-processing", "reverse-charge", "price-indexation", "cooperation", "training-cancellation"):
        assert absent not in ids, absent
    assert "term" in ids and "rights-of-use" in ids  # the licence recurs; work results need rights of use


def test_cover_letter_goes_to_the_decider(example):
    text = squash(pdf_text(example / "NW-2026-041-r2" / "offer.pdf"))
    assert "Acme Maschinenbau AG Dr. Friederike Hallmann" in text and "Dear Dr Hallmann," in text
