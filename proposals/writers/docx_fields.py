"""Cross-references for the DOCX writer: bookmarks on numbered targets, REF fields for references.

A contract's references must stay true when a lawyer inserts or removes a clause
in Word or LibreOffice, so the DOCX carries them as Word's own machinery:

* a block with an ``id`` (``<section class="clause" id="clause-liability">``) puts a
  bookmark around the content of the first paragraph it makes (the clause heading,
  numbered by Word's list numbering); its name is :func:`bookmark_name` of the id;
* ``<a class="ref" href="#clause-liability">clause 12</a>`` becomes the literal text
  around the number ("clause ") plus a complex field ``REF clause_liability \\r \\h``
  whose result is the number. ``\\r`` is the paragraph number of the bookmarked
  heading as its list prints it, without trailing periods ("%1." gives "12",
  "§ %1" gives "§ 12"); ``\\h`` makes it a link to the heading. The stored result is
  the current number, so the file reads right before any field update; F9, printing
  or LibreOffice's update on load compute it anew.

Which part of the reference's text is the field comes from the target's printed number
(its ``span.clause-number``): the number as the list prints it ("§ 12" for "§ %1", "12"
for "%1.") if the text contains it, else its bare digits with ``\\t`` (Word then drops
the list's non-numeric text; LibreOffice 7.4 ignores ``\\t`` and shows it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import unquote

from docx.oxml.ns import qn
from lxml import etree

BOOKMARK_START, BOOKMARK_END = qn("w:bookmarkStart"), qn("w:bookmarkEnd")
W_ID, W_NAME = qn("w:id"), qn("w:name")
FLD_CHAR, FLD_CHAR_TYPE, INSTR_TEXT, P_PR = qn("w:fldChar"), qn("w:fldCharType"), qn("w:instrText"), qn("w:pPr")
XML_SPACE = qn("xml:space")

MAX_NAME = 40  # Word's limit for bookmark names
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_DIGITS = re.compile(r"\d+(?:\.\d+)*")


def bookmark_name(html_id: str) -> str:
    """The Word bookmark name of an HTML id, stable across builds: ``clause-liability`` ->
    ``clause_liability``. Word wants at most 40 characters, a letter first, then letters,
    digits and ``_``; an id that does not map one-to-one that way (other characters, a
    leading non-letter, an ``_`` of its own, too long) keeps its first characters so mapped
    and gets 8 hex digits of its SHA-256 (``clause_pr_f_ung_3fa2c1d0``)."""
    mapped = re.sub(r"[^A-Za-z0-9]", "_", html_id, flags=re.ASCII)
    if _PLAIN_ID.fullmatch(html_id) and len(mapped) <= MAX_NAME:
        return mapped
    digest = hashlib.sha256(html_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    stem = mapped if mapped[:1].isalpha() else "id_" + mapped
    return f"{stem[: MAX_NAME - 9]}_{digest}"


@dataclass(frozen=True)
class Target:
    """A block a reference may point at: its bookmark and its number as printed ("12.", "§ 12")."""

    name: str
    number: str | None


def find_targets(body) -> dict[str, Target]:
    """Every element with an ``id`` below ``body``: id -> :class:`Target` (the number: the
    element's first ``span.clause-number``, None if it has none)."""
    targets = {}
    for element in body.iterfind(".//*[@id]"):
        html_id = element.get("id")
        if html_id in targets:
            continue
        numbers = element.xpath('(descendant-or-self::span[contains(concat(" ", normalize-space(@class), " "), " clause-number ")])[1]')
        number = " ".join("".join(numbers[0].itertext()).split()) if numbers else None
        targets[html_id] = Target(bookmark_name(html_id), number or None)
    return targets


def target_of(targets: dict[str, Target], href: str) -> Target | None:
    """The target a ``#fragment`` link points at (the fragment as written, else percent-decoded),
    or None."""
    href = href.strip()
    if not href.startswith("#") or len(href) == 1:
        return None
    return targets.get(href[1:]) or targets.get(unquote(href[1:]))


def field_span(text: str, number: str) -> tuple[int, int, str] | None:
    """Where the REF field sits in a reference's ``text``: ``(start, end, switches)``, or None.

    ``number`` is the target's printed number ("12.", "§ 12"); the field result is what
    ``\\r`` gives for it, the number without trailing periods, if ``text`` has it; else
    only the digits, with ``\\t``."""
    shown = number.rstrip(".").strip()
    found = _whole(text, shown)
    if found is not None:
        return (*found, r"\r \h")
    digits = _DIGITS.search(shown)
    found = _whole(text, digits.group()) if digits else None
    return (*found, r"\r \t \h") if found is not None else None


def _whole(text: str, part: str) -> tuple[int, int] | None:
    """The first occurrence of ``part`` in ``text`` not inside a longer number."""
    if not part:
        return None
    match = re.search(rf"(?<![\d.]){re.escape(part)}(?!\.?\d)", text)
    return match.span() if match else None


# ------------------------------------------------------------------ bookmarks
class Bookmarks:
    """Bookmark state of one rendering: names waiting for their paragraph, open ones, ids used.

    :meth:`pend` is called for a block with an id before its content is walked; the next
    paragraph opened takes the waiting names (:meth:`open`) and gets a ``w:bookmarkStart``
    each; its ``w:bookmarkEnd`` follows the paragraph's content, appended when the next
    paragraph opens or the walk ends (:meth:`close`), by which time the content is complete.
    """

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.open_ends: list[tuple[object, int]] = []
        self.used: set[str] = set()
        self.placed: set[str] = set()       # names that got their w:bookmarkStart
        self.referenced: set[str] = set()   # names REF fields point at
        self.next_id = 0

    def pend(self, name: str) -> bool:
        """Queue a bookmark for the next paragraph; False if the name is taken (a duplicate id)."""
        if name in self.used:
            return False
        self.used.add(name)
        self.pending.append(name)
        return True

    def open(self, p) -> None:
        """Close the previous paragraph's bookmarks; start the waiting ones in ``p``."""
        self.close()
        if not self.pending:
            return
        at = 1 if len(p) and p[0].tag == P_PR else 0  # after the paragraph properties, before any run
        for offset, name in enumerate(self.pending):
            p.insert(at + offset, p.makeelement(BOOKMARK_START, {W_ID: str(self.next_id), W_NAME: name}))
            self.open_ends.append((p, self.next_id))
            self.placed.add(name)
            self.next_id += 1
        self.pending = []

    def finish(self) -> list[str]:
        """End the walk: close the open bookmarks, drop the waiting ones (blocks that made no
        paragraph); return the names REF fields point at that no paragraph carries."""
        self.close()
        self.pending = []
        return sorted(self.referenced - self.placed)

    def close(self) -> None:
        """Append the ``w:bookmarkEnd`` of every open bookmark to its paragraph."""
        for p, bookmark_id in self.open_ends:
            etree.SubElement(p, BOOKMARK_END, {W_ID: str(bookmark_id)})
        self.open_ends = []


# ---------------------------------------------------------------------- fields
def begin_ref(parent, add_run, props: tuple, name: str, switches: str) -> None:
    """Append the start of a ``REF`` field to ``parent``: ``fldChar begin``, the instruction,
    ``fldChar separate``; the result runs and :func:`end_ref` follow. ``add_run(parent, props)``
    makes a run with the run properties of the surrounding text, which every part carries
    (Word formats an updated result like the field's first character)."""
    etree.SubElement(add_run(parent, props), FLD_CHAR, {FLD_CHAR_TYPE: "begin"})
    instruction = etree.SubElement(add_run(parent, props), INSTR_TEXT, {XML_SPACE: "preserve"})
    instruction.text = f" REF {name} {switches} "
    etree.SubElement(add_run(parent, props), FLD_CHAR, {FLD_CHAR_TYPE: "separate"})


def end_ref(parent, add_run, props: tuple) -> None:
    etree.SubElement(add_run(parent, props), FLD_CHAR, {FLD_CHAR_TYPE: "end"})
