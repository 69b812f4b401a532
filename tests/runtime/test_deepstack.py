"""Rendering runs on one large interpreter stack chunk (deepstack.py): the work's frames lie
below a frame that claims more value stack than a 16 KiB chunk holds, so a deep recursion
never crosses a chunk boundary. Workers, PDF engines and the in-process build lay out there.
What that saves (page faults with and without) is measured by benchmarks/deepstack.py."""

from __future__ import annotations

import sys
from pathlib import Path

from proposals.commands import build
from proposals.runtime import engines as engine
from proposals.runtime.deepstack import is_on_deep_stack, on_deep_stack
from proposals.runtime.workers import run_many
from proposals.input.loading import load_workspace
from proposals.writers import pdf

from ..readback import copy_minimal

DEPTH = 150  # frames of about 20 slots: 3,000 slots, more than one 16 KiB chunk (2,048)
CHUNK = 16 * 1024


def _down(n: int) -> int:
    a = b = c = d = e = f = g = h = n  # a frame of about 20 slots
    return 0 if n == 0 else _down(n - 1) + (a + b + c + d + e + f + g + h) // (8 * n)


def _where_at_the_bottom(n: int) -> bool:
    return is_on_deep_stack() if n == 0 else _where_at_the_bottom(n - 1)


def test_work_runs_below_a_frame_too_large_for_a_stack_chunk():
    """Guards against on_deep_stack becoming a plain call (the claimed value stack dropped,
    or SLOTS cut below a chunk): the work would then cross chunk boundaries again."""
    assert not is_on_deep_stack()
    assert on_deep_stack(_down, DEPTH) == _down(DEPTH) == DEPTH  # a recursion deeper than a chunk, same result
    assert on_deep_stack(_where_at_the_bottom, DEPTH)  # still on it, DEPTH frames further down
    if sys.implementation.name == "cpython":
        claiming = on_deep_stack(sys._getframe, 0)  # the frame the work is called from
        assert claiming.f_code is on_deep_stack.__code__
        # it holds the claimed slots, over 1 MiB: no 16 KiB chunk fits it, CPython gives it a 2 MiB one
        assert sys.getsizeof(claiming) > 64 * CHUNK, sys.getsizeof(claiming)


def test_on_deep_stack_passes_arguments_results_and_exceptions():
    """Guards against the caller losing keyword arguments, results or exceptions of the work."""
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
    """Guards against a worker running its task loop on the plain stack (_worker calling _run_tasks directly)."""
    results = [result for _, result, error in run_many(_where, [(), ()], 30.0, 2)]
    assert results == [True, True]


def test_pdf_engines_lay_out_on_the_deep_stack(monkeypatch, tmp_path):
    """Guards against an engine serving its requests on the plain stack."""
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
    """Guards against the in-process build (no time limit, no workers) rendering on the plain stack."""
    ws = load_workspace(copy_minimal(tmp_path / "ws"))
    seen: list[bool] = []
    original = build.render_documents

    def spy(*args, **kwargs):
        seen.append(is_on_deep_stack())
        return original(*args, **kwargs)

    monkeypatch.setattr(build, "render_documents", spy)
    rendered, _ = build.render_all(ws, ws.deals, ("docx",), time_limit=None)
    assert seen == [True] * len(ws.deals) and rendered[0].files["offer.docx"][:2] == b"PK"
