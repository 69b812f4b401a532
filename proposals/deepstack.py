"""Run rendering on one large interpreter stack chunk, so deep recursion does not map memory.

CPython (3.11 on) keeps a thread's Python frames in chunks of 16 KiB. A call
that does not fit in the current chunk gets a new one, from ``mmap``; when that
call returns the chunk is unmapped at once (CPython issue gh-142183; releases
from 2026 of 3.13 and 3.14 keep one spare chunk, 3.11 and 3.12 do not). WeasyPrint's
layout recurses deeply and goes back and forth across such a boundary thousands
of times per page, and each crossing maps a fresh chunk and faults its pages in.
For a pack of the 32 example deals that was 73 % of 400,000 page faults and
2.2 s of system time, a tenth of the pack.

:func:`on_deep_stack` calls a function from a frame whose code claims a value
stack of ``SLOTS`` entries. That frame cannot fit in a 16 KiB chunk, so CPython
gives it a chunk of 2 MiB (the next power of two above the frame and its
reserve), and every frame of the work below it lands in the free MiB after it:
no boundary is crossed until the work is over 100,000 slots deep (thousands of
frames; Python's recursion limit stops it first). Its pages are touched as the
stack first grows and are unmapped when the call returns. Elsewhere (another
interpreter or version) it is a plain call.
"""

from __future__ import annotations

import sys
import types
from typing import Any, Callable

SLOTS = 131_000
"""Value-stack entries claimed by the calling frame: with CPython's reserve of 1,000 entries
of 8 bytes, just over 1 MiB, so the chunk allocated for it is 2 MiB and about 1 MiB is left."""


def _call(function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    return function(*args, **kwargs)


def _deep_caller() -> Callable[..., Any]:
    if sys.implementation.name != "cpython":
        return _call
    try:
        code = _call.__code__.replace(co_stacksize=SLOTS)  # more stack than the code uses: never read, never written
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
    """Whether the calling code runs below :func:`on_deep_stack` (for tests and diagnostics)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is on_deep_stack.__code__ and frame.f_code is not _call.__code__:
            return True
        frame = frame.f_back
    return False
