"""One deal -> its files: offer and contract as PDF and DOCX, quote.json, manifest.json.

Deals are priced in this process, then rendered in forked workers (one task
per document, or per document and format when there are fewer tasks than
workers to fill), each step under a time limit. Everything is rendered in
memory first; only when every document of every requested deal rendered
without error are the files written, each deal into a temporary folder
inside ``output/`` that is then renamed into place.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, time, timezone
from pathlib import Path

from ..runtime import cache
from ..documents.assets import AssetPolicy
from ..documents.context import build_context
from ..runtime.engines import LayoutFailed, raised_in_weasyprint, render_pdf
from ..documents.labels import load_labels
from ..runtime.workers import StepLimitHit, StepTimeout, can_fork, collect_task_garbage, default_jobs
from ..errors import Location, PricingError, Problem, ProblemList, ProposalsError, TemplateError, WriterError
from ..input.loading import Loaded, Workspace
from ..pricing.lines import PricingIssue, price
from .records import approval_problems, manifest, stale_approvals, unapproved
from ..pricing.quote import Quote
from ..writers.json import JsonWriter

DOCUMENTS = ("offer", "contract")


@dataclass
class BuiltDeal:
    """The rendered files of one deal, not yet on disk."""

    deal: Loaded
    quote: Quote
    files: dict[str, bytes] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recorded: bool = False  # an issued revision whose record was verified (nothing to write)
    seconds: float = 0.0

    @property
    def folder(self) -> str:
        return self.deal.model.folder_name


DEFAULT_TIME_LIMIT = 60.0


def work_units(sizes: list[int], formats: tuple[str, ...], jobs: int) -> list[tuple[int, str, tuple[str, ...]]]:
    """How the rendering of deals (``sizes``: a rough measure of each deal's length) is cut
    into tasks: ``(deal, document, formats)``.

    One task per document, so offer and contract lay out side by side; when that
    leaves workers idle (a single deal), one task per document and format. The
    longest tasks go first (PDF before DOCX, bigger deals before smaller, offer
    before contract), so the last tasks are short and the workers finish together.
    """
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    units = [(i, document, formats) for i in order for document in DOCUMENTS]
    if len(units) < 2 * jobs and len(formats) > 1:
        units = [(i, document, (fmt,)) for fmt in formats for i in order for document in DOCUMENTS]
    return units


def render_prepared(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...], time_limit: float, jobs: int, engines=None):
    """Render priced deals in forked workers; yield ``(deal, errors)`` as each deal completes.

    A deal without errors has its files, warnings and seconds (summed over its
    tasks) filled in; otherwise ``errors`` holds what its tasks raised
    (StepLimitHit, ChildCrashed or a ProposalsError). ``engines``: the command's
    PDF engines, if it started any (engine.py).
    """
    from collections import Counter

    from ..runtime.workers import run_many

    units = work_units([_size(built) for built in prepared], formats, jobs)
    tasks = [(ws, prepared[i].deal, prepared[i].quote, fmts, (document,)) for i, document, fmts in units]
    left = Counter(i for i, _, _ in units)
    files: dict[int, dict[str, bytes]] = {i: {} for i in left}
    warnings: dict[int, list[Problem]] = {i: [] for i in left}
    errors: dict[int, list[Exception]] = {i: [] for i in left}
    seconds: dict[int, float] = dict.fromkeys(left, 0.0)
    for n, result, error in run_many(timed_render, tasks, time_limit, jobs, engines=engines):
        i = units[n][0]
        if error is None:
            files[i].update(result[0])
            warnings[i] += result[1]
            seconds[i] += result[2]
        else:
            errors[i].append(error)
        left[i] -= 1
        if left[i] == 0:
            built = prepared[i]
            if not errors[i]:
                complete_deal(ws, built, files[i], list(dict.fromkeys(warnings[i])))
                built.seconds = seconds[i]
            yield built, errors[i]


def _size(built: BuiltDeal) -> int:
    """A deal's length for scheduling: its lines and the text of the deal (criteria, stakeholders, notes)."""
    return 400 * len(built.quote.lines) + len(built.deal.model.model_dump_json())


def timed_render(ws, loaded, quote, formats, documents, progress):
    """render_documents in a worker, with the seconds it took (for the pack summary)."""
    from time import monotonic

    started = monotonic()
    files, warnings = render_documents(ws, loaded, quote, formats, progress, documents)
    return files, warnings + cache.take_warnings(), monotonic() - started


def render_errors(ws: Workspace, errors: list[Exception]) -> list[Problem]:
    """The problems of a deal's failed tasks; a crash is a bug of ours and raised as such."""
    problems: list[Problem] = []
    for error in errors:
        if isinstance(error, StepLimitHit):
            problems.append(_limit_problem(ws, error))
        elif isinstance(error, ProposalsError):
            problems += error.problems
        else:
            raise RenderCrash(str(error))
    return list(dict.fromkeys(problems))


def _render_or_raise(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...], time_limit: float | None, jobs: int, engines=None) -> list[BuiltDeal]:
    """Render every prepared deal; raise with every deal's problems if any failed."""
    if time_limit is None or not can_fork():
        from ..runtime.deepstack import on_deep_stack

        return on_deep_stack(_render_here, ws, prepared, formats)
    problems = ProblemList()
    for built, errors in render_prepared(ws, prepared, formats, time_limit, jobs, engines):
        problems.extend(render_errors(ws, errors))
    problems.raise_if_errors(TemplateError)
    return prepared


