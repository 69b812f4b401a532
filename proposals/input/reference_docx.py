"""``templates/reference.docx`` read as untrusted input: a clean style sheet for the DOCX writer.

The reference document often comes from a customer or an agency. Whatever it
holds would otherwise be carried into every DOCX built on top of it (macros, a
remote attached template, tracking images, external links), and a damaged or
hostile file would end in a traceback. So it is read once per command
(:func:`workspace_reference`, memoised per process by path, size and
modification time; forked workers inherit the result) and rebuilt from the
parts a style sheet needs. Every removal is reported as one warning located at
the file (``templates/reference.docx: WARNING: word/settings.xml: external
attached template removed [template.reference-docx]``); a file that cannot be
used at all is one located error (exit code 2) and the build writes nothing.
The built-in reference is used only when the workspace has no
``templates/reference.docx`` at all.

Limits (the file is refused beyond them)
========================================

* the file: at most :data:`MAX_FILE_BYTES` (16 MiB), a regular file inside the
  workspace, a zip archive with a readable directory;
* at most :data:`MAX_MEMBERS` (300) zip members, no name twice, no encryption,
  only stored or deflated members;
* sizes are measured while inflating in 64 KiB steps, never taken from the zip
  headers: a part inflates to at most :data:`MAX_PART_BYTES` (16 MiB), all
  parts read to at most :data:`MAX_TOTAL_BYTES` (48 MiB), and a part past 1 MiB
  may not inflate more than :data:`MAX_RATIO` (100) times its compressed size;
  the length and CRC-32 must match the zip directory;
* XML is parsed by lxml with ``resolve_entities=False, no_network=True,
  load_dtd=False`` and libxml2's default depth and size limits; a part with a
  DOCTYPE is refused (the whole file when it is an essential part, see below).

What is kept
============

Only what is reached through relationships of these types, each checked for its
content type and root element:

* package: the main document part, core and app properties;
* main document (``word/document.xml``): styles, stylesWithEffects, numbering,
  theme, fontTable, settings, webSettings, headers and footers. Its body is
  cleared here (the writer clears it too) except the final ``w:sectPr``, whose
  header and footer references are kept;
* headers, footers, numbering (picture bullets) and theme: the images they use
  (not SVG); fontTable: the embedded fonts it references.

Everything else is dropped and reported: macros (``vbaProject.bin``, vbaData,
key customizations), glossary, comments, people, footnotes, endnotes,
customXml, altChunk, OLE objects, ActiveX controls, subdocuments, thumbnails,
custom properties, printer settings, unreferenced parts. No external
relationship survives (``TargetMode="External"``, ``w:attachedTemplate``, mail
merge sources, absolute URLs or targets outside the package or missing from it),
and elements that used a dropped relationship are removed with it. In headers and
footers, fields that fetch or run something (INCLUDEPICTURE, INCLUDETEXT, LINK,
DDE, DDEAUTO, IMPORT, DATABASE, MACROBUTTON, HYPERLINK) and VML ``href``/``src``
links are removed; ``docProps/app.xml`` loses its hyperlink base and list.
Macro-enabled content types become the ordinary ones (a template's too).
Every kept XML part is written again from its parse tree.

Essential parts -- ``[Content_Types].xml``, ``_rels/.rels``, the main document,
its relationships, ``word/styles.xml`` and (when there is one) the numbering the
list styles use -- must be present, well-formed and free of DTDs, or the file is
refused; so are page sizes and margins that are not whole numbers of twips in
Word's range or leave no room for text. A reference without numbering gets an
empty numbering part (python-docx cannot add one). A workspace file (unless it is
the built-in one byte for byte) is finally rendered once with a small document
using the writer's whole vocabulary; if the writer cannot use it, that is
reported as the file's error now rather than as a crash of every DOCX.

Cost for the example reference.docx (10 KiB, 13 parts): about 3 ms to sanitize
and 20 ms for the trial rendering, once per command; each document then costs a
``stat`` and a dictionary look-up.
"""

from __future__ import annotations

import io
import os
import posixpath
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from proposals.builtin import BUILTIN as BUILTIN_FOLDER
from proposals.errors import InputError, Location, Problem

KIND = "template.reference-docx"
WORKSPACE_NAME = "templates/reference.docx"
BUILTIN = BUILTIN_FOLDER / "reference.docx"
BUILTIN_NAME = "proposals/builtin/reference.docx"

MiB = 1024 * 1024
MAX_FILE_BYTES = 16 * MiB
MAX_MEMBERS = 300
MAX_PART_BYTES = 16 * MiB
MAX_TOTAL_BYTES = 48 * MiB
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB  # smaller parts may compress as well as they like (repetitive XML does)
CHUNK = 64 * 1024

# ---------------------------------------------------------------- OOXML names
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
ASVG_NS = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"

RT = R_NS + "/"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
MAIN_CT = WML + "document.main+xml"
#: main document content types that python-docx does not open, as the ordinary one
MAIN_ALIASES = {
    WML + "template.main+xml": None,
    "application/vnd.ms-word.document.macroEnabled.main+xml": "macro-enabled",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "macro-enabled",
}


