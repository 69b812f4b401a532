"""Page faults of deep recursion with and without the deep stack (proposals/runtime/deepstack.py).

    .venv/bin/python benchmarks/deepstack.py             # 15 rounds
    .venv/bin/python benchmarks/deepstack.py --rounds 5

A recursion DEPTH frames deep goes back and forth across a 16 KiB stack chunk
boundary. On CPython 3.11 and 3.12 (and 3.13/3.14 before the gh-142183 fix) the
chunk is unmapped each time the stack leaves it, so every descent maps a fresh
chunk and faults its pages in; below :func:`on_deep_stack` the whole recursion
fits in one 2 MiB chunk, whose pages fault in once. This prints the minor page
faults of DESCENTS descents on the plain stack and on the deep stack: medians
over the rounds, plain and deep measured alternately. Nothing here is a test:
the counts depend on the interpreter (which versions unmap the chunk) and the
kernel; tests/runtime/test_deepstack.py checks that the work runs on the deep stack.
"""

from __future__ import annotations

import argparse
import platform
import resource
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from proposals.runtime.deepstack import on_deep_stack  # noqa: E402

DEPTH = 150  # frames of about 20 slots: 3,000 slots, more than one 16 KiB chunk (2,048 slots)
DESCENTS = 2_000


def _down(n: int) -> int:
    a = b = c = d = e = f = g = h = n  # a frame of about 20 slots
    return 0 if n == 0 else _down(n - 1) + (a + b + c + d + e + f + g + h) // (8 * n)


def _faults() -> int:
    """Minor page faults of this thread so far (of the process where threads cannot be told apart)."""
    return resource.getrusage(getattr(resource, "RUSAGE_THREAD", resource.RUSAGE_SELF)).ru_minflt


def _descents() -> int:
    """Page faults of DESCENTS recursions DEPTH frames deep, from where it is called."""
    before = _faults()
    for _ in range(DESCENTS):
        _down(DEPTH)
    return _faults() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="measurements of each (default 15)")
    rounds = parser.parse_args().rounds
    _descents(), on_deep_stack(_descents)  # warm: the code and its caches
    plain, deep = [], []
    for _ in range(rounds):
        plain.append(_descents())
        deep.append(on_deep_stack(_descents))
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"{DESCENTS} descents {DEPTH} frames deep, median minor page faults over {rounds} rounds:")
    print(f"  plain stack: {statistics.median(plain):>8.0f}   (min {min(plain)}, max {max(plain)})")
    print(f"  deep stack:  {statistics.median(deep):>8.0f}   (min {min(deep)}, max {max(deep)})")


if __name__ == "__main__":
    main()
