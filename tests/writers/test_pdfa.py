"""PDF/A-3b as far as it can be checked here: every example PDF read back with pikepdf (qpdf).

Not a conformance validator (veraPDF needs Java): the structure the standard asks for,
one rule per assertion -- XMP identification and metadata agreeing with the document
information, one PDF/A output intent with an RGB profile, every font embedded, every
embedded file associated once (``/AF``) with its MIME type, dates and relationship,
no encryption, file identifiers, printable annotations, no JavaScript.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from proposals.cli import run

from ..conftest import copy_example

PDFA_ID = "{http://www.aiim.org/pdfa/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    ws = copy_example(tmp_path_factory.mktemp("pdfa") / "ws")
    assert run(["build", "-w", str(ws), "--format", "pdf"]) == 0
    found = sorted((ws / "output").glob("*/*.pdf"))
    assert len(found) >= 10
    return found


def each(pdfs):
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            yield path, pdf


def test_qpdf_finds_no_damage(pdfs):
    for path, pdf in each(pdfs):
        assert pdf.check_pdf_syntax() == [], path
        assert not pdf.is_encrypted, path
        assert len(pdf.trailer.ID) == 2, path  # PDF/A: a file identifier in the trailer
        assert pdf.pdf_version <= "1.7", path


def test_xmp_identifies_pdfa_3b_and_agrees_with_the_document_information(pdfs):
    for path, pdf in each(pdfs):
        meta = pdf.open_metadata()
        assert (meta.get(PDFA_ID + "part"), meta.get(PDFA_ID + "conformance")) == ("3", "B"), path
        info = pdf.docinfo
        if "/Title" in info:
            assert meta.get(DC + "title") == str(info.Title), path
        if "/Author" in info:
            assert meta.get(DC + "creator") == [str(info.Author)], path
        assert meta.get("{http://ns.adobe.com/xap/1.0/}CreateDate"), path


def test_one_pdfa_output_intent_with_an_rgb_profile(pdfs):
    for path, pdf in each(pdfs):
        intents = [i for i in pdf.Root.OutputIntents if i.S == "/GTS_PDFA1"]
        assert len(intents) == 1, path
        profile = intents[0].DestOutputProfile
        header = profile.read_bytes()[:40]
        assert header[36:40] == b"acsp" and header[16:20] == b"RGB ", path  # an ICC profile of RGB
        assert int(profile.N) == 3, path


def _fonts(resources, seen):
    """Every font dictionary reachable from a resource dictionary (form XObjects too)."""
    if resources is None or resources.objgen in seen and resources.objgen != (0, 0):
        return
    seen.add(resources.objgen)
    for font in (resources.get("/Font") or {}).values():
        yield font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts(xobject.get("/Resources"), seen)


def test_every_font_is_embedded(pdfs):
    for path, pdf in each(pdfs):
        seen, count = set(), 0
        for page in pdf.pages:
            for font in _fonts(page.obj.get("/Resources"), seen):
                if font.Subtype == "/Type3":
                    continue  # glyphs drawn by content streams: nothing to embed
                described = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
                descriptor = described.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), (path, str(font.BaseFont))
                count += 1
        assert count >= 1, path


def test_each_embedded_file_is_associated_once_with_type_dates_and_relationship(pdfs):
    for path, pdf in each(pdfs):
        listed = [spec.objgen for spec in pdf.Root.get("/AF", [])]
        assert len(listed) == len(set(listed)), f"{path}: /AF lists a file more than once: {listed}"
        names = pdf.Root.Names.EmbeddedFiles.Names if "/Names" in pdf.Root and "/EmbeddedFiles" in pdf.Root.Names else []
        specs = list(names)[1::2]
        assert sorted(listed) == sorted(spec.objgen for spec in specs), path
        for spec in specs:
            assert str(spec.F) == str(spec.UF), path
            assert spec.AFRelationship in ("/Data", "/Source", "/Alternative", "/Supplement", "/Unspecified"), path
            stream = spec.EF.F
            assert "/" in str(stream.Subtype), path  # a MIME type, e.g. /application#2Fjson
            assert "/ModDate" in stream.Params, path
        if path.name == "offer.pdf":
            assert [str(spec.F) for spec in specs] == ["quote.json"]
            assert specs[0].EF.F.read_bytes() == (path.parent / "quote.json").read_bytes()
            assert specs[0].AFRelationship == "/Data"


def test_annotations_print_and_nothing_runs(pdfs):
    for path, pdf in each(pdfs):
        assert "/JavaScript" not in pdf.Root.get("/Names", {}), path
        assert "/AA" not in pdf.Root and "/OpenAction" not in pdf.Root, path
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                assert int(annot.get("/F", 0)) & 4, path  # the print flag
                assert annot.get("/Subtype") != "/Widget" or "/AA" not in annot, path
