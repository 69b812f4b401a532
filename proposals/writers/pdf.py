"""PDF writer: WeasyPrint with a fetcher that serves only the workspace's own files.

Documents may reference images and fonts inside the workspace (and inline
``data:`` images); anything else (network, files outside the workspace) is
refused and reported as a problem instead of being fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
from datetime import datetime, timezone
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..documents.assets import AssetPolicy, AssetRefused


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


def _strip_attachment_links(html: str, tree) -> tuple[str, object, list[str]]:
    """Remove the ``attachment`` link type, in any spelling, from every element
    (WeasyPrint embeds the files of ``<a>`` and ``<link>`` with it): ``html``
    without them, the tree it was read from, and the problems."""
    import lxml.html

    problems = []
    for element in tree.xpath("//*[@rel]"):
        rels = _SPACE_SEPARATED.findall(element.get("rel", ""))
        kept = [r for r in rels if r.lower() != "attachment"]  # WeasyPrint compares lower-cased ASCII
        if len(kept) != len(rels):
            problems.append(f"attachment link to {element.get('href', '')[:60]!r} removed: documents embed no files")
            element.set("rel", " ".join(kept))
    if not problems:
        return html, tree, []
    html = lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")
    return html, lxml.html.document_fromstring(html), problems


# ---------------------------------------------------------------- stylesheets parsed once per process
#
# WeasyPrint parses a document's <style> elements anew for every document: 8 ms
# for the built-in stylesheet, which is the same text for every document of a
# workspace. A worker keeps the parsed stylesheet and passes it to WeasyPrint
# as a user stylesheet, with the <style> elements cut from the HTML. That
# changes the origin of the rules (author -> user) and removes elements from
# <head>, which decides nothing as long as:
# - every document stylesheet moves, in order, and the document has no <link>
#   stylesheet, no <base> and no <svg> sized by attributes;
# - no sheet has an !important declaration or an ID selector (WeasyPrint weighs
#   a style attribute like one ID selector);
# - no sheet sets what WeasyPrint derives from attributes as author rules
#   (lang from lang=, anchor from id= and name=);
# - no sheet can display <head> (a rule setting display whose subject is not a
#   named element other than head), so the cut elements were never rendered;
# - no sheet imports, declares fonts, counter styles, layers, colour profiles or
#   namespaces, or uses var() (a parsed var() remembers having warned, so a
#   reused sheet would stop reporting it).
# Anything else renders the usual way.

_STYLE_BLOCK = re.compile(r"<style\s*>(.*?)</style\s*>", re.S | re.I)
_HEAD_END = re.compile(r"</head\s*>", re.I)
_UNPORTABLE_AT_RULES = {"import", "font-face", "counter-style", "layer", "color-profile", "namespace"}
_FROM_ATTRIBUTES = {"lang", "-weasy-lang", "anchor", "-weasy-anchor"}
_DISPLAYING = {"display", "all"}
_CACHED_FROM = 2000  # characters: shorter sheets (the per-deal footer rule) are parsed each time
_SEEN: set[str] = set()  # large sheets met once: the second sighting parses them for keeps
_SHEETS: dict[str, tuple[object, tuple[str, ...]]] = {}  # text -> (weasyprint.CSS, warnings while parsing)
_UNPORTABLE: set[str] = set()


def _style_blocks(html: str, tree) -> list[re.Match] | None:
    """The document's stylesheets as spans of ``html`` if all may move out of it, else None."""
    styles = tree.xpath("//style")
    if not styles or tree.xpath("//base") or any("stylesheet" in (link.get("rel") or "").lower() for link in tree.xpath("//link")):
        return None
    if any(svg.get("width") or svg.get("height") for svg in tree.xpath("//svg")):
        return None
    if any(style.attrib or style.getparent().tag != "head" or len(style) for style in styles):
        return None
    head_end = _HEAD_END.search(html)
    blocks = list(_STYLE_BLOCK.finditer(html, 0, head_end.start() if head_end else 0))
    # Every real <style> start tag matches the pattern; a match elsewhere (in a comment,
    # a title, an attribute) adds a block, or changes a text, or a line: then the counts,
    # texts or lines differ, and WeasyPrint reads the document as usual.
    found = [(html.count("\n", 0, block.start()) + 1, block.group(1)) for block in blocks]
    if found != [(style.sourceline, style.text or "") for style in styles]:
        return None
    return blocks


