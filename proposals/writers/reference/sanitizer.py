"""The walk over a reference document's relationships: which parts are kept (their content
types and root elements checked, see :mod:`.parts`), what is reported as removed, and the
rebuilt package (every kept XML part written again from its parse tree)."""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

from ...input.archive import Archive, Refused
from .cleaning import clean_part
from .parts import (CT_DESCRIPTIONS, CT_NS, DESCRIPTIONS, ESSENTIAL, MAIN_ALIASES, MAIN_CT, PACKAGE_CHILDREN, PR_NS,
                    REL_ROLES, ROLES, RT, SINGLE, W_NS, WML, Part, w_tag)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                          huge_tree=False, collect_ids=False)


class Sanitizer:
    """One reference document rebuilt from the parts a style sheet needs: :meth:`run` returns the
    new .docx and the removals to report (one message each, in order)."""

    def __init__(self, data: bytes):
        self.removed: list[str] = []          # warning messages, in order
        self.reasons: dict[str, str] = {}     # member -> why it was dropped
        self.parts: dict[str, Part] = {}
        self.archive = Archive(data)
        self.infos = self.archive.infos

    # ---- reading
    def xml(self, member: str, essential: bool):
        """The parsed root of an XML member; None (reason noted) when it is not usable and not essential."""
        raw = self.archive.inflate(member)
        problem = None
        try:
            root = etree.fromstring(raw, _PARSER)
        except etree.XMLSyntaxError as exc:
            root = None
            problem = "has a DOCTYPE (DTD)" if _mentions_doctype(raw) else f"not well-formed XML ({short_message(exc.msg or exc)})"
        except (ValueError, TypeError) as exc:
            root, problem = None, f"not readable XML ({short_message(exc)})"
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
                clean_part(part, self.parts, self.removed)
        self.report_leftovers()
        return self.package(package_rels), self.removed

    def _add_empty_numbering(self, document: Part) -> None:
        """python-docx cannot add a numbering part, and the writer's lists need one."""
        name = next(n for n in ("word/numbering.xml", "word/numbering-empty.xml") if n not in self.parts)
        self.parts[name] = Part(name, "numbering", WML + "numbering+xml", root=etree.Element(w_tag("numbering"), nsmap={"w": W_NS}),
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
            self.parts[member] = Part(member, role, content_type, blob=self.archive.inflate(member))
            return True
        root = self.xml(member, essential)
        if root is None:
            return False
        if root.tag != spec.root:
            if essential:
                raise Refused(f"{member}: not a {role} part (root element {_local(root.tag)})")
            self.reasons[member] = f"{member}: not a {role} part; part removed"
            return False
        self.parts[member] = Part(member, role, content_type, root=root)
        return True

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
                root = etree.fromstring(self.archive.inflate(member), _PARSER)
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


def _mentions_doctype(raw: bytes) -> bool:
    return any(marker in raw for marker in (b"<!DOCTYPE", "<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be")))


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else str(tag)


def short_message(exc: Exception | str) -> str:
    """An exception's text on one line, at most 120 characters, for a message."""
    return " ".join(str(exc).split())[:120]
