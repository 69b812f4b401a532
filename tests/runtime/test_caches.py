"""Compiled-template cache: an edited template is compiled again; an unsafe cache folder is not used."""

from __future__ import annotations

import os

from proposals.documents import templating

from ..conftest import copy_example


def _offer_text(cli, ws, out):
    from pypdf import PdfReader

    code, _, err = cli("build", "-w", str(ws), "-o", str(out), "--format", "pdf", str(ws / "deals" / "kessler-pumpen.yaml"))
    assert code == 0, err
    folder = next(out.iterdir())
    return "".join(page.extract_text() for page in PdfReader(folder / "offer.pdf").pages)


def test_edited_template_is_compiled_again_not_taken_from_the_cache(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("PROPOSALS_CACHE_DIR", str(tmp_path / "cache"))
    ws = copy_example(tmp_path / "ws")
    builtin = (templating.BUILTIN_TEMPLATES / "offer.html.j2").read_text(encoding="utf-8")
    own = ws / "templates" / "offer.html.j2"
    own.write_text(builtin.replace("{% block greeting %}", "{% block greeting %}<p>Marker one</p>", 1), encoding="utf-8")
    assert "Marker one" in _offer_text(cli, ws, tmp_path / "out1")
    assert list((tmp_path / "cache").rglob("documents-*.cache")), "compiled templates were not cached"
    own.write_text(builtin.replace("{% block greeting %}", "{% block greeting %}<p>Marker two</p>", 1), encoding="utf-8")
    text = _offer_text(cli, ws, tmp_path / "out2")
    assert "Marker two" in text and "Marker one" not in text


def test_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    monkeypatch.setenv("PROPOSALS_CACHE_DIR", str(tmp_path / "cache"))
    assert templating.bytecode_cache("documents") is not None
    folder = next((tmp_path / "cache").iterdir())
    os.chmod(folder, 0o777)
    assert templating.bytecode_cache("documents") is None
    monkeypatch.setenv("PROPOSALS_CACHE_DIR", "off")
    assert templating.bytecode_cache("documents") is None


def test_check_keeps_findings_per_deal_and_renders_again_what_changed(tmp_path, cli, monkeypatch):
    from proposals.commands import check

    monkeypatch.setenv("PROPOSALS_CACHE_DIR", str(tmp_path / "cache"))
    ws = copy_example(tmp_path / "ws")
    first = cli("check", "-w", str(ws))
    assert first[0] == 0, first
    assert len(list((tmp_path / "cache" / "check").glob("*.json"))) == 1 + len(list((ws / "deals").glob("*.yaml")))

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(check, "render_documents", must_not_render)
    assert cli("check", "-w", str(ws)) == first
    monkeypatch.undo()
    monkeypatch.setenv("PROPOSALS_CACHE_DIR", str(tmp_path / "cache"))

    builtin = (templating.BUILTIN_TEMPLATES / "offer.html.j2").read_text(encoding="utf-8")
    (ws / "templates" / "offer.html.j2").write_text(builtin.replace("{% block greeting %}", '{% block greeting %}<p class="sparkle">Hello</p>', 1), encoding="utf-8")
    code, out, err = cli("check", "-w", str(ws))
    assert code == 0 and "unsupported class 'sparkle' on <p>" in out + err


def test_check_findings_follow_the_deal_text_and_status(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("PROPOSALS_CACHE_DIR", str(tmp_path / "cache"))
    ws = copy_example(tmp_path / "ws")
    builtin = (templating.BUILTIN_TEMPLATES / "offer.html.j2").read_text(encoding="utf-8")
    greeting = '{% block greeting %}{% if deal.status != "draft" %}<p class="sparkle">Issued</p>{% endif %}'
    (ws / "templates" / "offer.html.j2").write_text(builtin.replace("{% block greeting %}", greeting, 1), encoding="utf-8")
    deal = ws / "deals" / "kessler-pumpen.yaml"
    accepted = "status: accepted\nissued_on: 2026-11-18\ndecided_on: 2026-11-26\n"  # the example's accepted deal (issue #21), made a draft
    assert accepted in deal.read_text(encoding="utf-8")
    deal.write_text(deal.read_text(encoding="utf-8").replace(accepted, ""), encoding="utf-8")
    first = cli("check", "-w", str(ws))
    assert first[0] == 0 and "sparkle" not in first[1] + first[2]
    deal.write_text(deal.read_text(encoding="utf-8") + "status: issued\nissued_on: 2026-11-20\n", encoding="utf-8")
    code, out, err = cli("check", "-w", str(ws))
    assert "unsupported class 'sparkle'" in out + err, "a status change must not be answered from the cache"

    acme = ws / "deals" / "acme-maschinenbau.yaml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("clause: liability", "clause: liabilty", 1), encoding="utf-8")
    before = cli("check", "-w", str(ws))[1:]
    line = next(l for l in "".join(before).splitlines() if "liabilty" in l)
    acme.write_text("# one\n# two\n# three\n" + acme.read_text(encoding="utf-8"), encoding="utf-8")
    after = "".join(cli("check", "-w", str(ws))[1:])
    number = int(line.split(":")[1])
    assert f"acme-maschinenbau.yaml:{number + 3}:" in after, "a finding's line must move with the deal text"


def test_edited_clause_is_rendered_anew_by_a_process_that_rendered_it_before(tmp_path):
    """A worker keeps compiled clauses between contracts; an edited clause file is compiled again."""
    from proposals.commands.deal import price_deal
    from proposals.commands.render import contract_clauses
    from proposals.documents.context import build_context
    from proposals.documents.labels import load_labels
    from proposals.input.loading import load_workspace

    ws_root = copy_example(tmp_path / "ws")
    builtin = (templating.BUILTIN_TEMPLATES.parent / "clauses" / "en" / "acceptance.md").read_text(encoding="utf-8")
    own = ws_root / "templates" / "clauses" / "en" / "acceptance.md"
    own.parent.mkdir(parents=True, exist_ok=True)

    def acceptance_clause(marker: str) -> str:
        own.write_text(builtin.replace("Acceptance may not be refused", f"{marker}: acceptance may not be refused", 1), encoding="utf-8")
        ws = load_workspace(ws_root)
        loaded = next(d for d in ws.deals if d.model.offer_number == "NW-2026-038")
        quote = price_deal(ws, loaded)
        labels, _ = load_labels(quote.locale, ws_root / "templates")
        context = build_context("contract", loaded.model, ws.seller.model, quote, labels)
        context, *_ = contract_clauses(ws, loaded, quote, context, labels)
        return next(str(c.html) for c in context.clauses if c.id == "acceptance")

    assert "Marker one" in acceptance_clause("Marker one")
    second = acceptance_clause("Marker two")
    assert "Marker two" in second and "Marker one" not in second