@dataclass(frozen=True)
class Role:
    """What a kept part may be: its content types, root element (None: binary) and children."""

    content_types: frozenset[str]
    root: str | None
    children: frozenset[str] = frozenset()


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_IMAGE_CTS = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff",
                        "image/x-emf", "image/x-wmf", "image/emf", "image/wmf", "image/x-png",
                        "image/pjpeg", "image/x-bmp"})
ROLES = {
    "document": Role(frozenset({MAIN_CT}), _w("document"), frozenset(
        {"styles", "stylesWithEffects", "numbering", "theme", "fontTable", "settings", "webSettings", "header", "footer"})),
    "styles": Role(frozenset({WML + "styles+xml"}), _w("styles")),
    "stylesWithEffects": Role(frozenset({"application/vnd.ms-word.stylesWithEffects+xml"}), _w("styles")),
    "numbering": Role(frozenset({WML + "numbering+xml"}), _w("numbering"), frozenset({"image"})),
    "theme": Role(frozenset({"application/vnd.openxmlformats-officedocument.theme+xml"}), f"{{{A_NS}}}theme", frozenset({"image"})),
    "fontTable": Role(frozenset({WML + "fontTable+xml"}), _w("fonts"), frozenset({"font"})),
    "settings": Role(frozenset({WML + "settings+xml"}), _w("settings")),
    "webSettings": Role(frozenset({WML + "webSettings+xml"}), _w("webSettings")),
    "header": Role(frozenset({WML + "header+xml"}), _w("hdr"), frozenset({"image"})),
    "footer": Role(frozenset({WML + "footer+xml"}), _w("ftr"), frozenset({"image"})),
    "core": Role(frozenset({"application/vnd.openxmlformats-package.core-properties+xml"}), f"{{{CP_NS}}}coreProperties"),
    "app": Role(frozenset({"application/vnd.openxmlformats-officedocument.extended-properties+xml"}), f"{{{EP_NS}}}Properties"),
    "image": Role(_IMAGE_CTS, None),
    "font": Role(frozenset({"application/vnd.openxmlformats-officedocument.obfuscatedFont",
                            "application/x-font-ttf", "application/x-font-otf", "application/x-font",
                            "font/ttf", "font/otf", "application/vnd.ms-opentype"}), None),
}
PACKAGE_CHILDREN = frozenset({"document", "core", "app"})
ESSENTIAL = frozenset({"document", "styles", "numbering"})  # the writer's lists need the numbering
SINGLE = frozenset(ROLES) - {"header", "footer", "image", "font"}  # at most one relationship each
REL_ROLES = {
    RT + "officeDocument": "document",
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties": "core",
    RT + "metadata/core-properties": "core",
    RT + "extended-properties": "app",
    RT + "styles": "styles",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects": "stylesWithEffects",
    RT + "numbering": "numbering",
    RT + "theme": "theme",
    RT + "fontTable": "fontTable",
    RT + "settings": "settings",
    RT + "webSettings": "webSettings",
    RT + "header": "header",
    RT + "footer": "footer",
    RT + "image": "image",
    RT + "font": "font",
}
#: what a dropped relationship (by the last segment of its type) or part was, for the warning
DESCRIPTIONS = {
    "vbaProject": "macros (VBA project)", "wordVbaData": "macro data",
    "keyMapCustomizations": "macro key bindings", "attachedTemplate": "attached template",
    "hyperlink": "hyperlink", "image": "image", "oleObject": "embedded OLE object",
    "package": "embedded package", "control": "ActiveX control",
    "activeXControlBinary": "ActiveX control data", "aFChunk": "altChunk (imported content)",
    "customXml": "custom XML data", "customXmlProps": "custom XML data properties",
    "glossaryDocument": "glossary (building blocks)", "comments": "comments",
    "commentsExtended": "comments", "commentsIds": "comments", "commentsExtensible": "comments",
    "people": "people (comment authors)", "footnotes": "footnotes", "endnotes": "endnotes",
    "thumbnail": "thumbnail", "custom-properties": "custom document properties",
    "subDocument": "subdocument", "mailMergeSource": "mail merge data source",
    "mailMergeHeaderSource": "mail merge data source", "recipientData": "mail merge recipient data",
    "frame": "frame", "printerSettings": "printer settings", "chart": "chart",
    "diagramData": "SmartArt diagram", "video": "video", "audio": "audio", "media": "media",
}
CT_DESCRIPTIONS = {
    "application/vnd.ms-office.vbaproject": "macros (VBA project)",
    "application/vnd.ms-word.vbadata+xml": "macro data",
    "application/vnd.ms-word.keymapcustomizations+xml": "macro key bindings",
    "application/vnd.ms-office.activex+xml": "ActiveX control",
    "application/vnd.ms-office.activex": "ActiveX control data",
    "application/vnd.openxmlformats-officedocument.oleobject": "embedded OLE object",
    "application/vnd.openxmlformats-officedocument.customxmlproperties+xml": "custom XML data properties",
    WML + "glossary+xml": "glossary (building blocks)",
    WML + "comments+xml": "comments",
}
#: fields that fetch a file or URL, run a macro or link out (removed from headers and footers)
DANGEROUS_FIELDS = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "IMPORT", "LINK", "DDE",
                              "DDEAUTO", "DATABASE", "MACROBUTTON", "HYPERLINK"})
