"""The redline round trip of the acme example (issue #18), step by step: medians over rounds.

    .venv/bin/python benchmarks/redline.py              # 5 rounds
    .venv/bin/python benchmarks/redline.py --rounds 3

Each round, in a fresh copy of the example workspace: issue revision 2 (``build`` with
``status: issued``), the customer's redline in LibreOffice (headless, over UNO: change
recording on, two clauses edited, a sentence deleted; LibreOffice's time, not ours),
``proposals redline --write``, ``build`` of revision 3, ``diff`` of 2 against 3. Every
step of ours is the wall time of the real command in a new process, as a user runs it.
Printed: the median of each step and of our sum, with and without the issue build, and
the verdict against the target (under 3 s of our own time from the returned file to
revision 3 and its diff). Nothing here is a test; tests/commands/test_redline_*.py check
what the steps produce.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.commands.test_redline_libreoffice import EDIT, EDITS  # noqa: E402
from tests.libreoffice import Office  # noqa: E402

DEAL = "deals/acme-maschinenbau.yaml"
NEXT = "deals/acme-maschinenbau-r3.yaml"
TARGET = 3.0


def proposals(ws: Path, *args: str) -> float:
    """Seconds of one ``proposals`` command in a new process (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "proposals", *args, "-w", str(ws)], cwd=ws, capture_output=True, text=True,
                          env={**os.environ, "PYDANTIC_DISABLE_PLUGINS": "__all__"})
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"proposals {' '.join(args)} failed:\n{done.stderr}")
    return seconds


def workspace(temp: Path, n: int) -> Path:
    ws = temp / f"ws{n}"
    shutil.copytree(REPO, ws, ignore=shutil.ignore_patterns(".git", ".venv", "output", "tests", "benchmarks", "mutants", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    deal = ws / DEAL
    deal.write_text(deal.read_text().replace("revision: 2\n", "revision: 2\nstatus: issued\nissued_on: 2026-11-25\n", 1))
    return ws


def one_round(office: Office, temp: Path, n: int) -> dict[str, float]:
    ws = workspace(temp, n)
    steps = {"issue (build r2)": proposals(ws, "build", DEAL)}
    sent = temp / f"sent{n}.docx"
    shutil.copy(ws / "output" / "NW-2026-041-r2" / "contract.docx", sent)
    returned = temp / f"returned{n}.docx"
    start = time.perf_counter()
    office.run(EDIT, path=str(sent), out=str(returned), edits=EDITS)
    steps["LibreOffice edits (not ours)"] = time.perf_counter() - start
    steps["redline --write"] = proposals(ws, "redline", DEAL, str(returned), "--write")
    steps["build r3"] = proposals(ws, "build", NEXT)
    steps["diff r2 r3"] = proposals(ws, "diff", DEAL, NEXT)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    rounds = parser.parse_args().rounds
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {rounds} rounds")
    with tempfile.TemporaryDirectory(prefix="proposals-redline-bench-") as name, Office() as office:
        temp = Path(name)
        one_round(office, temp, 0)  # warm: soffice's first start, the page caches
        results = [one_round(office, temp, n) for n in range(1, rounds + 1)]
    medians = {step: statistics.median(r[step] for r in results) for step in results[0]}
    for step, seconds in medians.items():
        print(f"  {step:32} {seconds:6.2f} s")
    ours = ("redline --write", "build r3", "diff r2 r3")
    loop = statistics.median(sum(r[s] for s in ours) for r in results)
    whole = statistics.median(sum(r[s] for s in ours + ("issue (build r2)",)) for r in results)
    print(f"  {'ours, returned file -> r3 + diff':32} {loop:6.2f} s  (target < {TARGET:.0f} s: {'met' if loop < TARGET else 'NOT met'})")
    print(f"  {'ours, with the issue build':32} {whole:6.2f} s")


if __name__ == "__main__":
    main()
