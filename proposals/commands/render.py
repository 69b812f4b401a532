"""Render one deal's documents: template -> HTML -> each format, under the workers' limits.

Runs in a worker (or in the command, without limits): the Jinja template of
each document is rendered with its context (the contract's clauses first),
checked for runaway nesting, and laid out by each writer. The problems a
writer reports are located at the document's template.
"""

from __future__ import annotations

import dataclasses
import json

from ..runtime import cache
from ..documents.assets import AssetPolicy
from ..documents.context import build_context
from ..writers.pdf import LayoutFailed, raised_in_weasyprint, render_pdf
from ..documents.labels import load_labels
from ..runtime.workers import StepLimitHit, StepTimeout
from ..errors import InputError, Location, Problem, ProblemList, TemplateError, WriterError
from ..input.loading import Loaded, Workspace
from ..pricing.quote import Quote
from ..writers.json import JsonWriter
from .revisions import changes_between
from .deal import DOCUMENTS, _path, document_stamp


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


def render_documents(ws: Workspace, loaded: Loaded, quote: Quote, formats: tuple[str, ...], progress, documents: tuple[str, ...] = DOCUMENTS, figures: bool = True) -> tuple[dict[str, bytes], list[Problem]]:
    """Render offer and contract in every format (the part that runs under the time limit).
    ``figures``: draw the full proposal's charts (``check`` renders without them)."""
    from ..documents.templating import make_environment, render

    deal, seller = loaded.model, ws.seller.model
    env = make_environment(ws.root / "templates", quote.locale, quote.currency)
    labels, label_problems = load_labels(quote.locale, ws.root / "templates")
    problems = ProblemList(list(label_problems))
    problems.raise_if_errors(TemplateError)
    quote_json = JsonWriter().render(quote)
    files: dict[str, bytes] = {"quote.json": quote_json}
    identity = docx_identity(ws, loaded, quote)
    previous = ws.previous_of(loaded)
    changes = changes_between(ws, previous, loaded) if previous is not None else None
    for document in documents:
        progress(document)
        context = dataclasses.replace(build_context(document, deal, seller, quote, labels), timestamp=document_stamp(quote).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if document == "offer" and changes is not None:
            context = dataclasses.replace(context, changes=changes)
        charts = _offer_charts(ws, deal, quote, labels) if document == "offer" and figures and not context.compact else {}
        if document == "contract":
            context, provenance, redline_clauses = contract_clauses(ws, loaded, quote, context, labels, progress)
            files["contract.json"] = provenance
            progress(document)  # the clauses are done; the time now counts for the contract template
        variants = [(document, context, formats)]
        if document == "contract" and "docx" in formats:  # the same contract, deviations as tracked changes
            variants.append(("contract-redline", dataclasses.replace(context, clauses=redline_clauses, redline=True), ("docx",)))
        template = _template_name(ws, document)
        clean: tuple[str, list[str]] | None = None  # the contract's HTML and its DOCX's issues
        for name, variant, variant_formats in variants:
            html = render(env, f"{document}.html.j2", variant.as_dict(), ws.root)
            if clean is not None and html == clean[0] and not _tracked_markup(html):
                # Nothing to mark (no deviation): the redline is the clean contract, byte for byte.
                files[f"{name}.docx"] = files[f"{document}.docx"]
                problems.extend(Problem(Location(template), "", f"{deal.folder_name}/{name}.docx: {msg}", "writer.docx", "warning") for msg in clean[1])
                continue
            check_nesting(html, template)
            for fmt in variant_formats:
                if charts:  # the charts differ per format (SVG in the PDF, PNG in the DOCX): one HTML each
                    shown = {key: {"src": chart.src(fmt), "alt": chart.alt} for key, chart in charts.items()}
                    html = render(env, f"{document}.html.j2", dataclasses.replace(variant, charts=shown).as_dict(), ws.root)
                data, issues = _laid_out(template, fmt, lambda: _write_format(fmt, ws, html, quote, document, seller.legal_name, quote_json, labels, name != document, identity + (("proposals.document", name),)))
                files[f"{name}.{fmt}"] = data
                problems.extend(Problem(Location(template), "", f"{deal.folder_name}/{name}.{fmt}: {msg}", f"writer.{fmt}", "warning") for msg in issues)
                if fmt == "docx" and name == document:
                    clean = (html, issues)
    return files, problems.items


def _tracked_markup(html: str) -> bool:
    """Whether the HTML has ``del`` or ``ins`` elements, which the redline dates differently (its
    tracked changes are the seller's of the deal's date); without them its DOCX equals the clean one."""
    return "<del" in html or "<ins" in html


def _offer_charts(ws: Workspace, deal, quote: Quote, labels: dict[str, str]) -> dict:
    from .figures import offer_charts

    return offer_charts(ws, deal, quote, labels)


def contract_clauses(ws: Workspace, loaded: Loaded, quote: Quote, context, labels: dict[str, str], progress=lambda step: None):
    """Choose, number and render the contract's clauses; return the context and contract.json."""
    from dataclasses import replace

    from ..documents.clause_render import ClauseRenderer, annex_deviations, with_struck
    from ..documents.clauses import ClauseProblem, library, select

    deal, seller = loaded.model, ws.seller.model
    try:
        selection = select(library(context.lang, ws.root / "templates"), deal, quote, seller)
        renderer = ClauseRenderer(selection, context.as_dict(), quote.locale, quote.currency, labels, progress)
        rendered = renderer.render_all()
        struck = renderer.struck()
    except ClauseProblem as exc:
        located = [Problem(loaded.where(*_path(f)), f, message, "contract.deviation") for f, message in exc.deal_fields]
        raise TemplateError(exc.problems + located) from None
    context = replace(context, clauses=rendered, numbers=selection.numbers, deviations=annex_deviations(selection, rendered, struck))
    return context, contract_provenance(quote, selection), with_struck(rendered, struck)


def contract_provenance(quote: Quote, selection) -> bytes:
    """contract.json: which clause versions went into the contract, and why; for each deviation,
    the standard clause the redline and the deviations annex compare it with (``compared``)."""
    from ..documents.clause_render import compared
    data = {
        "schema": "proposals.contract/1",
        "offer_number": quote.offer_number,
        "revision": quote.revision,
        "clauses": [
            {"number": c.number, "id": c.id, "title": c.source.title, "version": c.source.version, "file": c.source.file, "sha256": c.source.digest, "reason": c.reason, "deviation": c.deviation.action if c.deviation else None}
            for c in selection.clauses
        ],
        "struck": [{"id": s.id, "title": s.title, "version": s.version, "reason": d.reason} for s, d in selection.struck],
        "deviations": [{"clause": s.id, "number": n, "action": d.action, "reason": d.reason, "compared": compared(s)} for n, s, d in selection.deviations],
    }
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def docx_identity(ws: Workspace, loaded: Loaded, quote: Quote) -> tuple[tuple[str, str], ...]:
    """The custom document properties by which ``proposals redline`` knows a returned DOCX:
    offer, revision and the key of the record's inputs (:func:`.records.inputs_key`)."""
    from .records import inputs_key, manifest_inputs

    key = inputs_key(quote.offer_number, quote.revision, manifest_inputs(ws, loaded))
    return (("proposals.offer", quote.offer_number), ("proposals.revision", str(quote.revision)), ("proposals.inputs", key))


def _write_format(fmt: str, ws: Workspace, html: str, quote: Quote, document: str, author: str, quote_json: bytes, labels: dict[str, str], tracked: bool = False, properties: tuple = ()) -> tuple[bytes, list[str]]:
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
            revisions=(author, quote.date) if tracked else None,  # the redline's changes: the seller's, of the deal's date
            properties=properties,
        )
        return DocxWriter(_reference_docx(ws), _assets(ws)).render(html, meta)
    raise WriterError(f"unknown format {fmt}")


