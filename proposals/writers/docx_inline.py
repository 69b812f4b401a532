"""Inline content for the DOCX writer: collect, collapse whitespace, emit runs.

Inline HTML is first flattened into a list of segments (:class:`Text`,
:class:`Break`, :class:`Picture`), each carrying its :class:`Fmt`.  Whitespace
is then collapsed the way a browser does it (runs of ASCII whitespace become
one space, spaces at the start/end of a block and around ``<br>`` disappear,
U+00A0 is kept), and finally the segments become python-docx runs, grouped
into ``w:hyperlink`` elements where they belong to an ``<a href>``.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from itertools import groupby

from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Pt, RGBColor

from proposals.writers import docx_oxml
from proposals.writers.docx_context import (BLOCK_TAGS, FOREIGN_BLOCK_TAGS, INLINE_FORMATS,
                                            MUTED_RGB, OPAQUE_TAGS, SILENT_CLASSES, Fmt,
                                            check_attributes, check_classes, class_list,
                                            where)
from proposals.writers.docx_images import ImageRefused, LoadedImage, load_image, picture_size

WHITESPACE = re.compile(r"[ \t\n\r\f]+")
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
SMALL_FACTOR = 0.83


@dataclass(frozen=True)
class Text:
    text: str
    fmt: Fmt


@dataclass(frozen=True)
class Break:
    fmt: Fmt


@dataclass(frozen=True)
class Picture:
    image: LoadedImage
    width: int
    height: int
    alt: str
    fmt: Fmt


# ------------------------------------------------------------------ collecting
def collect(ctx, nodes, fmt: Fmt, width: int) -> list:
    """Flatten text strings and inline elements into normalized segments."""
    out: list = []
    for node in nodes:
        if isinstance(node, str):
            out.append(Text(node, fmt))
        else:
            _element(ctx, node, fmt, width, out)
    return normalize(out)


def _element(ctx, element, fmt: Fmt, width: int, out: list) -> None:
    tag = element.tag
    if not isinstance(tag, str):  # comment or processing instruction
        return
    if tag in OPAQUE_TAGS:
        ctx.report(f"unsupported element <{tag}> {where(element)}, content omitted")
        return
    if SILENT_CLASSES.intersection(class_list(element)):
        return
    check_attributes(ctx, element)
    if tag == "br":
        out.append(Break(fmt))
    elif tag == "img":
        out.append(_picture(ctx, element, fmt, width))
    else:
        _children(ctx, element, _inline_fmt(ctx, element, fmt), width, out)


def _children(ctx, element, fmt: Fmt, width: int, out: list) -> None:
    if element.text:
        out.append(Text(element.text, fmt))
    for child in element:
        _element(ctx, child, fmt, width, out)
        if child.tail:
            out.append(Text(child.tail, fmt))


def _inline_fmt(ctx, element, fmt: Fmt) -> Fmt:
    tag = element.tag
    if tag == "span":
        return _span_fmt(ctx, element, fmt)
    check_classes(ctx, element, {"muted"})
    if "muted" in class_list(element):
        fmt = replace(fmt, muted=True)
    if tag in INLINE_FORMATS:
        return replace(fmt, **{INLINE_FORMATS[tag]: True})
    if tag == "a":
        return _link_fmt(ctx, element, fmt)
    if tag in BLOCK_TAGS or tag in FOREIGN_BLOCK_TAGS:
        ctx.report(f"block element <{tag}> inside inline content {where(element)}, "
                   "rendered as inline text")
    else:
        ctx.report(f"unsupported element <{tag}> {where(element)}, text kept")
    return fmt


def _link_fmt(ctx, element, fmt: Fmt) -> Fmt:
    href = (element.get("href") or "").strip()
    if href.lower().startswith(LINK_SCHEMES):
        return replace(fmt, href=href, char_style="Hyperlink")
    if href:
        ctx.report(f"link target '{href[:80]}' not supported {where(element)}, "
                   "text kept without link")
    return fmt


def _span_fmt(ctx, element, fmt: Fmt) -> Fmt:
    for name in class_list(element):
        if name == "muted":
            fmt = replace(fmt, muted=True)
        elif name == "small":
            fmt = replace(fmt, small=True)
        elif ctx.char_style_for_class(name):
            fmt = replace(fmt, char_style=ctx.char_style_for_class(name))
    return fmt


def _picture(ctx, element, fmt: Fmt, width: int):
    src, alt = element.get("src") or "", element.get("alt") or ""
    try:
        image = load_image(src, ctx.asset_root)
    except ImageRefused as why:
        shown = src if len(src) <= 80 else src[:77] + "..."
        ctx.report(f"image '{shown}' not loaded {where(element)}: {why}")
        return Text(alt, fmt)  # a browser shows the alt text instead
    cx, cy = picture_size(element, image, width)
    return Picture(image, cx, cy, alt, fmt)


# ----------------------------------------------------------------- whitespace
def normalize(segments: list) -> list:
    """Collapse whitespace like a browser and merge equally formatted text."""
    out: list = []
    after_space = True  # leading spaces of a block are dropped
    for segment in segments:
        if isinstance(segment, Text):
            text = WHITESPACE.sub(" ", segment.text)
            text = text.lstrip(" ") if after_space else text
            if text:
                out.append(Text(text, segment.fmt))
                after_space = text.endswith(" ")
            continue
        if isinstance(segment, Break):
            _strip_trailing(out)
        out.append(segment)
        after_space = isinstance(segment, Break)
    _strip_trailing(out)
    return _merge(out)


def _strip_trailing(out: list) -> None:
    while out and isinstance(out[-1], Text):
        text = out[-1].text.rstrip(" ")
        if text:
            out[-1] = Text(text, out[-1].fmt)
            return
        out.pop()


def _merge(segments: list) -> list:
    merged: list = []
    for segment in segments:
        last = merged[-1] if merged else None
        if isinstance(segment, Text) and isinstance(last, Text) and last.fmt == segment.fmt:
            merged[-1] = Text(last.text + segment.text, segment.fmt)
        else:
            merged.append(segment)
    return merged


# ------------------------------------------------------------------- emitting
_SPECIAL = re.compile(r"[\t\r\n]")


def emit(ctx, paragraph, segments: list) -> None:
    """Append the segments to a python-docx paragraph as runs and hyperlinks."""
    for href, group in groupby(segments, key=lambda s: s.fmt.href):
        link = docx_oxml.add_hyperlink(paragraph, href) if href else None
        for segment in group:
            run = paragraph.add_run() if link is None else docx_oxml.add_run_to(link, paragraph)
            _fill(run, segment)
            _format(ctx, run, segment.fmt, paragraph)


def _fill(run, segment) -> None:
    if isinstance(segment, Text):
        if _SPECIAL.search(segment.text):
            run.text = segment.text  # tabs and line breaks become their own elements
        else:
            run._r.add_t(segment.text)  # what run.text does, without its per-character loop
    elif isinstance(segment, Break):
        run.add_break()
    else:
        shape = run.add_picture(io.BytesIO(segment.image.blob), segment.width, segment.height)
        docx_oxml.set_picture_description(shape, segment.alt)


def _format(ctx, run, fmt: Fmt, paragraph) -> None:
    for flag in ("bold", "italic", "underline"):
        if getattr(fmt, flag):
            setattr(run, flag, True)
    if fmt.sup:  # both map to w:vertAlign: set only the one that applies
        run.font.superscript = True
    elif fmt.sub:
        run.font.subscript = True
    if fmt.small:
        size = ctx.font_size(ctx.style_name_of(paragraph))
        run.font.size = Pt(round(size.pt * SMALL_FACTOR * 2) / 2)
    if fmt.muted:
        run.font.color.rgb = RGBColor.from_string(MUTED_RGB)
    if fmt.char_style and ctx.style(fmt.char_style, WD_STYLE_TYPE.CHARACTER) is not None:
        ctx.apply_style(run, ctx.style(fmt.char_style, WD_STYLE_TYPE.CHARACTER))
