"""Render chosen clauses: Jinja (sandboxed) -> Markdown -> HTML with computed sub-numbers.

Customer data printed by a clause is escaped twice over: HTML by autoescape,
Markdown punctuation by ``finalize``, so a company called ``*ACME* [x](y)``
prints as written. Deviation texts from a deal are Markdown only: never
Jinja, never raw HTML.

Right-to-left text is isolated as in the documents (:func:`proposals.documents.templating.isolate`):
each printed value, and the text of each paragraph, list item, heading and
table cell of a deviation text, in an isolate of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import lxml.html
from lxml import etree
from jinja2 import BaseLoader, TemplateNotFound
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from .clauses import ChosenClause, ClauseProblem, Selection
from .redline import plain_numbers, redline
from ..errors import Location, Problem
from ..input.model.common import FSI, ISOLATES, PDI, bidi_active
from .templating import COMPILED_AS, ISOLATING_FILTERS, FieldUndefined, IsolatingEnvironment, bytecode_cache, filters, isolate
from ..input.yamlsource import excerpt

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()#+\-!|~>=])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_ORDERED_MARKER = re.compile(r"^(\d+)([.)])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TEMPLATE_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table")
_DEAL_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")


@dataclass(frozen=True)
class RenderedClause:
    """A clause as the contract template prints it."""

    id: str
    number: int
    title: str
    html: Markup
    version: str
    deviation: str | None = None  # replace, amend; strike only in the redline (:meth:`ClauseRenderer.struck`)
    reason: str | None = None
    standard: Markup | None = None  # a deviating clause's standard wording, numbered as the clause
    redline: Markup | None = None   # the negotiated wording with the standard one marked (documents.redline)
    added: bool = False             # brought in by the negotiation: not in the standard contract


class StruckReference(Exception):
    """A clause refers to a clause the deal strikes."""

    def __init__(self, deviation):
        self.deviation = deviation
        super().__init__(deviation.clause)


class _ClauseLoader(BaseLoader):
    """Serves the clauses of one contract (``sources``: file name -> parsed clause); compiled
    clauses come from the bytecode cache, which Jinja checks against each clause's text."""

    def __init__(self, sources: dict[str, Any]) -> None:
        self.sources = sources

    def get_source(self, environment, template):
        source = self.sources.get(template)
        if source is None:
            raise TemplateNotFound(template)
        return source.body, source.file, lambda: True


def _environment(locale: str, currency: str, sources: dict[str, Any]) -> ImmutableSandboxedEnvironment:
    """The sandboxed environment of one contract's clauses, with the locale-bound filters."""
    env = IsolatingEnvironment(
        loader=_ClauseLoader(sources), autoescape=True, undefined=FieldUndefined, finalize=_printed, lstrip_blocks=True,
        bytecode_cache=bytecode_cache(f"clauses-{COMPILED_AS}"),
    )
    env.filters.update(ISOLATING_FILTERS)
    env.filters.update(filters(locale, currency))
    return env


def _escape_markdown(value: Any) -> Any:
    """Printed values stay inline text: no line breaks, no Markdown syntax, no list markers."""
    if isinstance(value, str) and not isinstance(value, Markup):
        text = _LINE_BREAKS.sub(" ", value)
        text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
        return _ORDERED_MARKER.sub(r"\1\\\2", text)
    return value


def _printed(value: Any) -> Any:
    """A printed value: Markdown-escaped, then isolated if it has right-to-left text or bidi controls."""
    value = _escape_markdown(value)
    if isinstance(value, str) and not isinstance(value, Markup):
        return isolate(value)
    return value


def reference(clause_id: str, label: str) -> Markup:
    """``ref("liability")``: ``<a class="ref" href="#clause-liability">clause 12</a>``, the label
    printed as any value (Markdown-escaped, isolated), linked to the clause's section
    (``id="clause-liability"`` in the contract template). The DOCX writer makes the number a
    REF field to the clause heading (:mod:`proposals.writers.docx_fields`)."""
    return Markup('<a class="ref" href="#clause-{}">{}</a>').format(clause_id, _printed(label))


def _deal_markdown(text: str) -> str:
    """A deviation text from the deal as HTML, the inline text of each block isolated if it needs it.

    The isolate goes around the whole inline content of a paragraph, list item,
    heading or table cell (a right-to-left sentence with an emphasised word stays
    one run), never into the Markdown source, whose block syntax it would break.
    """
    tokens = _DEAL_MARKDOWN.parse(text)
    for token in tokens:
        if token.type == "inline" and token.children and bidi_active(token.content):
            _isolate_inline(token)
    return _DEAL_MARKDOWN.renderer.render(tokens, _DEAL_MARKDOWN.options, {})


