"""Reading built documents back, for the tests: PDF text (pypdf), DOCX text (python-docx), copies of test workspaces."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
from pypdf import PdfReader

from .conftest import CASES


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def squash(text: str) -> str:
    """Ignore line breaks and hyphenation differences of the PDF text layer."""
    return " ".join(text.replace("\u00a0", " ").split())


def copy_minimal(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(CASES / "minimal", ws)
    return ws
