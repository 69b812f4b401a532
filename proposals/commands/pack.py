"""Offer packs: many deals validated and priced first, rendered in parallel, written safely.

* Every deal is validated and priced before anything renders; one bad deal
  stops the pack unless ``keep_going``, which builds the good ones.
* Deals render in ``jobs`` forked worker processes that take deal after deal
  (each document under the time limit); a pack of few deals is cut into
  documents and formats so that every worker has work.
* Incremental: a deal whose inputs, formats and tool version match its last
  manifest (and whose files are intact) is not rebuilt, unless ``force``.
* ``shard=(k, n)`` takes the deals whose path hashes to k of n, so shards do
  not shift when deals are added; :func:`merge` joins shard manifests.
* The pack writes ``pack-manifest.json`` (and with ``zip`` a normalised
  ``pack.zip``) and holds a lock so two packs cannot write one folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..version import __version__
from .build import render_prepared
from .built import BuiltDeal
from .deal import prepare_deal
from .output import write_built, written_as
from .render import _limit_problem, _preload
from ..errors import InputError, Location, PricingError, Problem, note_internal_error, ProblemList, ProposalsError, TemplateError, UsageError
from ..runtime.workers import ChildCrashed, StepLimitHit
from ..input.loading import Workspace, relative_name
from .records import manifest_inputs, records_before_rendering, sha256, verify_records

SUMMARY_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "proposals pack --json summary",
    "type": "object",
    "required": ["schema", "manifest", "zip", "problems", "deals"],
    "additionalProperties": False,
    "$defs": {
        "problem": {
            "type": "object",
            "required": ["file", "line", "column", "field", "message", "kind", "severity"],
            "additionalProperties": False,
            "properties": {"file": {"type": "string"}, "line": {"type": "integer", "minimum": 0}, "column": {"type": "integer", "minimum": 0},
                           "field": {"type": "string"}, "message": {"type": "string"}, "kind": {"type": "string"}, "severity": {"enum": ["error", "warning"]}},
        },
    },
    "properties": {
        "schema": {"const": "proposals.pack-summary/2"},
        "manifest": {"type": ["string", "null"]},
        "zip": {"type": ["string", "null"]},
        "problems": {"type": "array", "items": {"$ref": "#/$defs/problem"}},
        "deals": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["deal", "folder", "status", "files", "warnings", "problems", "seconds"],
                "additionalProperties": False,
                "properties": {
                    "deal": {"type": "string"},
                    "folder": {"type": "string"},
                    "status": {"enum": ["built", "unchanged", "verified", "failed", "not built"]},
                    "files": {"type": "object", "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                    "warnings": {"type": "array", "items": {"$ref": "#/$defs/problem"}},
                    "problems": {"type": "array", "items": {"$ref": "#/$defs/problem"}},
                    "seconds": {"type": "number", "minimum": 0},
                },
            },
        },
    },
}
"""JSON Schema of ``proposals pack --json`` (documented in the README)."""

LOCK_NAME = ".proposals-pack.lock"
MANIFEST = "pack-manifest.json"


@dataclass
class DealResult:
    """What happened to one deal of a pack."""

    deal: str
    folder: str
    status: str  # built, unchanged, verified, failed, not built (the pack stopped before it)
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class PackResult:
    results: list[DealResult]
    manifest: Path | None = None
    zip: Path | None = None

    @property
    def failed(self) -> list[DealResult]:
        return [r for r in self.results if r.status == "failed"]


def in_shard(relative_path: str, shard: tuple[int, int] | None) -> bool:
    """Stable shard membership by a hash of the deal's workspace path."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(relative_path.encode()).hexdigest(), 16) % n == k - 1


