"""Packs: reproducible, incremental, sharded, interrupt-safe, with a documented JSON summary."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema

from proposals.commands.pack import SUMMARY_SCHEMA

from ..conftest import CASES, REPO


def make_workspace(root: Path, count: int) -> Path:
    """The minimal workspace with ``count`` deals; deals 0, 3, 6, ... also sell the licence."""
    ws = root / "ws"
    shutil.copytree(CASES / "minimal", ws)
    template = (ws / "deals" / "basic.yaml").read_text()
    (ws / "deals" / "basic.yaml").unlink()
    for n in range(count):
        text = template.replace("T-2026-001", f"T-2026-{n + 100:03d}").replace("quantity: 3", f"quantity: {n + 1}")
        if n % 3:
            text = text.replace("  - sku: LIC\n    quantity: 12\n    months: 12\n", "")
        (ws / "deals" / f"deal-{n:02d}.yaml").write_text(text)
    return ws


def hashes(output: Path) -> dict[str, str]:
    return json.loads((output / "pack-manifest.json").read_text())["deals"]


def test_two_packs_give_identical_bytes_even_on_different_days(tmp_path):
    ws = make_workspace(tmp_path, 3)
    fake_clock = tmp_path / "fakeclock"
    fake_clock.mkdir()
    (fake_clock / "sitecustomize.py").write_text(
        "import datetime as _d, os, time as _t\n"
        "_shift = float(os.environ['FAKE_SHIFT'])\n"
        "_real = _t.time\n"
        "_t.time = lambda: _real() + _shift\n"
        "class _DT(_d.datetime):\n"
        "    @classmethod\n"
        "    def now(cls, tz=None):\n"
        "        return _d.datetime.fromtimestamp(_t.time(), tz)\n"
        "_d.datetime = _DT\n"
    )
    outputs = []
    for shift in ("0", str(400 * 86400)):
        out = tmp_path / f"out-{shift}"
        env = {**os.environ, "PYTHONPATH": f"{fake_clock}{os.pathsep}{REPO}", "FAKE_SHIFT": shift}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-m", "proposals", "pack", "-w", str(ws), "-o", str(out), "--zip", "--jobs", "2"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outputs.append(out)
    assert hashes(outputs[0]) == hashes(outputs[1])
    assert (outputs[0] / "pack.zip").read_bytes() == (outputs[1] / "pack.zip").read_bytes()
    assert (outputs[0] / "pack-manifest.json").read_bytes() == (outputs[1] / "pack-manifest.json").read_bytes()


def test_a_changed_catalog_price_rebuilds_exactly_the_deals_that_use_it(tmp_path, cli):
    ws = make_workspace(tmp_path, 6)
    assert cli("pack", "-w", ws, "--format", "pdf", "--json")[0] == 0
    services = ws / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('price: "50.00"', 'price: "55.00"'))  # the licence's first tier
    code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--json")
    assert code == 0, err
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    rebuilt = sorted(d["deal"] for d in summary["deals"] if d["status"] == "built")
    assert rebuilt == ["deals/deal-00.yaml", "deals/deal-03.yaml"]  # the licence deals; the rest stay
    assert sorted(d["status"] for d in summary["deals"]).count("unchanged") == 4


def test_catalog_changes_that_no_deal_uses_still_rebuild_nothing_else(tmp_path, cli):
    ws = make_workspace(tmp_path, 2)
    assert cli("pack", "-w", ws, "--format", "pdf")[0] == 0
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf")
    assert code == 0 and out.count("unchanged T-") == 2  # how fast: benchmarks/performance.py (no-op pack)
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf", "--force")
    assert out.count("rendered") == 2


def test_shards_cover_every_deal_once_and_merge_into_the_unsharded_manifest(tmp_path, cli):
    ws = make_workspace(tmp_path, 7)
    assert cli("pack", "-w", ws, "--format", "pdf", "-o", tmp_path / "all")[0] == 0
    seen = []
    for k in (1, 2, 3):
        code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--shard", f"{k}/3", "-o", tmp_path / f"shard{k}", "--json")
        assert code == 0, err
        seen += [d["deal"] for d in json.loads(out)["deals"]]
    assert sorted(seen) == sorted(f"deals/deal-{n:02d}.yaml" for n in range(7))
    code, out, err = cli("pack", "merge", tmp_path / "shard1", tmp_path / "shard2", tmp_path / "shard3", "-o", tmp_path / "merged.json")
    assert code == 0, err
    assert (tmp_path / "merged.json").read_bytes() == (tmp_path / "all" / "pack-manifest.json").read_bytes()


def test_merge_refuses_shards_from_different_inputs(tmp_path, cli):
    ws = make_workspace(tmp_path, 4)
    assert cli("pack", "-w", ws, "--format", "pdf", "--shard", "1/2", "-o", tmp_path / "s1")[0] == 0
    services = ws / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('price: "1000.00"', 'price: "1100.00"'))
    assert cli("pack", "-w", ws, "--format", "pdf", "--shard", "2/2", "-o", tmp_path / "s2")[0] == 0
    code, _, err = cli("pack", "merge", tmp_path / "s1", tmp_path / "s2", "-o", tmp_path / "merged.json")
    assert code == 2 and "built from different inputs" in err
    assert not (tmp_path / "merged.json").exists()


def test_keep_going_builds_the_good_deals_and_reports_the_bad(tmp_path, cli):
    ws = make_workspace(tmp_path, 3)
    bad = ws / "deals" / "deal-01.yaml"
    bad.write_text(bad.read_text().replace("  - sku: DAY\n", "  - sku: DAY\n    allowances_charges: [{kind: allowance, reason: x, amount: \"99999\"}]\n"))
    code, _, err = cli("pack", "-w", ws, "--format", "pdf")
    assert code == 2 and not (ws / "output" / "T-2026-100-r1").exists()
    code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--keep-going")
    assert code == 1
    assert "failed: 1 of 3 deals" in err
    assert sorted(p.name for p in (ws / "output").iterdir() if p.name.startswith("T-")) == ["T-2026-100-r1", "T-2026-102-r1"]


def test_an_interrupted_pack_leaves_no_partial_file_under_its_final_name(tmp_path):
    ws = make_workspace(tmp_path, 8)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "proposals", "pack", "-w", str(ws), "-o", str(out), "--jobs", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (out.exists() and any(p.name.startswith("T-") for p in out.iterdir())) and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for folder in (p for p in out.iterdir() if p.name.startswith("T-")):
        manifest = json.loads((folder / "manifest.json").read_text())
        for name, digest in manifest["outputs"].items():
            import hashlib

            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, f"{folder.name}/{name} is partial"
    assert not (out / "pack-manifest.json").exists() or json.loads((out / "pack-manifest.json").read_text())


def test_a_second_pack_on_the_same_output_is_refused(tmp_path, cli):
    import fcntl

    ws = make_workspace(tmp_path, 1)
    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".proposals-pack.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code, _, err = cli("pack", "-w", ws, "-o", out, "--format", "pdf")
    assert code == 2 and f"another pack is writing to {out}" in err


def test_keep_going_also_skips_deal_files_that_do_not_validate(tmp_path, cli):
    ws = make_workspace(tmp_path, 3)
    bad = ws / "deals" / "deal-02.yaml"
    bad.write_text(bad.read_text().replace("  - sku: DAY", "  - sku: NOPE"))
    code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--keep-going", "--json")
    assert code == 1
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert [(d["deal"], d["status"]) for d in summary["deals"]] == [("deals/deal-00.yaml", "built"), ("deals/deal-01.yaml", "built"), ("deals/deal-02.yaml", "failed")]
    assert summary["deals"][2]["problems"] == [{"file": "deals/deal-02.yaml", "line": 12, "column": 10, "field": "items[0].sku",
                                                 "message": "unknown SKU NOPE", "kind": "input.cross-check", "severity": "error"}]


def test_json_summary_in_every_case_that_gets_past_argument_parsing(tmp_path, cli):
    """Issue #20 item 1: an invalid deal (exit 2) and a stopped pack print the summary too, valid against
    SUMMARY_SCHEMA: the bad deal failed with its located problem, the others not built, a catalog problem at
    the top, nothing written. Guards against CI parsing empty output."""
    ws = make_workspace(tmp_path, 3)
    bad = ws / "deals" / "deal-01.yaml"
    bad.write_text(bad.read_text().replace("  - sku: DAY", "  - sku: NOPE"))
    code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--json")
    assert code == 2 and "unknown SKU NOPE" in err
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert [(d["deal"], d["status"]) for d in summary["deals"]] == [("deals/deal-00.yaml", "not built"), ("deals/deal-01.yaml", "failed"), ("deals/deal-02.yaml", "not built")]
    assert [(p["file"], p["line"], p["message"]) for p in summary["deals"][1]["problems"]] == [("deals/deal-01.yaml", 12, "unknown SKU NOPE")]
    assert (summary["problems"], summary["manifest"], summary["zip"]) == ([], None, None)
    assert not (ws / "output").exists()
    services = ws / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('price: "50.00"', "price: fifty", 1))
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf", "--json")
    summary = json.loads(out)
    jsonschema.validate(summary, SUMMARY_SCHEMA)
    assert code == 2 and [(p["file"], p["field"]) for p in summary["problems"]] == [("catalog/services.yaml", "services[1].tiers[0].price")]


def test_strict_pack_with_warnings_writes_nothing(tmp_path, cli):
    ws = make_workspace(tmp_path, 1)
    deal = ws / "deals" / "deal-00.yaml"
    deal.write_text(deal.read_text().replace("    quantity: 1\n", "    quantity: 1\n    discount_percent: 40\n", 1))
    code, _, err = cli("pack", "-w", ws, "--format", "pdf", "--strict")
    assert code == 1 and "[guardrails.max_discount_percent]" in err
    assert not any(p.name.startswith("T-") for p in (ws / "output").iterdir())


def test_a_pack_without_zip_leaves_no_stale_zip(tmp_path, cli):
    """Issue #20 item 8: after a change, a pack without --zip removes the earlier pack.zip, so every file at the
    top of the pack folder belongs to the new manifest; with --zip the zip holds the new price."""
    ws = make_workspace(tmp_path, 2)
    out = tmp_path / "out"
    assert cli("pack", "-w", ws, "--format", "pdf", "-o", out, "--zip")[0] == 0
    assert (out / "pack.zip").is_file()
    services = ws / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('price: "50.00"', 'price: "55.00"'))
    code, _, err = cli("pack", "-w", ws, "--format", "pdf", "-o", out)
    assert code == 0, err
    assert not (out / "pack.zip").exists()
    top = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))  # .proposals-pack.lock is the lock
    assert top == ["pack-manifest.json"], top
    assert cli("pack", "-w", ws, "--format", "pdf", "-o", out, "--zip")[0] == 0
    import zipfile
    with zipfile.ZipFile(out / "pack.zip") as archive:
        assert archive.read("pack-manifest.json") == (out / "pack-manifest.json").read_bytes()


def test_the_progress_ends_with_a_line_of_counts(tmp_path, cli):
    """Issue #20 item 7: after the per-deal lines, one line says what happened: 2 built, then 2 unchanged."""
    import re

    ws = make_workspace(tmp_path, 2)
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf")
    assert code == 0 and re.fullmatch(r"pack: 2 built, 0 unchanged, 0 failed in \d+\.\d s", out.splitlines()[-1]), out
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf")
    assert code == 0 and re.fullmatch(r"pack: 0 built, 2 unchanged, 0 failed in \d+\.\d s", out.splitlines()[-1]), out
    code, out, _ = cli("pack", "-w", ws, "--format", "pdf", "--json")
    assert json.loads(out)["schema"] == "proposals.pack-summary/2"  # --json keeps stdout pure JSON
