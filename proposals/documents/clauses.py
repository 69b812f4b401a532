"""The clause library: selection by condition, deviations, numbering, references.

A clause is one file, ``clauses/<lang>/<id>.md``: a YAML header between
``---`` lines, then Markdown with Jinja::

    ---
    title: Liability
    version: 3
    order: 65
    when: "true"                # a condition over the deal and the Quote
    replaces: []                # clauses this one stands in for
    requires: []                # clauses that must come with it
    ---
    1. The Contractor is liable without limitation for intent ...
    2. For slight negligence ... see {{ ref("warranty") }}.

Built-in clauses live in ``proposals/builtin/clauses``; a workspace adds or
replaces clauses in ``templates/clauses``. A clause is in the contract when
its condition is true or a sold catalog item brings it (``clauses:``), unless
a chosen clause replaces it or the deal strikes it. Numbers are computed once,
here: clause N, its top-level list items N.1, N.2, their sub-items N.1.1, so
PDF and DOCX print the same numbers. ``ref("id")`` renders a clause's number;
an unknown id, a broken header or a condition that fails is an error naming
the clause file and line.

Condition language: a Jinja expression (sandboxed) over ``deal``, ``quote``,
``customer``, ``seller`` and these helpers: ``recurring`` (any recurring firm
line), ``max_term_months``, ``contract_value`` (net total),
``sells_sku(*skus)``, ``sells_pricing(model)`` (a work package also counts as ``package`` when fixed,
as ``rate_card`` when time and material or capped), ``sells_goods``, ``requirement_tagged(tag)``,
``brought(clause_id)``, ``eu_customer``, ``reverse_charge``, ``outside_scope``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..input.clause_files import BUILTIN_CLAUSES
from ..input.countries import EU_COUNTRIES
from ..errors import Location, Problem
from ..input.model import Deal, SellerProfile
from ..pricing.quote import Quote
from ..input.yamlsource import YamlProblem, excerpt, parse

HEADER_KEYS = {"title", "version", "order", "when", "replaces", "requires"}


class ClauseProblem(Exception):
    """Problems with clause files or deviations; ``deal_fields`` carry deal field paths to locate."""

    def __init__(self, problems: list[Problem], deal_fields: list[tuple[str, str]] | None = None):
        self.problems, self.deal_fields = problems, deal_fields or []
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class ClauseSource:
    """One clause file, parsed."""

    id: str
    lang: str
    file: str
    digest: str
    title: str
    version: str
    order: int
    when: str
    when_line: int
    when_column: int
    replaces: tuple[str, ...]
    requires: tuple[str, ...]
    body: str
    body_line: int


@dataclass(frozen=True)
class Deviation:
    """A negotiated change to a standard clause, as the deal states it."""

    clause: str
    action: str
    reason: str
    text: str | None
    field: str


@dataclass(frozen=True)
class ChosenClause:
    """A clause in the contract: its number, source, why it is there, and any deviation."""

    id: str
    number: int
    source: ClauseSource
    reason: str
    deviation: Deviation | None = None


@dataclass
class Selection:
    clauses: list[ChosenClause] = field(default_factory=list)
    struck: list[tuple[ClauseSource, Deviation]] = field(default_factory=list)
    struck_at: dict[str, int] = field(default_factory=dict)  # struck clause id -> clauses before it

    @property
    def numbers(self) -> dict[str, int]:
        return {c.id: c.number for c in self.clauses}

    @property
    def deviations(self) -> list[tuple[str, ClauseSource, Deviation]]:
        """(number or "struck", source, deviation) in contract order, struck clauses last."""
        found = [(c.number, c.source, c.deviation) for c in self.clauses if c.deviation]
        return found + [(None, s, d) for s, d in self.struck]


def library(lang: str, workspace_templates: Path | None) -> dict[str, ClauseSource]:
    """Every clause available in ``lang`` (English where a clause has no ``lang`` text)."""
    found: dict[str, ClauseSource] = {}
    problems: list[Problem] = []
    for language in dict.fromkeys(["en", lang]):
        folders = [(BUILTIN_CLAUSES / language, f"proposals/builtin/clauses/{language}")]
        if workspace_templates is not None:
            folders.append((workspace_templates / "clauses" / language, f"templates/clauses/{language}"))
        for folder, display in folders:
            for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
                try:
                    found[path.stem] = read_clause(path, f"{display}/{path.name}", language)
                except ClauseProblem as exc:
                    problems += exc.problems
    if problems:
        raise ClauseProblem(problems)
    return found


def _check_header(header: Any, display: str, where) -> None:
    """One located problem per broken header field."""
    if not isinstance(header, dict):
        raise ClauseProblem([Problem(Location(display, 2, 1), "", "the header is a mapping of fields", "template.clause")])
    problems = [Problem(where(key), key, f"unknown header field (known: {', '.join(sorted(HEADER_KEYS))})", "template.clause") for key in sorted(set(header) - HEADER_KEYS)]
    if not isinstance(header.get("title"), str) or not header["title"].strip():
        problems.append(Problem(Location(display, 2, 1), "title", "the header needs a title", "template.clause"))
    for key in ("order", "version"):
        if key in header and (isinstance(header[key], bool) or not isinstance(header[key], int)):
            problems.append(Problem(where(key), key, f"expected a whole number (got {excerpt(str(header[key]))})", "template.clause"))
    if "when" in header and not isinstance(header["when"], str):
        problems.append(Problem(where("when"), "when", "write the condition in quotes", "template.clause"))
    for key in ("replaces", "requires"):
        value = header.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(Problem(where(key), key, "expected a list of clause ids, e.g. [liability]", "template.clause"))
    if problems:
        raise ClauseProblem(problems)


_READ: dict[tuple[str, str, str, bytes], ClauseSource] = {}


def read_clause(path: Path, display: str, lang: str) -> ClauseSource:
    """The parsed clause file; parsed once per content in a process (a pack worker reads
    the library for every contract)."""
    raw = path.read_bytes()
    key = (str(path), display, lang, hashlib.sha256(raw).digest())
    if key not in _READ:
        _READ[key] = _parse_clause(path, display, lang, raw)
    return _READ[key]


def _parse_clause(path: Path, display: str, lang: str, raw: bytes) -> ClauseSource:
    text = raw.decode("utf-8")
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [l.strip() for l in lines[1:]]:
        raise ClauseProblem([Problem(Location(display, 1, 1), "", "a clause file starts with a header between '---' lines", "template.clause")])
    end = 1 + [l.strip() for l in lines[1:]].index("---")
    header_text = "\n" * 1 + "\n".join(lines[1:end])
    try:
        document = parse(header_text, display)
    except YamlProblem as exc:
        raise ClauseProblem([exc.problem]) from None
    header = document.data or {}
    where = lambda key: document.source.locate((key,))  # noqa: E731
    _check_header(header, display, where)
    return ClauseSource(
        id=path.stem,
        lang=lang,
        file=display,
        digest=hashlib.sha256(raw).hexdigest(),
        title=header["title"],
        version=str(header.get("version", 1)),
        order=int(header.get("order", 50)),
        when=str(header.get("when", "false")),
        when_line=where("when").line if "when" in header else 2,
        when_column=where("when").column if "when" in header else 1,
        replaces=tuple(header.get("replaces") or ()),
        requires=tuple(header.get("requires") or ()),
        body="\n" * (end + 1) + "\n".join(lines[end + 1 :]),  # keeps template line = file line
        body_line=end + 2,
    )


def condition_namespace(deal: Deal, quote: Quote, seller: SellerProfile) -> dict[str, Any]:
    firm = quote.firm_lines
    brought = {c for line in firm for c in line.clauses}
    tags = {t for r in deal.requirements for t in r.tags}
    return {
        "deal": deal,
        "quote": quote,
        "customer": deal.customer,
        "seller": seller,
        "recurring": any(line.recurring for line in firm),
        "max_term_months": max((line.term_months or 0 for line in firm), default=0),
        "contract_value": quote.totals.tax_exclusive_total,
        "sells_sku": lambda *skus: any(line.sku in skus for line in firm),
        "sells_pricing": lambda model: any(model in (line.pricing, line.contract_pricing) for line in firm),
        "sells_goods": any(line.goods for line in firm),
        "requirement_tagged": lambda tag: tag in tags,
        "brought": lambda clause_id: clause_id in brought,
        "eu_customer": deal.customer.address.country in EU_COUNTRIES,
        "reverse_charge": deal.reverse_charge,
        "outside_scope": deal.outside_scope,
    }


def select(available: dict[str, ClauseSource], deal: Deal, quote: Quote, seller: SellerProfile) -> Selection:
    """Choose, order and number the contract's clauses; apply the deal's deviations."""
    namespace = condition_namespace(deal, quote, seller)
    reasons: dict[str, str] = {}
    problems: list[Problem] = []
    brought = {c: [l.sku for l in quote.firm_lines if c in l.clauses] for l in quote.firm_lines for c in l.clauses}
    for clause in available.values():
        try:
            fired = bool(_evaluate(clause.when, namespace))
        except Exception as exc:  # noqa: BLE001 - any failure of a user's expression is its author's to fix
            problems.append(Problem(Location(clause.file, clause.when_line, clause.when_column), "when", f"the condition failed: {excerpt(str(exc) or type(exc).__name__, 80)}", "template.clause"))
            continue
        if fired:
            reasons[clause.id] = f"condition {clause.when!r} is true"
        elif clause.id in brought:
            reasons[clause.id] = f"brought by {', '.join(dict.fromkeys(brought[clause.id]))}"
    missing = sorted(set(brought) - set(available))
    problems += [Problem(Location("catalog"), "clauses", f"no clause {c} in the library (brought by {', '.join(brought[c])})", "template.clause") for c in missing]
    if problems:
        raise ClauseProblem(problems)
    _apply_replaces_and_requires(available, reasons)
    return _number(available, reasons, deviations(deal, available))


def _evaluate(expression: str, namespace: dict[str, Any]) -> Any:
    return _condition(expression)(**namespace)


@lru_cache(maxsize=1024)
def _condition(expression: str):
    """A clause condition compiled once per process (every contract evaluates every condition)."""
    return _CONDITIONS.compile_expression(expression, undefined_to_none=False)


_CONDITIONS = ImmutableSandboxedEnvironment(undefined=StrictUndefined)  # a misspelt name is an error, not false


def _apply_replaces_and_requires(available: dict[str, ClauseSource], reasons: dict[str, str]) -> None:
    unknown = [(c, ref) for c in available.values() for ref in c.requires + c.replaces if ref not in available]
    if unknown:
        raise ClauseProblem([Problem(Location(c.file, 2, 1), "", f"refers to clause {ref}, which is not in the library", "template.clause") for c, ref in unknown])
    pending = list(reasons)
    while pending:  # requirements of requirements, until nothing new comes in
        cid = pending.pop()
        for needed in available[cid].requires:
            if needed not in reasons:
                reasons[needed] = f"required by {cid}"
                pending.append(needed)
    for cid in list(reasons):
        for replaced in available[cid].replaces:
            reasons.pop(replaced, None)


def deviations(deal: Deal, available: dict[str, ClauseSource]) -> dict[str, Deviation]:
    found: dict[str, Deviation] = {}
    problems, fields = [], []
    for i, d in enumerate(deal.contract.deviations):
        field_path = f"contract.deviations[{i}]"
        if d.clause not in available:
            fields.append((f"{field_path}.clause", f"no clause {d.clause} in the library (known: {', '.join(sorted(available))})"))
        elif d.clause in found:
            fields.append((f"{field_path}.clause", f"clause {d.clause} already has a deviation"))
        else:
            found[d.clause] = Deviation(d.clause, d.action, d.reason, d.text, field_path)
    if fields:
        raise ClauseProblem(problems, fields)
    return found


def _number(available: dict[str, ClauseSource], reasons: dict[str, str], changes: dict[str, Deviation]) -> Selection:
    selection = Selection()
    ordered = sorted(reasons, key=lambda cid: (available[cid].order, cid))
    for cid in ordered:
        change = changes.get(cid)
        if change is not None and change.action == "strike":
            selection.struck.append((available[cid], change))
            selection.struck_at[cid] = len(selection.clauses)
            continue
        selection.clauses.append(ChosenClause(cid, len(selection.clauses) + 1, available[cid], reasons[cid], change))
    for cid, change in changes.items():
        if cid not in reasons and change.action != "strike":
            selection.clauses.append(ChosenClause(cid, len(selection.clauses) + 1, available[cid], "added by negotiation", change))
    return selection
