"""PDF writer: WeasyPrint with a fetcher that serves only the workspace's own files.

Documents may reference images and fonts inside the workspace (and inline
``data:`` images); anything else (network, files outside the workspace) is
refused and reported as a problem instead of being fetched.  The kept font
configuration is in :mod:`proposals.writers.pdf_fonts`, the WeasyPrint import
and its collected warnings in :mod:`proposals.writers.pdf_weasyprint`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import datetime, timezone
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..documents.assets import AssetPolicy, AssetRefused
from .pdf_fonts import _kept_fonts
from .pdf_weasyprint import _weasyprint_messages, load_weasyprint


VIRTUAL_ROOT = "/workspace/"


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class WorkspaceFetcher(URLFetcher):
        """Serves ``data:`` URLs and the workspace files its :class:`AssetPolicy` allows; refuses the rest."""

        def __init__(self, assets: AssetPolicy):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.assets = assets

        def fetch(self, url: str, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc or not parts.path.startswith(VIRTUAL_ROOT):
                raise ValueError(f"refused {url[:80]}: documents may use workspace files only")
            reference = unquote(parts.path[len(VIRTUAL_ROOT):])
            try:
                data = self.assets.read(reference)
            except AssetRefused as refused:
                raise ValueError(f"refused {reference[:80]}: {refused}") from None
            media_type = mimetypes.guess_type(reference)[0] or "application/octet-stream"
            return URLFetcherResponse(url, data, {"Content-Type": media_type})

    return WorkspaceFetcher


_SPACE_SEPARATED = re.compile(r"[^\t\n\f\r ]+")  # HTML's split on ASCII whitespace, as WeasyPrint splits rel


def _strip_attachment_links(html: str, tree) -> tuple[str, list[str]]:
    """Remove the ``attachment`` link type, in any spelling, from every element
    (WeasyPrint embeds the files of ``<a>`` and ``<link>`` with it): ``html``
    without them (``tree`` is its parse), and the problems."""
    import lxml.html

    problems = []
    for element in tree.xpath("//*[@rel]"):
        rels = _SPACE_SEPARATED.findall(element.get("rel", ""))
        kept = [r for r in rels if r.lower() != "attachment"]  # WeasyPrint compares lower-cased ASCII
        if len(kept) != len(rels):
            problems.append(f"attachment link to {element.get('href', '')[:60]!r} removed: documents embed no files")
            element.set("rel", " ".join(kept))
    if not problems:
        return html, []
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>"), problems


class PdfWriter:
    """HTML tree -> PDF/A-3b bytes, optionally with a machine-readable attachment (quote.json)."""

    name = "pdf"
    suffix = ".pdf"
    variant = "pdf/a-3b"

    def __init__(self, assets: AssetPolicy | Path, reuse: bool = True):
        self.assets = AssetPolicy.of(assets)
        self.reuse = reuse  # keep the font configuration between documents (see pdf_fonts)

    def render(self, html: str, identifier: str, attachment: tuple[str, bytes] | None = None, stamp: datetime | None = None) -> tuple[bytes, list[str]]:
        """Return the PDF and the problems WeasyPrint reported (refused or missing resources).

        ``stamp`` fixes the attachment's dates so equal inputs give equal bytes.
        """
        import lxml.html

        weasyprint = load_weasyprint()
        html, problems = _strip_attachment_links(html, lxml.html.document_fromstring(html))
        base_url = "file://" + VIRTUAL_ROOT  # fixed: the PDF must not depend on where the workspace lies on disk
        fetcher = _fetcher_class()(self.assets)
        with _weasyprint_messages() as messages, _kept_fonts() if self.reuse else contextlib.nullcontext() as fonts:
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            files = [self._attachment(weasyprint, *attachment, stamp)] if attachment else []
            data = document.write_pdf(
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
                pdf_variant=self.variant,
                attachments=files,
                font_config=fonts,
                finisher=_files_listed_once,
            )
        return data, problems + messages

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


def _files_listed_once(document, pdf) -> None:
    """Keep one entry per embedded file in the catalog's ``/AF`` array (PDF/A-3).

    WeasyPrint 70 adds each attachment twice, once from the ``EmbeddedFiles`` name
    tree and once more from its file specification; a validator takes the repeated
    entry for two associated files with one name."""
    listed = pdf.catalog.get("AF")
    if not listed:
        return
    unique = list(dict.fromkeys(listed))
    listed.clear()
    listed.extend(unique)


# ---------------------------------------------------------------- laid out in an engine (runtime/engines.py)

class LayoutFailed(Exception):
    """WeasyPrint raised while laying out a document in the engine; ``kind`` is the exception's type name."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(kind)


def raised_in_weasyprint(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside WeasyPrint (a layout failure, not a bug of ours)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and "weasyprint" in frames[-1].filename


def serve_layout(request: tuple) -> tuple[str, object]:
    """In a PDF engine: lay one document out; the reply says how it went (ok, layout failure, crash)."""
    import traceback

    html, assets, identifier, attachment, stamp = request
    try:
        return "ok", PdfWriter(assets).render(html, identifier, attachment, stamp)
    except MemoryError:
        raise  # the engine says so and ends
    except Exception as exc:  # noqa: BLE001 - sent to the worker, which reports it
        return ("layout", type(exc).__name__) if raised_in_weasyprint(exc) else ("crash", traceback.format_exc())


def render_pdf(assets: AssetPolicy | Path, html: str, identifier: str, attachment: tuple[str, bytes] | None, stamp: datetime | None) -> tuple[bytes, list[str]]:
    """The PDF and WeasyPrint's problems: from the worker's engine if it has one, else laid out here."""
    from ..runtime.engines import ask

    reply = ask((html, assets, identifier, attachment, stamp))
    if reply is None:
        return PdfWriter(assets).render(html, identifier, attachment, stamp)
    kind, payload = reply
    if kind == "ok":
        return payload
    if kind == "layout":
        raise LayoutFailed(payload)
    raise RuntimeError(f"the PDF engine failed:\n{payload}")


def start_engines(count: int):
    """PDF engines for a build or pack: each imports WeasyPrint, then lays out what its worker sends."""
    from ..runtime.engines import Engines

    return Engines(count, load_weasyprint, serve_layout)
