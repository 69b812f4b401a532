"""README promises of the commands, each with a test that fails when the promise is broken (issue #23).

Each docstring names the mutation of the code it guards against."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from ..conftest import CASES, REPO, copy_example

EPOCH = 1700000000  # 2023-11-14T22:13:20Z, far from the deal's date (2026-11-20)
STAMP = datetime.fromtimestamp(EPOCH, tz=timezone.utc)


def renumbered(root: Path, count: int, *, invalid: bool = False) -> Path:
    """The minimal workspace with ``count`` copies of its deal (``deal-00.yaml`` ...), each with its own offer number."""
    ws = root / "ws"
    shutil.copytree(CASES / "minimal", ws)
    template = (ws / "deals" / "basic.yaml").read_text()
    (ws / "deals" / "basic.yaml").unlink()
    for n in range(count):
        add_deal(ws, f"deal-{n:02d}", n, invalid=invalid, template=template)
    return ws


def add_deal(ws: Path, name: str, n: int, *, invalid: bool = False, template: str | None = None) -> None:
    text = (template or (CASES / "minimal" / "deals" / "basic.yaml").read_text()).replace("T-2026-001", f"T-2026-{n + 100:03d}")
    if invalid:
        text = text.replace("  - sku: DAY", "  - sku: NOPE")  # fails validation: no rendering needed to see the shard
    (ws / "deals" / f"{name}.yaml").write_text(text)


# --- deal folders are written under a temporary name and renamed -------------------------------

SLOW_WRITES = """
import pathlib, sys, time
from proposals.cli import run
out = sys.argv[1]
real = pathlib.Path.write_bytes
def slow(self, data):
    written = real(self, data)
    if str(self).startswith(out):
        time.sleep(0.5)  # each file of a deal folder takes a while, so the pack can be killed in the middle
    return written
pathlib.Path.write_bytes = slow
sys.exit(run(sys.argv[2:]))
"""


def test_a_pack_killed_while_writing_leaves_no_deal_folder_under_its_final_name(tmp_path):
    """Mutation: ``commands/output.py`` writes the files straight into ``output/<folder>/`` (no temporary
    folder, no rename). Then the killed pack leaves a half-written folder under its final name and this fails."""
    ws = renumbered(tmp_path, 2)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("SOURCE_DATE_EPOCH", None)
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITES, str(out), "pack", "-w", str(ws), "-o", str(out), "--jobs", "1", "--format", "pdf"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )

    def folders_being_written() -> list[Path]:
        if not out.exists():
            return []
        return [p for p in out.iterdir() if p.is_dir() and "T-2026-" in p.name and any(p.iterdir())]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not folders_being_written():
        time.sleep(0.01)
    seen = folders_being_written()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the pack ended before it could be killed while writing"
    assert seen, "the pack never started writing a deal folder"
    final = [p.name for p in out.iterdir() if p.name.startswith("T-")]
    assert final == [], f"a deal folder appeared under its final name before it was complete: {final}"
    temporary = [p for p in out.iterdir() if p.name.startswith(".T-2026-100-r1.")]
    assert len(temporary) == 1, [p.name for p in out.iterdir()]
    partial = sorted(p.name for p in temporary[0].iterdir())
    assert partial and "manifest.json" not in partial, f"the kill came too late to prove anything: {partial}"


# --- SOURCE_DATE_EPOCH sets every timestamp -----------------------------------------------------

PDF_DATE = re.compile(r"D:(\d{14})")
XMP_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def pdf_timestamps(path: Path) -> set[str]:
    """Every date the PDF carries: its Info dictionary, its XMP packet and the embedded quote.json's parameters."""
    reader = PdfReader(path)
    found = {str(v) for v in reader.metadata.values() if PDF_DATE.search(str(v))}
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    found |= set(XMP_DATE.findall(xmp))
    names = reader.trailer["/Root"]["/Names"]["/EmbeddedFiles"]["/Names"]
    for spec in names[1::2]:
        params = spec.get_object()["/EF"]["/F"].get_object().get("/Params", {})
        found |= {str(v) for k, v in params.items() if k.endswith("Date")}
    return found


def zip_timestamps(path: Path) -> tuple[set[tuple], set[str]]:
    """Every entry's time, and every W3C date written inside the XML parts."""
    with zipfile.ZipFile(path) as archive:
        times = {info.date_time for info in archive.infolist()}
        inside = set()
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                inside |= set(XMP_DATE.findall(archive.read(name).decode("utf-8", "replace")))
    return times, inside


