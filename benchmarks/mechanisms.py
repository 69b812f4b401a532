"""What each speed mechanism buys: every figure measured with the mechanism and without it.

    .venv/bin/python benchmarks/mechanisms.py            # every mechanism, about 20 minutes
    .venv/bin/python benchmarks/mechanisms.py --only pdf-engines deep-stack --rounds 3

For each mechanism the package is copied twice into a temporary folder; in one
copy the mechanism is switched off by replacing the body of the function that
provides it (or one line), the other stays as it is. The figures that
mechanism is for are then timed from fresh processes, the two copies
alternately (so both see the same machine state), and the script prints the
medians and the median of the paired ratios, off / on. The project keeps a
mechanism only while it pays at least 3 % of its figure on this machine
(issue #24); the README's performance section lists what each one buys.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEAL = "deals/0000-acme-maschinenbau.yaml"  # the largest example (10-page offer, 7-page contract), renumbered
DEALS = 8  # deals in the pack workspace: renumbered copies of the four example deals


def body(function: str, code: str) -> tuple[str, str, str]:
    return ("body", function, code)


def line(old: str, new: str) -> tuple[str, str, str]:
    return ("line", old, new)


# mechanism -> (what switches it off, the figures it is for). Removed after a run showed they
# paid less than 3 %: stylesheet reuse (1.021, pack of 1 worker), kept Jinja environments (1.018).
MECHANISMS: dict[str, tuple[list[tuple[str, str, str]], list[str]]] = {
    "pdf-engines": ([body("start_pdf_engines", "return None")], ["cold build", "pack, 2 workers"]),
    "deep-stack": ([body("_deep_caller", "return _call")], ["cold build", "pack, 1 worker"]),
    "kept-fonts": ([body("_kept_fonts", "yield None")], ["pack, 1 worker"]),
    "gc-tuning": ([body("collect_less", "return None"), body("collect_task_garbage", "return None"), line("        gc.freeze()", "        pass")],
                  ["pack, 1 worker", "pack, 2 workers"]),
    "ldconfig-lookup": ([body("_ldconfig_libraries", "return None")], ["cold build"]),
    "check-cache": ([body("load_problems", "return None"), body("store_problems", "return None")], ["check"]),
    "template-bytecode-cache": ([body("documents/templating.py:bytecode_cache", "return None")], ["cold build", "check"]),
    "pydantic-plugins-off": ([line('    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")', "    pass")], ["quote"]),
}


def figure_command(name: str, ws: Path, out: Path) -> list[str]:
    return {
        "cold build": ["build", DEAL, "-o", str(out)],
        "pack, 1 worker": ["pack", "--jobs", "1", "--force", "-o", str(out)],
        "pack, 2 workers": ["pack", "--jobs", "2", "--force", "-o", str(out)],
        "check": ["check"],
        "quote": ["quote", DEAL],
    }[name]


def switch_off(package: Path, edits: list[tuple[str, str, str]]) -> None:
    """Apply each edit to the one module of ``package`` that holds it; fail if it is not found exactly once."""
    for kind, target, code in edits:
        hits = 0
        where, _, target = target.rpartition(":")  # "documents/templating.py:bytecode_cache": that module only
        for path in sorted(package.glob(where) if where else package.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if kind == "line":
                if target in text.split("\n"):
                    path.write_text("\n".join(code if l == target else l for l in text.split("\n")), encoding="utf-8")
                    hits += 1
                continue
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == target:
                    lines = text.split("\n")
                    first = node.body[0]
                    keep_doc = isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant) and isinstance(first.value.value, str)
                    start = (first.end_lineno if keep_doc else first.lineno - 1)
                    indent = re.match(r"\s*", lines[first.lineno - 1]).group()
                    lines[start:node.end_lineno] = [indent + code]
                    path.write_text("\n".join(lines), encoding="utf-8")
                    hits += 1
                    break
        if hits != 1:
            raise SystemExit(f"{target}: found {hits} times in the package, expected once; update MECHANISMS")


def workspace(temp: Path) -> Path:
    """The pack workspace of performance.py (renumbered copies of the example deals), without
    the package's own folder (``python -m`` would import it from the working folder)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from performance import pack_workspace

    ws = pack_workspace(temp / "ws", DEALS)
    shutil.rmtree(ws / "proposals", ignore_errors=True)
    return ws


def timed(package_parent: Path, ws: Path, args: list[str], cache: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(package_parent), "PROPOSALS_CACHE_DIR": str(cache)}
    env.pop("SOURCE_DATE_EPOCH", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "proposals", *args], cwd=ws, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def measure(name: str, edits, figures: list[str], temp: Path, rounds: int) -> list[str]:
    place = temp / name
    on, off = place / "on", place / "off"
    for variant in (on, off):
        shutil.copytree(REPO / "proposals", variant / "proposals", ignore=shutil.ignore_patterns("__pycache__"))
    switch_off(off / "proposals", edits)
    for variant in (on, off):
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(variant / "proposals")], check=True)
    ws = workspace(place)
    rows = []
    for figure in figures:
        seconds: dict[Path, list[float]] = {on: [], off: []}
        ratios = []
        for variant in (on, off):  # warm-up: caches filled, files in the page cache
            timed(variant, ws, figure_command(figure, ws, place / f"out-{variant.name}"), place / f"cache-{variant.name}")
        for r in range(rounds):
            order = (on, off) if r % 2 == 0 else (off, on)
            got = {v: timed(v, ws, figure_command(figure, ws, place / f"out-{v.name}"), place / f"cache-{v.name}") for v in order}
            for v in got:
                seconds[v].append(got[v])
            ratios.append(got[off] / got[on])
        with_, without = statistics.median(seconds[on]), statistics.median(seconds[off])
        ratio = statistics.median(ratios)
        verdict = "pays" if ratio >= 1.03 else "does not pay"
        rows.append(f"| {name} | {figure} | {with_:.3f} s | {without:.3f} s | {ratio:.3f} | {verdict} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=sorted(MECHANISMS), help="measure only these mechanisms")
    parser.add_argument("--rounds", type=int, default=5, help="paired runs per figure (default 5)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="proposals-mechanisms-") as name:
        for mechanism in args.only or list(MECHANISMS):
            edits, figures = MECHANISMS[mechanism]
            rows += measure(mechanism, edits, figures, Path(name), args.rounds)
    print(f"Medians of {args.rounds} paired runs from fresh processes; packs of {DEALS} renumbered copies of the example deals.\n")
    print("| mechanism | figure | with it | without it | paired ratio, without / with | verdict (>= 1.03) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
