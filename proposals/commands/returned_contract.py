"""``proposals redline DEAL RETURNED.docx``: the customer's redline of a contract, read back clause by clause.

The returned file is compared with the contract of the deal's record in ``output/``
(``contract.docx``, or ``contract-redline.docx`` when the customer edited the redline):

* it must carry the custom properties the DOCX writer put there (offer, revision and the
  key of the record's inputs); a file of another offer, revision or record is refused
  unless ``--force``, which says what was compared with what;
* clauses are found by their bookmarks (``clause_<id>``, which Word and LibreOffice keep
  through editing) and end at the next heading;
* in each clause, the tracked insertions and deletions of the customer (every change not
  the seller's own in the redline) are accepted, and edits made without tracking show as
  a difference between the text with the customer's changes rejected and the record's;
* the outcome per clause is a strike (heading and text deleted), an amendment (the
  record's text kept, sub-clauses added at the end) or a replacement (the customer's
  whole wording), with the clause's comments as the reason;
* anything changed outside the clauses (title and parties, annexes, signatures, the
  deviations annex, a clause's title or its deviation note, text under a heading the
  customer added) is listed as not imported: negotiate it in the deal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from ..errors import InputError, Location, Problem
from ..input.archive import Refused, read_file
from ..input.returned import Change, Comment, Paragraph, ReturnedDocx, read_docx

DOCUMENTS = ("contract", "contract-redline")


@dataclass
class ClauseChange:
    """What the customer did to one clause."""

    clause: str
    number: int | str
    title: str
    action: str | None                 # replace, amend, strike; None: comments only
    text: str | None = None            # the customer's wording (Markdown): all of it, or what an amendment adds
    tracked: int = 0                   # tracked changes in the clause
    untracked: bool = False            # edited without change tracking too
    authors: tuple[str, ...] = ()
    comments: tuple[Comment, ...] = ()
    table: bool = False                # the clause has a table (its wording is not imported)
    whole: str | None = None           # an amendment: the clause's whole wording with it (Markdown)


@dataclass
class Redline:
    """The comparison: the record and file compared, the clause changes, what is not imported."""

    record: Path
    returned: Path
    offer: str
    revision: int
    compared: str                      # e.g. "contract.docx of the record NW-2026-041-r2"
    notes: list[str] = field(default_factory=list)
    clauses: list[ClauseChange] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def read_redline(ws, loaded, returned: Path, output: Path, force: bool = False) -> Redline:
    """Compare RETURNED with the record of ``loaded`` (see the module); InputError for a file refused."""
    from .records import inputs_key

    deal = loaded.model
    folder = output / deal.folder_name
    manifest = _manifest(ws, loaded, folder)
    try:
        data = read_file(returned, None, "the returned file")
        theirs = read_docx(data)
    except Refused as refused:
        raise InputError([Problem(Location(str(returned)), "", f"cannot read the returned file: {refused}", "redline.refused")]) from None
    expected = {"proposals.offer": deal.offer_number, "proposals.revision": str(deal.revision),
                "proposals.inputs": inputs_key(deal.offer_number, deal.revision, manifest.get("inputs", {}))}
    found = {name: theirs.properties.get(name) for name in expected}
    document = theirs.properties.get("proposals.document") or "contract"
    if document not in DOCUMENTS:
        raise InputError([Problem(Location(str(returned)), "", f"this is the {document} of {found['proposals.offer']} r{found['proposals.revision']}, not a contract; redline reads the contract the customer returned", "redline.refused")])
    result = Redline(folder, returned, deal.offer_number, deal.revision, f"{document}.docx of the record {deal.folder_name}")
    if found != expected:
        said = (f"{found['proposals.offer']} r{found['proposals.revision']} (inputs {(found['proposals.inputs'] or '?')[:12]})"
                if found["proposals.offer"] else "nothing (it carries no proposals document properties)")
        mine = f"{deal.offer_number} r{deal.revision} (inputs {expected['proposals.inputs'][:12]})"
        if not force:
            message = f"the file was not built from this record: it says it is {said}, the record is {mine}; use --force to compare anyway"
            raise InputError([Problem(Location(str(returned)), "", message, "redline.foreign")])
        result.notes.append(f"--force: compared with {result.compared} ({mine}), although the file says it is {said}")
    if manifest.get("status", "draft") == "draft":
        result.notes.append(f"{deal.folder_name} is a draft: compared with its last build in {folder}, not with an issued record")
    ours = _record_docx(folder, document)
    seller = ws.seller.model.legal_name
    theirs_is_ours = _ours(seller, deal.date) if document == "contract-redline" else (lambda change: False)
    _compare(result, ours, theirs, _clauses(folder), theirs_is_ours)
    return result


def _manifest(ws, loaded, folder: Path) -> dict:
    from .records import _record_state

    deal = loaded.model
    record = folder / "manifest.json"
    if not record.is_file():
        message = f"no record of {deal.folder_name} in {folder}: build the revision that went to the customer first (proposals build {ws.relative(loaded.path)})"
        raise InputError([Problem(loaded.where("revision"), "revision", message, "redline.no-record")])
    kept, problem = _record_state(ws, loaded, folder.parent)
    if problem:
        raise InputError([Problem(loaded.where("status"), "status", problem, "offer.issued-record")])
    try:
        manifest = kept or json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError([Problem(Location(str(record)), "", "the record's manifest is unreadable; restore it from your archive", "offer.issued-record")]) from None
    if kept is None:  # a draft build: it must be of the deal as it is now
        from .records import manifest_inputs

        if manifest.get("inputs") != manifest_inputs(ws, loaded):
            message = f"the build in {folder} is older than the deal file; build it again (proposals build {ws.relative(loaded.path)}) before comparing"
            raise InputError([Problem(loaded.where("status"), "status", message, "redline.stale-build")])
    return manifest


def _record_docx(folder: Path, document: str) -> ReturnedDocx:
    path = folder / f"{document}.docx"
    try:
        return read_docx(read_file(path, None, "the record's contract"))
    except Refused as refused:
        raise InputError([Problem(Location(str(path)), "", f"cannot read the record's {document}.docx: {refused}; build with --format docx", "redline.no-record")]) from None


def _clauses(folder: Path) -> dict[str, tuple[str, int | str, str]]:
    """bookmark name -> (clause id, number, title), from the record's contract.json."""
    from ..writers.docx_fields import bookmark_name

    try:
        data = json.loads((folder / "contract.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError([Problem(Location(str(folder / "contract.json")), "", "the record has no readable contract.json", "redline.no-record")]) from None
    found = {bookmark_name(f"clause-{c['id']}"): (c["id"], c["number"], c["title"]) for c in data.get("clauses", [])}
    found.update({bookmark_name(f"clause-{s['id']}"): (s["id"], "struck", s["title"]) for s in data.get("struck", [])})
    return found


def _ours(seller: str, day) -> callable:
    """The seller's own tracked changes in the redline (author the seller, dated the deal's date)."""
    return lambda change: change.author == seller and change.date[:10] == day.isoformat()


# ------------------------------------------------------------------ comparison
@dataclass(frozen=True)
class Item:
    """A paragraph as compared: its kind (heading, numbered, bullet, para, note, cell), list level, text."""

    kind: str
    level: int
    text: str
    key: str


def _kind(p: Paragraph) -> tuple[str, int]:
    style = p.style.replace(" ", "")
    if p.table is not None:
        return "cell", 0
    if style == "Title":
        return "title", 0
    if style.startswith("Heading"):
        return "heading", 0
    if style.startswith("ListBullet"):
        return "bullet", int(style[10:] or 1) - 1 if style[10:].isdigit() else 0
    if style == "Small":
        return "note", 0
    if p.level is not None and not style.startswith("ListNumber"):
        return "numbered", p.level
    return "para", 0


def view(paragraphs: list[Paragraph], accept) -> list[Item]:
    """The paragraphs as they read with the changes ``accept`` says yes to accepted, the others rejected;
    a paragraph whose mark is gone in that view joins the next one, empty paragraphs are left out."""
    items, carried, carried_key = [], "", ""
    for p in paragraphs:
        text, key = p.text(accept), p.text(accept, key=True)
        text, key = " ".join(f"{carried} {text}".split()), " ".join(f"{carried_key} {key}".split())
        mark = p.mark
        if mark is not None and (accept(mark) == (mark.kind == "del")):
            carried, carried_key = text, key
            continue
        carried = carried_key = ""
        if text:
            kind, level = _kind(p)
            items.append(Item(kind, level, text, key))
    if carried:
        items.append(Item("para", 0, carried, carried_key))
    return items


@dataclass
class Section:
    label: str
    clause: tuple[str, int | str, str] | None
    paragraphs: list[Paragraph] = field(default_factory=list)


def sections(doc: ReturnedDocx, clauses: dict) -> list[Section]:
    """The body cut at clause bookmarks and headings: "title and parties" first, then each clause
    and each other heading's part (annexes, signatures, the deviations annex)."""
    found = [Section("title and parties", None)]
    for p in doc.paragraphs:
        clause = next((clauses[b] for b in p.bookmarks if b in clauses), None)
        if clause is not None:
            found.append(Section(f"clause {clause[1]} {clause[2]}", clause))
        elif p.table is None and _kind(p)[0] == "heading" and p.text():
            found.append(Section(p.text(lambda c: False) or p.text(), None))
        found[-1].paragraphs.append(p)
    return found


def _compare(result: Redline, ours: ReturnedDocx, theirs: ReturnedDocx, clauses: dict, theirs_is_ours) -> None:
    mine = {s.clause[0]: s for s in sections(ours, clauses) if s.clause}
    other = [s for s in sections(ours, clauses) if not s.clause]
    customer = lambda change: not theirs_is_ours(change)  # noqa: E731
    before = lambda change: not customer(change)  # noqa: E731 - the customer's changes rejected, the seller's kept
    seen = set()
    returned_other = []
    for section in sections(theirs, clauses):
        if section.clause is None:
            returned_other.append(section)
            continue
        if section.clause[0] in seen:
            continue
        seen.add(section.clause[0])
        change = _clause_change(section, mine.get(section.clause[0]), theirs, customer, before, result)
        if change is not None:
            result.clauses.append(change)
    for clause_id, section in mine.items():
        if clause_id not in seen:
            result.outside.append(f"{section.label}: its heading and bookmark are gone from the returned file (deleted without change tracking?); strike it in the deal if that was meant")
    _compare_outside(result, other, returned_other, customer, before)


def _clause_change(section: Section, base: Section | None, theirs: ReturnedDocx, customer, before, result: Redline) -> ClauseChange | None:
    clause_id, number, title = section.clause
    ours = view(base.paragraphs, lambda c: True) if base else []
    was, now = view(section.paragraphs, before), view(section.paragraphs, lambda c: True)
    changes = [c for p in section.paragraphs for c in _runs(p) if customer(c)]
    comments = tuple(theirs.comments[i] for p in section.paragraphs for i in p.comments if i in theirs.comments)
    untracked = [i.key for i in was] != [i.key for i in ours]
    head, body = (now[0], now[1:]) if now and now[0].kind == "heading" else (None, now)
    base_head, base_body = (ours[0], ours[1:]) if ours and ours[0].kind == "heading" else (None, ours)
    body_now, body_base = [i for i in body if i.kind != "note"], [i for i in base_body if i.kind != "note"]
    if [i.key for i in body if i.kind == "note"] != [i.key for i in base_body if i.kind == "note"]:
        result.outside.append(f"{section.label}: the deviation note below the clause changed; not imported: negotiate this in the deal")
    tables = any(i.kind == "cell" for i in body_now + body_base)
    common = dict(tracked=len(changes), untracked=untracked, authors=tuple(dict.fromkeys(c.author for c in changes if c.author)), comments=comments, table=tables)
    if [i.key for i in now] == [i.key for i in ours]:  # as the record has it (a clause the seller struck included)
        return ClauseChange(clause_id, number, title, None, None, **common) if comments else None
    if head is None and not body_now:
        return ClauseChange(clause_id, number, title, "strike", None, **common)
    if head is not None and base_head is not None and head.key != base_head.key:
        result.outside.append(f"{section.label}: its title changed to \u201c{head.text}\u201d; not imported: a clause keeps the library's title")
    if [i.key for i in body_now] == [i.key for i in body_base]:
        return ClauseChange(clause_id, number, title, None, None, **common) if comments else None
    base_keys = [i.key for i in body_base]
    if [i.key for i in body_now[: len(base_keys)]] == base_keys:
        return ClauseChange(clause_id, number, title, "amend", markdown(body_now[len(base_keys):]), whole=markdown(body_now), **common)
    return ClauseChange(clause_id, number, title, "replace", markdown(body_now), **common)


def _runs(p: Paragraph) -> list[Change]:
    """The tracked changes of a paragraph, one per stretch of text under one change (and its mark)."""
    found, last = [], None
    for piece in p.pieces:
        if piece.change is not None and piece.change is not last and piece.change != last:
            found.append(piece.change)
        last = piece.change
    return found + ([p.mark] if p.mark else [])


def _compare_outside(result: Redline, ours: list[Section], theirs: list[Section], customer, before) -> None:
    base = [(s.label, i) for s in ours for i in view(s.paragraphs, lambda c: True)]
    now = [(s.label, i) for s in theirs for i in view(s.paragraphs, lambda c: True)]
    tracked = {s.label for s in theirs for p in s.paragraphs for c in _runs(p) if customer(c)}
    matcher = SequenceMatcher(None, [i.key for _, i in base], [i.key for _, i in now], autojunk=False)
    changed = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        for label, item in now[j1:j2] or base[i1:i2]:
            what = "a table cell" if item.kind == "cell" else "text"
            changed.append(f"{label}: {what} {'changed' if op == 'replace' else 'added' if op == 'insert' else 'deleted'}: \u201c{_short(item.text)}\u201d")
            break
    for label in sorted(tracked - {c.split(':')[0] for c in changed}):
        changed.append(f"{label}: tracked changes")
    result.outside += [f"{c}; not imported: negotiate this in the deal" for c in changed]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


# -------------------------------------------------------------------- Markdown
_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~])")
_LEADING = re.compile(r"^(\d+)([.)])|^([-+=])")


