"""Run rendering tasks in forked worker processes with a time limit per step.

Workers are forked after the parent has loaded the workspace and imported the
writers, and each takes task after task, so no task pays for an interpreter
start or for cold caches.

Why: a template can make Jinja or the layout engine run away (``{{ 7**999999999 }}``
hangs Jinja's compiler even in the sandbox; absurd CSS sizes stall layout),
and such a loop cannot be interrupted inside the process. The child reports
each step it starts ("offer", "contract"); every step gets ``limit`` seconds.
A child past its limit is killed and the step is named in the error. Each
child also runs under a memory limit (``{{ "A" * 10**9 }}`` would otherwise
take the machine's memory): an allocation past it fails in the child, which
reports the step and is replaced.
Expected failures (``ProposalsError``) come back with their problems; anything
else comes back as a traceback text for the internal-error report.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from time import monotonic
from typing import Any, Callable

from ..errors import ProposalsError
from . import processes


class StepLimitHit(Exception):
    """A step hit a limit of its child process; ``step`` names it, ``reason`` says which limit."""

    kind = "template.limit"

    def __init__(self, step: str | None, reason: str):
        self.step, self.reason = step, reason
        super().__init__(f"{step or 'rendering'} {reason}")


class StepTimeout(StepLimitHit):
    """A step ran past its time limit."""

    kind = "template.timeout"

    def __init__(self, step: str | None, limit: float):
        self.limit = limit
        super().__init__(step, f"took longer than {limit:g} s")


class StepOutOfMemory(StepLimitHit):
    """A step needed more memory than the child's limit."""

    kind = "template.memory"

    def __init__(self, step: str | None, limit: int = 0):
        self.limit = limit or processes.MEMORY_LIMIT
        super().__init__(step, f"needed more than {self.limit // 2**20} MiB of memory")


class ChildCrashed(RuntimeError):
    """The child failed unexpectedly; the message holds its traceback."""


def _worker(conn, target: Callable[..., Any], tasks: list[tuple], engine=None) -> None:
    """A forked worker: runs the tasks whose indexes it receives until told to stop (None).

    It inherits ``tasks`` and everything the parent loaded (workspace, imported
    writers, compiled templates), so a task is sent as its index only; and it
    keeps its own caches warm from one task to the next. The tasks run on one
    large stack chunk (deepstack.py). ``engine``: the connection to its PDF
    engine, if the command started engines (see engine.py).
    """
    from .deepstack import on_deep_stack

    processes.die_with_parent()
    processes.limit_memory()
    processes.collect_less()
    if engine is not None:
        from .engines import attach

        attach(engine)
    on_deep_stack(_run_tasks, conn, target, tasks)


def _run_tasks(conn, target: Callable[..., Any], tasks: list[tuple]) -> None:
    """The worker's loop: one task per index received, its result or its problems sent back."""
    for index in processes.requests(conn):
        try:
            result = target(*tasks[index], progress=lambda step: conn.send(("step", step)))
            conn.send(("ok", result))
        except ProposalsError as exc:
            conn.send(("error", (type(exc), exc.problems)))
        except MemoryError:
            result = None
            conn.send(("memory", processes.MEMORY_LIMIT))
            return  # the parent starts a fresh worker
        except BaseException:  # noqa: BLE001 - reported to the parent as an internal error
            conn.send(("crash", traceback.format_exc()))
            return  # its state is suspect: the parent starts a fresh worker
        result = None


def run_limited(target: Callable[..., Any], args: tuple, limit: float, long_running: bool = False) -> Any:
    """``target(*args, progress=...)`` in one forked child; each reported step gets ``limit`` seconds."""
    for _, result, error in run_many(target, [args], limit, 1, long_running):
        if error is not None:
            raise error
        return result


def can_fork() -> bool:
    return hasattr(os, "fork")


def default_jobs() -> int:
    """Worker processes when none are asked for: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class _Worker:
    """One forked worker and the task it is on (``index`` None while idle)."""

    def __init__(self, target: Callable[..., Any], tasks: list[tuple], long_running: bool, engines=None):
        import gc

        context = multiprocessing.get_context("fork")
        self.conn, theirs = context.Pipe(duplex=True)
        self.engines = engines
        self.engine = engines.take() if engines is not None else None  # (index, connection) or None
        self.process = context.Process(target=_worker, args=(theirs, target, tasks, self.engine and self.engine[1]), daemon=True)
        # Frozen, the workspace and imports are never scanned by the worker's collector. A
        # command's parent stays frozen too (its collector would compete with the workers
        # for the cores: 0.1 s of a build); a long-running parent (the preview) is unfrozen
        # again, or the garbage of each render would be kept for good.
        gc.freeze()
        try:
            self.process.start()
        finally:
            if long_running:
                gc.unfreeze()
        theirs.close()
        self.index: int | None = None
        self.step: str | None = None
        self.limit = self.deadline = 0.0

    def assign(self, index: int, limit: float) -> None:
        self.index, self.step, self.limit = index, None, limit
        self.deadline = monotonic() + limit
        self.conn.send(index)

    def stop(self) -> None:
        """End the worker at once, and its engine: after a timeout or a crash either may be the culprit."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        if self.engine is not None:
            self.engines.kill(self.engine[0])

    def finish(self) -> None:
        """Let an idle worker end on its own (its engine is ended with the others)."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_many(target: Callable[..., Any], tasks: list[tuple], limit: float, jobs: int, long_running: bool = False, engines=None):
    """Run ``target(*task, progress=...)`` for every task in at most ``jobs`` forked workers.

    Workers are forked once and take task after task. Yields ``(index, result,
    error)`` as tasks finish; ``error`` is a StepLimitHit, a ChildCrashed or the
    ProposalsError the task raised. Each reported step of a task gets ``limit``
    seconds; an overrunning worker is killed and replaced. ``long_running``: the
    caller lives on after the tasks (see :class:`_Worker`). ``engines``: PDF
    engines started by the command, one per worker while they last (engine.py).
    """
    from multiprocessing.connection import wait

    pending = list(range(len(tasks)))
    idle: list[_Worker] = []
    busy: dict[Any, _Worker] = {}
    count = min(max(1, jobs), len(tasks))
    try:
        while pending or busy:
            while pending and len(busy) < count:
                worker = idle.pop() if idle else _Worker(target, tasks, long_running, engines)
                try:
                    worker.assign(pending[0], limit)
                except OSError:  # an idle worker that died: a fresh one takes the task
                    worker.stop()
                    continue
                pending.pop(0)
                busy[worker.conn] = worker
            timeout = max(0.0, min(w.deadline for w in busy.values()) - monotonic())
            for conn in wait(list(busy), timeout=timeout):
                worker = busy[conn]
                outcome = _receive(worker)
                if outcome is None:
                    continue
                del busy[conn]
                index = worker.index
                if isinstance(outcome[1], (ChildCrashed, StepOutOfMemory)):
                    worker.stop()
                else:
                    idle.append(worker)
                yield (index, *outcome)
            for conn, worker in list(busy.items()):
                if monotonic() >= worker.deadline and not conn.poll():  # a waiting message is read first
                    del busy[conn]
                    worker.stop()
                    yield worker.index, None, StepTimeout(worker.step, worker.limit)
    finally:
        for worker in busy.values():
            worker.stop()
        for worker in idle:
            worker.finish()


def _receive(child: _Worker):
    """Read one message; return (result, error) when the task is done, else None."""
    try:
        kind, payload = child.conn.recv()
    except (EOFError, OSError):
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
    if kind == "memory":
        return None, StepOutOfMemory(child.step, payload)
    return None, ChildCrashed(payload)