def _isolate_inline(token: Token) -> None:
    """FSI before the inline content and PDI after it, sealed as :func:`proposals.documents.templating.isolate` seals a value."""
    depth = 0
    for child in token.children:
        if child.type not in ("text", "code_inline"):
            continue
        kept = []
        for ch in child.content:
            if ch in ISOLATES:
                depth += 1
            elif ch == PDI:
                if not depth:
                    continue  # would close the isolate around the text
                depth -= 1
            kept.append(ch)
        child.content = "".join(kept)
    token.children = [Token("text", "", 0, content=FSI), *token.children, Token("text", "", 0, content=PDI * (depth + 1))]


class ClauseRenderer:
    """Renders the clauses of one contract with the template context and the computed numbers."""

    def __init__(self, selection: Selection, context: dict[str, Any], locale: str, currency: str, labels: dict[str, str], progress=lambda step: None):
        self.selection, self.context, self.labels, self.progress = selection, context, labels, progress
        self.sources = {c.source.file: c.source for c in selection.clauses} | {s.file: s for s, _ in selection.struck}
        self.env = _environment(locale, currency, self.sources)
        self.numbers = selection.numbers

    def ref(self, clause_id: str, standard: bool = False) -> Markup:
        struck = {source.id: (source, deviation) for source, deviation in self.selection.struck}
        if clause_id in struck and standard:  # standard wording naming a clause the deal strikes
            return Markup(_printed(struck[clause_id][0].title))
        if clause_id in struck:
            raise StruckReference(struck[clause_id][1])
        if clause_id not in self.numbers:
            raise JinjaError(f"unknown clause reference {excerpt(clause_id)!s} (this contract has: {', '.join(self.numbers)})")
        return reference(clause_id, self.labels["clause_ref"].format(number=self.numbers[clause_id]))

    def render_all(self) -> tuple[RenderedClause, ...]:
        problems, deal_fields, rendered = [], [], []
        for clause in self.selection.clauses:
            self.progress(clause.source.file)  # a runaway clause is named by the time limit
            try:
                rendered.append(self.render(clause))
            except StruckReference as exc:
                message = f"clause {clause.id} ({clause.source.file}) refers to {exc.deviation.clause}; strike or replace {clause.id} too"
                deal_fields.append((exc.deviation.field, message))
            except JinjaError as exc:
                problems.append(_located(clause, exc))
        if problems or deal_fields:
            raise ClauseProblem(problems, deal_fields)
        return tuple(rendered)

    def render(self, clause: ChosenClause) -> RenderedClause:
        deviation = clause.deviation
        if deviation is not None and deviation.action == "replace":
            body_html = _deal_markdown(deviation.text or "")
        else:
            body_html = self._standard_body(clause)
            if deviation is not None and deviation.action == "amend":
                body_html += _amendment(deviation.text or "", _top_level_items(body_html) + 1)
        html = number_subclauses(body_html, clause.number)
        if deviation is None:
            return RenderedClause(clause.id, clause.number, clause.source.title, Markup(html), clause.source.version)
        standard = number_subclauses(self._standard_body(clause, standard=True), clause.number)
        return RenderedClause(clause.id, clause.number, clause.source.title, Markup(html), clause.source.version, deviation.action, deviation.reason,
                              Markup(standard), redline(standard, html), clause.reason == "added by negotiation")

    def struck(self) -> tuple[tuple[int, RenderedClause], ...]:
        """The clauses the deal strikes, in their standard wording, for the redline: (how many
        clauses of the contract come before it, the clause numbered as the next one would be)."""
        found = []
        for source, deviation in self.selection.struck:
            at = self.selection.struck_at.get(source.id, len(self.selection.clauses))
            chosen = ChosenClause(source.id, at + 1, source, "struck by negotiation", deviation)
            self.progress(source.file)
            try:
                html = Markup(number_subclauses(self._standard_body(chosen, standard=True), at + 1))
            except JinjaError as exc:
                raise ClauseProblem([_located(chosen, exc)]) from None
            found.append((at, RenderedClause(source.id, at + 1, source.title, html, source.version, "strike", deviation.reason, html, html)))
        return tuple(found)

    def _standard_body(self, clause: ChosenClause, standard: bool = False) -> str:
        """The clause file rendered (Jinja, then Markdown); ``standard``: as the standard wording
        beside a deviation, where a reference to a struck clause prints its title."""
        template = self.env.get_template(clause.source.file)
        brought_by = [line for line in self.context["quote"].firm_lines if clause.id in line.clauses]
        ref = (lambda clause_id: self.ref(clause_id, standard=True)) if standard else self.ref
        text = template.render({**self.context, "clause": clause, "ref": ref, "brought_by": brought_by})
        lone = _SURROGATE.search(text)
        if lone is not None:  # the Markdown and HTML parsers could not encode it
            raise JinjaError(f"the clause prints U+{ord(lone.group()):04X}, a lone surrogate (half of a UTF-16 pair, not a character); look for an escape such as \\ud800")
        return _TEMPLATE_MARKDOWN.render(text)


