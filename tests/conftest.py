"""Shared fixtures: copies of test workspaces and a CLI runner that returns exit code and output."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from proposals.cli import run

# Compiled templates go to a private cache of this test run, not the user's ~/.cache.
os.environ["PROPOSALS_CACHE_DIR"] = tempfile.mkdtemp(prefix="proposals-test-cache-")

CASES = Path(__file__).parent / "cases"
INTERNAL_ERRORS = Path(tempfile.mkdtemp(prefix="proposals-test-internal-")) / "errors.log"
os.environ["PROPOSALS_INTERNAL_ERRORS"] = str(INTERNAL_ERRORS)  # every process of this run, subprocesses too


def pytest_configure(config):
    config.addinivalue_line("markers", "internal_error_expected: the test provokes an internal error on purpose")


@pytest.fixture(autouse=True)
def no_internal_errors(request):
    """Fail the test during which any process of ours reported an internal error (a bug, whatever the test asserts)."""
    INTERNAL_ERRORS.unlink(missing_ok=True)
    yield
    found = INTERNAL_ERRORS.read_text(encoding="utf-8") if INTERNAL_ERRORS.exists() else ""
    INTERNAL_ERRORS.unlink(missing_ok=True)
    if found and request.node.get_closest_marker("internal_error_expected") is None:
        pytest.fail(f"an internal error was reported during this test:\n{found}", pytrace=False)
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
