"""PDF engines: ``proposals build`` forks processes that import WeasyPrint while it loads the
workspace; workers send them their HTML. The documents must be the same as laid out in the
worker, a runaway layout is stopped with its engine, and no engine outlives the command.

A runaway layout here is one that never ends (the engine's layout is replaced by a wait
that nothing ends), so a limit is hit because the work is unbounded, never because this
machine is slow; processes are awaited without a time bound in the assertion."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from proposals.commands import build
from proposals.runtime import engines as engine
from proposals.input.loading import load_workspace
from proposals.writers import pdf

from ..conftest import copy_example
from ..readback import copy_minimal
from .conftest import wait_until_gone

RUNAWAY = "<p>runaway layout</p>"  # marks the document whose layout never ends


def _gone(pid: int) -> bool:
    """No such process, or only its exit status is left (a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state == "Z"


def _pids(engines: engine.Engines) -> list[int]:
    """The starter's and every engine's."""
    return [engines.process.pid, *engines._pids]


@pytest.fixture
def started(monkeypatch):
    """The engines each command starts, for a look at their processes afterwards."""
    made: list[engine.Engines] = []
    original, close = engine.Engines.__init__, engine.Engines.close

    def spy(self, count, prepare, serve):
        original(self, count, prepare, serve)
        made.append(self)

    def closing(self, at_once=False):
        self.dead_before_close = set(self._dead)
        close(self, at_once)

    monkeypatch.setattr(engine.Engines, "__init__", spy)
    monkeypatch.setattr(engine.Engines, "close", closing)
    return made


def _files(ws, deal, **kw) -> dict[str, bytes]:
    rendered, _ = build.render_all(ws, [deal], ("pdf", "docx"), **kw)
    return rendered[0].files


def test_documents_laid_out_by_engines_are_the_ones_a_worker_lays_out(tmp_path):
    """Guards against engines laying out differently from a worker (other options, fonts or
    attachment), against documents not sent to the engines, and against engines left running."""
    ws = load_workspace(copy_example(tmp_path / "ws"))
    deal = next(d for d in ws.deals if d.model.offer_number == "NW-2026-041")
    engines = pdf.start_engines(2)
    try:
        by_engines = _files(ws, deal, time_limit=60, jobs=2, engines=engines)
        pids = _pids(engines)
    finally:
        engines.close()
    assert list(engines.served) == [1, 1]  # offer and contract, one by each engine
    in_process = _files(ws, deal, time_limit=None)
    assert sorted(by_engines) == sorted(in_process) == ["contract-redline.docx", "contract.docx", "contract.json", "contract.pdf", "offer.docx", "offer.pdf", "quote.json"]
    assert by_engines == in_process
    assert all(pid > 0 for pid in pids), pids
    assert wait_until_gone(pids) == []


def test_a_build_whose_engines_died_lays_out_in_its_workers(tmp_path):
    """Guards against a worker failing (or waiting) when its engine is gone instead of laying out itself."""
    ws = load_workspace(copy_minimal(tmp_path))
    expected = _files(ws, ws.deals[0], time_limit=None)
    engines = pdf.start_engines(2)
    try:
        os.kill(engines.process.pid, signal.SIGKILL)  # gone before it could answer (or fork its sibling)
        engines.process.join()
        assert _files(ws, ws.deals[0], time_limit=60, jobs=2, engines=engines) == expected
        assert list(engines.served) == [0, 0]
    finally:
        engines.close()


def _runaway_or_quick(self, html, identifier, *rest):
    """An engine's layout: the marked document's never ends, any other is a stand-in PDF at once
    (so nothing but the runaway can come near the 1 s limit, however busy the machine)."""
    if RUNAWAY in html:
        threading.Event().wait()
    return b"%PDF-1.7 stand-in", []


def test_a_runaway_layout_is_stopped_with_its_engine(tmp_path, cli, started, monkeypatch):
    """Guards against a worker past its limit leaving its engine laying out (``_Worker.stop``
    not killing the engine: it would never end), against a wait for the engine's answer that
    ignores the limit (the build would never end: the hang guard fails it), and against a
    failed build that waits for the other engines instead of killing them."""
    monkeypatch.setattr(pdf.PdfWriter, "render", _runaway_or_quick)  # the engines are forked from this process
    ws = copy_minimal(tmp_path)
    (ws / "templates").mkdir()
    (ws / "templates" / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}' + RUNAWAY + "{% endblock %}\n")
    code, _, err = cli("build", "-w", ws, "--format", "pdf", "--time-limit", "1")
    assert code == 1
    assert err.splitlines()[0] == "templates/offer.html.j2: rendering took longer than 1 s and was stopped; does a template loop or compute huge values?"
    assert not (ws / "output").exists()
    (engines,) = started
    assert len(engines.dead_before_close) == 1  # the offer's engine was killed with its worker, not left running
    assert engines._dead == {0, 1}  # a failed build kills the rest at once
    assert wait_until_gone([pid for pid in _pids(engines) if pid]) == []


def test_a_build_of_docx_only_starts_no_engine(minimal, cli, started):
    """Guards against starting engines (and importing WeasyPrint) for a build that lays nothing out."""
    code, _, err = cli("build", "-w", minimal, "--format", "docx")
    assert code == 0, err
    assert started == []
    code, _, err = cli("build", "-w", minimal, "--format", "pdf", "-o", minimal / "pdf-only")
    assert code == 0, err
    assert [len(e.connections) for e in started] == [2]  # one deal: offer and contract side by side
    assert list(started[0].served) == [1, 1]


def _descendants(pid: int) -> list[int]:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


NEVER_ENDING_LAYOUT = """
import os, sys, threading
from pathlib import Path
from proposals.cli import run
from proposals.writers import pdf

def never_ends(self, html, identifier, *rest):
    Path(sys.argv[1], str(os.getpid())).touch()  # this engine is laying out
    threading.Event().wait()

pdf.PdfWriter.render = never_ends  # the engines are forked from this process
sys.exit(run(sys.argv[2:]))
"""


def test_no_engine_outlives_a_killed_command(tmp_path):
    """Guards against engines (or their starter, or workers) surviving a SIGKILLed command
    (``die_with_parent`` dropped anywhere): here they never finish their layouts on their own."""
    ws = copy_minimal(tmp_path / "ws")
    laying_out = tmp_path / "laying-out"
    laying_out.mkdir()
    command = subprocess.Popen([sys.executable, "-c", NEVER_ENDING_LAYOUT, str(laying_out), "build", "-w", str(ws), "--format", "pdf", "--time-limit", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree: list[int] = []
    try:
        while len(list(laying_out.iterdir())) < 2 and command.poll() is None:  # both engines busy (the hang guard bounds it)
            time.sleep(0.05)
        assert command.poll() is None, command.stderr.read().decode()
        engines = sorted(int(p.name) for p in laying_out.iterdir())
        tree = _descendants(command.pid)
        assert set(engines) <= set(tree) and len(tree) >= 5, (engines, tree)  # starter, two engines, two workers
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
        assert wait_until_gone(tree) == []
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
        for pid in tree:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        command.stderr.close()


def test_a_pack_lays_out_in_engines_and_an_up_to_date_pack_kills_them_unused(minimal, cli, started):
    """Guards against a pack laying out without its engines, and an up-to-date pack waiting for engines it does not need."""
    code, _, err = cli("pack", "-w", minimal, "--format", "pdf", "--jobs", "2")
    assert code == 0, err
    assert sum(started[0].served) == 2 and started[0].dead_before_close == set()  # offer and contract
    code, _, err = cli("pack", "-w", minimal, "--format", "pdf", "--jobs", "2")
    assert code == 0, err
    assert list(started[1].served) == [0, 0] and started[1]._dead == {0, 1}  # nothing to lay out: killed, not awaited
