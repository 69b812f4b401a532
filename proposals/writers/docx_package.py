"""The DOCX package as the writer and the reference-document generator save it.

The reference document's body and header/footer stories are emptied before
new content goes in; revision ids (``w:rsid*``) are removed and the parts are
zipped with fixed timestamps and a stable entry order, so that equal inputs
give byte-identical .docx files.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

from docx.oxml.ns import qn

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_RSID_ATTRS = ("w:rsidR", "w:rsidRPr", "w:rsidRDefault", "w:rsidP", "w:rsidSect",
               "w:rsidTr", "w:rsidDel")


# ------------------------------------------------------------ document parts
def clear_body(document) -> None:
    """Remove every block from the document body but keep the final ``w:sectPr``."""
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)


def clear_story(story_element) -> None:
    """Remove all content of a header or footer (its ``w:hdr``/``w:ftr``)."""
    for block in list(story_element):
        story_element.remove(block)


def strip_revision_ids(element) -> None:
    """Remove ``w:rsid*`` attributes below ``element`` and any ``w:rsids`` list,
    so that nothing session-specific ends up in the output."""
    for rsids in element.findall(qn("w:rsids")):
        element.remove(rsids)
    names = [qn(a) for a in _RSID_ATTRS]
    for node in element.iter():
        for name in names:
            node.attrib.pop(name, None)


CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id of user-defined properties


def add_custom_properties(document, properties: tuple[tuple[str, str], ...]) -> None:
    """``docProps/custom.xml``: user-defined document properties (File > Properties > Custom
    in Word and LibreOffice, both keep them when they save), text values in the given order."""
    if not properties:
        return
    from docx.opc.constants import CONTENT_TYPE as CT, RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    root = etree.Element(f"{{{CUSTOM_NS}}}Properties", nsmap={None: CUSTOM_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(properties, 2):  # pids start at 2 (ECMA-376 Part 1, 22.3.2.2)
        prop = etree.SubElement(root, f"{{{CUSTOM_NS}}}property", fmtid=FMTID, pid=str(pid), name=name)
        etree.SubElement(prop, f"{{{VT_NS}}}lpwstr").text = value
    # the declaration as Word writes it
    blob = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + etree.tostring(root, encoding="UTF-8")
    package = document.part.package
    package.relate_to(Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package), RT.CUSTOM_PROPERTIES)


def number_drawings(document) -> None:
    """Give every drawing (``wp:docPr``) an id unique in the whole package.

    python-docx numbers a picture's drawing one above the highest id of its own part,
    so the header's logo and the body's first picture both get 1; Word takes a
    repeated drawing id for damage and offers to repair the file. The ids run
    1, 2, ... through the body, then the headers and footers in part order."""
    number = 0
    for part in _xml_parts(document):
        for doc_pr in part._element.iter(qn("wp:docPr")):
            number += 1
            doc_pr.set("id", str(number))


def _xml_parts(document):
    """The main document part, then its headers and footers, in package order."""
    main = document.part
    stories = [part for part in main.package.iter_parts()
               if part is not main and part.partname.startswith(("/word/header", "/word/footer"))]
    return [main, *sorted(stories, key=lambda part: part.partname)]


# -------------------------------------------------------------- reproducibility
def zip_timestamp(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """Convert ``moment`` to the UTC date-time tuple zip entries store (>= 1980)."""
    utc = moment.astimezone(timezone.utc) if moment.tzinfo else moment
    stamp = (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second)
    return max(stamp, ZIP_EPOCH)


def package_bytes(document, moment: datetime) -> bytes:
    """The .docx bytes of ``document`` in the reproducible container of :func:`normalize_zip`.

    The parts are serialized by python-docx's own package writer steps -- the same
    bytes ``document.save()`` stores -- and compressed once: ``save()`` would deflate
    every part into a zip that :func:`normalize_zip` then inflates and deflates again
    (a tenth of the writer's time).
    """
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    entries = _Entries()
    PackageWriter._write_content_types_stream(entries, parts)
    PackageWriter._write_pkg_rels(entries, package.rels)
    PackageWriter._write_parts(entries, parts)
    return _reproducible_zip(entries, moment)


class _Entries(dict):
    """Zip entry bytes by name, collected in place of python-docx's zip writer."""

    def write(self, pack_uri, blob: bytes) -> None:
        self[pack_uri.membername] = blob


def normalize_zip(blob: bytes, moment: datetime) -> bytes:
    """Rewrite a .docx container byte-for-byte reproducibly (see :func:`_reproducible_zip`)."""
    source = zipfile.ZipFile(io.BytesIO(blob))
    return _reproducible_zip({name: source.read(name) for name in source.namelist()}, moment)


def _reproducible_zip(entries: dict[str, bytes], moment: datetime) -> bytes:
    """Zip ``entries`` with fixed timestamps and permissions, ``[Content_Types].xml``
    first, then the other entries sorted by name."""
    stamp = zip_timestamp(moment)
    names = sorted(entries, key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            target.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()