def _render_here(ws: Workspace, prepared: list[BuiltDeal], formats: tuple[str, ...]) -> list[BuiltDeal]:
    """Render every prepared deal in this process, one after the other (no time limit)."""
    for n, built in enumerate(prepared):
        if n:
            collect_task_garbage()  # as a worker does between tasks
        complete_deal(ws, built, *render_documents(ws, built.deal, built.quote, formats, progress=lambda step: None))
    return prepared


def prepare_deal(ws: Workspace, loaded: Loaded) -> BuiltDeal:
    """Price a deal and check it may be built with its status (in the parent, before rendering)."""
    quote = price_deal(ws, loaded)
    issue_problems = approval_problems(loaded, quote)
    if issue_problems:
        raise PricingError(issue_problems)
    built = BuiltDeal(loaded, quote)
    built.warnings += quote_warnings(loaded, quote)
    return built


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


class RenderCrash(RuntimeError):
    """Rendering failed with a bug; the message is the child's traceback."""


MAX_NESTING = 100


def check_nesting(html: str, template: str) -> None:
    """Refuse absurdly nested markup before a layout engine recurses into it.

    libxml2 measures the depth quickly; it stops nesting near 2,000 levels, so
    a document past the limit is counted again exactly for the message.
    """
    import lxml.etree

    depth = deepest = 0
    parser = lxml.etree.HTMLPullParser(events=("start", "end"), huge_tree=True)
    parser.feed(html)
    parser.close()
    for event, _ in parser.read_events():
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        deepest = _exact_depth(html)
        raise TemplateError([Problem(Location(template), "", f"the document nests elements {deepest} levels deep (at most {MAX_NESTING})", "template.layout")])


def _exact_depth(html: str) -> int:
    from html.parser import HTMLParser

    class Depth(HTMLParser):
        VOID = {"br", "hr", "img", "col", "meta", "link", "input", "area", "base", "wbr", "source"}

        def __init__(self):
            super().__init__()
            self.depth = self.deepest = 0

        def handle_starttag(self, tag, attrs):
            if tag not in self.VOID:
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag):
            if tag not in self.VOID:
                self.depth = max(0, self.depth - 1)

    parser = Depth()
    parser.feed(html)
    return parser.deepest


def _laid_out(template: str, fmt: str, write):
    """Run a writer; a failure inside the layout engine is the template's problem, named as such."""
    try:
        return write()
    except Exception as exc:  # noqa: BLE001 - only failures raised inside WeasyPrint are re-labelled
        if fmt == "pdf" and (isinstance(exc, LayoutFailed) or raised_in_weasyprint(exc)):
            kind = exc.kind if isinstance(exc, LayoutFailed) else type(exc).__name__
            message = f"the PDF could not be laid out ({kind}); look for absurd sizes or runaway markup"
            raise TemplateError([Problem(Location(template), "", message, "template.layout")]) from None
        raise


def _template_name(ws: Workspace, document: str) -> str:
    name = f"{document}.html.j2"
    return f"templates/{name}" if (ws.root / "templates" / name).is_file() else f"proposals/builtin/templates/{name}"


def _limit_problem(ws: Workspace, exc: StepLimitHit) -> Problem:
    """A template whose rendering hit its child's time or memory limit, named by its file."""
    step = exc.step or "offer"
    name = step if "/" in step or " " in step else f"{step}.html.j2"  # a clause file, or a document's template
    where = name if "/" in name or " " in name else f"templates/{name}" if (ws.root / "templates" / name).is_file() else f"proposals/builtin/templates/{name}"
    hint = "does a template loop or compute huge values?" if isinstance(exc, StepTimeout) else "does a template build huge values? (--memory-limit raises the limit)"
    return Problem(Location(where), "", f"rendering {exc.reason} and was stopped; {hint}", exc.kind)


