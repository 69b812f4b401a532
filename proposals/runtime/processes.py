"""What every child process of a command sets up: it dies with its parent, stays under the
memory limit, collects its garbage between tasks, and reads its tasks from one pipe."""

from __future__ import annotations


MEMORY_LIMIT = 1024 * 2**20  # bytes of data (heap and private mappings) per child; the example deals peak near 230 MiB


def set_memory_limit(megabytes: int) -> None:
    """The memory limit of the children started from now on (the CLI's ``--memory-limit``)."""
    global MEMORY_LIMIT
    MEMORY_LIMIT = megabytes * 2**20


def limit_memory() -> None:
    """In a child: allocations past :data:`MEMORY_LIMIT` fail with MemoryError (Linux counts heap and
    private writable mappings against RLIMIT_DATA, not the shared libraries mapped)."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ImportError, ValueError, OSError):  # pragma: no cover - not a POSIX system
        pass


def die_with_parent() -> None:
    """Linux: a killed parent takes its children along (they would block on a full pipe)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


GC_THRESHOLD = (50_000, 50, 100)


def collect_less() -> None:
    """Layout makes millions of short-lived objects; with Python's default thresholds
    the cycle collector runs hundreds of times per document and scans the whole
    heap each tenth time (a fifth of a document's time). What the parent loaded is
    frozen before the fork and never scanned; young objects are collected less often."""
    import gc

    gc.set_threshold(*GC_THRESHOLD)


def collect_task_garbage() -> None:
    """Collect the young generations between two tasks (a deal's documents).

    A laid-out document is one big reference cycle (about 78,000 objects for the
    example offer), so it is freed by the collector, not by reference counts. Left
    to the thresholds above, the survivors of about 50 young collections pile up
    and are scanned in one go: a 0.8 s pause every 20 or so deals, and a worker of
    350 MiB. Collected before each further task, the pause is gone and a worker
    stays near 135 MiB, for about 20 ms per deal. The last task's garbage is not
    collected: the process ends.
    """
    import gc

    if gc.isenabled():
        gc.collect(1)


def requests(conn):
    """The messages ``conn`` receives until it closes or sends None, one task each; the
    previous task's garbage is collected before each further one (not after the last)."""
    first = True
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return  # the last task's garbage goes with the process
        if not first:
            collect_task_garbage()
        first = False
        yield message
