"""Run a rendering step in a forked child process with a time limit per step.

Why: a template can make Jinja or the layout engine run away (``{{ 7**999999999 }}``
hangs Jinja's compiler even in the sandbox; absurd CSS sizes stall layout),
and such a loop cannot be interrupted inside the process. The child reports
each step it starts ("offer", "contract"); every step gets ``limit`` seconds.
A child past its limit is killed and the step is named in the error.
Expected failures (``ProposalsError``) come back with their problems; anything
else comes back as a traceback text for the internal-error report.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from time import monotonic
from typing import Any, Callable

from .errors import ProposalsError


class StepTimeout(Exception):
    """A step ran past its limit; ``step`` names it."""

    def __init__(self, step: str | None, limit: float):
        self.step, self.limit = step, limit
        super().__init__(f"{step or 'rendering'} took longer than {limit:g} s")


class ChildCrashed(RuntimeError):
    """The child failed unexpectedly; the message holds its traceback."""


def _die_with_parent() -> None:
    """Linux: a killed parent takes its children along (they would block on a full pipe)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(conn, target: Callable[..., Any], args: tuple) -> None:
    _die_with_parent()
    try:
        result = target(*args, progress=lambda step: conn.send(("step", step)))
        conn.send(("ok", result))
    except ProposalsError as exc:
        conn.send(("error", (type(exc), exc.problems)))
    except BaseException:  # noqa: BLE001 - reported to the parent as an internal error
        conn.send(("crash", traceback.format_exc()))
    finally:
        conn.close()


def run_limited(target: Callable[..., Any], args: tuple, limit: float) -> Any:
    """``target(*args, progress=...)`` in one forked child; each reported step gets ``limit`` seconds."""
    for _, result, error in run_many(target, [args], limit, 1):
        if error is not None:
            raise error
        return result


def can_fork() -> bool:
    return hasattr(os, "fork")


class _Running:
    """One forked child at work on one task."""

    def __init__(self, index: int, target: Callable[..., Any], args: tuple, limit: float):
        context = multiprocessing.get_context("fork")
        self.index, self.limit = index, limit
        self.receiver, sender = context.Pipe(duplex=False)
        self.process = context.Process(target=_child, args=(sender, target, args), daemon=True)
        self.process.start()
        sender.close()
        self.step, self.deadline = None, monotonic() + limit

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.receiver.close()


def run_many(target: Callable[..., Any], tasks: list[tuple], limit: float, jobs: int):
    """Run ``target(*task, progress=...)`` for every task in at most ``jobs`` forked children.

    Yields ``(index, result, error)`` as tasks finish; ``error`` is a StepTimeout,
    a ChildCrashed or the ProposalsError the child raised. Each reported step of
    a task gets ``limit`` seconds; an overrunning child is killed.
    """
    from multiprocessing.connection import wait

    pending = list(enumerate(tasks))
    running: dict[Any, _Running] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                index, task = pending.pop(0)
                child = _Running(index, target, task, limit)
                running[child.receiver] = child
            timeout = max(0.0, min(c.deadline for c in running.values()) - monotonic())
            for receiver in wait(list(running), timeout=timeout):
                child = running[receiver]
                outcome = _receive(child)
                if outcome is not None:
                    del running[receiver]
                    child.stop()
                    yield (child.index, *outcome)
            for receiver, child in list(running.items()):
                if monotonic() >= child.deadline:
                    del running[receiver]
                    child.stop()
                    yield child.index, None, StepTimeout(child.step, child.limit)
    finally:
        for child in running.values():
            child.stop()


def _receive(child: _Running):
    """Read one message; return (result, error) when the child is done, else None."""
    try:
        kind, payload = child.receiver.recv()
    except EOFError:
        child.process.join()
        return None, ChildCrashed(f"the rendering process ended unexpectedly (exit code {child.process.exitcode})")
    if kind == "step":
        child.step, child.deadline = payload, monotonic() + child.limit
        return None
    if kind == "ok":
        return payload, None
    if kind == "error":
        error_type, problems = payload
        return None, error_type(problems)
    return None, ChildCrashed(payload)