#: elements that go on their own when their relationship is dropped (others take their run along)
_REMOVED_ALONE = frozenset({f"{{{A_NS}}}hlinkClick", f"{{{A_NS}}}hlinkHover", f"{{{A_NS}}}hlinkMouseOver",
                            f"{{{ASVG_NS}}}svgBlip", _w("headerReference"), _w("footerReference")})
_REF_ATTRIBUTE_NAMESPACES = (f"{{{R_NS}}}", f"{{{O_NS}}}relid")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, collect_ids=False)

PROBE_HTML = """<!DOCTYPE html><html><head><title>probe</title></head><body>
<header class="page-header"><p>Header <strong>bold</strong></p></header>
<h1 class="title">Title</h1><h1>One</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4>
<p class="lead">Lead</p><p class="small">Small</p><p class="address">Address</p><p class="sender">S</p>
<p>Text <em>it</em> <u>u</u> <small>s</small> <sup>1</sup> <sub>2</sub> <span class="muted">m</span>
<span class="price-tag">p</span> <a href="https://example.com/">link</a><br>next</p><hr>
<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li></ul><ol><li>one<p>more</p></li></ol><ol><li>again</li></ol>
<section class="clause keep-together"><h2><span class="clause-number" data-level="0">1.</span> Clause</h2>
<p><span class="clause-number" data-level="1" data-format="§ %1">1.1</span> Sub</p><p class="line">Signature</p></section>
<figure><figcaption>Caption</figcaption></figure>
<table><colgroup><col style="width: 30%"><col style="width: 70%"></colgroup>
<thead><tr><th>A</th><th>B</th></tr></thead>
<tbody><tr class="group"><td colspan="2">G</td></tr><tr><td>x</td><td class="num">1</td></tr></tbody>
<tfoot><tr class="subtotal"><td>s</td><td class="num">1</td></tr><tr class="total grand"><td>t</td><td class="num">1</td></tr></tfoot>
</table><table class="plain"><tr><td>plain</td></tr></table>
<div class="page-break signature"><p>Sign</p></div>
<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwABAQEABRjYTgAAAABJRU5ErkJggg==" alt="probe"
style="width: 400mm"></p><table><tr><td class="logo-cell"><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4DwABAQEABRjYTgAAAABJRU5ErkJggg==" alt="logo"></td></tr></table>
<footer class="page-footer"><p>Footer</p></footer>
</body></html>"""


@dataclass(frozen=True)
class Reference:
    """A sanitized reference document: the .docx bytes to open and what was removed (warnings)."""

    data: bytes
    problems: tuple[Problem, ...] = ()


class Refused(Exception):
    """The file cannot be used at all; the message says why (without the file name)."""


# ------------------------------------------------------------------- entry points
_MEMO: dict[tuple, Reference | tuple[Problem, ...]] = {}


def workspace_reference(root: Path) -> Reference:
    """The workspace's reference document, sanitized; the built-in one only when the workspace
    has no ``templates/reference.docx`` at all. Raises :class:`InputError` when it cannot be used."""
    own = Path(root) / "templates" / "reference.docx"
    if os.path.lexists(own):
        return load_reference(own, WORKSPACE_NAME, root=Path(root))
    return load_reference(BUILTIN, BUILTIN_NAME, trusted=True)


def reference_problems(root: Path) -> list[Problem]:
    """What :func:`workspace_reference` reports: the warnings, or the error (for ``check``)."""
    try:
        return list(workspace_reference(root).problems)
    except InputError as exc:
        return list(exc.problems)


def load_reference(path: Path, name: str | None = None, *, root: Path | None = None, trusted: bool = False) -> Reference:
    """Sanitize the reference document at ``path`` once per process (by path, size, mtime).

    ``name``: where problems are located (default: the path); ``root``: the workspace the
    file must lie in; ``trusted``: the package's own file (no trial rendering).
    """
    name = name or str(path)
    try:
        info = os.stat(path)
        key = (str(Path(path).absolute()), info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev, trusted)
    except OSError:
        key = None
    kept = _MEMO.get(key) if key is not None else None
    if kept is None:
        try:
            data = _read(Path(path), root)
            kept = _sanitize_or_problems(data, name, probe=not (trusted or data == _builtin_bytes()), guard=not trusted)
        except Refused as exc:
            kept = (_problem(name, str(exc), "error"),)
        if key is not None:
            _MEMO[key] = kept
    if isinstance(kept, tuple):
        raise InputError(kept)
    return kept


def sanitize(data: bytes, name: str = WORKSPACE_NAME, probe: bool = True) -> Reference:
    """The sanitized .docx of ``data``; raises :class:`InputError` (one located problem) when refused."""
    kept = _sanitize_or_problems(data, name, probe)
    if isinstance(kept, tuple):
        raise InputError(kept)
    return kept


