"""Engines: processes that import a heavy library while a build loads its workspace, then serve requests.

The command starts them with two functions of the stage that uses them (for the
PDF writer: ``prepare`` imports WeasyPrint, ``serve`` lays out one document), so
this module knows nothing of PDF; see :mod:`proposals.writers.pdf`.

A cold ``proposals build`` of one deal spent a quarter of a second importing
WeasyPrint after it had loaded and priced the deal, and only then started to
lay out the first page. ``build`` now forks a starter process first: it imports
WeasyPrint while the command imports the rest of ``proposals``, loads and
prices, then forks one engine per worker and waits. Each rendering worker
(forked later, after loading, as before) renders the templates under its time
limit, sends the HTML to its own engine and waits for the PDF; DOCX and
everything else stay in the worker.

- Every process dies with its parent (command -> starter -> engines), so
  nothing outlives a killed command; Ctrl-C is left to the command, which
  stops the engines itself.
- A worker past its time limit is killed with its engine: the engine may be the
  one that runs away.
- A worker whose engine is gone (killed, crashed, never started) lays the
  document out itself, the usual way; a document that crashes the engine then
  crashes the worker, and is reported as before.
- ``pack`` starts engines the same way: its start-up (imports, loading and
  pricing every deal) is the serial part of a pack; an up-to-date pack kills
  them unused.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path
from typing import Any, Callable

from . import processes
from .deepstack import on_deep_stack

_ATTACHED: list = []  # in a worker: the connection to its engine, while it answers


class Engines:
    """The engines of one command, started before the workspace is loaded (in the parent).

    ``prepare()`` runs once in the starter before it forks the engines (an import);
    each engine answers a request with ``serve(request)``, a reply to send back.
    """

    def __init__(self, count: int, prepare: Callable[[], Any], serve: Callable[[Any], Any]):
        context = multiprocessing.get_context("fork")
        pairs = [context.Pipe(duplex=True) for _ in range(count)]
        self.connections = [ours for ours, _ in pairs]
        theirs = [engine_end for _, engine_end in pairs]
        self._pids = context.RawArray("q", count)  # each engine writes its pid; self.process is the starter
        self.served = context.RawArray("q", count)  # documents each engine has laid out
        self.process = context.Process(target=_starter, args=(theirs, self.connections, self._pids, self.served, prepare, serve), daemon=True)
        self.process.start()
        for end in theirs:
            end.close()
        self._free = list(range(count))
        self._dead: set[int] = set()

    def take(self) -> tuple[int, object] | None:
        """An engine for a new worker: ``(index, connection)``, or None when none is left."""
        while self._free:
            index = self._free.pop(0)
            if index not in self._dead:
                return index, self.connections[index]
        return None

    def kill(self, index: int) -> None:
        """Stop an engine at once (its worker ran past its time limit or crashed). An engine
        not started yet is stopped with the starter, and every other engine with it."""
        if index in self._dead:
            return
        self._dead.add(index)
        pid = self._pids[index]
        if not pid:
            self._dead.update(range(len(self.connections)))
            self.process.kill()
            self.process.join()
            return
        if not self._still_ours(pid):
            return  # it ended on its own and was reaped; the pid may be another process's by now
        try:
            os.kill(pid, signal.SIGKILL)  # the starter, alive until its engines end, reaps it
        except ProcessLookupError:
            pass

    def _still_ours(self, pid: int) -> bool:
        """Whether ``pid`` is still a child of the starter (where /proc cannot tell: assumed so)."""
        if not Path("/proc/self/stat").exists():
            return True
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except FileNotFoundError:
            return False
        except (OSError, ValueError, IndexError):
            return True
        return parent == self.process.pid

    def close(self, at_once: bool = False) -> None:
        """Let every engine end (they leave when told so or their connection closes). Engines
        that laid nothing out are killed (they may still be importing: an up-to-date pack
        does not wait for them); ``at_once``: all are (the command failed)."""
        for index, connection in enumerate(self.connections):
            if at_once or not self.served[index]:
                self.kill(index)
            elif index not in self._dead:
                try:
                    connection.send(None)
                except OSError:
                    pass
            connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def engine_count(jobs: int, deals: int) -> int:
    """Engines a build needs: one per worker it will use (a deal's two documents render side by side)."""
    return max(1, min(jobs, 2 * max(1, deals)))


def _starter(theirs: list, ours: list, pids, served, prepare, serve) -> None:
    """Prepare (import), fork one engine per connection, and wait for them to end."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the command stops its engines itself, without tracebacks here
        processes.die_with_parent()
        for connection in ours:
            connection.close()  # the command's ends: an engine must see end-of-file when the command goes
        prepare()
        starter = os.getpid()
        for index, end in enumerate(theirs):
            if os.fork() == 0:
                _engine(theirs, index, starter, pids, served, serve)
            end.close()
        while True:  # reap each engine as it ends (so its resource usage counts for the command too)
            try:
                os.wait()
            except ChildProcessError:  # none left
                break
    except BaseException:  # noqa: BLE001 - e.g. the import failed: the workers do the work themselves and report it
        os._exit(1)


def _engine(theirs: list, index: int, starter: int, pids, served, serve) -> None:
    """A forked engine: dies with the starter, serves its connection, never returns."""
    code = 0
    try:
        processes.die_with_parent()
        processes.limit_memory()
        if os.getppid() != starter:  # the starter died before the line above
            os._exit(0)
        for other, end in enumerate(theirs):
            if other != index:
                end.close()
        pids[index] = os.getpid()
        on_deep_stack(_serve, theirs[index], served, index, serve)  # layout recurses deeply: one large stack chunk
    except BaseException:  # noqa: BLE001 - an engine ends here, whatever happened
        code = 1
    finally:
        os._exit(code)


def _serve(connection, served, index: int, serve) -> None:
    """Answer requests until the connection closes or says None; past the memory limit, say so and end."""
    processes.collect_less()
    for request in processes.requests(connection):
        try:
            reply = serve(request)
        except MemoryError:
            reply = ("memory", None)
        try:
            connection.send(reply)
        except OSError:
            return
        if reply[0] == "memory":
            return  # its state is suspect: the worker does the work itself from now on
        served[index] += 1


def attach(connection) -> None:
    """In a worker: send requests to this engine."""
    _ATTACHED[:] = [connection]


def ask(request: Any) -> Any | None:
    """In a worker: the attached engine's reply to ``request``; None when there is no engine
    (or it is gone, or it ran out of memory): the worker then does the work itself."""
    if not _ATTACHED:
        return None
    connection = _ATTACHED[0]
    try:
        connection.send(request)
        reply = connection.recv()
    except (EOFError, OSError):
        _ATTACHED.clear()  # the engine is gone: this worker works alone from now on
        return None
    if reply[0] == "memory":
        _ATTACHED.clear()  # the engine has ended
        raise MemoryError("the engine ran out of memory")
    return reply
