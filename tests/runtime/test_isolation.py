"""Forked workers: reused across tasks, replaced after a timeout or a crash, results in any order."""

from __future__ import annotations

import os
import threading
import time

from proposals.runtime import workers
from proposals.runtime.workers import ChildCrashed, StepTimeout, run_many


def _pid(n, progress):
    progress(f"task {n}")
    return os.getpid()


def _sometimes_stuck(n, progress):
    progress(f"task {n}")
    if n == 1:
        threading.Event().wait()  # never ends: only the time limit stops it
    if n == 2:
        os._exit(3)
    return n * n


def test_two_workers_take_six_tasks_without_a_new_process_per_task():
    """Guards against a fresh process per task (or tasks run in the caller's process)."""
    results = {index: result for index, result, error in run_many(_pid, [(n,) for n in range(6)], 10.0, 2)}
    assert sorted(results) == list(range(6))
    assert len(set(results.values())) <= 2
    assert os.getpid() not in results.values()


def test_a_stuck_or_dying_worker_fails_its_task_only_and_is_replaced():
    """Guards against a stuck task being waited for (task 1 never ends: without the time limit
    the run never ends, and the hang guard fails it), and against a timeout or a crash failing
    the other tasks or leaving them without a worker."""
    outcome = {index: (result, error) for index, result, error in run_many(_sometimes_stuck, [(n,) for n in range(5)], 1.0, 2)}
    assert isinstance(outcome[1][1], StepTimeout) and outcome[1][1].step == "task 1"
    assert isinstance(outcome[2][1], ChildCrashed)
    assert {i: outcome[i][0] for i in (0, 3, 4)} == {0: 0, 3: 9, 4: 16}


def test_a_long_running_parent_is_not_left_frozen():
    """Guards against the preview server keeping gc frozen after forking a worker (its garbage kept for good)."""
    import gc

    from proposals.runtime.workers import run_limited

    gc.unfreeze()
    assert run_limited(_sometimes_stuck, (3,), 10.0, long_running=True) == 9
    assert gc.get_freeze_count() == 0  # the preview server keeps collecting its garbage
    assert run_limited(_sometimes_stuck, (4,), 10.0) == 16
    assert gc.get_freeze_count() > 0  # a command's parent stays frozen until it exits
    gc.unfreeze()


def _answer_when_told(n, folder, progress):
    """Task 0 answers at once; task 1 waits until the consumer holds task 0's result, then
    reports a step (its message is in the pipe once progress returns), says so, and answers."""
    progress(f"task {n}")
    if n == 1:
        while not (folder / "go").exists():
            time.sleep(0.01)
        progress("answering")
        (folder / "answered").touch()
    return n


def test_a_slow_consumer_does_not_turn_finished_tasks_into_timeouts(tmp_path, monkeypatch):
    """Guards against the deadline being checked before a waiting message is read (dropping
    ``and not conn.poll()`` in run_many): while the consumer holds task 0's result, task 1
    answers and the clock moves past its deadline; it must come back as an answer.

    The clock is the parent's, shifted by hand: no real time has to pass, and the limit
    (60 s) is far above what the tasks take."""
    shift = [0.0]
    monkeypatch.setattr(workers, "monotonic", lambda: time.monotonic() + shift[0])
    outcome = {}
    for index, result, error in run_many(_answer_when_told, [(0, tmp_path), (1, tmp_path)], 60.0, 2):
        outcome[index] = (result, error)
        if index == 0:
            (tmp_path / "go").touch()
            while not (tmp_path / "answered").exists():
                time.sleep(0.01)
            shift[0] = 120.0  # the consumer took longer than the limit; task 1's message waits in the pipe
    assert outcome == {0: (0, None), 1: (1, None)}


class _Node:
    pass


_LEFT_BEHIND: list = []


def _cycle_then_look(kind, progress):
    """``make``: leave a reference cycle behind (as a laid-out document does); ``look``: is it gone?"""
    import weakref

    if kind == "make":
        a, b = _Node(), _Node()
        a.other, b.other = b, a
        _LEFT_BEHIND.append(weakref.ref(a))
        return None
    return _LEFT_BEHIND[0]() is None


def test_a_worker_frees_the_cyclic_garbage_of_a_task_before_the_next():
    """Guards against a worker that skips collecting between tasks (cycles of laid-out documents piling up)."""
    outcome = {index: (result, error) for index, result, error in run_many(_cycle_then_look, [("make",), ("look",)], 10.0, 1)}
    assert outcome[1] == (True, None)