def deal_paths(root: Path, given: list[Path]) -> list[Path]:
    """Deal files named or found in named folders (default: ``deals/*.yaml``), sorted, unique."""
    found: list[Path] = []
    for item in given or [root / "deals"]:
        path = item if item.is_absolute() or item.exists() else root / item
        if path.is_dir():
            found += sorted(path.glob("*.yaml"))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{item}: no such deal file or folder")
    outside = [p for p in found if not p.resolve().is_relative_to(root.resolve())]
    if outside:
        raise UsageError(f"{outside[0]}: the deal file must be inside the workspace {root}")
    return sorted(dict.fromkeys(p.resolve() for p in found))


@contextmanager
def locked(output: Path):
    with written_as(relative_name(Path.cwd(), output / LOCK_NAME)):
        output.mkdir(parents=True, exist_ok=True)
        handle = open(output / LOCK_NAME, "w")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"another pack is writing to {output}; wait for it or choose another --output") from None
        yield
    finally:
        handle.close()


def pack(ws: Workspace, output: Path, formats: tuple[str, ...], *, jobs: int, keep_going: bool = False, force: bool = False,
         time_limit: float = 60.0, make_zip: bool = False, strict: bool = False, invalid: list[DealResult] | None = None,
         on_result: Callable[[DealResult, int, int], None] = lambda r, i, n: None, engines=None) -> PackResult:
    """Build every deal of the workspace into ``output``; see the module docstring.
    ``engines``: PDF engines the command started (engine.py)."""
    with locked(output):
        prepared, results = _prepare(ws, keep_going)
        results += invalid or []
        todo, refused = _check_records(ws, prepared, output, keep_going, records_before_rendering)  # before any rendering
        results += refused
        todo, skipped = _incremental(ws, todo, output, formats, force)
        results += skipped
        for result in skipped:
            on_result(result, len(results), len(prepared) + len(results) - len(skipped))
        built, failed = _render(ws, todo, formats, jobs, time_limit, lambda r: on_result(r, 0, 0), engines)
        results += failed
        if failed and not keep_going:
            # each problem under the deal it stopped, so the message names both (and --json files it there)
            raise TemplateError([Problem(Location(r.deal), "", str(p), "pack.failed") for r in failed for p in r.problems])
        warnings = [w for b in prepared for w in b.warnings] + [w for b in built for w in b.warnings]
        if strict and warnings:
            raise ProposalsError(warnings)  # under --strict nothing is written
        built, record_failures = _check_records(ws, built, output, keep_going)
        results += record_failures
        recorded = {b.folder for b in built if b.recorded}
        write_built(ws, [b for b in built if b.folder not in recorded], output)
        results += [_result(ws, b, "verified" if b.folder in recorded else "built") for b in built]
        ordered = sorted(results, key=lambda r: r.deal)
        manifest_path = _write_manifest(ws, output, ordered)
        zip_path = _write_zip(output, ordered) if make_zip else _drop_stale_zip(output)
    return PackResult(ordered, manifest_path, zip_path)


def _drop_stale_zip(output: Path) -> None:
    """A pack without --zip removes the zip of an earlier pack: it would not match the new manifest."""
    (output / "pack.zip").unlink(missing_ok=True)


def _check_records(ws: Workspace, built: list[BuiltDeal], output: Path, keep_going: bool, before=None):
    """Issued revisions against their records (``before``: only what shows before rendering); with
    keep_going a refused one fails alone, else it stops the pack as invalid input (exit 2, as build)."""
    problems, recorded = (before(ws, [b.deal for b in built], output), set()) if before else verify_records(ws, built, output)
    if problems and not keep_going:
        raise InputError(problems)
    refused = {p.location.file for p in problems}
    failures = [DealResult(ws.relative(b.deal.path), b.folder, "failed", problems=[p for p in problems if p.location.file == ws.relative(b.deal.path)]) for b in built if ws.relative(b.deal.path) in refused]
    kept = [b for b in built if ws.relative(b.deal.path) not in refused]
    for b in kept:
        b.recorded = b.folder in recorded
    return kept, failures