def test_source_date_epoch_sets_every_timestamp_of_pdf_docx_and_zip(tmp_path, cli, monkeypatch):
    """Mutation: any one timestamp ignores ``SOURCE_DATE_EPOCH`` (``document_stamp`` in commands/deal.py
    returning the offer date, the DOCX core properties or zip entries keeping python-docx's or 1980's time,
    the pack zip's ``_zip_time`` ignoring the variable, WeasyPrint's metadata left at the wall clock)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    ws = renumbered(tmp_path, 1)
    code, _, err = cli("pack", "-w", ws, "--zip")
    assert code == 0, err
    folder = ws / "output" / "T-2026-100-r1"
    for name in ("offer.pdf", "contract.pdf"):
        assert pdf_timestamps(folder / name) == {"D:20231114221320Z", "2023-11-14T22:13:20Z"}, name
    for name in ("offer.docx", "contract.docx"):
        times, inside = zip_timestamps(folder / name)
        assert times == {STAMP.timetuple()[:6]}, name
        assert inside == {"2023-11-14T22:13:20Z"}, name  # dcterms:created and dcterms:modified
    times, _ = zip_timestamps(ws / "output" / "pack.zip")
    assert times == {STAMP.timetuple()[:6]}
    with zipfile.ZipFile(ws / "output" / "pack.zip") as archive:
        names = archive.namelist()
        assert names == sorted(names) and "T-2026-100-r1/offer.pdf" in names
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o644}  # fixed permissions too
    # and it is the variable that set them: without it, the deal's date
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    code, _, err = cli("pack", "-w", ws, "--force", "--format", "pdf")
    assert code == 0, err
    assert pdf_timestamps(folder / "offer.pdf") == {"D:20261120000000Z", "2026-11-20T00:00:00Z"}


# --- light commands do not import WeasyPrint -----------------------------------------------------

WATCH_IMPORTS = """
import os, sys
class _Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            with open(os.environ["WEASYPRINT_IMPORTED"], "a") as log:
                log.write(f"{os.getpid()} {name}\\n")
        return None
