"""Documents load only the workspace's assets: templates/ and the seller's logo.

A workspace template is written by many hands, and CI builds with the
repository's credentials on disk (``.git/config``). Each test builds a real
workspace with a hostile template and reads the outputs back: the PDF's
embedded files and inflated streams, every DOCX part.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from pathlib import Path

from pypdf import PdfReader

from ..conftest import REPO

SECRET = "ghp_SECRETTOKEN0123456789"
LOGO = REPO / "templates" / "assets" / "logo.png"
FOLDER = Path("output") / "T-2026-001-r1"


def _workspace(minimal: Path, greeting: str) -> Path:
    """The minimal workspace with a git config holding a token, and an offer template showing ``greeting``."""
    (minimal / ".git").mkdir()
    (minimal / ".git" / "config").write_text(f'[remote "origin"]\n\turl = https://x-access-token:{SECRET}@example.invalid/r.git\n')
    (minimal / "templates").mkdir()
    (minimal / "templates" / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}' + greeting + "{% endblock %}\n")
    return minimal


def _pdf_bytes_inflated(path: Path) -> bytes:
    """Every object of the PDF, streams decompressed, as one byte string."""
    reader = PdfReader(path)
    numbers = set(reader.xref_objStm) | {n for table in reader.xref.values() for n in table}
    chunks = []
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if obj is None:
            continue
        chunks.append(repr(obj).encode())
        if hasattr(obj, "get_data"):
            chunks.append(obj.get_data())
    return b"\n".join(chunks)


def _docx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "WARNING" in line]


def test_attachment_links_in_any_spelling_embed_nothing(minimal, cli):
    """Guards against stripping only a lower-case ``rel="attachment"``: WeasyPrint reads link types
    case-insensitively, from ``<a>`` and from ``<link>``, split on any ASCII white space."""
    ws = _workspace(minimal, '<p><a rel="Attachment" href=".git/config">terms</a>'
                             '<a rel="nofollow\tATTACHMENT" href="catalog/seller.yaml">seller</a>'
                             '<link rel=" attachMent " href="deals/basic.yaml"></p>')
    code, _, err = cli("build", "-w", ws, "--format", "pdf")
    assert code == 0, err
    assert _warnings(err) == [
        f"templates/offer.html.j2: WARNING: T-2026-001-r1/offer.pdf: attachment link to {href!r} removed: documents embed no files [writer.pdf]"
        for href in (".git/config", "catalog/seller.yaml", "deals/basic.yaml")
    ]
    pdf = ws / FOLDER / "offer.pdf"
    assert list(PdfReader(pdf).attachments) == ["quote.json"]
    inflated = _pdf_bytes_inflated(pdf)
    assert SECRET.encode() not in inflated
    assert b"/FileAttachment" not in inflated
    assert b"legal_name:" not in inflated  # the seller profile's YAML source


def test_an_attachment_link_that_slips_past_the_stripper_is_still_refused_by_the_fetcher(minimal, tmp_path):
    """Guards the second line of defence: the fetcher itself never serves a dot-folder."""
    from proposals.writers.pdf import PdfWriter

    ws = _workspace(minimal, "")
    html = '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><img src=".git/config"><img src="deals/basic.yaml"></body></html>'
    data, problems = PdfWriter(ws).render(html, "x")
    assert problems == [
        "refused .git/config: dot-files and dot-folders (.git, .env, ...) are never loaded",
        "refused deals/basic.yaml: deal, catalog and wording sources are never loaded into documents",
    ]
    assert SECRET.encode() not in _pdf_bytes_inflated_from(data, tmp_path)


def _pdf_bytes_inflated_from(data: bytes, tmp_path: Path) -> bytes:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return _pdf_bytes_inflated(path)


def test_documents_load_only_templates_and_the_named_logo(minimal, cli, tmp_path):
    """Guards the asset policy: each refused source is reported with the URL and why, in PDF and DOCX,
    and neither document holds any of the refused files."""
    ws = minimal
    shutil.copy(LOGO, tmp_path / "outside.png")
    for folder in (".git", "catalog", "templates/assets", "templates/.hidden", "docs"):
        (ws / folder).mkdir(parents=True, exist_ok=True)
    for name in (".git/logo.png", "catalog/logo.png", "templates/assets/logo.png", "templates/.hidden/logo.png", "docs/brand.png", ".env.png"):
        shutil.copy(LOGO, ws / name)
    os.symlink(tmp_path / "outside.png", ws / "templates" / "assets" / "escape.png")
    os.symlink(ws / ".git" / "logo.png", ws / "templates" / "assets" / "into-git.png")
    os.symlink(ws / "catalog" / "logo.png", ws / "templates" / "assets" / "into-catalog.png")
    sources = ["templates/assets/logo.png", "docs/brand.png", ".git/logo.png", ".env.png", "catalog/logo.png",
               "templates/.hidden/logo.png", "templates/assets/escape.png", "templates/assets/into-git.png",
               "templates/assets/into-catalog.png", "catalog/seller.yaml"]
    (ws / "templates" / "offer.html.j2").write_text(
        '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>'
        + "".join(f'<img src="{s}" alt="">' for s in sources) + "</p>{% endblock %}\n")
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text() + "logo: docs/brand.png\n")
    code, _, err = cli("build", "-w", ws, "--format", "pdf,docx")
    assert code == 0, err
    why = {
        ".git/logo.png": "dot-files and dot-folders (.git, .env, ...) are never loaded",
        ".env.png": "dot-files and dot-folders (.git, .env, ...) are never loaded",
        "catalog/logo.png": "documents load only files below templates/ and the seller's logo",
        "templates/.hidden/logo.png": "dot-files and dot-folders (.git, .env, ...) are never loaded",
        "templates/assets/escape.png": "a symbolic link leads outside templates/",
        "templates/assets/into-git.png": "a symbolic link leads outside templates/",
        "templates/assets/into-catalog.png": "a symbolic link leads outside templates/",
        "catalog/seller.yaml": "deal, catalog and wording sources are never loaded into documents",
    }
    warnings = _warnings(err)
    for source, reason in why.items():
        assert f"templates/offer.html.j2: WARNING: T-2026-001-r1/offer.pdf: refused {source}: {reason} [writer.pdf]" in warnings
        assert any(line.startswith("templates/offer.html.j2: WARNING: T-2026-001-r1/offer.docx: image ") and f"'{source}' not loaded" in line and line.endswith(f": {reason} [writer.docx]") for line in warnings), source
    assert len(warnings) == 2 * len(why)  # the template's own asset and the named logo load in both
    pdf_images = sum(len(page.images) for page in PdfReader(ws / FOLDER / "offer.pdf").pages)
    media = [name for name in _docx_parts(ws / FOLDER / "offer.docx") if name.startswith("word/media/")]
    assert pdf_images >= 2 and media  # the allowed logo and template asset are shown
    assert SECRET.encode() not in _pdf_bytes_inflated(ws / FOLDER / "offer.pdf")


def test_a_templates_folder_that_is_a_link_out_of_the_workspace_serves_nothing(minimal, cli, tmp_path):
    """Guards against trusting a folder by its name: ``templates`` itself links outside."""
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "assets").mkdir(parents=True)
    shutil.copy(LOGO, elsewhere / "assets" / "logo.png")
    (elsewhere / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p><img src="templates/assets/logo.png" alt=""></p>{% endblock %}\n')
    os.symlink(elsewhere, minimal / "templates")
    code, _, err = cli("build", "-w", minimal, "--format", "pdf")
    assert code == 0, err
    assert "templates/offer.html.j2: WARNING: T-2026-001-r1/offer.pdf: refused templates/assets/logo.png: a symbolic link leads outside the workspace [writer.pdf]" in err


def test_the_docx_writer_refuses_what_the_pdf_writer_refuses(minimal, tmp_path):
    """Guards the DOCX image loader against a policy of its own (one policy serves both writers)."""
    from proposals.writers.docx_images import ImageRefused, load_image

    ws = _workspace(minimal, "")
    shutil.copy(LOGO, ws / ".git" / "logo.png")
    for src, reason in ((".git/logo.png", "dot-files and dot-folders (.git, .env, ...) are never loaded"),
                        ("deals/basic.yaml", "deal, catalog and wording sources are never loaded into documents"),
                        ("templates/../.git/logo.png", "'..' is not allowed in paths"),
                        ("templates\\..\\.git\\logo.png", "backslashes and NUL characters are not allowed in paths")):
        try:
            load_image(src, ws)
        except ImageRefused as refused:
            assert str(refused) == reason, src
        else:
            raise AssertionError(f"{src} was loaded")
