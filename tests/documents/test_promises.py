"""README promises about every page of the PDFs (issue #23): the running legal footer, the running header
after the first page and the DRAFT watermark, read back from the example's largest deal (a 10-page offer
and a 7-page contract). Each docstring names the mutation of the code it guards against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import copy_example
from ..readback import squash

LEGAL = [
    "Nordwerk Engineering GmbH",
    "Kehrwieder 8",
    "Register: Amtsgericht Hamburg, HRB 184213",
    "VAT ID: DE318472265",
    "Managing directors: Dr. Katrin Albers, Jonas Petersen",
    "IBAN DE44 2004 1277 0471 1305 00",
    "BIC HGWBDEHHXXX",
]


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    from proposals.cli import run

    ws = copy_example(tmp_path_factory.mktemp("acme") / "ws")
    assert run(["build", "-w", str(ws), "--format", "pdf", "deals/acme-maschinenbau.yaml"]) == 0
    return ws / "output" / "NW-2026-041-r2"


def pages(path: Path) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(path).pages]


@pytest.mark.parametrize("document, expected_pages", [("offer.pdf", 12), ("contract.pdf", 8)])  # the offer: 12 since its figures (issue #21)
def test_every_page_has_the_legal_footer_with_offer_revision_and_page_x_of_y(acme, document, expected_pages):
    """Mutation: the footer only on the first page (``@page :first`` or a footer that is not running, i.e. not
    ``position: running()`` in style.css / base.html.j2), a legal detail (register, VAT id, managing directors,
    bank) dropped from the footer, the revision left out of the offer number, or ``Page X of Y`` counting wrong."""
    texts = pages(acme / document)
    assert len(texts) == expected_pages  # a multi-page document, or "every page" proves nothing
    for number, text in enumerate(texts, start=1):
        for detail in LEGAL:
            assert detail in text, f"{document} page {number} lacks {detail!r} in its footer"
        assert "NW-2026-041-r2" in text, f"{document} page {number} lacks the offer number and revision"
        assert f"Page {number} of {expected_pages}" in text, f"{document} page {number} has no 'Page {number} of {expected_pages}'"


@pytest.mark.parametrize("document, header", [("offer.pdf", "Offer NW-2026-041-r2 · Acme Maschinenbau AG"),
                                              ("contract.pdf", "Draft contract NW-2026-041-r2 · Acme Maschinenbau AG")])
def test_pages_after_the_first_have_the_running_header(acme, document, header):
    """Mutation: the running header dropped, put on the first page too (``@page :first`` no longer
    clearing it), or printed only on the second page."""
    texts = pages(acme / document)
    assert header not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert header in text, f"{document} page {number} lacks the running header"


@pytest.mark.parametrize("document", ["offer.pdf", "contract.pdf"])
def test_a_draft_carries_the_draft_watermark_on_every_page(acme, document):
    """Mutation: the watermark printed once (a normal block instead of a fixed/running element) or
    left out of drafts; the example deal is a draft."""
    for number, text in enumerate(pages(acme / document), start=1):
        assert "DRAFT" in text, f"{document} page {number} has no DRAFT watermark"


def contract_of(ws: Path, cli) -> tuple[list[str], str]:
    from ..readback import docx_text

    code, _, err = cli("build", "-w", ws, "--format", "docx")  # contract.json comes with any format; DOCX needs no PDF engine
    assert code == 0, err
    folder = ws / "output" / "T-2026-001-r1"
    ids = [c["id"] for c in json.loads((folder / "contract.json").read_text())["clauses"]]
    return ids, squash(docx_text(folder / "contract.docx"))


def test_goods_bring_incoterms_and_transfer_of_risk_into_the_contract(minimal, cli):
    """Mutation: the ``goods-delivery`` clause's condition (``sells_goods``) always false or always true, or
    the deal's ``terms.delivery.incoterm`` not reaching the clause."""
    ids, _ = contract_of(minimal, cli)
    assert "goods-delivery" not in ids  # services only
    services = minimal / "catalog" / "services.yaml"
    services.write_text(services.read_text() + "  - sku: SENSOR\n    name: Vibration sensor\n    unit: piece\n    price: \"250.00\"\n    goods: true\n")
    deal = minimal / "deals" / "basic.yaml"
    text = deal.read_text().replace("items:\n", "terms:\n  delivery:\n    incoterm: FCA\n    place: Dresden\nitems:\n  - sku: SENSOR\n    quantity: 4\n")
    deal.write_text(text)
    ids, text = contract_of(minimal, cli)
    assert "goods-delivery" in ids
    assert "Position 1 is delivered FCA (Incoterms 2020) Dresden. Risk passes to the Customer" in text


def test_a_workspace_clause_that_replaces_a_built_in_one_takes_its_place(minimal, cli):
    """Mutation: ``replaces:`` of a clause header ignored when the contract's clauses are chosen (both
    clauses printed), or the replaced clause dropped without the new one."""
    own = minimal / "templates" / "clauses" / "en"
    own.mkdir(parents=True)
    (own / "own-warranty.md").write_text('---\ntitle: "Warranty (Testwerk)"\nversion: 1\norder: 60\nwhen: "true"\nreplaces: [warranty]\n---\n1. Testwerk remedies every defect within 48 hours.\n')
    ids, text = contract_of(minimal, cli)
    assert "own-warranty" in ids and "warranty" not in ids
    assert "Testwerk remedies every defect within 48 hours." in text and "care of a prudent specialist company" not in text
