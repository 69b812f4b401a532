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
