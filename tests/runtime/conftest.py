"""Guards of the runtime tests: a limit that fails to fire must fail its test, not hang the suite."""

from __future__ import annotations

import os
import select
import signal
import time

import pytest

HANG_GUARD = 180
"""Seconds after which a runtime test is failed as hung. Not a measurement: every test here
ends in a few seconds, and the ones with never-ending work end only because a limit fires."""


@pytest.fixture(autouse=True)
def hang_guard():
    """Fail the test (SIGALRM raises in the test's thread) if it is still running after
    HANG_GUARD seconds: a time limit that no longer fires leaves never-ending work running.
    Alarms are not inherited across fork, so the workers and engines are not affected."""

    def hung(signum, frame):
        raise TimeoutError(f"still running after {HANG_GUARD} s: a limit that should have stopped never-ending work did not")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_GUARD)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


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
