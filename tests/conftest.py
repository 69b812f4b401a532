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
