"""One deal's files before they are written: priced, checked for its status, its notes.

A :class:`BuiltDeal` carries a priced deal from the parent to the workers and
back with its rendered files; the stamp that dates every file, the notes the
build prints (deviations, follow-ups on expired or re-priced revisions) and
the guardrail warnings are made here. Nothing here renders or writes.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timezone
from pathlib import Path

from ..errors import PricingError, Problem
from ..input.loading import Loaded, Workspace
from ..pricing.issues import PricingIssue
from ..pricing.lines import price
from ..pricing.guardrails import unapproved
from .records import approval_problems, stale_approvals
from ..pricing.quote import Quote
from .built import BuiltDeal


DOCUMENTS = ("offer", "contract")


def prepare_deal(ws: Workspace, loaded: Loaded) -> BuiltDeal:
    """Price a deal and check it may be built with its status (in the parent, before rendering)."""
    quote = price_deal(ws, loaded)
    issue_problems = approval_problems(loaded, quote)
    if issue_problems:
        raise PricingError(issue_problems)
    built = BuiltDeal(loaded, quote)
    built.warnings += quote_warnings(loaded, quote)
    return built


def price_deal(ws: Workspace, loaded: Loaded) -> Quote:
    """Price one loaded deal; a deal that cannot be priced is a located PricingError."""
    try:
        return price(loaded.model, ws.services, ws.seller.model)
    except PricingIssue as issue:
        raise PricingError([Problem(loaded.where(*_path(issue.field)), issue.field, str(issue), "pricing.invalid")]) from None


def quote_warnings(loaded: Loaded, quote: Quote) -> list[Problem]:
    """Unapproved guardrail findings as located warnings (for the seller, never the customer), named by
    their rule: the id an approval gives."""
    findings = [Problem(loaded.where(*_path(f.field)), f.field, f.message, f.rule, "warning") for f in unapproved(loaded.model, quote)]
    return findings + stale_approvals(loaded, quote)


def _path(field_path: str) -> tuple:
    parts: list = []
    for chunk in field_path.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        parts.append(name)
        parts += [int(i) for i in indexes]
    return tuple(parts)


def complete_deal(ws: Workspace, built: BuiltDeal, files: dict[str, bytes], warnings: list[Problem]) -> BuiltDeal:
    built.files.update(files)
    built.warnings += warnings
    built.notes += _deviation_notes(built.deal, files) + _follow_up_notes(ws, built.deal)
    return built


def document_stamp(quote: Quote) -> datetime:
    """The one timestamp of a deal's files: SOURCE_DATE_EPOCH when set (reproducible builds), else the offer date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.combine(quote.date, time(0), tzinfo=timezone.utc)


def previous_record_note(ws: Workspace, previous: Loaded, output: Path | None = None) -> list[str]:
    """The change page re-prices the previous revision with today's catalog; say so when that
    differs from what its issued record says the customer received."""
    record = (output or ws.root / "output") / previous.model.folder_name
    try:
        kept = json.loads((record / "quote.json").read_text(encoding="utf-8"))
        status = json.loads((record / "manifest.json").read_text(encoding="utf-8")).get("status", "draft")
    except (OSError, ValueError):
        return []
    today = price_deal(ws, previous).totals
    recorded = kept.get("totals", {}).get("payable")
    if status != "draft" and recorded is not None and recorded != format(today.payable, "f"):
        return [f"{previous.model.folder_name}: re-priced with today's catalog it comes to {today.payable}, but its issued record says {recorded}; the comparison uses today's prices"]
    return []


def _follow_up_notes(ws: Workspace, loaded: Loaded) -> list[str]:
    """Say so when a revision follows one that had expired, or whose record differs from today's prices."""
    previous = ws.previous_of(loaded)
    if previous is None:
        return []
    notes = previous_record_note(ws, previous)
    before = previous.model
    valid = before.valid_until or before.date
    if before.status in ("issued", "expired") and (before.status == "expired" or valid < loaded.model.date):
        notes.append(f"{loaded.model.folder_name}: follows revision {before.revision}, which expired on {valid.isoformat()}")
    return notes


def _deviation_notes(loaded: Loaded, files: dict[str, bytes]) -> list[str]:
    """Lines for the build output: what the contract changes from the standard terms."""
    if "contract.json" not in files:
        return []
    data = json.loads(files["contract.json"])
    titles = {c["id"]: (c["number"], c["title"]) for c in data["clauses"]} | {s["id"]: ("—", s["title"]) for s in data["struck"]}
    changes = [f"{titles[d['clause']][0]} {titles[d['clause']][1]} ({d['action']})" for d in data["deviations"]]
    return [f"{loaded.model.folder_name}: contract deviates from the standard terms: {', '.join(changes)}"] if changes else []
