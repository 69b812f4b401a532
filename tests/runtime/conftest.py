"""Guards of the runtime tests: a limit that fails to fire must fail its test, not hang the suite."""

from __future__ import annotations

import os
import select
import time

import pytest

@pytest.fixture(autouse=True)
def _every_runtime_test_is_guarded(hang_guard):
    """Every runtime test runs under the suite's hang guard (tests/conftest.py)."""


def wait_until_gone(pids, guard: float = 60.0) -> list[int]:
    """Wait for the processes to end; return those still running after ``guard`` seconds.

    Waits on pidfds, so it returns as soon as the last one has ended (exited, or only its exit
    status left); ``guard`` only keeps a process that never ends from hanging the test.
    """
    fds = {}
    for pid in set(pids):
        try:
            fds[os.pidfd_open(pid)] = pid
        except ProcessLookupError:  # ended and reaped already
            continue
    try:
        poller = select.poll()
        for fd in fds:
            poller.register(fd, select.POLLIN)
        running = set(fds)
        end = time.monotonic() + guard
        while running and time.monotonic() < end:
            for fd, _ in poller.poll(max(0.0, end - time.monotonic()) * 1000):
                poller.unregister(fd)
                running.discard(fd)
        return sorted(fds[fd] for fd in running)
    finally:
        for fd in fds:
            os.close(fd)
