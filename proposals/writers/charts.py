"""Charts for the documents: one figure, vector SVG for the PDF and a print PNG for the DOCX.

The only importer of matplotlib (its Agg and SVG backends, no GUI); ``check``,
``quote`` and documents without figures never load it. Bytes are reproducible:
no dates in the metadata, a fixed ``svg.hashsalt``, text drawn as paths in the
document's font. Floats are for drawing only: every amount printed in a document
comes from the Decimal figures, never from a chart.
"""

from __future__ import annotations

import base64
import datetime
import io
from dataclasses import dataclass

PRINT_DPI = 300
WIDTH_IN = 6.3  # the text width of A4 with the documents' margins


@dataclass(frozen=True)
class Chart:
    """One figure in both forms, with its alternative text."""

    svg: bytes
    png: bytes
    alt: str

    def src(self, fmt: str) -> str:
        """The ``<img src>`` for a writer: SVG for the PDF (vector), PNG for the DOCX."""
        if fmt == "pdf":
            return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _pyplot(font: str):
    import os

    # numpy's OpenBLAS reserves buffers for a thread per core when imported: address space a worker
    # under its memory limit cannot spare, and charts never multiply matrices.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "proposals", "svg.fonttype": "path", "font.family": "sans-serif",
        "font.sans-serif": [font, "Carlito", "Liberation Sans", "DejaVu Sans"], "font.size": 8,
        "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#888888",
        "axes.labelcolor": "#333333", "xtick.color": "#333333", "ytick.color": "#333333",
        "path.simplify": False,
    })
    return plt


def _finish(plt, fig, alt: str) -> Chart:
    svg, png = io.BytesIO(), io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    fig.savefig(png, format="png", dpi=PRINT_DPI, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return Chart(svg.getvalue(), png.getvalue(), alt)


def timeline(milestones: list[tuple[str, datetime.date]], reviews: list[tuple[str, datetime.date]], span: tuple[str, datetime.date, datetime.date] | None,
             colour: str, font: str, alt: str, locale_dates=None) -> Chart:
    """Milestones (diamonds, in the primary colour) and review dates (circles, grey) on one time axis; ``span`` as a bar."""
    import matplotlib.dates as mdates

    plt = _pyplot(font)
    events = [(d, label, "m") for label, d in milestones] + [(d, label, "r") for label, d in reviews]
    events.sort(key=lambda e: e[0])
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.45 + 0.28 * max(len(events), 1)))
    if span is not None:
        label, begin, end = span
        ax.barh(len(events), (end - begin).days or 1, left=mdates.date2num(begin), height=0.5, color=colour, alpha=0.35)
        ax.annotate(label, (mdates.date2num(end), len(events)), xytext=(7, 0), textcoords="offset points", va="center", fontsize=7.5, color="#222222")
        span = (begin, end)
    for row, (day, label, kind) in enumerate(reversed(events)):
        marker, face = ("D", colour) if kind == "m" else ("o", "#777777")
        ax.plot([mdates.date2num(day)], [row], marker=marker, color=face, markersize=6, linestyle="none")
        text = f"{label} · {locale_dates(day) if locale_dates else day.isoformat()}"
        ax.annotate(text, (mdates.date2num(day), row), xytext=(7, 0), textcoords="offset points", va="center", fontsize=7.5, color="#222222")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%Y"))
    ax.set_ylim(-0.7, len(events) + 0.7 if span is not None else len(events) - 0.3)
    first = min([e[0] for e in events] + ([span[0]] if span else []))
    last = max([e[0] for e in events] + ([span[1]] if span else []))
    pad = max((last - first).days * 0.05, 3)
    ax.set_xlim(mdates.date2num(first) - pad, mdates.date2num(last) + pad + (last - first).days * 0.45 + 20)
    return _finish(plt, fig, alt)


def kpi_history(name: str, unit: str, baseline: float, target: float, points: list[tuple[datetime.date, float, str]], start: datetime.date,
                due: datetime.date, colour: str, font: str, alt: str, labels: dict[str, str]) -> Chart:
    """One KPI: the baseline at the start, the target line to the due date, every review's measurement."""
    import matplotlib.dates as mdates

    plt = _pyplot(font)
    fig, ax = plt.subplots(figsize=(WIDTH_IN / 2 - 0.1, 2.1))
    x0, x1 = mdates.date2num(start), mdates.date2num(max([due] + [d for d, _, _ in points]))
    ax.plot([x0, x1], [target, target], color=colour, linestyle="--", linewidth=1, label=labels["target"])
    ax.plot([x0, x1], [baseline, baseline], color="#999999", linestyle=":", linewidth=1, label=labels["baseline"])
    xs = [x0] + [mdates.date2num(d) for d, _, _ in points]
    ys = [baseline] + [v for _, v, _ in points]
    ax.plot(xs, ys, color=colour, marker="o", markersize=4, linewidth=1.5, label=labels["measured"])
    for x, y, (_, _, shown) in zip(xs[1:], ys[1:], points):
        ax.annotate(shown, (x, y), xytext=(0, 5), textcoords="offset points", ha="center", fontsize=7)
    ax.set_title(name, fontsize=8.5, loc="left", color="#222222")
    ax.set_ylabel(unit)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=5))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m/%y"))
    low, high = min(ys + [target]), max(ys + [target])
    margin = (high - low) * 0.2 or 1
    ax.set_ylim(low - margin, high + margin)
    ax.legend(fontsize=6.5, frameon=False, loc="best")
    return _finish(plt, fig, alt)


def cost_over_term(years: list[tuple[str, float, float, str]], labels: dict[str, str], colour: str, font: str, alt: str) -> Chart:
    """Stacked bars per contract year: one-off (primary colour) below recurring (lighter); each bar's total above it.
    ``years``: (label, one-off, recurring, the total as printed)."""
    plt = _pyplot(font)
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.62, 2.2))
    xs = range(len(years))
    one_off = [y[1] for y in years]
    recurring = [y[2] for y in years]
    ax.bar(xs, one_off, width=0.55, color=colour, label=labels["one_off"])
    ax.bar(xs, recurring, width=0.55, bottom=one_off, color=colour, alpha=0.4, label=labels["recurring"])
    for x, (_, a, b, shown) in zip(xs, years):
        ax.annotate(shown, (x, a + b), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=7.5)
    ax.set_xticks(list(xs), [y[0] for y in years])
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(0, max(a + b for _, a, b, _ in years) * 1.18 or 1)
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    return _finish(plt, fig, alt)