def _portable(text: str) -> bool:
    """True if moving this sheet from author to user origin changes no computed value (see above)."""
    import tinycss2

    def nested(token):
        return getattr(token, "arguments", None) or getattr(token, "content", None) or ()

    def prelude_has_id(tokens) -> bool:  # also inside :not(), :is() and [...]; :has() counts too
        return any(token.type == "hash" or (token.type == "function" and token.lower_name == "has") or prelude_has_id(nested(token)) for token in tokens)

    def uses_var(tokens) -> bool:
        return any((token.type == "function" and token.lower_name == "var") or uses_var(nested(token)) for token in tokens)

    def names_its_subject(prelude) -> bool:
        """Every selector's subject is a named element other than head (so head keeps display: none)."""
        for selector in tinycss2.serialize(prelude).split(","):  # commas inside :is() only make this stricter
            subject = re.split(r"[\s>+~]+", selector.strip())[-1]
            name = re.match(r"[A-Za-z][A-Za-z0-9-]*", subject)
            if name is None or name.group().lower() == "head":
                return False
        return True

    def block_ok(content, prelude=None) -> bool:
        for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if item.type == "declaration":
                if item.important or item.lower_name in _FROM_ATTRIBUTES or uses_var(item.value):
                    return False
                if item.lower_name in _DISPLAYING and (prelude is None or not names_its_subject(prelude)):
                    return False
            if item.type == "at-rule" and not at_rule_ok(item):
                return False
            if item.type == "qualified-rule" and not rule_ok(item):
                return False
        return True

    def rule_ok(rule) -> bool:
        return not prelude_has_id(rule.prelude) and block_ok(rule.content, rule.prelude)

    def at_rule_ok(rule) -> bool:
        if rule.lower_at_keyword in _UNPORTABLE_AT_RULES:
            return False
        if rule.content is None:
            return True
        if rule.lower_at_keyword in ("media", "supports"):
            return rules_ok(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True))
        return block_ok(rule.content)

    def rules_ok(rules) -> bool:
        for rule in rules:
            if rule.type == "at-rule" and not at_rule_ok(rule):
                return False
            if rule.type == "qualified-rule" and not rule_ok(rule):
                return False
        return True

    return rules_ok(tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True))


@contextlib.contextmanager
def _weasyprint_messages():
    """The warnings WeasyPrint logs meanwhile, as a list filled in place."""
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)


def _parsed_sheet(weasyprint, text: str, base_url: str, fetcher) -> tuple[object, tuple[str, ...]]:
    with _weasyprint_messages() as messages:
        sheet = weasyprint.CSS(string=text, base_url=base_url, url_fetcher=fetcher, media_type="print")
    return sheet, tuple(messages)


def _moved_stylesheets(weasyprint, html: str, tree, base_url: str, fetcher) -> tuple[str, list, list[str]] | None:
    """``html`` without its <style> elements, their parsed sheets and parsing warnings; None to render as usual."""
    blocks = _style_blocks(html, tree)
    if blocks is None:
        return None
    texts = [block.group(1) for block in blocks]
    large = [text for text in texts if len(text) >= _CACHED_FROM]
    if not large or any(text in _UNPORTABLE or (text not in _SHEETS and text not in _SEEN) for text in large):
        if len(_SEEN) > 64:  # a long-running process may meet many versions of the stylesheet
            _SEEN.clear()
        _SEEN.update(large)  # a single build renders each document once: parse the usual way
        return None
    sheets, warnings = [], []
    for text in texts:
        found = _SHEETS.get(text)
        if found is None:
            if not _portable(text):
                if len(text) >= _CACHED_FROM:
                    if len(_UNPORTABLE) > 64:
                        _UNPORTABLE.clear()
                    _UNPORTABLE.add(text)
                return None
            found = _parsed_sheet(weasyprint, text, base_url, fetcher)
            if len(text) >= _CACHED_FROM:
                if len(_SHEETS) >= 8:
                    _SHEETS.pop(next(iter(_SHEETS)))
                _SHEETS[text] = found
        sheets.append(found[0])
        warnings += found[1]
    cut, start = [], 0
    for block in blocks:
        cut.append(html[start:block.start()])
        start = block.end()
    cut.append(html[start:])
    return "".join(cut), sheets, warnings


