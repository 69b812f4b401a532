"""Issue #20 items 5 and 7 through the real CLI (a subprocess): the workspace found as git finds a
repository, a missing --workspace named, correct plurals, and Ctrl-C ending a build with exit 130."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from ..readback import copy_minimal


def proposals(*args, cwd, **kwargs):
    return subprocess.Popen([sys.executable, "-m", "proposals", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def finished(*args, cwd):
    process = proposals(*args, cwd=cwd)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def test_commands_find_the_workspace_from_a_sub_folder(tmp_path):
    """From deals/ (and a folder below it) check and quote find the workspace above, as git does; a deal is
    named from where one stands. Guards against the workspace taken as the current folder."""
    ws = copy_minimal(tmp_path)
    (ws / "deals" / "notes").mkdir()
    assert finished("check", cwd=ws / "deals") == (0, "ok: seller profile, 3 services in 1 catalog file, 1 deal\n", "")
    assert finished("check", cwd=ws / "deals" / "notes")[0] == 0
    code, out, err = finished("quote", "basic.yaml", cwd=ws / "deals")
    assert code == 0, err
    assert out.startswith("T-2026-001-r1  Test offer\n")


def test_outside_any_workspace_and_a_missing_workspace_are_named(tmp_path):
    """Guards against a wrong folder silently used, and a traceback for a missing --workspace."""
    code, _, err = finished("check", cwd=tmp_path)
    assert (code, err.splitlines()) == (2, ["catalog: no catalog/ folder here; run in a workspace or pass --workspace DIR", "failed: 1 problem"])
    code, _, err = finished("check", "-w", tmp_path / "missing", cwd=tmp_path)
    assert code == 2 and err.splitlines()[-1] == f"Error: Invalid value for '--workspace' / '-w': {tmp_path / 'missing'}: no such folder"


def test_plurals_follow_the_counts(tmp_path):
    """Two services of one file, two deals: "2 services in 1 catalog file, 2 deals". Guards against fixed plurals."""
    ws = copy_minimal(tmp_path)
    services = (ws / "catalog" / "services.yaml").read_text()
    (ws / "catalog" / "services.yaml").write_text(services[: services.index("  - sku: SUP")])
    (ws / "deals" / "second.yaml").write_text((ws / "deals" / "basic.yaml").read_text().replace("T-2026-001", "T-2026-002"))
    assert finished("check", cwd=ws) == (0, "ok: seller profile, 2 services in 1 catalog file, 2 deals\n", "")


def test_ctrl_c_ends_a_build_with_exit_130_and_writes_nothing(tmp_path, hang_guard):
    """A template that computes 7**999999999 keeps the build busy for its whole 60 s time limit; Ctrl-C (SIGINT)
    after the build has started ends it at once with 130, one line and no traceback, and output/ is not
    written. Guards against KeyboardInterrupt reaching the user as a traceback or as exit 1."""
    ws = copy_minimal(tmp_path)
    (ws / "templates").mkdir()
    (ws / "templates" / "contract.html.j2").write_text("<html><body><p>{{ 7**999999999 }}</p></body></html>\n")
    process = proposals("build", "--format", "pdf", "--time-limit", "60", cwd=ws, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    time.sleep(3)
    assert process.poll() is None  # still rendering
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert err.splitlines()[-1] == "interrupted" and "Traceback" not in err
    assert not (ws / "output").exists()


def _stderr_on_a_terminal(args, cwd, env):
    """Run proposals with stderr on a pseudo-terminal (as in an interactive shell); what it printed there."""
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "proposals", *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    process.wait(timeout=60)
    return process.returncode, b"".join(chunks).decode()


def test_colour_on_a_terminal_only_and_never_under_no_color(tmp_path):
    """Issue #20 item 7: an error is red on a terminal; NO_COLOR=1, --no-color and a pipe give plain text.
    Guards against colour codes in CI logs and pipes, and against ignoring the user's NO_COLOR."""
    ws = copy_minimal(tmp_path)
    deal = ws / "deals" / "basic.yaml"
    deal.write_text(deal.read_text().replace("quantity: 3", "quantity: 0"))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    code, shown = _stderr_on_a_terminal(["check"], ws, env)
    assert code == 2 and "\x1b[31mdeals/basic.yaml:13:15: items[0].quantity: must be greater than 0 (got 0)\x1b[0m" in shown
    for args, extra in ((["check"], {"NO_COLOR": "1"}), (["--no-color", "check"], {})):
        code, shown = _stderr_on_a_terminal(args, ws, {**env, **extra})
        assert code == 2 and "\x1b[" not in shown and "items[0].quantity: must be greater than 0 (got 0)" in shown
    code, _, err = finished("check", cwd=ws)
    assert code == 2 and "\x1b[" not in err
