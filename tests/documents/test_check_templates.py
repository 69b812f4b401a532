"""`proposals check` finds each class of template error, with its location, without writing anything."""

from __future__ import annotations

import json

import pytest

from ..readback import copy_minimal


def override(ws, name, text):
    (ws / "templates").mkdir(exist_ok=True)
    (ws / "templates" / name).write_text(text)


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>{{ deal.title }</p>\n{% endblock %}\n', "templates/offer.html.j2:3:1: template syntax error: unexpected '}'"),
        ("offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>\n{{ customr.legal_name }}</p>\n{% endblock %}\n', "templates/offer.html.j2:4:1: unknown variable 'customr': not in the template context (see TemplateContext)"),
        ("offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>{{ deal.salesman }}</p>\n{% endblock %}\n', "templates/offer.html.j2:3:7: undefined: deal has no field 'salesman'"),  # issue #20: no class names, the column
        ("offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>{{ seller.contact.emial }}</p>\n{% endblock %}\n', "templates/offer.html.j2:3:7: undefined: seller.contact has no field 'emial'; did you mean 'email'?"),
    ],
    ids=["syntax", "unknown variable", "undefined attribute", "misspelt field"],
)
def test_template_errors_fail_check_with_their_location(name, text, expected, tmp_path, cli):
    ws = copy_minimal(tmp_path)
    override(ws, name, text)
    code, _, err = cli("check", "-w", ws)
    assert code == 1
    assert err.splitlines()[0] == expected
    assert not (ws / "output").exists()


def test_html_outside_the_vocabulary_and_missing_images_are_warnings(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    override(ws, "offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<video>clip</video><p><img src="templates/assets/missing.png" alt="x"></p>{% endblock %}\n')
    code, _, err = cli("check", "-w", ws)
    assert code == 0
    lines = err.splitlines()
    assert any(l.startswith("templates/offer.html.j2: WARNING: T-2026-001-r1/offer.docx: unsupported element <video>") for l in lines), lines
    assert any(l.startswith("templates/offer.html.j2: WARNING: T-2026-001-r1/offer.docx:") and "missing.png" in l for l in lines), lines
    assert cli("check", "-w", ws, "--strict")[0] == 1


def test_check_json_for_ci_annotations(tmp_path, cli):
    ws = copy_minimal(tmp_path)
    override(ws, "offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n{{ nonexistent }}\n{% endblock %}\n')
    code, out, _ = cli("check", "-w", ws, "--format", "json")
    assert code == 1
    found = json.loads(out)
    assert found[0] == {"file": "templates/offer.html.j2", "line": 3, "column": 1, "field": "", "message": "unknown variable 'nonexistent': not in the template context (see TemplateContext)", "kind": "template.unknown-variable", "severity": "error"}
    assert [(p["file"], p["line"], p["message"]) for p in found[1:]] == [("templates/offer.html.j2", 3, "undefined: 'nonexistent' is undefined")]  # the render pass runs too


def test_a_branding_font_that_is_not_installed_is_a_warning(minimal, cli):
    seller = minimal / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text() + "branding:\n  font: Nonexistent Sans 9\n")
    code, _, err = cli("check", "-w", minimal)
    assert code == 0
    assert "catalog/seller.yaml:29:9: WARNING: branding.font: font Nonexistent Sans 9 is not installed on this machine; documents fall back to Carlito, Liberation Sans or DejaVu Sans [input.missing-font]" in err.splitlines()


@pytest.mark.parametrize(
    "body, message",
    [
        ("{{ deal.title | nofilter }}", "templates/offer.html.j2:3:1: template syntax error: No filter named 'nofilter'."),
        ("{{ 7 ** 99999999 }}", "templates/offer.html.j2: rendering took longer than 2 s and was stopped"),
        ("{{ range(10**7) | list }}", "templates/offer.html.j2:3:1: template"),
    ],
    ids=["unknown filter", "runaway constant", "huge range"],
)
def test_check_reports_template_failures_instead_of_crashing(body, message, tmp_path, cli):
    ws = copy_minimal(tmp_path)
    override(ws, "offer.html.j2", '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n' + body + "\n{% endblock %}\n")
    code, _, err = cli("check", "-w", ws, "--time-limit", "2")
    assert code == 1, err
    assert err.splitlines()[0].startswith(message), err