# ---------------------------------------------------------------- fonts kept per process
#
# WeasyPrint makes a FontConfiguration for every document: it loads fontconfig's
# configuration and holds Pango's font map, whose caches (fonts opened, glyphs
# shaped, line metrics) then start cold each time; about 3 % of the example
# offer's time. A process keeps one configuration while no document adds fonts
# to it. A @font-face rule (in a stylesheet or an SVG image) registers its font
# in the configuration, where later documents would find it, so the document
# that adds one is the last to use that configuration. The caches depend only on
# the fonts, so the documents come out byte-identical either way.

_FONTS_RENEWED_AFTER = 200  # documents: bounds Pango's caches in a long-running worker
_FONTS: list = []  # the configuration in use, if any


def _font_configuration_class():
    from weasyprint.text.fonts import FontConfiguration

    class KeptFonts(FontConfiguration):
        """A FontConfiguration that notes whether any document added a font face to it."""

        def __init__(self) -> None:
            super().__init__()
            self.documents = 0
            self.faces_added = False

        def add_font_face(self, rule_descriptors, url_fetcher):
            # Pango forgets its fonts when a face is added, WeasyPrint's line metrics per
            # family name do not: measured with the font the name fell back to before, they
            # would now be wrong (a fresh configuration has none yet).
            self.faces_added = True
            self.strut_layouts.clear()
            return super().add_font_face(rule_descriptors, url_fetcher)

    return KeptFonts


@contextlib.contextmanager
def _kept_fonts():
    """The process's font configuration for one document; dropped after a document added fonts to it."""
    if not _FONTS:
        _FONTS.append(_font_configuration_class()())
    fonts = _FONTS[0]
    try:
        yield fonts
    finally:
        fonts.documents += 1
        if fonts.faces_added or fonts.documents >= _FONTS_RENEWED_AFTER:
            _FONTS.clear()


class PdfWriter:
    """HTML tree -> PDF/A-3b bytes, optionally with a machine-readable attachment (quote.json)."""

    name = "pdf"
    suffix = ".pdf"
    variant = "pdf/a-3b"

    def __init__(self, assets: AssetPolicy | Path, reuse: bool = True):
        self.assets = AssetPolicy.of(assets)
        self.reuse = reuse  # keep parsed stylesheets and the font configuration (see _moved_stylesheets, _kept_fonts)

    def render(self, html: str, identifier: str, attachment: tuple[str, bytes] | None = None, stamp: datetime | None = None) -> tuple[bytes, list[str]]:
        """Return the PDF and the problems WeasyPrint reported (refused or missing resources).

        ``stamp`` fixes the attachment's dates so equal inputs give equal bytes.
        """
        import lxml.html

        weasyprint = load_weasyprint()
        html, tree, problems = _strip_attachment_links(html, lxml.html.document_fromstring(html))
        base_url = "file://" + VIRTUAL_ROOT  # fixed: the PDF must not depend on where the workspace lies on disk
        fetcher = _fetcher_class()(self.assets)
        moved = _moved_stylesheets(weasyprint, html, tree, base_url, fetcher) if self.reuse else None
        sheets: list = []
        if moved is not None:
            html, sheets, warnings = moved
            problems += warnings  # as WeasyPrint would report them while reading the <style> elements
        with _weasyprint_messages() as messages, _kept_fonts() if self.reuse else contextlib.nullcontext() as fonts:
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
            files = [self._attachment(weasyprint, *attachment, stamp)] if attachment else []
            data = document.write_pdf(
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
                pdf_variant=self.variant,
                attachments=files,
                stylesheets=sheets,
                font_config=fonts,
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
