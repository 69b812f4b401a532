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
    from .deal import price_deal, quote_warnings
    from .output import written_as
    from .render import check_reference

    ws = load_workspace(workspace, [deal])
    loaded = ws.deals[0]
    quote = price_deal(ws, loaded)
    if review is not None:
        load_reviews(ws, loaded, review)  # every problem located, before anything renders
    check_reference(ws, formats)
    files, warnings = _rendered(ws, loaded, quote, formats, [review] if review else [], review is None)
    report(ws.warnings + quote_warnings(loaded, quote) + warnings, strict)  # under --strict, warnings fail before a byte is written
    folder = (output or ws.root / "output") / loaded.model.folder_name
    with written_as(ws.relative(folder)):
        folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(files.items()):
        with written_as(ws.relative(folder / name)):
            _replace(folder / name, data)
        click.echo(f"wrote {ws.relative(folder / name)}")


def _rendered(ws, loaded, quote, formats, reviews, plan: bool):
    """The documents rendered in a forked child under the build's time and memory limits (the
    templates may be the workspace's own), so this process never loads matplotlib either."""
    from ..errors import TemplateError
    from ..runtime.workers import can_fork, run_limited
    from .build import DEFAULT_TIME_LIMIT, render_errors

    if not can_fork():
        return _task(ws, loaded, quote, formats, reviews, plan)
    try:
        return run_limited(_task, (ws, loaded, quote, formats, reviews, plan), DEFAULT_TIME_LIMIT)
    except Exception as error:  # noqa: BLE001 - a limit, a crash or a located problem, each said as build says it
        raise TemplateError(render_errors(ws, [error])) from None


def _task(ws, loaded, quote, formats, reviews, plan, progress=lambda step: None):
    from ..runtime import cache
    from .aftercare import aftercare_files

    progress("plan" if plan else "review")
    files, warnings = aftercare_files(ws, loaded, quote, formats, reviews=reviews, plan=plan)
    return files, warnings + cache.take_warnings()


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
