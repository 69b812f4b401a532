"""Which parts and relationships of a reference document are kept, and what dropped ones were.

A part is kept only when it is reached through a relationship of a type in
:data:`REL_ROLES` from a part whose :class:`Role` allows that role, with one of
the role's content types and its root element.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def w_tag(tag: str) -> str:
    """The Clark name of a WordprocessingML element or attribute (``{...main}tag``)."""
    return f"{{{W_NS}}}{tag}"


_IMAGE_CTS = frozenset({"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff",
                        "image/x-emf", "image/x-wmf", "image/emf", "image/wmf", "image/x-png",
                        "image/pjpeg", "image/x-bmp"})
ROLES = {
    "document": Role(frozenset({MAIN_CT}), w_tag("document"), frozenset(
        {"styles", "stylesWithEffects", "numbering", "theme", "fontTable", "settings", "webSettings", "header", "footer"})),
    "styles": Role(frozenset({WML + "styles+xml"}), w_tag("styles")),
    "stylesWithEffects": Role(frozenset({"application/vnd.ms-word.stylesWithEffects+xml"}), w_tag("styles")),
    "numbering": Role(frozenset({WML + "numbering+xml"}), w_tag("numbering"), frozenset({"image"})),
    "theme": Role(frozenset({"application/vnd.openxmlformats-officedocument.theme+xml"}), f"{{{A_NS}}}theme", frozenset({"image"})),
    "fontTable": Role(frozenset({WML + "fontTable+xml"}), w_tag("fonts"), frozenset({"font"})),
    "settings": Role(frozenset({WML + "settings+xml"}), w_tag("settings")),
    "webSettings": Role(frozenset({WML + "webSettings+xml"}), w_tag("webSettings")),
    "header": Role(frozenset({WML + "header+xml"}), w_tag("hdr"), frozenset({"image"})),
    "footer": Role(frozenset({WML + "footer+xml"}), w_tag("ftr"), frozenset({"image"})),
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
REMOVED_ALONE = frozenset({f"{{{A_NS}}}hlinkClick", f"{{{A_NS}}}hlinkHover", f"{{{A_NS}}}hlinkMouseOver",
                           f"{{{ASVG_NS}}}svgBlip", w_tag("headerReference"), w_tag("footerReference")})
#: attributes that name a relationship (r:id, r:embed, r:link, ... and o:relid)
REF_ATTRIBUTE_NAMESPACES = (f"{{{R_NS}}}", f"{{{O_NS}}}relid")


@dataclass
class Part:
    """A kept part of the package being rebuilt."""

    name: str          # zip member name, e.g. "word/styles.xml"
    role: str
    content_type: str
    root: object = None        # parsed XML root (None: binary)
    blob: bytes = b""
    rels: dict = None          # kept: rId -> (type, target member)
    dropped: dict = None       # dropped: rId -> external?
