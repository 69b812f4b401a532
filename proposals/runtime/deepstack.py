"""Run rendering on one large interpreter stack chunk, so deep recursion maps no memory as it goes.

CPython (3.11 on) keeps a thread's Python frames in chunks of 16 KiB. A call
that does not fit in the current chunk gets a new one, from ``mmap``; when that
call returns the chunk is unmapped at once (CPython issue gh-142183; the fix,
in 3.13 and 3.14 releases from spring 2026, keeps one spare chunk; 3.11 and 3.12
have no fix). WeasyPrint's layout recurses deeply and goes back and forth across
such a boundary thousands of times per page, and each crossing maps a fresh chunk
and faults its pages in. For a pack of the 32 example deals that was 73 % of
400,000 page faults and 2.2 s of system time, a tenth of the pack.

:func:`on_deep_stack` calls a function from a frame whose code claims a value
stack of ``SLOTS`` entries. That frame cannot fit in a 16 KiB chunk, so CPython
gives it a chunk of 2 MiB (the next power of two above the frame and its
reserve), and every frame of the work below it lands in the free 0.8 MiB after
it: no boundary is crossed until the work is about 100,000 slots deep (thousands
of frames; Python's recursion limit stops it first). The chunk's pages are
touched as the stack first grows, and the chunk is unmapped when the call
returns: one ``mmap`` per call, so call it once around a loop of work, not
once per item.

The unused slots are never read, written or copied. One cost remains: a frame
*object* for the claiming frame (made when an exception passes through it, or
by ``sys._getframe`` walks, tracers and profilers) is allocated at full size,
about 1 MiB of address space, though its pages are never touched. Other
interpreters (PyPy) get a plain call.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Callable

SLOTS = 160_000
"""Value-stack entries claimed by the calling frame: 1.25 MiB of 8-byte entries (with or
without CPython's reserve of 1,000), so the chunk allocated for it is 2 MiB and about
0.8 MiB (100,000 entries) is left for the frames of the work."""


def _call(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def _deep_caller() -> Callable[..., Any]:
    if sys.implementation.name != "cpython":
        return _call
    try:
        # More stack than the code uses: CPython only touches slots below a frame's stack top.
        code = _call.__code__.replace(co_stacksize=SLOTS, co_name="on_deep_stack", co_qualname="on_deep_stack")
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - an interpreter without code.replace
        return _call
    caller = types.FunctionType(code, _call.__globals__, "on_deep_stack")
    caller.__qualname__ = "on_deep_stack"
    return caller


on_deep_stack: Callable[..., Any] = _deep_caller()
"""``on_deep_stack(function, *args, **kwargs)``: ``function(*args, **kwargs)``, with its frames in one large chunk."""
on_deep_stack.__doc__ = __doc__.split("\n\n")[0]
on_deep_stack.__module__ = __name__


def is_on_deep_stack() -> bool:
    """Whether the calling code runs below :func:`on_deep_stack` (for tests and diagnostics;
    it makes the 1 MiB frame object described above)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is on_deep_stack.__code__ and on_deep_stack is not _call:
            return True
        frame = frame.f_back
    return False