def escape(text: str) -> str:
    """Text as Markdown that prints it literally (the deal's deviation texts are Markdown)."""
    text = _ESCAPE.sub(r"\\\1", text)
    return _LEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


def markdown(items: list[Item]) -> str:
    """Clause paragraphs as the clause library writes them: sub-clauses as an ordered list
    (``1. ...``; a deeper level indented under its parent), bullets under the sub-clause
    they follow, other paragraphs as paragraphs."""
    lines: list[str] = []
    counters: list[int] = []
    depth = 0  # open ordered levels
    for item in items:
        text = escape(item.text)
        if item.kind == "numbered":
            level = max(item.level - 1, 0)  # level 0 is the clause heading
            del counters[level + 1:]
            while len(counters) <= level:
                counters.append(0)
            counters[level] += 1
            depth = level + 1
            lines.append(f"{'   ' * level}{counters[level]}. {text}")
        elif item.kind == "bullet":
            lines.append(f"{'   ' * (depth + item.level)}- {text}")
        else:
            counters, depth = [], 0
            lines += ["", text, ""] if lines else [text, ""]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1])).strip() + "\n"


# ------------------------------------------------------------------ the report
ACTIONS = {"replace": "replaced", "amend": "amended", "strike": "struck", None: "comments only"}


def report_lines(result: Redline) -> list[str]:
    """The per-clause summary ``proposals redline`` prints."""
    lines = [f"{result.returned} against {result.compared}:"]
    for change in result.clauses:
        how = []
        if change.tracked:
            how.append(f"{change.tracked} tracked change{'s' if change.tracked != 1 else ''}" + (f" by {', '.join(change.authors)}" if change.authors else ""))
        if change.untracked:
            how.append("edited without change tracking")
        lines.append(f"  {change.number} {change.title}: {ACTIONS[change.action]}" + (f" ({'; '.join(how)})" if how else ""))
        for comment in change.comments:
            lines.append(f"      comment{f' by {comment.author}' if comment.author else ''}: \u201c{comment.text}\u201d")
        if change.table:
            lines.append("      not imported: the clause has a table; change its wording in the deal by hand")
    for item in result.outside:
        lines.append(f"  {item}")
    changed = [c for c in result.clauses if c.action and not c.table]
    lines.append(f"{len(changed)} clause{'s' if len(changed) != 1 else ''} changed, "
                 f"{sum(len(c.comments) for c in result.clauses)} comment{'s' if sum(len(c.comments) for c in result.clauses) != 1 else ''}, "
                 f"{len(result.outside)} change{'s' if len(result.outside) != 1 else ''} not imported")
    return lines
