"""Shared fixtures: copies of test workspaces and a CLI runner that returns exit code and output."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from proposals.cli import run
from tests import ooxml

# Compiled templates go to a private cache of this test run, not the user's ~/.cache.
os.environ["PROPOSALS_CACHE_DIR"] = tempfile.mkdtemp(prefix="proposals-test-cache-")

CASES = Path(__file__).parent / "cases"
INTERNAL_ERRORS = Path(tempfile.mkdtemp(prefix="proposals-test-internal-")) / "errors.log"
os.environ["PROPOSALS_INTERNAL_ERRORS"] = str(INTERNAL_ERRORS)  # every process of this run, subprocesses too


def pytest_configure(config):
    config.addinivalue_line("markers", "internal_error_expected: the test provokes an internal error on purpose")
    config.addinivalue_line("markers", "invalid_docx_expected: the test builds a DOCX the OOXML validator flags on purpose")


@pytest.fixture(autouse=True)
def no_internal_errors(request):
    """Fail the test during which any process of ours reported an internal error (a bug, whatever the test asserts)."""
    INTERNAL_ERRORS.unlink(missing_ok=True)
    yield
    found = INTERNAL_ERRORS.read_text(encoding="utf-8") if INTERNAL_ERRORS.exists() else ""
    INTERNAL_ERRORS.unlink(missing_ok=True)
    if found and request.node.get_closest_marker("internal_error_expected") is None:
        pytest.fail(f"an internal error was reported during this test:\n{found}", pytrace=False)


ooxml.watch()  # before any test forks a worker


@pytest.fixture(autouse=True)
def valid_docx(request):
    """Fail the test that built a DOCX the OOXML validator flags (Word would offer to repair it)."""
    yield
    found = ooxml.findings()
    if found and request.node.get_closest_marker("invalid_docx_expected") is None:
        listing = "\n".join(f"{name}: {line}" for name, lines in found.items() for line in lines[:10])
        pytest.fail(f"a DOCX built during this test is not valid OOXML (saved in {ooxml.SEEN}):\n{listing}",
                    pytrace=False)


REPO = Path(__file__).parent.parent


def copy_example(target: Path) -> Path:
    """A copy of the repository's example workspace (catalog, deals, templates) at ``target``."""
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns(".git", ".venv", "output", "tests", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    return target


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A private copy of tests/cases/minimal."""
    target = tmp_path / "ws"
    shutil.copytree(CASES / "minimal", target)
    return target


@pytest.fixture
def cli(capsys):
    """cli("check", "-w", ws) -> (exit code, stdout, stderr)."""

    def invoke(*args) -> tuple[int, str, str]:
        code = run([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


HANG_GUARD = 180
"""Seconds after which a runtime test is failed as hung. Not a measurement: every guarded test
ends in a few seconds, and the ones with never-ending work end only because a limit fires."""


@pytest.fixture
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
