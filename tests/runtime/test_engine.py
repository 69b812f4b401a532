"""PDF engines: ``proposals build`` forks processes that import WeasyPrint while it loads the
workspace; workers send them their HTML. The documents must be the same as laid out in the
worker, a runaway layout is stopped with its engine, and no engine outlives the command."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from proposals.commands import build
from proposals.runtime import engines as engine
from proposals.input.loading import load_workspace
from proposals.writers import pdf

from ..conftest import copy_example
from ..readback import copy_minimal


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
    assert sorted(by_engines) == sorted(in_process) == ["contract.docx", "contract.json", "contract.pdf", "offer.docx", "offer.pdf", "quote.json"]
    assert by_engines == in_process
    assert all(pid > 0 for pid in pids), pids
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids)


def test_a_build_whose_engines_died_lays_out_in_its_workers(tmp_path):
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


def test_a_runaway_layout_is_stopped_with_its_engine(tmp_path, cli, started):
    ws = copy_minimal(tmp_path)
    (ws / "templates").mkdir()
    many = "".join(f"<table><tr><td>{n}</td><td>row {n}</td></tr></table>" for n in range(40_000))  # several seconds of layout
    (ws / "templates" / "offer.html.j2").write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}' + many + "{% endblock %}\n")
    begun = time.monotonic()
    code, _, err = cli("build", "-w", ws, "--format", "pdf", "--time-limit", "1")
    assert time.monotonic() - begun < 30
    assert code == 1
    assert err.splitlines()[0] == "templates/offer.html.j2: rendering took longer than 1 s and was stopped; does a template loop or compute huge values?"
    assert not (ws / "output").exists()
    (engines,) = started
    assert len(engines.dead_before_close) == 1  # the offer's engine was killed with its worker, not left running to the end
    assert engines._dead == {0, 1}  # a failed build kills the rest at once
    pids = _pids(engines)
    deadline = time.monotonic() + 5
    while not all(_gone(pid) for pid in pids if pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(pid) for pid in pids if pid)


def test_a_build_of_docx_only_starts_no_engine(minimal, cli, started):
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


def test_no_engine_outlives_a_killed_command(tmp_path):
    import subprocess
    import sys

    ws = copy_minimal(tmp_path)
    (ws / "templates").mkdir()
    many = "".join(f"<table><tr><td>{n}</td><td>row {n}</td></tr></table>" for n in range(40_000))
    for document in ("offer", "contract"):  # both engines busy
        (ws / "templates" / f"{document}.html.j2").write_text(f'{{% extends "builtin/{document}.html.j2" %}}\n{{% block letterhead %}}' + many + "{% endblock %}\n")
    command = subprocess.Popen([sys.executable, "-m", "proposals", "build", "-w", str(ws), "--format", "pdf", "--time-limit", "300"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        tree: list[int] = []
        while time.monotonic() < deadline:  # engines and workers: at least two of each
            tree = _descendants(command.pid)
            if len(tree) >= 4:
                break
            time.sleep(0.05)
        assert len(tree) >= 4, tree
        time.sleep(0.5)  # the offer's engine is laying out
        tree = _descendants(command.pid)
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
        deadline = time.monotonic() + 5
        while not all(_gone(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [pid for pid in tree if not _gone(pid)] == []
    finally:
        for pid in _descendants(command.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_pack_lays_out_in_engines_and_an_up_to_date_pack_kills_them_unused(minimal, cli, started):
    code, _, err = cli("pack", "-w", minimal, "--format", "pdf", "--jobs", "2")
    assert code == 0, err
    assert sum(started[0].served) == 2 and started[0].dead_before_close == set()  # offer and contract
    code, _, err = cli("pack", "-w", minimal, "--format", "pdf", "--jobs", "2")
    assert code == 0, err
    assert list(started[1].served) == [0, 0] and started[1]._dead == {0, 1}  # nothing to lay out: killed, not awaited
