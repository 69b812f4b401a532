"""The template reference, generated from the code so it cannot drift.

Every variable of :class:`~proposals.documents.context.TemplateContext` (type and
the docstring under it) and every Jinja filter (signature and first docstring line),
as Markdown tables; ``proposals.commands.readme`` writes them into README.md.
"""

from __future__ import annotations

import dataclasses
import inspect
import typing

from ..input.model.common import attribute_docstrings
from .context import TemplateContext
from .templating import filters


def template_tables() -> str:
    """Every template variable (type, meaning) and every filter (signature, meaning)."""
    hints = typing.get_type_hints(TemplateContext)
    docs = {name: " ".join(text.split()).replace("|", "\\|") for name, text in attribute_docstrings(TemplateContext).items()}
    rows = ["| variable | type | meaning |", "|---|---|---|"]
    for f in dataclasses.fields(TemplateContext):
        kind = getattr(hints[f.name], "__name__", None) or str(hints[f.name]).replace("typing.", "")
        rows.append(f"| `{f.name}` | `{kind.replace('|', chr(92) + '|')}` | {docs.get(f.name, '')} |")
    rows += ["", "| filter | arguments | meaning |", "|---|---|---|"]
    for name, function in sorted(filters("en_GB", "EUR").items()):
        signature = str(inspect.signature(function)).replace("|", "\\|")
        rows.append(f"| `{name}` | `{signature}` | {(function.__doc__ or '').strip().splitlines()[0] if function.__doc__ else ''} |")
    return "\n".join(rows)


def undocumented_filters() -> list[str]:
    """Every filter without a docstring (a test keeps this empty)."""
    return sorted(name for name, function in filters("en_GB", "EUR").items() if not (function.__doc__ or "").strip())
