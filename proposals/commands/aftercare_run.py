"""``proposals plan DEAL`` and ``proposals review DEAL REVIEW``: load, price, validate, then write.

Everything is loaded and checked before a byte is written (a bad review file is a
located InputError, exit 2, and no file); the documents go into the deal's folder
``OUTPUT/<offer-number>-r<revision>/``, each file replaced atomically, where
``proposals build`` also writes them for an accepted deal.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

import click


def run_aftercare(workspace: Path, deal: Path, review: Path | None, output: Path | None, formats: tuple[str, ...], strict: bool, report: Callable[[list, bool], None]) -> None:
    """The plan (``review`` None) or the review document of DEAL, written to its output folder."""
    from ..input.loading import load_workspace
    from ..input.reviews import load_reviews
    from .aftercare import aftercare_files
    from .deal import price_deal, quote_warnings
    from .output import written_as
    from .render import check_reference

    ws = load_workspace(workspace, [deal])
    loaded = ws.deals[0]
    quote = price_deal(ws, loaded)
    if review is not None:
        load_reviews(ws, loaded, review)  # every problem located, before anything renders
    check_reference(ws, formats)
    files, warnings = aftercare_files(ws, loaded, quote, formats, reviews=[review] if review else [], plan=review is None)
    report(ws.warnings + quote_warnings(loaded, quote) + warnings, strict)  # under --strict, warnings fail before a byte is written
    folder = (output or ws.root / "output") / loaded.model.folder_name
    with written_as(ws.relative(folder)):
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        with written_as(ws.relative(folder / name)):
            _replace(folder / name, data)
        click.echo(f"wrote {ws.relative(folder / name)}")


def _replace(path: Path, data: bytes) -> None:
    handle, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
