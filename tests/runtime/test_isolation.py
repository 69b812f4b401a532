"""Forked workers: reused across tasks, replaced after a timeout or a crash, results in any order."""

from __future__ import annotations

import os
import time

from proposals.runtime.workers import ChildCrashed, StepTimeout, run_many


def _pid(n, progress):
    progress(f"task {n}")
    return os.getpid()


def _sometimes_slow(n, progress):
    progress(f"task {n}")
    if n == 1:
        time.sleep(30)
    if n == 2:
        os._exit(3)
    return n * n


def test_two_workers_take_six_tasks_without_a_new_process_per_task():
    results = {index: result for index, result, error in run_many(_pid, [(n,) for n in range(6)], 10.0, 2)}
    assert sorted(results) == list(range(6))
    assert len(set(results.values())) <= 2
    assert os.getpid() not in results.values()


def test_a_stuck_or_dying_worker_fails_its_task_only_and_is_replaced():
    started = time.monotonic()
    outcome = {index: (result, error) for index, result, error in run_many(_sometimes_slow, [(n,) for n in range(5)], 1.0, 2)}
    assert time.monotonic() - started < 10
    assert isinstance(outcome[1][1], StepTimeout) and outcome[1][1].step == "task 1"
    assert isinstance(outcome[2][1], ChildCrashed)
    assert {i: outcome[i][0] for i in (0, 3, 4)} == {0: 0, 3: 9, 4: 16}


def test_a_long_running_parent_is_not_left_frozen():
    import gc

    from proposals.runtime.workers import run_limited

    gc.unfreeze()
    assert run_limited(_sometimes_slow, (3,), 10.0, long_running=True) == 9
    assert gc.get_freeze_count() == 0  # the preview server keeps collecting its garbage
    assert run_limited(_sometimes_slow, (4,), 10.0) == 16
    assert gc.get_freeze_count() > 0  # a command's parent stays frozen until it exits
    gc.unfreeze()


def _quick(n, progress):
    progress(f"task {n}")
    time.sleep(0.3 if n == 1 else 0)
    return n


def test_a_slow_consumer_does_not_turn_finished_tasks_into_timeouts():
    outcome = {}
    for index, result, error in run_many(_quick, [(0,), (1,)], 1.0, 2):
        outcome[index] = (result, error)
        if index == 0:
            time.sleep(1.5)  # meanwhile task 1 finished; its result waits in the pipe
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
    outcome = {index: (result, error) for index, result, error in run_many(_cycle_then_look, [("make",), ("look",)], 10.0, 1)}
    assert outcome[1] == (True, None)