def render_documents(ws: Workspace, loaded: Loaded, quote: Quote, formats: tuple[str, ...], progress, documents: tuple[str, ...] = DOCUMENTS) -> tuple[dict[str, bytes], list[Problem]]:
    """Render offer and contract in every format (the part that runs under the time limit)."""
    from ..documents.templating import make_environment, render

    deal, seller = loaded.model, ws.seller.model
    env = make_environment(ws.root / "templates", quote.locale, quote.currency)
    labels, label_problems = load_labels(quote.locale, ws.root / "templates")
    problems = ProblemList(list(label_problems))
    problems.raise_if_errors(TemplateError)
    quote_json = JsonWriter().render(quote)
    files: dict[str, bytes] = {"quote.json": quote_json}
    previous = ws.previous_of(loaded)
    changes = changes_between(ws, previous, loaded) if previous is not None else None
    for document in documents:
        progress(document)
        context = dataclasses.replace(build_context(document, deal, seller, quote, labels), timestamp=document_stamp(quote).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if document == "offer" and changes is not None:
            context = dataclasses.replace(context, changes=changes)
        if document == "contract":
            context, provenance = contract_clauses(ws, loaded, quote, context, labels, progress)
            files["contract.json"] = provenance
            progress(document)  # the clauses are done; the time now counts for the contract template
        html = render(env, f"{document}.html.j2", context.as_dict(), ws.root)
        template = _template_name(ws, document)
        check_nesting(html, template)
        for fmt in formats:
            data, issues = _laid_out(template, fmt, lambda: _write_format(fmt, ws, html, quote, document, seller.legal_name, quote_json, labels))
            files[f"{document}.{fmt}"] = data
            problems.extend(Problem(Location(template), "", f"{deal.folder_name}/{document}.{fmt}: {msg}", f"writer.{fmt}", "warning") for msg in issues)
    return files, problems.items


def check_documents(ws: Workspace, priced: list[tuple[Loaded, Quote]], time_limit: float, jobs: int) -> list[Problem]:
    """Lint every template and clause, and render them against every deal with the DOCX
    writer's vocabulary check, writing nothing: syntax, unknown and undefined variables,
    clause problems, HTML outside the vocabulary, missing images.

    The work runs in forked workers under the time limit. Findings are kept in the
    cache (:mod:`proposals.runtime.cache`) under the hash of everything that shaped them,
    so a deal (or the lint) whose inputs did not change since the last check is
    not rendered again.
    """
    from ..runtime import cache
    from ..runtime.workers import run_many
    from .records import manifest_inputs

    found: dict[int, list[Problem]] = {}
    assets = cache.workspace_files(ws.root)
    keys = [cache.key("lint", _template_sources(ws.root))]
    keys += [cache.key("render", ws.relative(loaded.path), manifest_inputs(ws, loaded), _deal_bytes(ws, loaded), assets) for loaded, _ in priced]
    tasks = [("lint", ws, None, None)] + [("render", ws, loaded, quote) for loaded, quote in priced]
    for index, name in enumerate(keys):
        kept = cache.load_problems("check", name)
        if kept is not None:
            found[index] = kept
    todo = [i for i in range(len(tasks)) if i not in found]
    if todo:
        _preload(("docx",))
    for n, result, error in run_many(_check_task, [tasks[i] for i in todo], time_limit, jobs):
        index = todo[n]
        if error is None:
            found[index] = result
        elif isinstance(error, ProposalsError):
            found[index] = list(error.problems)
        elif isinstance(error, StepLimitHit):
            found[index] = [_limit_problem(ws, error)]
            continue  # a limit hit depends on the machine: not kept
        else:
            raise RenderCrash(str(error))
        cache.store_problems("check", keys[index], [p for p in found[index] if p.kind != "cache.unwritable"])
    unique = {str(p): p for i in sorted(found) for p in found[i] + cache.take_warnings()}  # lint and rendering can report one fault alike
    return list(unique.values())


def _deal_bytes(ws: Workspace, loaded: Loaded) -> list[str]:
    """The deal file and its previous revision byte for byte: a finding's line moves with the
    text, and the status the manifest leaves out can change what a template prints."""
    from .records import sha256

    previous = ws.previous_of(loaded)
    return [sha256(p.read_bytes()) for p in [loaded.path] + ([previous.path] if previous else [])]


def _check_task(kind: str, ws: Workspace, loaded: Loaded | None, quote: Quote | None, progress) -> list[Problem]:
    if kind == "lint":
        from ..documents.lint import lint_templates

        return lint_templates(ws.root, progress) + cache.take_warnings()
    return render_documents(ws, loaded, quote, ("docx",), progress)[1] + cache.take_warnings()


def _template_sources(root: Path) -> list[tuple[str, str]]:
    """Every workspace template, clause and translation file with the hash of its content."""
    from .records import sha256

    templates = root / "templates"
    files = sorted(p for p in templates.rglob("*") if p.is_file()) if templates.is_dir() else []
    return [(p.relative_to(root).as_posix(), sha256(p.read_bytes())) for p in files]


def contract_clauses(ws: Workspace, loaded: Loaded, quote: Quote, context, labels: dict[str, str], progress=lambda step: None):
    """Choose, number and render the contract's clauses; return the context and contract.json."""
    from dataclasses import replace

    from ..documents.clause_render import ClauseRenderer
    from ..documents.clauses import ClauseProblem, library, select

    deal, seller = loaded.model, ws.seller.model
    try:
        selection = select(library(context.lang, ws.root / "templates"), deal, quote, seller)
        rendered = ClauseRenderer(selection, context.as_dict(), quote.locale, quote.currency, labels, progress).render_all()
    except ClauseProblem as exc:
        located = [Problem(loaded.where(*_path(f)), f, message, "contract.deviation") for f, message in exc.deal_fields]
        raise TemplateError(exc.problems + located) from None
    deviations = tuple({"number": n, "title": s.title, "action": d.action, "reason": d.reason} for n, s, d in selection.deviations)
    context = replace(context, clauses=rendered, numbers=selection.numbers, deviations=deviations)
    return context, contract_provenance(quote, selection)


def contract_provenance(quote: Quote, selection) -> bytes:
    """contract.json: which clause versions went into the contract, and why."""
    data = {
        "schema": "proposals.contract/1",
        "offer_number": quote.offer_number,
        "revision": quote.revision,
        "clauses": [
            {"number": c.number, "id": c.id, "title": c.source.title, "version": c.source.version, "file": c.source.file, "sha256": c.source.digest, "reason": c.reason, "deviation": c.deviation.action if c.deviation else None}
            for c in selection.clauses
        ],
        "struck": [{"id": s.id, "title": s.title, "version": s.version, "reason": d.reason} for s, d in selection.struck],
        "deviations": [{"clause": s.id, "number": n, "action": d.action, "reason": d.reason} for n, s, d in selection.deviations],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def changes_between(ws: Workspace, before: Loaded, after: Loaded):
    """Price both revisions (with today's catalog) and compare them, clauses included."""
    from ..documents.clauses import ClauseProblem, library, select
    from .revisions import compare

    old, new = price_deal(ws, before), price_deal(ws, after)
    try:
        lang = new.locale.split("_")[0]
        available = library(lang, ws.root / "templates")
        old_ids = [c.id for c in select(available, before.model, old, ws.seller.model).clauses]
        new_ids = [c.id for c in select(available, after.model, new, ws.seller.model).clauses]
    except ClauseProblem:
        old_ids = new_ids = None  # clause problems are reported by check and build, not by a comparison
    return compare(before.model, old, after.model, new, old_ids, new_ids)


def price_deal(ws: Workspace, loaded: Loaded) -> Quote:
    """Price one loaded deal; a deal that cannot be priced is a located PricingError."""
    try:
        return price(loaded.model, ws.services, ws.seller.model)
    except PricingIssue as issue:
        raise PricingError([Problem(loaded.where(*_path(issue.field)), issue.field, str(issue), "pricing.invalid")]) from None


def quote_warnings(loaded: Loaded, quote: Quote) -> list[Problem]:
    """Unapproved guardrail findings as located warnings (for the seller, never the customer)."""
    findings = [Problem(loaded.where(*_path(f.field)), f.field, f.message, f.kind, "warning") for f in unapproved(loaded.model, quote)]
    return findings + stale_approvals(loaded, quote)


def _preload(formats: tuple[str, ...], engines=None) -> None:
    """Import the writers' libraries once, before forking, so each child does not pay for it
    (WeasyPrint not where engines lay the PDFs out: they have imported it meanwhile)."""
    if "pdf" in formats and engines is None:
        from ..writers.pdf import load_weasyprint

        load_weasyprint()
    if "docx" in formats:
        import docx  # noqa: F401


def _path(field_path: str) -> tuple:
    parts: list = []
    for chunk in field_path.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        parts.append(name)
        parts += [int(i) for i in indexes]
    return tuple(parts)


def _write_format(fmt: str, ws: Workspace, html: str, quote: Quote, document: str, author: str, quote_json: bytes, labels: dict[str, str]) -> tuple[bytes, list[str]]:
    identifier = f"{quote.offer_number}-r{quote.revision}/{document}"
    stamp = document_stamp(quote)
    if fmt == "pdf":
        return render_pdf(_assets(ws), html, identifier, ("quote.json", quote_json), stamp)  # in the worker's engine, if it has one
    if fmt == "docx":
        from ..writers.docx import DocxMeta, DocxWriter

        branding = ws.seller.model.branding
        meta = DocxMeta(
            title=f"{labels[document]} {quote.offer_number}",
            author=author,
            subject=identifier,
            created=stamp,
            language=quote.locale.replace("_", "-"),
            footer_text=f"{labels[document]} {quote.offer_number}-r{quote.revision}",
            page_label=labels["page"],
            primary_color=branding.primary_color,
            paper=branding.paper,
            font=branding.font,
        )
        return DocxWriter(_reference_docx(ws), _assets(ws)).render(html, meta)
    raise WriterError(f"unknown format {fmt}")


def _assets(ws: Workspace) -> AssetPolicy:
    """What this workspace's documents may load: templates/ and the seller's logo."""
    return AssetPolicy(ws.root, ws.seller.model.logo)


def _reference_docx(ws: Workspace) -> bytes:
    """The workspace's templates/reference.docx sanitized (the built-in one only when there is none):
    done once per process when the workspace is loaded, so forked workers inherit it (docx_reference)."""
    from ..input.reference_docx import workspace_reference

    return workspace_reference(ws.root).data


def write_built(ws: Workspace, built: list[BuiltDeal], output: Path) -> list[Path]:
    """Write every deal's files atomically: temp folder in ``output/``, then rename.
    A full disk is a :class:`WriterError` naming the file; the deal's temp folder is removed."""
    with written_as(ws.relative(output)):
        output.mkdir(parents=True, exist_ok=True)
    written = []
    for deal in built:
        target = output / deal.folder
        with written_as(ws.relative(target)):
            staging = Path(tempfile.mkdtemp(prefix=f".{deal.folder}.", dir=output))
        staging.chmod(0o755)  # mkdtemp makes it private; the deal folder is for the team and CI
        try:
            for name, data in [*sorted(deal.files.items()), ("manifest.json", None)]:
                with written_as(ws.relative(target / name)):
                    (staging / name).write_bytes(manifest(ws, deal) if data is None else data)
            with written_as(ws.relative(target)):
                _replace_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        written.append(target)
    return written


@contextlib.contextmanager
def written_as(shown: str):
    """Writes inside this block are of the file ``shown``: a full disk or a refused write becomes one clear line."""
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WriterError(f"no space left on the device while writing {shown}") from None
        raise WriterError(f"could not write {shown}: {error.strerror or error}") from None


def _replace_dir(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


def render_all(ws: Workspace, deals: list[Loaded], formats: tuple[str, ...] = ("pdf", "docx"), time_limit: float | None = DEFAULT_TIME_LIMIT, jobs: int | None = None, engines=None) -> tuple[list[BuiltDeal], list[Problem]]:
    """Price every deal, then render them all in workers; raise with every deal's problems if any failed.
    ``engines``: PDF engines the command started (engine.py); the workers send them their HTML."""
    _preload(formats, engines)
    problems = ProblemList()
    prepared = []
    for loaded in deals:
        try:
            prepared.append(prepare_deal(ws, loaded))
        except PricingError as exc:
            problems.extend(exc.problems)
    try:
        rendered = _render_or_raise(ws, prepared, formats, time_limit, jobs or default_jobs(), engines)
    except TemplateError as exc:
        problems.extend(exc.problems)
    if any(p.kind.startswith(("pricing", "offer.")) for p in problems.errors):
        problems.raise_if_errors(PricingError)  # a deal must change: exit 2, with the template problems too
    problems.raise_if_errors(TemplateError)
    return rendered, [w for b in rendered for w in b.warnings]


def build(ws: Workspace, deals: list[Loaded], output: Path, formats: tuple[str, ...] = ("pdf", "docx"), time_limit: float | None = DEFAULT_TIME_LIMIT) -> tuple[list[Path], list[Problem]]:
    """Render every deal, then write them all; nothing is written if any deal fails."""
    rendered, warnings = render_all(ws, deals, formats, time_limit)
    return write_built(ws, rendered, output), warnings
