"""What is removed inside the kept XML parts: the body of the main document (but its final
section properties, whose page size and margins are checked), fields and VML links of headers
and footers, attached template and mail merge settings, the hyperlinks of the app properties,
and every element that uses a relationship that was dropped."""

from __future__ import annotations

from lxml import etree

from ...input.archive import Refused
from .parts import (DANGEROUS_FIELDS, EP_NS, O_NS, R_NS, REF_ATTRIBUTE_NAMESPACES, REMOVED_ALONE, V_NS, Part,
                    w_tag)


def clean_part(part: Part, parts: dict[str, Part], removed: list[str]) -> None:
    """Remove from a kept XML part what may not stay (each removal noted in ``removed``) and every
    element that uses a relationship that was not kept; ``parts``: all kept parts by name."""
    root = part.root
    if part.role == "document":
        _clear_body(root)
    if part.role == "settings":
        _clean_settings(part, removed)
    if part.role in ("header", "footer"):
        _clean_fields(part, removed)
        _clean_vml_links(part, removed)
    if part.role == "app":
        for tag, what in (("HyperlinkBase", "hyperlink base"), ("HLinks", "hyperlink list")):
            for element in root.findall(f"{{{EP_NS}}}{tag}"):
                root.remove(element)
                if (element.text or "").strip() or len(element):  # an empty one is no removal to report
                    removed.append(f"{part.name}: {what} removed")
    kept = part.rels or {}
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None and element is not root:
            continue
        refs = [(k, v) for k, v in element.attrib.items() if k.startswith(REF_ATTRIBUTE_NAMESPACES)]
        bad = [k for k, v in refs if v not in kept]
        if element.tag in (w_tag("headerReference"), w_tag("footerReference")):
            wanted = "header" if element.tag == w_tag("headerReference") else "footer"
            rid = element.get(f"{{{R_NS}}}id")
            if bad or rid is None or parts[kept[rid][1]].role != wanted:
                _remove(element)
            continue
        if not bad:
            continue
        if element.tag == w_tag("hyperlink"):
            for k in bad:
                del element.attrib[k]
        elif element.tag in REMOVED_ALONE:
            _remove(element)
        else:
            run = next((a for a in element.iterancestors(w_tag("r"))), None)
            _remove(run if run is not None else element)


def _clean_settings(part: Part, removed: list[str]) -> None:
    root = part.root
    for element in root.findall(w_tag("attachedTemplate")):
        if not any(v in (part.dropped or {}) for k, v in element.attrib.items() if k.startswith(f"{{{R_NS}}}")):
            removed.append(f"{part.name}: attached template removed")
        _remove(element)
    for element in root.findall(w_tag("mailMerge")):
        if not any(v in (part.dropped or {}) for e in element.iter() for k, v in e.attrib.items() if k.startswith(f"{{{R_NS}}}")):
            removed.append(f"{part.name}: mail merge settings removed")
        _remove(element)
    for container, tag in (("footnotePr", "footnote"), ("endnotePr", "endnote")):  # separators of dropped parts
        for holder in root.findall(w_tag(container)):
            for element in holder.findall(w_tag(tag)):
                holder.remove(element)


def _clean_fields(part: Part, removed: list[str]) -> None:
    """Remove fields that fetch, run or link to something (simple and complex fields)."""
    for simple in list(part.root.iter(w_tag("fldSimple"))):
        keyword = _field_keyword(simple.get(w_tag("instr")) or "")
        if keyword in DANGEROUS_FIELDS:
            removed.append(f"{part.name}: field {keyword} removed")
            _remove(simple)
    stack: list[dict] = []
    doomed: list = []
    for run in list(part.root.iter(w_tag("r"))):
        for field in stack:
            field["runs"].append(run)
        for child in run:
            if child.tag == w_tag("fldChar"):
                kind = child.get(w_tag("fldCharType"))
                if kind == "begin":
                    stack.append({"instr": "", "runs": [run], "result": False})
                elif kind == "separate" and stack:
                    stack[-1]["result"] = True
                elif kind == "end" and stack:
                    field = stack.pop()
                    keyword = _field_keyword(field["instr"])
                    if keyword in DANGEROUS_FIELDS:
                        removed.append(f"{part.name}: field {keyword} removed")
                        doomed += field["runs"]
            elif child.tag in (w_tag("instrText"), w_tag("delInstrText")) and stack and not stack[-1]["result"]:
                stack[-1]["instr"] += child.text or ""
    for field in stack:  # never ended: judged on what it says
        keyword = _field_keyword(field["instr"])
        if keyword in DANGEROUS_FIELDS:
            removed.append(f"{part.name}: field {keyword} removed")
            doomed += field["runs"]
    for run in dict.fromkeys(doomed):
        _remove(run)


def _clean_vml_links(part: Part, removed: list[str]) -> None:
    names = ("href", "src", f"{{{O_NS}}}href", f"{{{O_NS}}}althref")
    found = False
    for element in part.root.iter(f"{{{V_NS}}}*"):
        for name in names:
            if name in element.attrib:
                del element.attrib[name]
                found = True
    if found:
        removed.append(f"{part.name}: linked picture or link of a VML shape removed")


def _clear_body(document) -> None:
    """Keep only the body's final section properties (with usable page margins)."""
    body = document.find(w_tag("body"))
    if body is None:
        body = etree.SubElement(document, w_tag("body"))
    sections = [c for c in body if c.tag == w_tag("sectPr")]
    section = sections[-1] if sections else None
    for element in list(body):
        body.remove(element)
    if section is None:
        section = etree.Element(w_tag("sectPr"))
    body.append(section)
    _check_page(section)
    if section.find(w_tag("pgSz")) is None:
        etree.SubElement(section, w_tag("pgSz"), {w_tag("w"): "11906", w_tag("h"): "16838"})
    if section.find(w_tag("pgMar")) is None:
        etree.SubElement(section, w_tag("pgMar"), {w_tag(k): v for k, v in (
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
        element = section.find(w_tag(tag))
        if element is None:
            continue
        for attribute, (low, high) in attributes.items():
            value = element.get(w_tag(attribute))
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
