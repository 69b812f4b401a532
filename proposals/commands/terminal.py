"""How problems look on a terminal: errors red, warnings yellow; plain in pipes, CI logs, under NO_COLOR
(https://no-color.org) and with ``--no-color``."""

from __future__ import annotations

import os
import sys

import click

settings = {"color": True}  # --no-color sets it off for the run


def painted(problem) -> str:
    """The problem as one line, coloured only when stderr is a terminal that wants colour."""
    line = str(problem)
    if not settings["color"] or os.environ.get("NO_COLOR") or not sys.stderr.isatty():
        return line
    return click.style(line, fg="yellow" if getattr(problem, "severity", "error") == "warning" else "red")


def internal_error(exc: BaseException) -> int:
    """A bug: one line on stderr (no traceback), the traceback saved to a file; exit code 1."""
    import tempfile
    import traceback
    from datetime import datetime
    from pathlib import Path

    from ..errors import note_internal_error
    from ..version import __version__

    path = Path(tempfile.gettempdir()) / f"proposals-internal-error-{datetime.now():%Y%m%d-%H%M%S}.txt"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        where = f"details saved to {path}"
    except OSError:
        where = "details could not be saved"
    line = f"internal error (a bug in proposals {__version__}): {type(exc).__name__}; {where}"
    note_internal_error(line)
    click.echo(line, err=True)
    return 1