def _assets(ws: Workspace) -> AssetPolicy:
    """What this workspace's documents may load: templates/ and the seller's logo."""
    return AssetPolicy(ws.root, ws.seller.model.logo)


def _reference_docx(ws: Workspace) -> bytes:
    """The workspace's templates/reference.docx sanitized (the built-in one only when there is none);
    once per process, before the workers fork (see :func:`check_reference`), so they inherit it."""
    from ..writers.reference import workspace_reference

    return workspace_reference(ws.root).data


def check_reference(ws: Workspace, formats: tuple[str, ...] = ("docx",)) -> None:
    """Where DOCX files are made, sanitize the workspace's reference.docx now: what it lost
    becomes the workspace's warnings, a file that cannot be used its error (exit code 2)."""
    if "docx" not in formats:
        return
    from ..writers.reference import reference_problems

    found = reference_problems(ws.root)
    ProblemList(found).raise_if_errors(InputError)
    ws.warnings += [p for p in found if p not in ws.warnings]


def _preload(formats: tuple[str, ...], engines=None) -> None:
    """Import the writers' libraries once, before forking, so each child does not pay for it
    (WeasyPrint not where engines lay the PDFs out: they have imported it meanwhile)."""
    if "pdf" in formats and engines is None:
        from ..writers.pdf import load_weasyprint

        load_weasyprint()
    if "docx" in formats:
        import docx  # noqa: F401


def timed_render(ws, loaded, quote, formats, documents, progress):
    """render_documents in a worker, with the seconds it took (for the pack summary)."""
    from time import monotonic

    started = monotonic()
    files, warnings = render_documents(ws, loaded, quote, formats, progress, documents)
    return files, warnings + cache.take_warnings(), monotonic() - started