def _sanitize_or_problems(data: bytes, name: str, probe: bool, guard: bool = True) -> Reference | tuple[Problem, ...]:
    """``guard``: untrusted input, so even an unforeseen failure is the file's located error."""
    try:
        clean, removed = _Sanitizer(data).run()
        if probe:
            _probe(clean)
    except Refused as exc:
        return (_problem(name, str(exc), "error"),)
    except Exception as exc:  # noqa: BLE001 - no input may end in a traceback; the type is named for a bug report
        if not guard:
            raise
        return (_problem(name, f"cannot be read as a Word document ({type(exc).__name__}: {_short(exc)[:100]})", "error"),)
    return Reference(clean, tuple(_problem(name, message, "warning") for message in dict.fromkeys(removed)))


def _builtin_bytes() -> bytes:
    try:
        return BUILTIN.read_bytes()
    except OSError:  # pragma: no cover - a broken installation
        return b""


def _problem(name: str, message: str, severity) -> Problem:
    return Problem(Location(name), "", message, KIND, severity)


def _read(path: Path, root: Path | None) -> bytes:
    """The file's bytes: a regular file (inside ``root``), at most MAX_FILE_BYTES."""
    try:
        resolved = path.resolve()
        if root is not None and not resolved.is_relative_to(Path(root).resolve()):
            raise Refused("the reference document must be a file inside the workspace")
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise Refused("file not found (a broken link?)") from None
    except OSError as exc:
        raise Refused(f"cannot read the file ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused("not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise Refused(f"file is {info.st_size} bytes; at most {MAX_FILE_BYTES} are read")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise Refused(f"cannot read the file ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise Refused(f"file is more than {MAX_FILE_BYTES} bytes; at most {MAX_FILE_BYTES} are read")
    return data


def _probe(data: bytes) -> None:
    """Render a small document on the sanitized reference: whatever the writer cannot use in it
    is the file's problem, reported now rather than as a crash of every DOCX."""
    from datetime import datetime, timezone

    from proposals.writers.docx import DocxMeta, DocxWriter

    meta = DocxMeta(title="probe", author="probe", subject="probe", created=datetime(2020, 1, 1, tzinfo=timezone.utc),
                    language="en-US", footer_text="probe", page_label="Page {page} of {pages}",
                    primary_color="#1F3A5F", font="Carlito")
    try:
        DocxWriter(data, Path(".")).render(PROBE_HTML, meta)
    except Exception as exc:  # noqa: BLE001 - anything the writer trips over in this file is the file's fault
        detail = " ".join(str(exc).split())[:160]
        raise Refused(f"the DOCX writer cannot use this file ({type(exc).__name__}: {detail}); save it again from Word") from None


# ------------------------------------------------------------------- the sanitizer
@dataclass
class _Part:
    name: str          # zip member name, e.g. "word/styles.xml"
    role: str
    content_type: str
    root: object = None        # parsed XML root (None: binary)
    blob: bytes = b""
    rels: dict = None          # kept: rId -> (type, target member)
    dropped: dict = None       # dropped: rId -> external?


class _Sanitizer:
    def __init__(self, data: bytes):
        self.data = data
        self.removed: list[str] = []          # warning messages, in order
        self.reasons: dict[str, str] = {}     # member -> why it was dropped
        self.parts: dict[str, _Part] = {}
        self.inflated = 0
        if data[:4] != b"PK\x03\x04":
            raise Refused("not a .docx file (a Word document is a zip archive; this file is not)")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, struct.error,
                NotImplementedError, OverflowError, IndexError, KeyError, UnicodeDecodeError):
            raise Refused("the file is damaged or truncated (its zip directory cannot be read)") from None
        if len(infos) > MAX_MEMBERS:
            raise Refused(f"the archive holds {len(infos)} files; at most {MAX_MEMBERS} are allowed")
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if info.filename in self.infos:
                raise Refused(f"the archive holds {info.filename} twice")
            self.infos[info.filename] = info

    # ---- reading
    def inflate(self, member: str) -> bytes:
        """A member's bytes, measured while inflating; limits, length and CRC checked."""
        info = self.infos[member]
        if info.flag_bits & 0x1:
            raise Refused(f"{member}: encrypted")
        if info.file_size > MAX_PART_BYTES:  # a claim, but one that is refused at once
            raise Refused(f"{member}: inflates past {MAX_PART_BYTES // MiB} MiB; refused (a zip bomb?)")
        data, offset = self.data, info.header_offset
        if data[offset:offset + 4] != b"PK\x03\x04" or offset + 30 > len(data):
            raise Refused(f"{member}: damaged (no local header)")
        name_length, extra_length = struct.unpack("<HH", data[offset + 26:offset + 30])
        start = offset + 30 + name_length + extra_length
        if info.compress_type == zipfile.ZIP_STORED:
            out = data[start:start + info.compress_size]
            if len(out) != info.compress_size:
                raise Refused(f"{member}: damaged or truncated")
            self._count(member, len(out), len(out))
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            out = self._inflate_deflated(member, start)
        else:
            raise Refused(f"{member}: compressed with method {info.compress_type}; only stored and deflated parts are read")
        if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
            raise Refused(f"{member}: damaged (its length or checksum does not match the zip directory)")
        return bytes(out)

    def _inflate_deflated(self, member: str, start: int) -> bytearray:
        inflater = zlib.decompressobj(-15)
        out = bytearray()
        position = start
        pending = b""
        try:
            while not inflater.eof:
                if not pending:
                    pending = self.data[position:position + CHUNK]
                    position += len(pending)
                    if not pending:
                        raise Refused(f"{member}: damaged or truncated")
                piece = inflater.decompress(pending, CHUNK)
                pending = inflater.unconsumed_tail
                out += piece
                consumed = position - start - len(pending) - len(inflater.unused_data)
                self._count(member, len(out), consumed, len(piece))
        except zlib.error:
            raise Refused(f"{member}: damaged (it does not inflate)") from None
        return out

    def _count(self, member: str, size: int, consumed: int, grown: int | None = None) -> None:
        self.inflated += size if grown is None else grown
        if size > MAX_PART_BYTES:
            raise Refused(f"{member}: inflates past {MAX_PART_BYTES // MiB} MiB; refused (a zip bomb?)")
        if self.inflated > MAX_TOTAL_BYTES:
            raise Refused(f"the parts inflate past {MAX_TOTAL_BYTES // MiB} MiB in total; refused (a zip bomb?)")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(consumed, 1):
            raise Refused(f"{member}: inflates more than {MAX_RATIO} times its compressed size; refused (a zip bomb?)")

    def xml(self, member: str, essential: bool):
        """The parsed root of an XML member; None (reason noted) when it is not usable and not essential."""
        raw = self.inflate(member)
        problem = None
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            root = None
            problem = "has a DOCTYPE (DTD)" if _mentions_doctype(raw) else f"not well-formed XML ({_short(exc.msg or exc)})"
        except (ValueError, TypeError) as exc:
            root, problem = None, f"not readable XML ({_short(exc)})"
        if root is not None and root.getroottree().docinfo.doctype:
            root, problem = None, "has a DOCTYPE (DTD)"
        if root is None:
            if essential:
                raise Refused(f"{member}: {problem}; refused")
            self.reasons[member] = f"{member}: {problem}; part removed"
        return root

    # ---- the walk
    def run(self) -> tuple[bytes, list[str]]:
        if "[Content_Types].xml" not in self.infos:
            raise Refused("no [Content_Types].xml: not a Word document")
        types = self.xml("[Content_Types].xml", essential=True)
        if types.tag != f"{{{CT_NS}}}Types":
            raise Refused("[Content_Types].xml: not a content types part")
        self.defaults = {(e.get("Extension") or "").lower(): e.get("ContentType") or ""
                         for e in types if e.tag == f"{{{CT_NS}}}Default"}
        self.overrides = {(e.get("PartName") or "").lower(): e.get("ContentType") or ""
                          for e in types if e.tag == f"{{{CT_NS}}}Override"}
        if "_rels/.rels" not in self.infos:
            raise Refused("no _rels/.rels: not a Word document")
        package_rels, _ = self.relationships("", PACKAGE_CHILDREN, essential=True)
        if not any(self.parts[t].role == "document" for _, t in package_rels.values()):
            raise Refused("no main document part (word/document.xml)")
        queue = [p for p in self.parts.values()]
        while queue:
            part = queue.pop(0)
            if ROLES[part.role].children:
                before = set(self.parts)
                part.rels, part.dropped = self.relationships(part.name, ROLES[part.role].children, essential=part.role == "document")
                queue += [self.parts[n] for n in self.parts if n not in before]
            else:
                part.rels, part.dropped = {}, self.drop_all_relationships(part.name)
        document = next(p for p in self.parts.values() if p.role == "document")
        if not any(p.role == "styles" for p in self.parts.values()):
            raise Refused(f"no styles part (word/styles.xml) in {document.name}")
        if not any(p.role == "numbering" for p in self.parts.values()):
            self._add_empty_numbering(document)
        for part in self.parts.values():
            if part.root is not None:
                self.clean(part)
        self.report_leftovers()
        return self.package(package_rels), self.removed

    def _add_empty_numbering(self, document: _Part) -> None:
        """python-docx cannot add a numbering part, and the writer's lists need one."""
        name = next(n for n in ("word/numbering.xml", "word/numbering-empty.xml") if n not in self.parts)
        self.parts[name] = _Part(name, "numbering", WML + "numbering+xml", root=etree.Element(_w("numbering"), nsmap={"w": W_NS}),
                                 rels={}, dropped={})
        rid = next(f"rIdNumbering{i}" for i in range(1, 1000) if f"rIdNumbering{i}" not in document.rels and f"rIdNumbering{i}" not in document.dropped)
        document.rels[rid] = (RT + "numbering", name)

    def content_type(self, member: str) -> str:
        found = self.overrides.get("/" + member.lower())
        if found is None:
            found = self.defaults.get(posixpath.splitext(member)[1][1:].lower(), "")
        return found

    def relationships(self, source: str, allowed: frozenset[str], essential: bool) -> tuple[dict, dict]:
        """Keep the relationships of ``source`` ("" for the package) whose type is allowed and
        whose target is a usable part of the package; report the others. Returns kept
        (rId -> (type, member)) and dropped (rId -> external?)."""
        rels_name = _rels_name(source)
        shown = source or "_rels/.rels"
        if rels_name not in self.infos:
            if essential and source:
                raise Refused(f"{source}: no relationships ({rels_name}), so no styles")
            return {}, {}
        root = self.xml(rels_name, essential)
        if root is None:
            self.removed.append(self.reasons.pop(rels_name))
            return {}, {}
        if root.tag != f"{{{PR_NS}}}Relationships":
            if essential:
                raise Refused(f"{rels_name}: not a relationships part")
            self.removed.append(f"{rels_name}: not a relationships part; its relationships removed")
            return {}, {}
        kept, dropped, taken = {}, {}, set()
        for rel in root:
            if rel.tag != f"{{{PR_NS}}}Relationship":
                continue
            rid, rtype, target = rel.get("Id") or "", rel.get("Type") or "", rel.get("Target") or ""
            if not rid or rid in kept or rid in dropped:
                continue
            what = DESCRIPTIONS.get(rtype.rstrip("/").rsplit("/", 1)[-1], "relationship")
            mode = (rel.get("TargetMode") or "Internal").strip()
            if mode != "Internal":
                dropped[rid] = True
                self.removed.append(f"{shown}: external {what} removed")
                continue
            member = _resolve(source, target)
            if member is None or member not in self.infos:
                dropped[rid] = True
                where = "outside the package" if member is None else "to a part the package does not hold"
                self.removed.append(f"{shown}: {what} {rid} removed (it points {where})")
                continue
            role = REL_ROLES.get(rtype)
            if role not in allowed:
                dropped[rid] = False
                self.reasons.setdefault(member, f"{member}: {what} removed")
                continue
            if role in SINGLE and role in taken:
                dropped[rid] = False
                self.removed.append(f"{shown}: second {role} relationship {rid} removed")
                continue
            if self.take(member, role, essential and role in ESSENTIAL):
                kept[rid] = (rtype, member)
                taken.add(role)
            else:
                dropped[rid] = False
        return kept, dropped

    def drop_all_relationships(self, source: str) -> dict:
        """A part that may not refer to anything: report its relationships (external ones by
        name; the parts they reach are reported as left over)."""
        rels_name = _rels_name(source)
        if rels_name not in self.infos:
            return {}
        root = self.xml(rels_name, essential=False)
        if root is None:
            self.reasons.pop(rels_name, None)
            self.removed.append(f"{rels_name}: relationships removed")
            return {}
        dropped = {}
        for rel in root:
            rid = rel.get("Id") or ""
            if rel.tag != f"{{{PR_NS}}}Relationship" or not rid:
                continue
            external = (rel.get("TargetMode") or "Internal").strip() != "Internal"
            dropped[rid] = external
            what = DESCRIPTIONS.get((rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1], "relationship")
            if external:
                self.removed.append(f"{source}: external {what} removed")
            else:
                member = _resolve(source, rel.get("Target") or "")
                if member in self.infos:
                    self.reasons.setdefault(member, f"{member}: {what} removed")
        return dropped

    def take(self, member: str, role: str, essential: bool) -> bool:
        """Add ``member`` as a part of ``role`` if it is one; False (reported) if not."""
        have = self.parts.get(member)
        if have is not None:
            if have.role == role:
                return True
            self.removed.append(f"{member}: also used as {role}; that relationship removed")
            return False
        spec = ROLES[role]
        content_type = self.content_type(member)
        if role == "document" and content_type in MAIN_ALIASES:
            if MAIN_ALIASES[content_type]:
                self.removed.append(f"{member}: macro-enabled content type replaced by the ordinary Word document type")
            content_type = MAIN_CT
        if content_type not in spec.content_types:
            if essential:
                raise Refused(f"{member}: content type {content_type or '(none)'} is not a Word {role} part")
            self.reasons[member] = f"{member}: unexpected content type {content_type or '(none)'}; part removed"
            return False
        if spec.root is None:
            self.parts[member] = _Part(member, role, content_type, blob=self.inflate(member))
            return True
        root = self.xml(member, essential)
        if root is None:
            return False
        if root.tag != spec.root:
            if essential:
                raise Refused(f"{member}: not a {role} part (root element {_local(root.tag)})")
            self.reasons[member] = f"{member}: not a {role} part; part removed"
            return False
        self.parts[member] = _Part(member, role, content_type, root=root)
        return True

    # ---- element-level cleaning
    def clean(self, part: _Part) -> None:
        root = part.root
        if part.role == "document":
            _clear_body(root)
        if part.role == "settings":
            self._clean_settings(part)
        if part.role in ("header", "footer"):
            self._clean_fields(part)
            self._clean_vml_links(part)
        if part.role == "app":
            for tag, what in (("HyperlinkBase", "hyperlink base"), ("HLinks", "hyperlink list")):
                for element in root.findall(f"{{{EP_NS}}}{tag}"):
                    root.remove(element)
                    if (element.text or "").strip() or len(element):  # an empty one is no removal to report
                        self.removed.append(f"{part.name}: {what} removed")
        kept = part.rels or {}
        for element in list(root.iter()):
            if not isinstance(element.tag, str) or element.getparent() is None and element is not root:
                continue
            refs = [(k, v) for k, v in element.attrib.items() if k.startswith(_REF_ATTRIBUTE_NAMESPACES)]
            bad = [k for k, v in refs if v not in kept]
            if element.tag in (_w("headerReference"), _w("footerReference")):
                wanted = "header" if element.tag == _w("headerReference") else "footer"
                rid = element.get(f"{{{R_NS}}}id")
                if bad or rid is None or self.parts[kept[rid][1]].role != wanted:
                    _remove(element)
                continue
            if not bad:
                continue
            if element.tag == _w("hyperlink"):
                for k in bad:
                    del element.attrib[k]
            elif element.tag in _REMOVED_ALONE:
                _remove(element)
            else:
                run = next((a for a in element.iterancestors(_w("r"))), None)
                _remove(run if run is not None else element)

    def _clean_settings(self, part: _Part) -> None:
        root = part.root
        for element in root.findall(_w("attachedTemplate")):
            if not any(v in (part.dropped or {}) for k, v in element.attrib.items() if k.startswith(f"{{{R_NS}}}")):
                self.removed.append(f"{part.name}: attached template removed")
            _remove(element)
        for element in root.findall(_w("mailMerge")):
            if not any(v in (part.dropped or {}) for e in element.iter() for k, v in e.attrib.items() if k.startswith(f"{{{R_NS}}}")):
                self.removed.append(f"{part.name}: mail merge settings removed")
            _remove(element)
        for container, tag in (("footnotePr", "footnote"), ("endnotePr", "endnote")):  # separators of dropped parts
            for holder in root.findall(_w(container)):
                for element in holder.findall(_w(tag)):
                    holder.remove(element)

    def _clean_fields(self, part: _Part) -> None:
        """Remove fields that fetch, run or link to something (simple and complex fields)."""
        for simple in list(part.root.iter(_w("fldSimple"))):
            keyword = _field_keyword(simple.get(_w("instr")) or "")
            if keyword in DANGEROUS_FIELDS:
                self.removed.append(f"{part.name}: field {keyword} removed")
                _remove(simple)
        stack: list[dict] = []
        doomed: list = []
        for run in list(part.root.iter(_w("r"))):
            for field in stack:
                field["runs"].append(run)
            for child in run:
                if child.tag == _w("fldChar"):
                    kind = child.get(_w("fldCharType"))
                    if kind == "begin":
                        stack.append({"instr": "", "runs": [run], "result": False})
                    elif kind == "separate" and stack:
                        stack[-1]["result"] = True
                    elif kind == "end" and stack:
                        field = stack.pop()
                        keyword = _field_keyword(field["instr"])
                        if keyword in DANGEROUS_FIELDS:
                            self.removed.append(f"{part.name}: field {keyword} removed")
                            doomed += field["runs"]
                elif child.tag in (_w("instrText"), _w("delInstrText")) and stack and not stack[-1]["result"]:
                    stack[-1]["instr"] += child.text or ""
        for field in stack:  # never ended: judged on what it says
            keyword = _field_keyword(field["instr"])
            if keyword in DANGEROUS_FIELDS:
                self.removed.append(f"{part.name}: field {keyword} removed")
                doomed += field["runs"]
        for run in dict.fromkeys(doomed):
            _remove(run)

    def _clean_vml_links(self, part: _Part) -> None:
        names = ("href", "src", f"{{{O_NS}}}href", f"{{{O_NS}}}althref")
        found = False
        for element in part.root.iter(f"{{{V_NS}}}*"):
            for name in names:
                if name in element.attrib:
                    del element.attrib[name]
                    found = True
        if found:
            self.removed.append(f"{part.name}: linked picture or link of a VML shape removed")

    def report_leftovers(self) -> None:
        kept_rels = {_rels_name(n) for n in self.parts} | {"_rels/.rels", "[Content_Types].xml"}
        reported = {m.split(":", 1)[0] for m in self.removed}
        described = self._described_by_removed_parts(kept_rels)
        for member in sorted(self.infos):
            if member in self.parts or member in kept_rels or member.endswith("/"):
                continue
            source = _rels_source(member)
            if source is not None and source in self.infos and member not in self.reasons:
                continue  # the relationships of a removed part go with it
            if member in self.reasons:
                self.removed.append(self.reasons[member])
            elif member not in reported:
                what = described.get(member) or CT_DESCRIPTIONS.get(self.content_type(member).lower(), "unused part")
                self.removed.append(f"{member}: {what} removed")

    def _described_by_removed_parts(self, kept_rels: set[str]) -> dict[str, str]:
        """What the relationships of removed parts say their targets are (vbaProject.bin -> vbaData.xml)."""
        found: dict[str, str] = {}
        for member in sorted(self.infos):
            source = _rels_source(member)
            if source is None or member in kept_rels:
                continue
            try:
                root = etree.fromstring(self.inflate(member), _PARSER)
            except (Refused, etree.XMLSyntaxError, ValueError):
                continue
            for rel in root.iter(f"{{{PR_NS}}}Relationship"):
                target = _resolve(source, rel.get("Target") or "")
                what = DESCRIPTIONS.get((rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1])
                if target is not None and what and (rel.get("TargetMode") or "Internal") == "Internal":
                    found.setdefault(target, what)
        return found

    # ---- output
    def package(self, package_rels: dict) -> bytes:
        entries: dict[str, bytes] = {}
        types = etree.Element(f"{{{CT_NS}}}Types", nsmap={None: CT_NS})
        etree.SubElement(types, f"{{{CT_NS}}}Default", Extension="rels", ContentType="application/vnd.openxmlformats-package.relationships+xml")
        etree.SubElement(types, f"{{{CT_NS}}}Default", Extension="xml", ContentType="application/xml")
        for name, part in sorted(self.parts.items()):
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/" + name, ContentType=part.content_type)
            entries[name] = _serialize(part.root) if part.root is not None else part.blob
            if part.rels:
                entries[_rels_name(name)] = _relationships_xml(part.rels)
        entries["[Content_Types].xml"] = _serialize(types)
        entries["_rels/.rels"] = _relationships_xml(package_rels)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as target:
            for name in sorted(entries, key=lambda n: (n != "[Content_Types].xml", n)):
                target.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), entries[name])
        return out.getvalue()


