"""Rendering runs on one large interpreter stack chunk (deepstack.py): a recursion that goes
back and forth across a 16 KiB chunk boundary maps and faults in a fresh chunk each time
on a plain stack, and faults in nothing on the deep one. Workers, PDF engines and the
in-process build lay out there."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from proposals.commands import build
from proposals.runtime import engines as engine
from proposals.runtime.deepstack import is_on_deep_stack, on_deep_stack
from proposals.runtime.workers import run_many
from proposals.input.loading import load_workspace
from proposals.writers import pdf

from ..readback import copy_minimal

DEPTH = 150  # frames of about 20 slots: 3,000 slots, more than one 16 KiB chunk (2,048), so every descent crosses a boundary
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


def test_deep_recursion_faults_in_no_pages_on_the_deep_stack():
    assert on_deep_stack(_down, 10) == _down(10) == 10
    _descents(), on_deep_stack(_descents)  # warm: the code and its caches
    plain, deep = _descents(), on_deep_stack(_descents)
    # each call maps a fresh 2 MiB chunk; its first pages fault in once, not at every descent
    assert deep < 50, f"{deep} page faults for {DESCENTS} descents on the deep stack"
    if sys.implementation.name == "cpython" and sys.version_info[:2] in ((3, 11), (3, 12)):
        # the cause, on the interpreters that unmap a chunk as soon as the stack leaves it
        assert plain >= DESCENTS, f"only {plain} page faults on a plain stack: the chunk is not unmapped each time"


def test_on_deep_stack_passes_arguments_results_and_exceptions():
    assert on_deep_stack(dict, [("a", 1)], b=2) == {"a": 1, "b": 2}
    assert not is_on_deep_stack()
    assert on_deep_stack(is_on_deep_stack)
    try:
        on_deep_stack(int, "not a number")
    except ValueError as exc:
        assert "not a number" in str(exc)
    else:
        raise AssertionError("the exception was lost")


def _where(progress) -> bool:
    return is_on_deep_stack()


def test_workers_run_their_tasks_on_the_deep_stack():
    results = [result for _, result, error in run_many(_where, [(), ()], 30.0, 2)]
    assert results == [True, True]


def test_pdf_engines_lay_out_on_the_deep_stack(monkeypatch, tmp_path):
    # An engine is forked from this process, so it inherits the patched writer.
    monkeypatch.setattr(pdf.PdfWriter, "render", lambda self, *a: (b"deep" if is_on_deep_stack() else b"plain", []))
    engines = pdf.start_engines(1)
    try:
        _, connection = engines.take()
        engine.attach(connection)
        # laid out here, in the test's process, it would say "plain"
        assert pdf.render_pdf(Path(tmp_path), "<p>x</p>", "id", None, None) == (b"deep", [])
    finally:
        engine._ATTACHED.clear()
        engines.close()


def test_a_build_without_workers_lays_out_on_the_deep_stack(monkeypatch, tmp_path):
    ws = load_workspace(copy_minimal(tmp_path / "ws"))
    seen: list[bool] = []
    original = build.render_documents

    def spy(*args, **kwargs):
        seen.append(is_on_deep_stack())
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "render_documents", spy)
    rendered, _ = build.render_all(ws, ws.deals, ("docx",), time_limit=None)
    assert seen == [True] * len(ws.deals) and rendered[0].files["offer.docx"][:2] == b"PK"
