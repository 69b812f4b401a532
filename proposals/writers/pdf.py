"""PDF writer: WeasyPrint with a fetcher that serves only the workspace's own files.

Documents may reference images and fonts inside the workspace (and inline
``data:`` images); anything else (network, files outside the workspace) is
refused and reported as a problem instead of being fetched.
"""

from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, timezone
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit


VIRTUAL_ROOT = "/workspace/"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0]
        # "Failed to load image at '<long url>': ValueError: <our reason>" -> "<our reason>"
        _, found, reason = message.partition("Error: ")
        self.messages.append((reason if found else message)[:200])


def load_weasyprint():
    """Import WeasyPrint, with one ``ldconfig -p`` to find its C libraries.

    WeasyPrint tries several names per library (``libgobject-2.0-0``,
    ``gobject-2.0-0``, ``gobject-2.0``...); cffi passes each to
    ``ctypes.util.find_library``, which on Linux runs ldconfig, then gcc, then
    ld for every name that does not exist: 0.15 s of every build's start. Only
    during this import, names are looked up in one reading of the ldconfig
    cache; where that cannot be read, the standard lookup runs.
    """
    import sys

    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    import ctypes.util

    standard = ctypes.util.find_library
    known = _ldconfig_libraries()
    if known is not None:
        ctypes.util.find_library = lambda name: next((so for so in known if so.startswith(f"lib{name}.")), None)
    try:
        import weasyprint
    finally:
        ctypes.util.find_library = standard
    return weasyprint


def _ldconfig_libraries() -> list[str] | None:
    """Sonames in the ldconfig cache for this machine's ABI, in the cache's order (as ctypes reads it)."""
    import os
    import platform
    import re
    import struct
    import subprocess

    if platform.system() != "Linux":
        return None
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    abi = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit", "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}.get(machine, "libc6")
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, env={"LC_ALL": "C", "LANG": "C"}, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return [so for so, flags in re.findall(r"^\s+(lib\S+)\s+\(([^)]*)\)", listing.decode(errors="replace"), re.M) if flags.startswith(abi)] or None


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class WorkspaceFetcher(URLFetcher):
        """Serves ``file:`` URLs inside ``root`` and ``data:`` URLs; refuses the rest."""

        def __init__(self, root: Path):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.root = root.resolve()

        def fetch(self, url: str, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or not parts.path.startswith(VIRTUAL_ROOT):
                raise ValueError(f"refused {url[:80]}: documents may use workspace files only")
            path = (self.root / unquote(parts.path[len(VIRTUAL_ROOT):])).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"refused {path}: outside the workspace")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    return WorkspaceFetcher


def strip_attachment_links(html: str) -> tuple[str, list[str]]:
    """Remove ``rel=attachment`` from links: WeasyPrint would embed the linked files."""
    import lxml.html

    tree = lxml.html.document_fromstring(html)
    problems = []
    for element in tree.xpath("//*[@rel]"):
        rels = element.get("rel", "").split()
        if "attachment" in rels:
            problems.append(f"attachment link to {element.get('href', '')[:60]!r} removed: documents embed no files")
            element.set("rel", " ".join(r for r in rels if r != "attachment"))
    if not problems:
        return html, []
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>"), problems


class PdfWriter:
    """HTML tree -> PDF/A-3b bytes, optionally with a machine-readable attachment (quote.json)."""

    name = "pdf"
    suffix = ".pdf"
    variant = "pdf/a-3b"

    def __init__(self, asset_root: Path):
        self.asset_root = asset_root

    def render(self, html: str, identifier: str, attachment: tuple[str, bytes] | None = None, stamp: datetime | None = None) -> tuple[bytes, list[str]]:
        """Return the PDF and the problems WeasyPrint reported (refused or missing resources).

        ``stamp`` fixes the attachment's dates so equal inputs give equal bytes.
        """
        weasyprint = load_weasyprint()
        html, problems = strip_attachment_links(html)
        collector = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            # A fixed virtual root: the PDF must not depend on where the workspace lies on disk.
            document = weasyprint.HTML(string=html, base_url="file://" + VIRTUAL_ROOT, url_fetcher=_fetcher_class()(self.asset_root))
            files = [self._attachment(weasyprint, *attachment, stamp)] if attachment else []
            data = document.write_pdf(
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
                pdf_variant=self.variant,
                attachments=files,
            )
        finally:
            logger.removeHandler(collector)
        return data, problems + collector.messages

    @staticmethod
    def _attachment(weasyprint, name: str, data: bytes, stamp: datetime | None):
        stamp = stamp or datetime(1980, 1, 1, tzinfo=timezone.utc)
        return weasyprint.Attachment(
            file_obj=io.BytesIO(data),
            name=name,
            description="The priced offer as data (proposals.quote schema)",
            created=stamp,
            modified=stamp,
            relationship="Data",
        )
