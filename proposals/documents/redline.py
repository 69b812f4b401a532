"""The redline of a negotiated clause: its standard wording marked against the negotiated one.

:func:`redline` takes the standard and the negotiated HTML of one clause (both
numbered by :func:`proposals.documents.clause_render.number_subclauses`) and
returns the negotiated HTML with the differences marked in the document
vocabulary: ``<del class="standard">`` around standard text the negotiation
removed, ``<ins class="negotiated">`` around text it added. The DOCX writer
makes them tracked changes (:mod:`proposals.writers.docx_revisions`).

Blocks (sub-clauses, paragraphs, lists, tables) are matched by their text
first; a standard block and a negotiated block in the same place with the
same simple shape (a paragraph, or a sub-clause of one paragraph) are
compared word by word, so a reworded sentence shows as the few words that
changed, not as a deleted and a re-inserted paragraph. Anything else is a
whole block deleted or inserted. Short unchanged stretches between two
changes (fewer than :data:`MIN_EQUAL` words) are folded into the change,
which reads better than a change on every other word.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

import lxml.html
from lxml import etree
from markupsafe import Markup, escape

MIN_EQUAL = 3
_WORDS = re.compile(r"\S+\s*|\s+")


def redline(standard: str, negotiated: str) -> Markup:
    """The negotiated HTML with the standard wording it departs from marked (see the module)."""
    old, new = _blocks(standard), _blocks(negotiated)
    matcher = SequenceMatcher(None, [_text(b) for b in old], [_text(b) for b in new], autojunk=False)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [_html(b) for b in new[j1:j2]]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for a, b in zip(old[i1 : i1 + pairs], new[j1 : j1 + pairs]):
            words = _word_diff(a, b)
            out.append(words if words is not None else deleted(_html(a)) + inserted(_html(b)))
        out += [deleted(_html(b)) for b in old[i1 + pairs : i2]]
        out += [inserted(_html(b)) for b in new[j1 + pairs : j2]]
    return Markup("".join(out))


def deleted(html: str) -> str:
    return f'<del class="standard">{html}</del>'


def inserted(html: str) -> str:
    return f'<ins class="negotiated">{html}</ins>'


def plain_numbers(html: str) -> Markup:
    """Clause HTML with its ``span.clause-number`` as plain text (for the deviations annex,
    where the numbers must not become Word list numbering of the contract's clauses)."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for span in root.xpath('.//span[contains(concat(" ", normalize-space(@class), " "), " clause-number ")]'):
        strong = etree.Element("strong")
        strong.text, strong.tail = span.text, span.tail
        span.getparent().replace(span, strong)
    return Markup("".join(_html(child) for child in root))


def _blocks(html: str) -> list:
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    return [child for child in root if isinstance(child.tag, str)]


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _html(element) -> str:
    tail, element.tail = element.tail, None
    try:
        return lxml.html.tostring(element, encoding="unicode")
    finally:
        element.tail = tail


def _paragraph(block):
    """The one paragraph of a simple block (``p``, or ``div.subclause`` holding one ``p``), or None."""
    if block.tag == "p":
        return block
    if block.tag == "div" and len(block) == 1 and block[0].tag == "p" and not (block.text or "").strip() and not (block[0].tail or "").strip():
        return block[0]
    return None


def _tokens(p) -> list[str]:
    """A paragraph's content as tokens of HTML: a word with its following space, or a whole inline element."""
    tokens = _WORDS.findall(str(escape(p.text or "")))
    for child in p:
        tokens.append(_html(child))
        tokens += _WORDS.findall(str(escape(child.tail or "")))
    return tokens


def _word_diff(old_block, new_block) -> str | None:
    """The negotiated block with word-level marks, or None if the two are not both simple."""
    old_p, new_p = _paragraph(old_block), _paragraph(new_block)
    if old_p is None or new_p is None or old_block.tag != new_block.tag or old_block.get("class") != new_block.get("class"):
        return None
    a, b = _tokens(old_p), _tokens(new_p)
    ops = _folded(SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    content = []
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            content.append("".join(b[j1:j2]))
            continue
        if i2 > i1:
            content.append(deleted("".join(a[i1:i2])))
        if j2 > j1:
            content.append(inserted("".join(b[j1:j2])))
    attributes = "".join(f' {k}="{escape(v)}"' for k, v in new_p.attrib.items())
    paragraph = f"<p{attributes}>{''.join(content)}</p>"
    if new_p is new_block:
        return paragraph
    attributes = "".join(f' {k}="{escape(v)}"' for k, v in new_block.attrib.items())
    return f"<{new_block.tag}{attributes}>{paragraph}</{new_block.tag}>"


def _folded(ops: list) -> list:
    """Opcodes with short equal stretches between changes folded into one change."""
    out: list = []
    for index, (op, i1, i2, j1, j2) in enumerate(ops):
        between = 0 < index < len(ops) - 1
        if op == "equal" and between and (i2 - i1) < MIN_EQUAL:
            op = "replace"
        if out and op != "equal" and out[-1][0] != "equal":
            _, a1, _, b1, _ = out.pop()
            out.append(("replace", a1, i2, b1, j2))
        else:
            out.append((op, i1, i2, j1, j2))
    return out
