"""Issued revisions and approvals.

* A revision with status ``draft`` rebuilds freely; its documents carry a
  DRAFT watermark.
* Any other status means the revision went to the customer: its output folder
  and ``manifest.json`` are the record. Building it again must reproduce the
  record byte for byte; if its inputs changed, the build refuses and says to
  raise the revision. Nothing of a record is ever overwritten.
* Guardrail findings block issuing until the deal records an approval that
  names the finding's rule (and, optionally, its field).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from ..version import __version__
from ..errors import Problem
from ..pricing.guardrails import unapproved
from ..pricing.quote import Quote

if TYPE_CHECKING:
    from .built import BuiltDeal
    from ..input.loading import Loaded, Workspace



def approval_problems(loaded: "Loaded", quote: Quote) -> list[Problem]:
    """An issued revision may carry no unapproved guardrail finding."""
    deal = loaded.model
    if deal.status == "draft":
        return []
    return [
        Problem(loaded.where("status"), "status", f"cannot be {deal.status} while '{f.message}' ({f.rule}) has no approval; record one under approvals or set status: draft", "offer.unapproved")
        for f in unapproved(deal, quote)
    ]


def stale_approvals(loaded: "Loaded", quote: Quote) -> list[Problem]:
    """An approval that matches no finding is a typo or out of date: say so."""
    found = []
    for i, approval in enumerate(loaded.model.approvals):
        if not any(approval.rule == f.rule and (approval.field is None or approval.field == f.field) for f in quote.findings):
            rules = ", ".join(sorted({f.rule for f in quote.findings})) or "none"
            found.append(Problem(loaded.where("approvals", i, "rule"), f"approvals[{i}].rule", f"approves no finding of this revision (findings name: {rules})", "offer.stale-approval", "warning"))
    return found


def expiry_warnings(loaded: "Loaded", quote: Quote, today: date) -> list[Problem]:
    deal = loaded.model
    if deal.status == "issued" and quote.valid_until < today:
        message = f"offer {deal.folder_name} expired on {quote.valid_until.isoformat()}; raise the revision to offer again"
        return [Problem(loaded.where("valid_until") if deal.valid_until else loaded.where("date"), "valid_until", message, "offer.expired", "warning")]
    return []


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest_inputs(ws: "Workspace", loaded: "Loaded") -> dict[str, str]:
    """Hashes of every input that made a deal's documents.

    Files: the deal (and its previous revision), the seller profile, the
    workspace templates. The catalog counts per service (``catalog:SKU``, the
    hash of the validated entry), so a price change rebuilds exactly the deals
    that sell the item, or price a work package by it (its template's rate card).
    """
    paths = [ws.seller.path]
    previous = ws.previous_of(loaded)
    deals = [loaded.model] + ([previous.model] if previous is not None else [])
    if previous is not None:
        paths.append(previous.path)
    lang = (loaded.model.locale or ws.seller.model.default_locale).split("_")[0]
    templates = ws.root / "templates"
    if templates.is_dir():
        paths += [p for p in templates.rglob("*") if p.is_file() and _used(p, templates, lang)]
    if ws.seller.model.logo and (ws.root / ws.seller.model.logo).is_file():
        paths.append(ws.root / ws.seller.model.logo)
    found = {ws.relative(p): sha256(p.read_bytes()) for p in sorted(set(paths))}
    # The deal counts by its content, not its status or decision: recording the customer's
    # answer, or a comment, does not make an issued revision a different offer.
    found[ws.relative(loaded.path)] = sha256(loaded.model.model_dump_json(exclude={"status", "decided_on"}).encode())
    skus = {i.sku for d in deals for i in d.items} | {s for d in deals for s in d.customer.installed}
    # a work package is priced by its template's rate card: a change of the card's rates re-prices the deal
    skus = sorted(skus | {t.rate_card for sku in skus if sku in ws.services and (t := ws.services[sku].work_package) and t.rate_card})
    found.update({f"catalog:{sku}": sha256(ws.services[sku].model_dump_json().encode()) for sku in skus if sku in ws.services})
    return dict(sorted(found.items()))


def inputs_key(offer: str, revision: int, inputs: dict[str, str]) -> str:
    """One hash for a record's offer, revision and inputs; the DOCX files carry it as a custom
    property, so that ``proposals redline`` can tell a returned file of this record from any other."""
    return sha256(json.dumps({"offer": offer, "revision": revision, "inputs": inputs}, sort_keys=True).encode())


def _used(path: Path, templates: Path, lang: str) -> bool:
    """Translation files of other languages do not shape this deal's documents."""
    relative = path.relative_to(templates)
    if relative.parts[0] == "locales":
        return path.stem in ("en", lang)
    if relative.parts[0] == "clauses" and len(relative.parts) > 2:
        return relative.parts[1] in ("en", lang)
    return True


def source_date_epoch() -> str | None:
    import os

    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return value if value.isdigit() else None


def manifest(ws: "Workspace", built: "BuiltDeal") -> bytes:
    data = {
        "tool": "proposals",
        "version": __version__,
        "deal": ws.relative(built.deal.path),
        "offer": built.quote.offer_number,
        "revision": built.quote.revision,
        "status": built.deal.model.status,
        "source_date_epoch": source_date_epoch(),
        "inputs": manifest_inputs(ws, built.deal),
        "outputs": {name: sha256(data) for name, data in sorted(built.files.items()) if not after_signature(name)},
    }
    later = {name: sha256(data) for name, data in sorted(built.files.items()) if after_signature(name)}
    if later:
        data["after_signature"] = later  # the plan and the reviews: written after the record, never part of it
    return (json.dumps(data, indent=2) + "\n").encode()


def after_signature(name: str) -> bool:
    """An accepted deal's implementation plan and success reviews (issue #21): made after the customer
    received the offer, so never part of its record; a new review rewrites them beside a verified record."""
    return name.startswith(("implementation-plan.", "review-"))


def _record_state(ws: "Workspace", loaded, output: Path) -> tuple[dict | None, str | None]:
    """The issued record kept for a deal (None: none, or only a draft build, which is no record) and what is
    wrong with it that shows without rendering: unreadable, damaged, an issued revision turned draft again, a
    different SOURCE_DATE_EPOCH or changed inputs."""
    folder = loaded.model.folder_name
    record = output / folder / "manifest.json"
    if not record.is_file():
        return None, None  # nothing there yet (for an issued revision: this build makes the record)
    try:
        kept = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, f"the record {record} is unreadable; restore it from your archive"
    if kept.get("status", "draft") == "draft":
        return None, None  # the folder holds a draft build: replace it
    if loaded.model.status == "draft":
        return kept, f"{folder} was {kept.get('status')}; an issued revision cannot become a draft again: raise the revision"
    return kept, _damaged(output / folder, kept) or _compare(ws, loaded, kept)


def records_before_rendering(ws: "Workspace", deals: list, output: Path) -> list[Problem]:
    """What :func:`verify_records` would refuse, found before anything renders, so that check, build and pack
    report it first and alike (``deals``: loaded deals)."""
    return [_record_problem(loaded, found) for loaded in deals for _, found in [_record_state(ws, loaded, output)] if found]


def verify_records(ws: "Workspace", rendered: list["BuiltDeal"], output: Path) -> tuple[list[Problem], set[str]]:
    """Check issued revisions against their records; return problems and the folders already recorded."""
    problems, recorded = [], set()
    for built in rendered:
        kept, found = _record_state(ws, built.deal, output)
        if kept is None and found is None:
            continue
        found = found or _rebuilt_differs(built, kept)
        if found:
            problems.append(_record_problem(built.deal, found))
        else:
            recorded.add(built.folder)
    return problems, recorded


def _damaged(folder: Path, kept: dict) -> str | None:
    """The files on disk must still be the ones the record lists."""
    for name, digest in kept.get("outputs", {}).items():
        path = folder / name
        if not path.is_file() or sha256(path.read_bytes()) != digest:
            return f"the record {folder.name} is damaged: {name} is missing or differs from its manifest; restore it from your archive"
    return None


def _compare(ws: "Workspace", loaded, kept: dict) -> str | None:
    deal = loaded.model
    inputs = manifest_inputs(ws, loaded)
    changed = sorted(name for name, digest in inputs.items() if kept.get("inputs", {}).get(name) != digest)
    changed += sorted(name for name in kept.get("inputs", {}) if name not in inputs)
    if kept.get("version") != __version__:
        changed.append(f"proposals {kept.get('version')} -> {__version__}")
    if kept.get("source_date_epoch") != source_date_epoch():
        return f"{deal.folder_name} was recorded with SOURCE_DATE_EPOCH={kept.get('source_date_epoch') or 'unset'}; set it the same way to verify the record"
    if changed:
        return f"{deal.folder_name} is {deal.status}; its inputs changed since the record ({', '.join(changed[:5])}); raise the revision to change the offer"
    return None


def _rebuilt_differs(built: "BuiltDeal", kept: dict) -> str | None:
    deal = built.deal.model
    outputs = {name: sha256(data) for name, data in sorted(built.files.items()) if not after_signature(name)}
    if outputs != kept.get("outputs"):
        differing = sorted(n for n in outputs if kept.get("outputs", {}).get(n) != outputs[n])
        return f"{deal.folder_name} is {deal.status}, but rebuilding it gives different {', '.join(differing)}; the record is kept unchanged"
    return None


def _record_problem(loaded, message: str) -> Problem:
    return Problem(loaded.where("status"), "status", message, "offer.issued-record")