def _amendment(text: str, start: int) -> str:
    """An amendment continues the clause's numbering with further items."""
    rendered = _deal_markdown(text).strip()
    if rendered.startswith("<ol>"):
        return f'<ol start="{start}">' + rendered[len("<ol>") :]
    return f'<ol start="{start}"><li>{rendered}</li></ol>'


def _top_level_items(html: str) -> int:
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    return sum(len(child.findall("li")) for child in root if child.tag == "ol")


def _located(clause: ChosenClause, exc: JinjaError) -> Problem:
    line = getattr(exc, "lineno", None) or _frame_line(exc, clause.source.file)
    message = getattr(exc, "message", None) or str(exc)
    return Problem(Location(clause.source.file, line or 0, 1 if line else 0), "", excerpt(message, 160), "template.clause")


def _frame_line(exc: BaseException, filename: str) -> int:
    found, tb = 0, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            found = tb.tb_lineno
        tb = tb.tb_next
    return found


def number_subclauses(html: str, number: int) -> str:
    """Top-level ``ol`` items become N.1, N.2 (nested: N.1.1) printed as text; the rest stays."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    for child in list(root):
        if child.tag == "ol":
            _replace_list(child, str(number))
    _align_tables(root)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def _replace_list(ol, prefix: str) -> None:
    parent, index = ol.getparent(), ol.getparent().index(ol)
    start = int(ol.get("start", "1"))
    blocks = [_subclause(li, f"{prefix}.{n}") for n, li in enumerate(ol.findall("li"), start)]
    parent.remove(ol)
    for offset, block in enumerate(blocks):
        parent.insert(index + offset, block)


_BLOCKS = {"p", "ul", "ol", "table", "div", "blockquote"}


def _subclause(li, label: str):
    """``<li>`` -> ``<div class="subclause"><p><span class="clause-number">7.1</span> ...``."""
    block = lxml.html.Element("div", {"class": "subclause"})
    first = etree.SubElement(block, "p")
    number = etree.SubElement(first, "span", {"class": "clause-number", "data-level": str(label.count("."))})
    number.text, number.tail = label, " "
    _append_text(first, (li.text or "").lstrip())
    children = list(li)
    i = 0
    while i < len(children) and children[i].tag not in _BLOCKS:
        first.append(children[i])
        i += 1
    if i < len(children) and children[i].tag == "p" and len(first) == 1 and not number.tail.strip():
        _append_text(first, children[i].text or "")
        for inner in list(children[i]):
            first.append(inner)
        i += 1
    for child in children[i:]:
        if child.tag not in _BLOCKS:
            wrapper = etree.SubElement(block, "p")
            wrapper.append(child)
            continue
        block.append(child)
        if child.tag == "ol":
            _replace_list(child, label)
    return block


def _append_text(element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _align_tables(root) -> None:
    """Markdown's column alignment (``style``) becomes the vocabulary's ``num``/``center`` classes."""
    for cell in root.iter("td", "th"):
        style = (cell.get("style") or "").replace(" ", "")
        if "text-align:right" in style:
            cell.set("class", "num")
        elif "text-align:center" in style:
            cell.set("class", "center")
        cell.attrib.pop("style", None)


def with_struck(rendered: tuple[RenderedClause, ...], struck) -> tuple[RenderedClause, ...]:
    """The contract's clauses with the struck ones where they stood in the standard contract (the redline)."""
    merged = list(rendered)
    for at, clause in sorted(struck, key=lambda pair: pair[0], reverse=True):
        merged.insert(at, clause)
    return tuple(merged)


def annex_deviations(selection: Selection, rendered: tuple[RenderedClause, ...], struck) -> tuple[dict, ...]:
    """The deviations annex's rows: each deviation with its standard and negotiated wording, the
    numbers as plain text (they must not join the contract's numbering in Word)."""
    by_id = {c.id: c for c in rendered} | {c.id: c for _, c in struck}
    rows = []
    for number, source, deviation in selection.deviations:
        clause = by_id[source.id]
        negotiated = None if deviation.action == "strike" else plain_numbers(clause.html)
        standard = None if clause.added else plain_numbers(clause.standard)
        rows.append({"number": number, "id": source.id, "title": source.title, "action": deviation.action, "reason": deviation.reason,
                     "standard": standard, "negotiated": negotiated})
    return tuple(rows)


def compared(source) -> dict:
    """contract.json: the standard clause a deviation is compared with (redline, annex)."""
    return {"file": source.file, "version": source.version, "sha256": source.digest}
