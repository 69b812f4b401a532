"""Inline content for the DOCX writer: collect, collapse whitespace, emit runs.

Inline HTML is first flattened into a list of segments (:class:`Text`,
:class:`Break`, :class:`Picture`), each carrying its :class:`Fmt`.  Whitespace
is then collapsed the way a browser does it (runs of ASCII whitespace become
one space, spaces at the start/end of a block and around ``<br>`` disappear,
U+00A0 is kept), and finally the segments become ``w:r`` runs, grouped into
``w:hyperlink`` elements where they belong to an ``<a href>``.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import NamedTuple

from docx.enum.style import WD_STYLE_TYPE

from proposals.writers import docx_fields, docx_oxml, docx_revisions
from proposals.writers.docx_context import (
    BLOCK_TAGS,
    FOREIGN_BLOCK_TAGS,
    INLINE_FORMATS,
    KNOWN_CLASSES,
    MUTED_RGB,
    OPAQUE_TAGS,
    REVISION_TAGS,
    SILENT_CLASSES,
    Fmt,
    check_attributes,
    check_classes,
    class_list,
    where,
)
from proposals.writers.docx_fields import target_of
from proposals.writers.docx_images import ImageRefused, LoadedImage, load_image, picture_size
from proposals.writers.docx_oxml import W

WHITESPACE = re.compile(r"[ \t\n\r\f]+")
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:")
SMALL_FACTOR = 0.83


class Text(NamedTuple):
    text: str
    fmt: Fmt


class Break(NamedTuple):
    fmt: Fmt


class Picture(NamedTuple):
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
    if tag in REVISION_TAGS:
        check_classes(ctx, element, KNOWN_CLASSES["revision"])
        return fmt._replace(revision=tag)
    check_classes(ctx, element, KNOWN_CLASSES["a"] if tag == "a" else {"muted"})
    if "muted" in class_list(element):
        fmt = fmt._replace(muted=True)
    if tag in INLINE_FORMATS:
        return fmt._replace(**{INLINE_FORMATS[tag]: True})
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
    if "ref" in class_list(element):
        return _reference_fmt(ctx, element, href, fmt)
    if href.lower().startswith(LINK_SCHEMES):
        return fmt._replace(href=href, char_style="Hyperlink")
    if href:
        ctx.report(f"link target '{href[:80]}' not supported {where(element)}, "
                   "text kept without link")
    return fmt


def _reference_fmt(ctx, element, href: str, fmt: Fmt) -> Fmt:
    """``a.ref``: a cross-reference to a numbered block of the document (a REF field, see
    :mod:`proposals.writers.docx_fields`); text kept and reported if it points at nothing numbered."""
    target = target_of(ctx.targets, href)
    if target is None or target.number is None:
        why = "no element has that id" if target is None else "it has no span.clause-number"
        ctx.report(f"reference to '{href[:80]}' {where(element)} not a field: {why}; text kept")
        return fmt
    ctx.bookmarks.referenced.add(target.name)
    return fmt._replace(ref=target)


def _span_fmt(ctx, element, fmt: Fmt) -> Fmt:
    for name in class_list(element):
        if name == "muted":
            fmt = fmt._replace(muted=True)
        elif name == "small":
            fmt = fmt._replace(small=True)
        elif ctx.char_style_for_class(name):
            fmt = fmt._replace(char_style=ctx.char_style_for_class(name))
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
def emit(ctx, part, paragraph, segments: list) -> None:
    """Append the segments to a ``w:p`` as runs, hyperlinks (related from ``part``) and the
    REF fields of cross-references.

    Text never holds a tab or line break here: :func:`normalize` collapsed them.
    """
    for (revision, href, ref), group in groupby(segments, key=lambda s: (s.fmt.revision, s.fmt.href, s.fmt.ref)):
        parent = docx_oxml.add_hyperlink(paragraph, part, href) if href and ref is None else paragraph
        if revision is not None:  # a tracked change, inside the hyperlink as Word writes it
            parent = docx_revisions.wrapper(ctx, parent, revision)
        if ref is not None:
            _emit_reference(ctx, part, parent, paragraph, list(group), ref)
        else:
            for segment in group:
                _emit_segment(ctx, part, parent, paragraph, segment)
        if revision is not None:
            docx_revisions.finish(parent)


def _emit_segment(ctx, part, parent, paragraph, segment) -> None:
    run = docx_oxml.add_run(parent, _run_properties(ctx, segment.fmt, paragraph))
    if isinstance(segment, Text):
        docx_oxml.add_text(run, segment.text)
    elif isinstance(segment, Break):
        docx_oxml.add_break(run)
    else:
        docx_oxml.add_picture(run, part, segment.image.blob, segment.width,
                              segment.height, segment.alt)


def _emit_reference(ctx, part, parent, paragraph, group: list, target) -> None:
    """The text of one ``a.ref``: literal text, and a REF field whose result is the number
    it shows (the current one, so the file reads right before any field update), appended to
    ``parent`` (the paragraph, or a tracked change in it)."""
    text = "".join(s.text for s in group if isinstance(s, Text))
    span = docx_fields.field_span(text, target.number)
    if span is None:
        ctx.report(f"reference '{text[:60]}' to {target.name} does not show its number "
                   f"'{target.number}'; text kept without a field")
    start, end, switches = span or (-1, -1, "")
    offset = 0
    for segment in group:
        if not isinstance(segment, Text):
            _emit_segment(ctx, part, parent, paragraph, segment)
            continue
        props, length, i = _run_properties(ctx, segment.fmt, paragraph), len(segment.text), 0
        while i < length:  # pieces cut where the field starts and ends
            here = offset + i
            if here == start:
                docx_fields.begin_ref(parent, docx_oxml.add_run, props, target.name, switches)
            stop = min(p for p in (start, end, offset + length) if p > here)
            docx_oxml.add_text(docx_oxml.add_run(parent, props), segment.text[i : stop - offset])
            if stop == end:
                docx_fields.end_ref(parent, docx_oxml.add_run, props)
            i = stop - offset
        offset += length


def _run_properties(ctx, fmt: Fmt, paragraph) -> tuple:
    """``w:rPr`` content for ``fmt``: ``(tag, value)`` pairs in schema order."""
    size = ctx.font_size(ctx.style_name_of(paragraph)) if fmt.small else None
    style_id = ctx.style_id(fmt.char_style, WD_STYLE_TYPE.CHARACTER) if fmt.char_style else None
    props = []
    if style_id is not None:
        props.append((W.rStyle, style_id))
    if fmt.bold:
        props.append((W.b, None))
    if fmt.italic:
        props.append((W.i, None))
    if fmt.muted:
        props.append((W.color, MUTED_RGB))
    if size is not None:
        props.append((W.sz, str(round(size.pt * SMALL_FACTOR * 2))))  # half points
    if fmt.underline:
        props.append((W.u, "single"))
    if fmt.sup:  # both map to w:vertAlign: only the one that applies
        props.append((W.vertAlign, "superscript"))
    elif fmt.sub:
        props.append((W.vertAlign, "subscript"))
    return tuple(props)
