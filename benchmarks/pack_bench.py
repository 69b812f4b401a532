"""Pack benchmark: synthetic deals from the example catalog; prints medians and ratios.

    .venv/bin/python benchmarks/pack_bench.py --deals 10 100 --repeat 3

For each deal count: seconds per deal with one worker, pack throughput with 1
and N workers (their ratio is the parallel efficiency), the no-op incremental
pack, and the peak memory of a worker. Nothing here is a test; numbers are
for the README's performance section and for comparing changes.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROPOSALS = [sys.executable, "-m", "proposals"]


def workspace(root: Path, count: int) -> Path:
    """A copy of the example workspace with ``count`` deals made from the four examples."""
    ws = root / f"ws{count}"
    shutil.copytree(REPO, ws, ignore=shutil.ignore_patterns(".git", ".venv", "output", "tests", "benchmarks", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    sources = sorted((REPO / "deals").glob("*.yaml"))
    shutil.rmtree(ws / "deals")
    (ws / "deals").mkdir()
    shutil.copytree(REPO / "deals" / "history", ws / "deals" / "history")
    for n in range(count):
        source = sources[n % len(sources)]
        text = source.read_text(encoding="utf-8").replace("previous_revision: deals/history/acme-maschinenbau-r1.yaml\n", "")
        number = text.split("offer_number:", 1)[1].split("\n", 1)[0].strip()
        (ws / "deals" / f"{n:04d}-{source.name}").write_text(text.replace(f"offer_number: {number}", f"offer_number: BENCH-{n:04d}", 1), encoding="utf-8")
    return ws


def run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(PROPOSALS + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - started


def peak_child_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure(ws: Path, count: int, repeat: int, jobs: int) -> dict[str, float]:
    out = ws / "out"
    single, parallel, noop = [], [], []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        single.append(run(["pack", "-w", str(ws), "-o", str(out), "--jobs", "1"]))
        shutil.rmtree(out, ignore_errors=True)
        parallel.append(run(["pack", "-w", str(ws), "-o", str(out), "--jobs", str(jobs)]))
        noop.append(run(["pack", "-w", str(ws), "-o", str(out), "--jobs", str(jobs)]))
    one, many = statistics.median(single), statistics.median(parallel)
    return {"deals": count, "s_per_deal_1": one / count, "deals_per_s_1": count / one, f"deals_per_s_{jobs}": count / many, "speedup": one / many, "noop_s": statistics.median(noop), "peak_mib": peak_child_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, nargs="+", default=[10])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}")
    print(f"medians of {args.repeat} runs; N = {args.jobs} workers; each deal: offer and contract, PDF and DOCX")
    header = f"{'deals':>6} {'s/deal (1 worker)':>18} {'deals/s (1)':>12} {f'deals/s ({args.jobs})':>12} {'speedup':>8} {'no-op pack s':>13} {'peak worker MiB':>16}"
    print(header)
    with tempfile.TemporaryDirectory() as temp:
        for count in args.deals:
            r = measure(workspace(Path(temp), count), count, args.repeat, args.jobs)
            print(f"{r['deals']:>6} {r['s_per_deal_1']:>18.2f} {r['deals_per_s_1']:>12.2f} {r[f'deals_per_s_{args.jobs}']:>12.2f} {r['speedup']:>8.2f} {r['noop_s']:>13.2f} {r['peak_mib']:>16.0f}")


if __name__ == "__main__":
    main()
