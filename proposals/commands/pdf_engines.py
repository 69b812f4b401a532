"""PDF engines around a command: started before a build or pack loads the workspace, ended after it.

The engines (runtime/engines.py) import WeasyPrint in their own processes while this
process imports and loads, so callers start them first and import the rest inside the
``with`` block. Everything heavy is imported here only when engines are wanted.
"""

from __future__ import annotations

import contextlib
from pathlib import Path


def start_pdf_engines(workspace: Path, paths: list[Path] | None, formats: tuple[str, ...], jobs: int | None):
    """PDF engines for a build or pack (engine.py), one per worker it may use (``paths``: the
    deals named, None for all of deals/); None where processes cannot be forked."""
    from ..runtime.engines import engine_count
    from ..writers.pdf import start_engines
    from ..runtime.workers import can_fork, default_jobs

    if "pdf" not in formats or not can_fork():
        return None
    deals = len(paths) if paths and all(p.suffix in (".yaml", ".yml") for p in paths) else len(list((workspace / "deals").glob("*.yaml")))
    try:
        return start_engines(engine_count(jobs or default_jobs(), deals))
    except OSError:  # no pipes or shared memory here: the workers lay the PDFs out themselves
        return None


@contextlib.contextmanager
def pdf_engines(workspace: Path, paths: list[Path] | None, formats: tuple[str, ...], jobs: int | None):
    """The command's PDF engines (or None) while it runs: ended when it is done, killed at once if it fails."""
    engines = start_pdf_engines(workspace, paths, formats, jobs)
    try:
        yield engines
    except BaseException:
        if engines is not None:
            engines.close(at_once=True)
        raise
    if engines is not None:
        engines.close()
