"""Write deal folders atomically: every file into a temporary folder in ``output/``, then one rename.

A full disk, or a write refused by the system, is one :class:`WriterError`
naming the file; the temporary folder is removed, so a deal folder is either
complete or absent.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import WriterError
from ..input.loading import Workspace
from .records import manifest
from .built import BuiltDeal


def write_built(ws: Workspace, built: list[BuiltDeal], output: Path) -> list[Path]:
    """Write every deal's files atomically: temp folder in ``output/``, then rename.
    A full disk is a :class:`WriterError` naming the file; the deal's temp folder is removed."""
    with written_as(ws.relative(output)):
        output.mkdir(parents=True, exist_ok=True)
    written = []
    for deal in built:
        target = output / deal.folder
        with written_as(ws.relative(target)):
            staging = Path(tempfile.mkdtemp(prefix=f".{deal.folder}.", dir=output))
        staging.chmod(0o755)  # mkdtemp makes it private; the deal folder is for the team and CI
        try:
            for name, data in [*sorted(deal.files.items()), ("manifest.json", None)]:
                with written_as(ws.relative(target / name)):
                    (staging / name).write_bytes(manifest(ws, deal) if data is None else data)
            with written_as(ws.relative(target)):
                _replace_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        written.append(target)
    return written


@contextlib.contextmanager
def written_as(shown: str):
    """Writes inside this block are of the file ``shown``: a full disk or a refused write becomes one clear line."""
    try:
        yield
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WriterError(f"no space left on the device while writing {shown}") from None
        raise WriterError(f"could not write {shown}: {error.strerror or error}") from None


def _replace_dir(staging: Path, target: Path) -> None:
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)
