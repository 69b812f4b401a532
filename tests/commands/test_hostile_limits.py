"""Templates that exhaust memory, a full disk, and an empty deals folder: one clear line each,
the right exit code, and nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import CASES

PROPOSALS = [sys.executable, "-m", "proposals"]
HUGE = '{% extends "builtin/offer.html.j2" %}\n{% block greeting %}{{ "A" * 10**9 }}{% endblock %}\n'
MEMORY_LINE = "templates/offer.html.j2:2:1: rendering needed more than {mib} MiB of memory and was stopped; does a template build huge values? (--memory-limit raises the limit)"


def _huge_template(ws: Path) -> Path:
    (ws / "templates").mkdir()
    (ws / "templates" / "offer.html.j2").write_text(HUGE)
    return ws


@pytest.mark.parametrize("command", ["build", "check", "pack"])
def test_a_template_that_builds_a_huge_value_hits_the_memory_limit(minimal, cli, command):
    """Guards the children's memory limit: without it the value is built (or the machine's memory
    taken) and the MemoryError surfaces as an internal error."""
    ws = _huge_template(minimal)
    code, out, err = cli(command, "-w", ws, "--memory-limit", "512")
    lines = err.splitlines()
    expected = MEMORY_LINE.format(mib=512)
    assert code == 1
    assert lines[0] == (f"deals/basic.yaml: {expected}" if command == "pack" else expected)
    assert lines[-1] == "failed: 1 problem"
    assert not any(p.is_file() for p in (ws / "output").rglob("*") if p.name != ".proposals-pack.lock")


def test_the_memory_limit_leaves_ordinary_documents_alone(minimal, cli):
    """Guards against a limit so tight that real deals fail: the lowest allowed limit builds a deal."""
    code, _, err = cli("build", "-w", minimal, "--memory-limit", "256")
    assert code == 0, err


def _on_full_disk(ws: Path, mount: Path, size: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``proposals ARGS`` run in ``ws`` with a small tmpfs mounted at ``mount``, in a private mount
    namespace (util-linux's unshare; a real full disk, no root needed); after it, stdout ends with
    its exit code and what is left on the tmpfs."""
    script = f'mount -t tmpfs -o size={size},mode=0700 tmpfs "{mount}" && {{ "$@"; echo "exit $?"; find "{mount}" -mindepth 1 | sort; }}'
    return subprocess.run(["unshare", "-rm", "sh", "-c", script, "sh", *PROPOSALS, *args], cwd=ws, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.mark.parametrize("command", ["build", "pack"])
def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(minimal, command):
    """Guards the writers' ENOSPC handling: a 16 KiB output disk takes the deal's small first file
    (contract.json, 3 KiB), then fails on contract.pdf (28 KiB); the temporary folder is removed."""
    output = minimal / "output"
    output.mkdir()
    result = _on_full_disk(minimal, output, "16k", command, "--format", "pdf", env={"PROPOSALS_CACHE_DIR": "off"})
    assert result.stderr.splitlines()[-2:] == ["no space left on the device while writing output/T-2026-001-r1/contract.pdf", "failed: 1 problem"]
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    left = [line for line in result.stdout.splitlines() if line.startswith(str(output))]
    assert "exit 1" in result.stdout.splitlines()
    assert left == ([f"{output}/.proposals-pack.lock"] if command == "pack" else [])  # pack's lock file is empty and kept


def test_a_cache_that_cannot_be_written_is_a_warning_and_the_build_succeeds(minimal, tmp_path):
    """Guards the cache's write failures: Jinja's bytecode cache raised ENOSPC as an internal error."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (minimal / "output").mkdir()
    result = _on_full_disk(minimal, cache, "8k", "build", "--format", "docx", env={"PROPOSALS_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stderr
    assert f"{cache}/jinja-" in result.stderr
    warning = [line for line in result.stderr.splitlines() if "cache.unwritable" in line]
    assert len(warning) == 1 and warning[0].endswith(": WARNING: no space left on the device while writing the cache; it is left as it was and the results are computed again next time [cache.unwritable]")
    assert "built output/T-2026-001-r1" in result.stdout


def test_pack_on_an_empty_folder_names_the_folder_it_searched(minimal, cli):
    (minimal / "incoming").mkdir()
    code, _, err = cli("pack", "-w", minimal, minimal / "incoming")
    assert (code, err.splitlines()) == (2, [f"no deals (*.yaml) found in {minimal / 'incoming'}", "failed: 1 problem"])
