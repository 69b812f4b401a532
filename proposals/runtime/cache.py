"""Results kept between runs in a private per-user folder, keyed by what made them.

Two things are kept: Jinja's compiled templates (checked against each
template's source) and ``check``'s findings per deal and for the template
lint, keyed by the hash of every input that could change them (the deal and
its previous revision, the services it sells, the seller profile, the
workspace's templates, clauses and translations) and of this package's own
code and built-in templates. A hit gives the same findings a fresh run would;
anything that does not fit the key is simply computed again.

A cache that cannot be written (a full disk, a read-only folder) never fails
a run: the write is dropped, nothing half-written is left, and the run says
so once as a ``cache.unwritable`` warning.

Folder: ``$PROPOSALS_CACHE_DIR``, else ``$XDG_CACHE_HOME/proposals``, else
``~/.cache/proposals``. It must belong to the user and be private (0700),
since compiled templates are code. ``PROPOSALS_CACHE_DIR=off`` turns it off.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import Location, Problem

PACKAGE = Path(__file__).resolve().parent.parent  # the proposals package


def folder(name: str) -> Path | None:
    """The private cache folder ``name``, made if needed; None when caching is off or unsafe."""
    chosen = os.environ.get("PROPOSALS_CACHE_DIR", "").strip()
    if chosen.lower() in ("off", "none", "0"):
        return None
    base = Path(chosen) if chosen else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "proposals"
    path = base / name
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()  # a symbolic link could be swapped for someone else's folder
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
            return None  # someone else could plant results or compiled code here
    except (OSError, AttributeError):
        return None
    return path


_UNWRITTEN: dict[str, Problem] = {}  # cache folder -> the warning, in this process


def note_unwritable(path: Path, error: OSError) -> None:
    """Remember that the cache folder ``path`` could not be written; the run goes on without it."""
    reason = "no space left on the device" if error.errno in (errno.ENOSPC, errno.EDQUOT) else (error.strerror or type(error).__name__).lower()
    _UNWRITTEN.setdefault(str(path), Problem(Location(str(path)), "", f"{reason} while writing the cache; it is left as it was and the results are computed again next time", "cache.unwritable", "warning"))


def take_warnings() -> list[Problem]:
    """The cache warnings of this process since the last call."""
    found = list(_UNWRITTEN.values())
    _UNWRITTEN.clear()
    return found


def bytecode_cache(path: Path, pattern: str):
    """Jinja's file-system bytecode cache in ``path``, whose failed writes are warnings (see above)."""
    from jinja2 import FileSystemBytecodeCache

    class KeptBytecode(FileSystemBytecodeCache):
        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)  # removes its temporary file when the write fails
            except OSError as error:
                note_unwritable(path, error)

    return KeptBytecode(str(path), pattern)


@lru_cache(maxsize=1)
def code_digest() -> str:
    """Hash of this package's code and built-in templates, clauses and translations."""
    digest = hashlib.sha256()
    for path in sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.parts):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=1)
def library_versions() -> dict[str, str]:
    """Versions of the libraries whose behaviour shapes the findings."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("jinja2", "markupsafe", "lxml", "python-docx", "pydantic", "babel", "pyyaml", "markdown-it-py"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "-"
    return found


def workspace_files(root: Path) -> list[tuple[str, int, int]]:
    """Every file of the workspace a document could show (an image anywhere in it), by path,
    size and modification time; version control, environments and output are left out."""
    skip = {".git", ".venv", "venv", "output", "__pycache__", "node_modules", ".pytest_cache", ".hypothesis"}
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d not in skip and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder) / name
            try:
                info = path.stat()
            except OSError:
                continue
            found.append((path.relative_to(root).as_posix(), info.st_size, info.st_mtime_ns))
    return found


def key(*parts: Any) -> str:
    """A cache key from JSON-able parts, the package's code and the libraries' versions."""
    return hashlib.sha256(json.dumps([code_digest(), library_versions(), *parts], sort_keys=True, default=str).encode()).hexdigest()


def load_problems(kind: str, name: str) -> list[Problem] | None:
    path = folder(kind)
    if path is None:
        return None
    try:
        data = json.loads((path / f"{name}.json").read_text(encoding="utf-8"))
        return [Problem(Location(*p["location"]), p["field"], p["message"], p["kind"], p["severity"]) for p in data]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_problems(kind: str, name: str, problems: list[Problem]) -> None:
    path = folder(kind)
    if path is None:
        return
    data = [{"location": [p.location.file, p.location.line, p.location.column], "field": p.field, "message": p.message, "kind": p.kind, "severity": p.severity} for p in problems]
    handle = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path, prefix=f".{name}.", delete=False) as handle:
            json.dump(data, handle)
        os.replace(handle.name, path / f"{name}.json")
    except OSError as error:
        if handle is not None:
            Path(handle.name).unlink(missing_ok=True)
        note_unwritable(path, error)
