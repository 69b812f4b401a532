"""The built-in templates, clauses, wording, reference.docx and the ``init`` scaffold, shipped as package data."""

from pathlib import Path

BUILTIN = Path(__file__).resolve().parent