def load_valid(root: Path, paths: list[Path], keep_going: bool) -> tuple[Workspace, list[DealResult]]:
    """Load the workspace; with keep_going, deal files that do not validate become failed results."""
    from ..input.loading import load_workspace

    try:
        return load_workspace(root, paths), []
    except InputError as exc:
        names = {relative_name(root, p): p for p in paths}
        broken = {p.location.file for p in exc.problems if p.location.file in names}
        if not keep_going or not broken or any(p.location.file not in names for p in exc.problems if p.severity == "error"):
            raise
        failures = [DealResult(name, "", "failed", problems=[p for p in exc.problems if p.location.file == name]) for name in sorted(broken)]
        return load_workspace(root, [p for name, p in names.items() if name not in broken]), failures


def _prepare(ws: Workspace, keep_going: bool) -> tuple[list[BuiltDeal], list[DealResult]]:
    """Price every deal first; all problems together, or (keep_going) the failures as results."""
    prepared, failed, problems = [], [], ProblemList()
    for loaded in ws.deals:
        try:
            prepared.append(prepare_deal(ws, loaded))
        except PricingError as exc:
            problems.extend(exc.problems)
            failed.append(DealResult(ws.relative(loaded.path), loaded.model.folder_name, "failed", problems=list(exc.problems)))
    if problems.errors and not keep_going:
        problems.raise_if_errors(PricingError)
    return prepared, failed


def _incremental(ws: Workspace, prepared: list[BuiltDeal], output: Path, formats: tuple[str, ...], force: bool):
    todo, skipped = [], []
    for built in prepared:
        if not force and _up_to_date(ws, built, output, formats):
            skipped.append(_result_from_record(ws, built, output))
        else:
            todo.append(built)
    return todo, skipped


def _up_to_date(ws: Workspace, built: BuiltDeal, output: Path, formats: tuple[str, ...]) -> bool:
    record = output / built.folder / "manifest.json"
    try:
        kept = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    wanted = {"quote.json", *(f"{d}.{fmt}" for d in ("offer", "contract", "contract-redline") for fmt in formats if fmt == "docx" or d != "contract-redline")}
    outputs = kept.get("outputs", {})
    if kept.get("version") != __version__ or kept.get("status") != built.deal.model.status or not wanted <= set(outputs):
        return False
    if kept.get("inputs") != manifest_inputs(ws, built.deal):
        return False
    return all((output / built.folder / name).is_file() and sha256((output / built.folder / name).read_bytes()) == digest for name, digest in outputs.items())


def _render(ws: Workspace, todo: list[BuiltDeal], formats, jobs: int, time_limit: float, report, engines=None) -> tuple[list[BuiltDeal], list[DealResult]]:
    if not todo:
        return [], []  # an up-to-date pack does not even import the writers
    _preload(formats, engines)
    done, failed = [], []
    for built, errors in render_prepared(ws, todo, formats, time_limit, jobs, engines):
        if not errors:
            done.append(built)
            report(_result(ws, built, "built"))
            continue
        problems = [p for error in errors for p in _problems(ws, error)]
        failed.append(DealResult(ws.relative(built.deal.path), built.folder, "failed", problems=list(dict.fromkeys(problems))))
        report(failed[-1])
    return done, failed


def _problems(ws: Workspace, error: Exception) -> list[Problem]:
    if isinstance(error, StepLimitHit):
        return [_limit_problem(ws, error)]
    if isinstance(error, ProposalsError):
        return error.problems
    if isinstance(error, ChildCrashed):
        message = f"internal error while rendering: {str(error).strip().splitlines()[-1][:160]}"
        note_internal_error(message)
        return [Problem(Location(""), "", message, "internal")]
    return [Problem(Location(""), "", str(error), "internal")]


def _result(ws: Workspace, built: BuiltDeal, status: str) -> DealResult:
    files = {name: sha256(data) for name, data in sorted(built.files.items())}
    return DealResult(ws.relative(built.deal.path), built.folder, status, files, list(built.warnings), seconds=round(built.seconds, 3))


