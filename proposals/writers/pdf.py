"""PDF writer: WeasyPrint with a fetcher that serves only the workspace's own files.

Documents may reference images and fonts inside the workspace (and inline
``data:`` images); anything else (network, files outside the workspace) is
refused and reported as a problem instead of being fetched.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().splitlines()[0]
        # "Failed to load image at '<long url>': ValueError: <our reason>" -> "<our reason>"
        _, found, reason = message.partition("Error: ")
        self.messages.append((reason if found else message)[:200])


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
            if parts.scheme != "file":
                raise ValueError(f"refused {url[:80]}: documents may use workspace files only")
            path = Path(unquote(parts.path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"refused {path}: outside the workspace")
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    return WorkspaceFetcher


class PdfWriter:
    """HTML tree -> PDF bytes."""

    name = "pdf"
    suffix = ".pdf"

    def __init__(self, asset_root: Path):
        self.asset_root = asset_root

    def render(self, html: str, identifier: str) -> tuple[bytes, list[str]]:
        """Return the PDF and the problems WeasyPrint reported (refused or missing resources)."""
        import weasyprint

        collector = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collector)
        try:
            document = weasyprint.HTML(
                string=html,
                base_url=self.asset_root.resolve().as_uri() + "/",
                url_fetcher=_fetcher_class()(self.asset_root),
            )
            data = document.write_pdf(pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode())
        finally:
            logger.removeHandler(collector)
        return data, collector.messages
