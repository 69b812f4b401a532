"""The cost of the charts per document (issue #21), measured in one warm process.

    .venv/bin/python benchmarks/charts.py            # 5 repeats
    .venv/bin/python benchmarks/charts.py --repeat 9

For the example's accepted deal (deals/kessler-pumpen.yaml): the first import of
matplotlib (once per process; the light commands never pay it), drawing the
plan's timeline and one review's KPI charts (SVG and PNG), and the whole plan and
review documents (PDF and DOCX) with their charts, as medians. A separate script
from performance.py, which another change was editing at the time; its rows can
move there. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
DEAL = ROOT / "deals" / "kessler-pumpen.yaml"
REVIEW = ROOT / "reviews" / "kessler-pumpen" / "2027-10-13.yaml"


def median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = perf_counter()
        fn()
        times.append(perf_counter() - started)
    return statistics.median(times)


def import_cost() -> float:
    """A fresh interpreter importing matplotlib and pyplot (Agg), minus a bare interpreter."""
    code = "import time; t = time.perf_counter(); import matplotlib; matplotlib.use('Agg'); import matplotlib.pyplot; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    sys.path.insert(0, str(ROOT))
    from proposals.commands import aftercare
    from proposals.commands.deal import price_deal
    from proposals.input.loading import load_workspace

    ws = load_workspace(ROOT, [DEAL])
    loaded = ws.deals[0]
    quote = price_deal(ws, loaded)
    from proposals.documents.labels import load_labels

    labels, _ = load_labels(quote.locale, ROOT / "templates")
    from proposals.input.reviews import load_reviews

    history = [r.model for r in load_reviews(ws, loaded, REVIEW)]
    rows = [("import matplotlib + pyplot (fresh process, once)", import_cost())]
    aftercare._plan_extra(ws, loaded, quote, labels)  # warm: fonts found, caches filled
    rows.append(("plan: timeline chart (SVG + PNG)", median(lambda: aftercare._plan_extra(ws, loaded, quote, labels), repeat)))
    rows.append(("review: 2 KPI charts (SVG + PNG)", median(lambda: aftercare._review_extra(ws, loaded, quote, labels, history), repeat)))
    rows.append(("plan document, PDF + DOCX, charts included", median(lambda: aftercare.aftercare_files(ws, loaded, quote, ("pdf", "docx"), reviews=[]), repeat)))
    rows.append(("review document, PDF + DOCX, charts included", median(lambda: aftercare.aftercare_files(ws, loaded, quote, ("pdf", "docx"), reviews=[REVIEW], plan=False), repeat)))
    print("| step | median seconds |\n|---|---|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