def _result_from_record(ws: Workspace, built: BuiltDeal, output: Path) -> DealResult:
    kept = json.loads((output / built.folder / "manifest.json").read_text(encoding="utf-8"))
    return DealResult(ws.relative(built.deal.path), built.folder, "unchanged", dict(kept["outputs"]), list(built.warnings))


def shared_inputs(ws: Workspace) -> dict[str, str]:
    """Hashes of what the pack depends on: seller, catalog, templates, and every deal file of the
    workspace (so shards from different commits cannot be merged even when only deals differ)."""
    paths = list(ws.input_files()) + sorted((ws.root / "deals").glob("*.yaml"))
    templates = ws.root / "templates"
    if templates.is_dir():
        paths += [p for p in templates.rglob("*") if p.is_file()]
    return {ws.relative(p): sha256(p.read_bytes()) for p in sorted(set(paths))}


def _write_manifest(ws: Workspace, output: Path, results: list[DealResult]) -> Path:
    data = {
        "schema": "proposals.pack/1",
        "tool": "proposals",
        "version": __version__,
        "inputs": shared_inputs(ws),
        "deals": {
            r.folder: {"deal": r.deal, "deal_sha256": sha256((ws.root / r.deal).read_bytes()), "outputs": r.files}
            for r in results
            if r.status != "failed"
        },
    }
    return _atomic_write(output / MANIFEST, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


def _atomic_write(target: Path, data: bytes) -> Path:
    """``target`` replaced by ``data`` at once, or left as it was (a full disk is one clear line)."""
    with written_as(relative_name(Path.cwd(), target)), _temporary(target) as temporary:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    return target


@contextmanager
def _temporary(target: Path):
    """A temporary file's name beside ``target``, removed unless it was renamed into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        yield temporary
    finally:
        Path(temporary).unlink(missing_ok=True)


def _zip_time() -> tuple[int, int, int, int, int, int]:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        moment = time.gmtime(max(int(epoch), 315532800))  # a zip cannot say 1970; 1980 is its first day
        return moment[:6]
    return (1980, 1, 1, 0, 0, 0)


def _write_zip(output: Path, results: list[DealResult]) -> Path:
    """One zip of the pack: sorted entries, fixed timestamps and permissions, so equal inputs give equal bytes."""
    target = output / "pack.zip"
    with written_as(relative_name(Path.cwd(), target)), _temporary(target) as temporary:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            names = [f"{r.folder}/{name}" for r in results if r.status != "failed" for name in sorted([*r.files, "manifest.json"])]
            for name in sorted([*names, MANIFEST]):
                info = zipfile.ZipInfo(name, date_time=_zip_time())
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, (output / name).read_bytes())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    return target


def merge(manifests: list[Path], target: Path) -> Path:
    """Join shard manifests into one pack manifest; refuse shards built from different inputs."""
    loaded = []
    for path in manifests:
        path = path / MANIFEST if path.is_dir() else path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: not a pack manifest ({type(exc).__name__})") from None
        if not isinstance(data, dict) or data.get("schema") != "proposals.pack/1":
            raise UsageError(f"{path}: not a pack manifest (a deal's manifest.json? give the shard folder)")
        if any(path == seen for seen, _ in loaded):
            raise UsageError(f"{path}: given twice")
        loaded.append((path, data))
    target = target / MANIFEST if target.is_dir() else target
    first_path, first = loaded[0]
    deals: dict = {}
    for path, data in loaded:
        for key in ("version", "inputs"):
            if data.get(key) != first.get(key):
                raise UsageError(f"{path}: built from different {key} than {first_path}; rebuild the shards from one commit")
        for folder, entry in data["deals"].items():
            if folder in deals and deals[folder] != entry:
                raise UsageError(f"{path}: deal {folder} differs from another shard's")
            deals[folder] = entry
    merged = {**first, "deals": dict(sorted(deals.items()))}
    target.parent.mkdir(parents=True, exist_ok=True)
    return _atomic_write(target, (json.dumps(merged, indent=2, sort_keys=True) + "\n").encode())
