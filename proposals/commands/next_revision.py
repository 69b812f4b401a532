"""``proposals redline --write``: the next revision's deal file, with the customer's changes as deviations.

The new file is the current deal file's text with four edits, so that its comments and
layout stay: ``revision`` raised by one, ``previous_revision`` naming the current file,
``status: draft`` (``decided_on`` removed: the new revision has no answer yet), and the
``contract.deviations`` list written anew, the existing deviations first (a clause the
customer changed again gets the customer's wording as a replacement), then one entry per
changed clause in contract order. The text is loaded and checked with the workspace before
anything is written; the file is created next to the deal (``<name>-r<N>.yaml``) and never
overwrites one.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from ..errors import InputError, Location, Problem, ProblemList


def next_path(deal_path: Path, revision: int) -> Path:
    stem = re.sub(r"-r\d+$", "", deal_path.stem)
    return deal_path.with_name(f"{stem}-r{revision}{deal_path.suffix}")


def deviations(deal, redline) -> list[dict]:
    """The next revision's ``contract.deviations``: the current ones, the customer's changes over them."""
    found = {d.clause: {k: v for k, v in (("clause", d.clause), ("action", d.action), ("reason", d.reason), ("text", d.text)) if v is not None}
             for d in deal.contract.deviations}
    for change in redline.clauses:
        if change.action is None or change.table:
            continue
        reason = "; ".join(f"{c.text} ({c.author})" if c.author else c.text for c in change.comments if c.text)
        reason = reason or f"Changed in the customer's redline of {redline.offer}-r{redline.revision}" + (f" by {', '.join(change.authors)}" if change.authors else "")
        entry = {"clause": change.clause, "action": change.action, "reason": reason}
        existing = found.get(change.clause)
        if change.action == "amend" and existing is not None:  # one deviation per clause: the whole wording
            entry["action"], entry["text"] = "replace", change.whole
        elif change.text is not None:
            entry["text"] = change.text
        found[change.clause] = entry
    return list(found.values())


def next_revision_text(text: str, deal, previous: str, entries: list[dict]) -> str:
    """The deal file's text with revision + 1, previous_revision, status draft and the new deviations."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    edits: list[tuple[int, int, str]] = []
    keys = {k.value: (k, v) for k, v in root.value}
    missing = []  # keys the file does not have, written together after revision (or offer_number)
    for name, value in (("revision", str(deal.revision + 1)), ("previous_revision", _quoted(previous)), ("status", "draft")):
        if name in keys:
            node = keys[name][1]
            edits.append((node.start_mark.index, node.end_mark.index, value))
        else:
            missing.append(f"{name}: {value}\n")
    if missing:
        anchor, node = keys["revision"] if "revision" in keys else keys["offer_number"]
        end = _line_end(text, node.end_mark.index)
        edits.append((end, end, "".join(" " * anchor.start_mark.column + line for line in missing)))
    if "decided_on" in keys:
        k, v = keys["decided_on"]
        edits.append((_line_start(text, k.start_mark.index), _line_end(text, v.end_mark.index), ""))
    block = _dump(entries)
    if "contract" in keys and isinstance(keys["contract"][1], yaml.MappingNode) and keys["contract"][1].value:
        contract_key, contract = keys["contract"]
        inner = {k.value: (k, v) for k, v in contract.value}
        column = contract.value[0][0].start_mark.column
        if "deviations" in inner:
            k, v = inner["deviations"]
            end = _content_end(text, v)
            edits.append((_line_start(text, k.start_mark.index), end, _indent(f"deviations:\n{block}", column).rstrip("\n")))
        else:
            end = _content_end(text, contract)
            edits.append((end, end, "\n" + _indent(f"deviations:\n{block}", column).rstrip("\n")))
    else:
        if "contract" in keys:
            k, v = keys["contract"]
            edits.append((_line_start(text, k.start_mark.index), _line_end(text, v.end_mark.index), ""))
        tail = "" if text.endswith("\n") else "\n"
        edits.append((len(text), len(text), f"{tail}\ncontract:\n" + _indent(f"deviations:\n{block}", 2)))
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _quoted(value: str) -> str:
    return yaml.safe_dump(value, default_style=None, width=10_000).strip().removesuffix("...").strip()


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Just past the newline ending the line ``index`` is on (or the text's end)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    found = text.find("\n", index)
    return len(text) if found < 0 else found + 1


def _content_end(text: str, node) -> int:
    """The end of a node's last character, trailing blank lines and comments left where they are."""
    end = node.end_mark.index
    last = node
    while isinstance(last, (yaml.MappingNode, yaml.SequenceNode)) and last.value:
        last = last.value[-1][1] if isinstance(last, yaml.MappingNode) else last.value[-1]
    end = max(end if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) else 0, last.end_mark.index)
    while end > 0 and text[end - 1] in " \n\r":
        end -= 1
    return end


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper, value: str):
    style = "|" if "\n" in value.strip("\n") or value.endswith("\n") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(entries: list[dict]) -> str:
    dumped = yaml.dump(entries, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, default_flow_style=False, indent=2)
    return _indent(dumped, 2)


def _indent(block: str, column: int) -> str:
    pad = " " * column
    return "".join(pad + line if line.strip() else line for line in block.splitlines(keepends=True))


def write_next(ws, loaded, redline, target: Path | None = None) -> tuple[Path, int]:
    """Create the next revision's deal file; (its path, the number of deviations). Nothing is
    written if the file exists or the new deal does not load and check cleanly."""
    from ..input.loading import load_text, load_workspace

    deal = loaded.model
    target = target or next_path(loaded.path, deal.revision + 1)
    where = Location(ws.relative(loaded.path))
    if target.exists():
        raise InputError([Problem(where, "", f"{ws.relative(target)} exists; move it away to write revision {deal.revision + 1} again", "redline.exists")])
    entries = deviations(deal, redline)
    text = next_revision_text(loaded.path.read_text(encoding="utf-8-sig"), deal, ws.relative(loaded.path), entries)
    problems = ProblemList()
    if load_text(text, target, ws.relative(target), type(deal), problems) is None:
        raise InputError(problems.items)
    folder = target.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        checked = load_workspace(ws.root, [Path(temporary)])
        del checked
        os.link(temporary, target)  # fails if the file appeared meanwhile: never overwrite
    finally:
        os.unlink(temporary)
    return target, len(entries)