sys.meta_path.insert(0, _Watch())
"""


def test_light_commands_do_not_import_weasyprint_in_any_process(tmp_path):
    """Mutation: a light command (``--help``, ``check``, ``quote``, ``diff``) imports the PDF writer or starts a
    PDF engine, e.g. a module-level ``import weasyprint`` in writers/pdf.py reached from cli.py, or ``check``
    forking engines like ``build`` does. The watcher sits in every process (forked ones too); ``build`` proves it sees."""
    ws = copy_example(tmp_path / "ws")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WATCH_IMPORTS)
    log = tmp_path / "imported.log"
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{REPO}", "WEASYPRINT_IMPORTED": str(log), "PROPOSALS_CACHE_DIR": "off"}
    light = [
        ["--help"],
        ["check", "-w", str(ws)],
        ["quote", "-w", str(ws), "deals/acme-maschinenbau.yaml"],
        ["diff", "-w", str(ws), "deals/history/acme-maschinenbau-r1.yaml", "deals/acme-maschinenbau.yaml"],
    ]
    for args in light:
        done = subprocess.run([sys.executable, "-m", "proposals", *args], env=env, capture_output=True, text=True, cwd=ws)
        assert done.returncode == 0, (args, done.stderr)
        assert not log.exists(), f"proposals {args[0]} imported WeasyPrint: {log.read_text()}"
    minimal = shutil.copytree(CASES / "minimal", tmp_path / "minimal")
    done = subprocess.run([sys.executable, "-m", "proposals", "build", "-w", str(minimal), "--format", "pdf"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert log.exists() and "weasyprint" in log.read_text(), "the watcher does not see WeasyPrint being imported"


# --- shards stay put when deals are added --------------------------------------------------------

def shard_members(cli, ws: Path, n: int) -> dict[str, int]:
    """deal path -> the shard (1..n) that took it; invalid deals are listed without rendering anything."""
    members = {}
    for k in range(1, n + 1):
        code, out, err = cli("pack", "-w", ws, "--shard", f"{k}/{n}", "--keep-going", "--json", "-o", ws / f"out{k}")
        summary = json.loads(out) if out.strip() else {"deals": []}
        for deal in summary["deals"]:
            assert deal["deal"] not in members, f"{deal['deal']} is in two shards"
            members[deal["deal"]] = k
    return members


def test_shards_stay_put_when_deals_are_added(tmp_path, cli):
    """Mutation: ``in_shard`` picks by position in the sorted deal list (``index % n``) or by anything that
    depends on the other deals. Adding deals that sort before and between the old ones then moves old deals
    to other shards."""
    ws = renumbered(tmp_path, 9, invalid=True)
    before = shard_members(cli, ws, 3)
    assert sorted(before) == [f"deals/deal-{n:02d}.yaml" for n in range(9)]
    assert len(set(before.values())) > 1, "all deals in one shard proves nothing"
    for n, name in enumerate(["aaa-first", "deal-00a", "deal-04a", "deal-07a", "zzz-last"]):
        add_deal(ws, name, 50 + n, invalid=True)
    after = shard_members(cli, ws, 3)
    assert len(after) == 14
    moved = {deal: (before[deal], after[deal]) for deal in before if after[deal] != before[deal]}
    assert moved == {}, f"deals changed shard when others were added: {moved}"


# --- incremental packs rebuild a deal whose files are not intact -----------------------------------

def test_an_unchanged_deal_whose_file_was_damaged_is_rebuilt(tmp_path, cli):
    """Mutation: ``_up_to_date`` in commands/pack.py trusts the manifest without hashing the files (or only
    checks that they exist), so a truncated or edited ``offer.pdf`` would be kept as "unchanged"."""
    ws = renumbered(tmp_path, 2)
    assert cli("pack", "-w", ws, "--format", "pdf")[0] == 0
    damaged = ws / "output" / "T-2026-101-r1" / "offer.pdf"
    good = damaged.read_bytes()
    damaged.write_bytes(good[: len(good) // 2])
    code, out, err = cli("pack", "-w", ws, "--format", "pdf", "--json")
    assert code == 0, err
    status = {d["deal"]: d["status"] for d in json.loads(out)["deals"]}
    assert status == {"deals/deal-00.yaml": "unchanged", "deals/deal-01.yaml": "built"}
    assert damaged.read_bytes() == good


# --- guardrail findings are never printed in customer documents -----------------------------------

def test_guardrail_findings_and_internal_costs_never_reach_customer_documents(tmp_path, cli):
    """Mutation: a template or writer prints ``quote`` findings, the margin or the catalog ``cost``
    (e.g. findings added to the template context or to quote.json). The seller sees them in ``proposals quote``."""
    from ..readback import docx_text, pdf_text, squash

    ws = renumbered(tmp_path, 1)
    seller = ws / "catalog" / "seller.yaml"
    seller.write_text(seller.read_text().replace('  max_discount_percent: "15"\n', '  max_discount_percent: "15"\n  margin_floor_percent: "35"\n'))
    services = ws / "catalog" / "services.yaml"
    services.write_text(services.read_text().replace('cost: "600.00"', 'cost: "612.34"'))  # a cost no price equals
    deal = ws / "deals" / "deal-00.yaml"
    deal.write_text(deal.read_text().replace("    quantity: 3\n", "    quantity: 3\n    discount_percent: 20\n", 1))
    code, out, err = cli("quote", "-w", ws, "deals/deal-00.yaml")
    assert code == 0 and "guardrails.max_discount_percent" in out + err and "margin" in (out + err).lower(), out + err
    code, _, err = cli("build", "-w", ws)
    assert code == 0 and "[guardrails.max_discount_percent]" in err, err
    folder = ws / "output" / "T-2026-100-r1"
    texts = {name: squash(pdf_text(folder / name)) for name in ("offer.pdf", "contract.pdf")}
    texts |= {name: squash(docx_text(folder / name)) for name in ("offer.docx", "contract.docx")}
    texts["quote.json"] = (folder / "quote.json").read_text()
    for name, text in texts.items():
        for internal in ("pricing.", "guardrail", "margin", "approval", "above the limit", "612.34", "1,837.02", "1837.02"):
            assert internal not in text.lower(), f"{name} shows {internal!r}"


# --- proposals schema -o writes the three schemas editors use --------------------------------------

def test_schema_o_writes_the_three_schema_files_that_accept_the_example(tmp_path, cli):
    """Mutation: ``schema -o DIR`` writing only one schema, other file names than ``deal.schema.json``,
    ``catalog.schema.json`` and ``seller.schema.json``, or a schema that is not JSON Schema."""
    import jsonschema
    import yaml

    code, _, err = cli("schema", "-o", tmp_path / ".schemas", "-w", CASES / "minimal")  # the deal below is of that workspace
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / ".schemas").iterdir()) == ["catalog.schema.json", "deal.schema.json", "seller.schema.json"]
    deal_schema = json.loads((tmp_path / ".schemas" / "deal.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(deal_schema)
    deal = yaml.safe_load((CASES / "minimal" / "deals" / "basic.yaml").read_text())
    deal["date"] = str(deal["date"])  # dates are text to an editor's YAML check
    jsonschema.validate(deal, deal_schema)