# ------------------------------------------------------------------- helpers
def _rels_name(source: str) -> str:
    if not source:
        return "_rels/.rels"
    folder, base = posixpath.split(source)
    return posixpath.join(folder, "_rels", base + ".rels")


def _rels_source(member: str) -> str | None:
    """The part whose relationships ``member`` holds (``word/_rels/x.xml.rels`` -> ``word/x.xml``)."""
    folder, base = posixpath.split(member)
    if not base.endswith(".rels") or posixpath.basename(folder) != "_rels":
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def _resolve(source: str, target: str) -> str | None:
    """The zip member a relationship of ``source`` points to; None when it points outside the package."""
    if not target or "\\" in target or "#" in target or "?" in target or target.startswith("//"):
        return None
    if ":" in target.split("/", 1)[0]:  # a scheme: http:, file:, C:
        return None
    path = target[1:] if target.startswith("/") else posixpath.join(posixpath.dirname(source), target)
    path = posixpath.normpath(path)
    if path in (".", "..") or path.startswith(("../", "/")):
        return None
    return path


def _relationships_xml(rels: dict) -> bytes:
    root = etree.Element(f"{{{PR_NS}}}Relationships", nsmap={None: PR_NS})
    for rid, (rtype, member) in rels.items():
        etree.SubElement(root, f"{{{PR_NS}}}Relationship", Id=rid, Type=rtype, Target="/" + member)
    return _serialize(root)


