"""After the signature: the implementation plan and the success reviews of a deal.

``implementation-plan`` (every deal; a draft until the deal is accepted) and
``review-<date>`` (one per review file of ``reviews/<deal>/``) are rendered like
the offer: one template, one HTML tree per format. Only the charts differ between
the formats (vector SVG in the PDF, a print PNG in the DOCX), so the template is
rendered once per format. Charts come from :mod:`..writers.charts`, the only
importer of matplotlib; the figures printed beside them come from the Decimal
standings of :mod:`..pricing.benefit`.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from ..errors import Location, Problem
from ..input.loading import Loaded, Workspace
from ..input.reviews import load_reviews, review_folder
from ..money import format_number, total
from .figures import _day, _style
from ..pricing.benefit import adherence, standings
from ..pricing.quote import Quote

PLAN = "implementation-plan"
AFTERCARE = "aftercare"  # the build's task that renders a deal's plan and reviews


def review_paths(ws: Workspace, loaded: Loaded) -> list[Path]:
    """The deal's review files, oldest name first."""
    folder = review_folder(ws, loaded)
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def check_reviews(ws: Workspace, loaded: Loaded) -> None:
    """Validate every review of the deal before anything renders (InputError with every problem)."""
    paths = review_paths(ws, loaded)
    if paths:
        load_reviews(ws, loaded, paths[-1])


def timed_task(ws: Workspace, loaded: Loaded, quote: Quote, formats: tuple[str, ...], documents: tuple[str, ...], progress):
    """A build task in a worker: the plan and reviews for ``(AFTERCARE,)``, else offer or contract (:func:`.render.timed_render`)."""
    from time import monotonic

    from ..runtime import cache
    from .render import timed_render

    if documents != (AFTERCARE,):
        return timed_render(ws, loaded, quote, formats, documents, progress)
    started = monotonic()
    progress(PLAN)
    files, warnings = aftercare_files(ws, loaded, quote, formats)
    return files, warnings + cache.take_warnings(), monotonic() - started


def aftercare_files(ws: Workspace, loaded: Loaded, quote: Quote, formats: tuple[str, ...], reviews: list[Path] | None = None, plan: bool = True) -> tuple[dict[str, bytes], list]:
    """The plan (if ``plan``) and the review documents of ``reviews`` (default: every review of the deal) in ``formats``,
    with the writers' warnings."""
    from ..documents.labels import load_labels
    from ..documents.templating import make_environment

    env = make_environment(ws.root / "templates", quote.locale, quote.currency)
    labels, _ = load_labels(quote.locale, ws.root / "templates")
    files: dict[str, bytes] = {}
    warnings: list = []
    if plan:
        files.update(_document(ws, loaded, quote, formats, env, labels, "plan", PLAN, _plan_extra(ws, loaded, quote, labels), warnings))
    for path in review_paths(ws, loaded) if reviews is None else reviews:
        history = [r.model for r in load_reviews(ws, loaded, path)]
        name = f"review-{history[-1].date.isoformat()}"
        files.update(_document(ws, loaded, quote, formats, env, labels, "review", name, _review_extra(ws, loaded, quote, labels, history), warnings))
    return files, warnings


def _document(ws, loaded, quote, formats, env, labels, template: str, name: str, extra: dict, warnings: list) -> dict[str, bytes]:
    from ..documents.context import build_context
    from ..documents.templating import render
    from .deal import document_stamp
    from .render import _laid_out, _template_name, _write_format, check_nesting, docx_identity
    from ..writers.json import JsonWriter

    deal = loaded.model
    charts = extra.pop("charts")
    context = build_context(template, deal, ws.seller.model, quote, labels)
    watermark = context.watermark if template == "review" else (None if deal.status == "accepted" else labels["draft"])
    context = dataclasses.replace(context, timestamp=document_stamp(quote).strftime("%Y-%m-%dT%H:%M:%SZ"), watermark=watermark, **extra)
    quote_json, where = JsonWriter().render(quote), _template_name(ws, template)
    identity = docx_identity(ws, loaded, quote) + (("proposals.document", name),)
    files = {}
    for fmt in formats:
        shown = {key: {"src": chart.src(fmt), "alt": chart.alt} for key, chart in charts.items()}
        html = render(env, f"{template}.html.j2", dataclasses.replace(context, charts=shown).as_dict(), ws.root)
        check_nesting(html, where)
        data, issues = _laid_out(where, fmt, lambda: _write_format(fmt, ws, html, quote, template, ws.seller.model.legal_name, quote_json, labels, False, identity))
        files[f"{name}.{fmt}"] = data
        warnings += [Problem(Location(where), "", f"{deal.folder_name}/{name}.{fmt}: {msg}", f"writer.{fmt}", "warning") for msg in issues]
    return files


def _plan_extra(ws: Workspace, loaded: Loaded, quote: Quote, labels: dict[str, str]) -> dict:
    from .figures import timeline_chart

    found = timeline_chart(ws, loaded.model, quote, labels)
    dates = {m.id: m.date for m in quote.milestones}
    return {"charts": {"timeline": found} if found is not None else {}, "milestone_dates": dates, "people": {p.name: p for p in loaded.model.buying_center}}


def _review_extra(ws: Workspace, loaded: Loaded, quote: Quote, labels: dict[str, str], history: list) -> dict:
    from ..writers.charts import kpi_history

    deal = loaded.model
    found = standings(deal, history, quote.currency)
    start = deal.terms.delivery.start or deal.date
    due = deal.success_monitoring.reviews[-1] if deal.success_monitoring.reviews else history[-1].date
    num = lambda v: format_number(v, quote.locale)  # noqa: E731
    charts = {}
    for s in found:
        if s.baseline is None or s.target is None or not s.history:
            continue
        values = ", ".join(f"{_day(quote)(d)}: {num(v)}" for d, v in s.history)
        alt = labels["alt_kpi"].format(name=s.name, baseline=f"{num(s.baseline)} {s.unit}", target=f"{num(s.target)} {s.unit}", values=values)
        points = [(d, float(v), num(v)) for d, v in s.history]  # floats for drawing only
        chart_labels = {"target": labels["target"], "baseline": labels["start_value"], "measured": labels["measured"]}
        charts[s.id] = kpi_history(s.name, s.unit, float(s.baseline), float(s.target), points, start, due, *_style(ws), alt, chart_labels)
    benefits = [s.benefit for s in found if s.benefit is not None]
    benefit = total(benefits) if benefits else None
    ratio = (benefit / quote.totals.payable * 100).quantize(Decimal("0.1")) if benefit is not None and quote.totals.payable > 0 else None
    return {"charts": charts, "review": history[-1], "reviews": tuple(history), "standings": tuple(found),
            "adherence": tuple(adherence(deal, history)), "benefit": benefit, "benefit_ratio": ratio}