def _serialize(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _clear_body(document) -> None:
    """Keep only the body's final section properties (with usable page margins)."""
    body = document.find(_w("body"))
    if body is None:
        body = etree.SubElement(document, _w("body"))
    sections = [c for c in body if c.tag == _w("sectPr")]
    section = sections[-1] if sections else None
    for element in list(body):
        body.remove(element)
    if section is None:
        section = etree.Element(_w("sectPr"))
    body.append(section)
    _check_page(section)
    if section.find(_w("pgSz")) is None:
        etree.SubElement(section, _w("pgSz"), {_w("w"): "11906", _w("h"): "16838"})
    if section.find(_w("pgMar")) is None:
        etree.SubElement(section, _w("pgMar"), {_w(k): v for k, v in (
            ("top", "1440"), ("right", "1440"), ("bottom", "1440"), ("left", "1440"),
            ("header", "720"), ("footer", "720"), ("gutter", "0"))})


#: twips: Word's largest page is 22 inches; margins must leave half an inch of text on A4 paper
MAX_TWIPS = 31680
A4_WIDTH = 11906


def _check_page(section) -> None:
    """The page size and margins the writer computes widths from: whole numbers in Word's range."""
    limits = {"pgSz": {"w": (1, MAX_TWIPS), "h": (1, MAX_TWIPS)},
              "pgMar": {"top": (-MAX_TWIPS, MAX_TWIPS), "bottom": (-MAX_TWIPS, MAX_TWIPS), "left": (0, MAX_TWIPS),
                        "right": (0, MAX_TWIPS), "header": (0, MAX_TWIPS), "footer": (0, MAX_TWIPS), "gutter": (0, MAX_TWIPS)}}
    found: dict[str, int] = {}
    for tag, attributes in limits.items():
        element = section.find(_w(tag))
        if element is None:
            continue
        for attribute, (low, high) in attributes.items():
            value = element.get(_w(attribute))
            if value is None:
                continue
            number = int(value) if value.strip().lstrip("-").isdigit() and len(value) < 12 else None
            if number is None or not low <= number <= high:
                raise Refused(f"word/document.xml: page {'size' if tag == 'pgSz' else 'margin'} {attribute}={value[:20]!r} "
                              f"is not a whole number of twips from {low} to {high}")
            found[attribute] = number
    if found.get("left", 0) + found.get("right", 0) + found.get("gutter", 0) > A4_WIDTH - 720:
        raise Refused("word/document.xml: the left and right page margins leave no room for text")


def _remove(element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _field_keyword(instruction: str) -> str:
    words = instruction.replace('"', " ").split()
    return words[0].upper() if words else ""


def _mentions_doctype(raw: bytes) -> bool:
    return any(marker in raw for marker in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")))


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def _short(exc: Exception | str) -> str:
    return " ".join(str(exc).split())[:120]
