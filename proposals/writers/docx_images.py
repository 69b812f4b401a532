"""Images for the DOCX writer: safe source resolution and CSS-like sizing.

Only two kinds of ``src`` are loaded:

* a workspace-relative path the workspace's :class:`~proposals.documents.assets.AssetPolicy`
  allows, e.g. ``templates/assets/logo.png`` (see that module for what is
  refused and why); anything with a URL scheme (``http:``, ``file:``,
  ``C:``...) is refused;
* ``data:image/png;base64,...`` and ``data:image/jpeg;base64,...``.

Sizes: ``width``/``height`` attributes in px (96 px = 1 inch) or ``%``, or
``style="width: 40mm"`` with mm, cm, in, px, pt or %.  Without either, the
natural size at 96 px per inch; the result is always capped at the available
width (text width, or the cell width inside a table), keeping the aspect ratio.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..documents.assets import AssetPolicy, AssetRefused
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image

EMU_PER = {"mm": 36000, "cm": 360000, "in": 914400, "pt": 12700, "px": 9525}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_DATA = re.compile(r"^data:image/(png|jpeg);base64,(.*)$", re.IGNORECASE | re.DOTALL)
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(mm|cm|in|pt|px|%)?\s*(!important)?\s*$",
                     re.IGNORECASE)


class ImageRefused(Exception):
    """The image source is not allowed or could not be read; message says why."""


@dataclass(frozen=True)
class LoadedImage:
    blob: bytes
    px_width: int
    px_height: int


def load_image(src: str, assets: AssetPolicy | Path) -> LoadedImage:
    """Return the image bytes and pixel size for ``src`` or raise :class:`ImageRefused`."""
    src = src.strip()
    if not src:
        raise ImageRefused("empty src")
    blob = _data_uri(src) if src.lower().startswith("data:") else _asset_file(src, AssetPolicy.of(assets))
    try:
        image = Image.from_blob(blob)
    except UnrecognizedImageError:
        raise ImageRefused("not a PNG, JPEG, GIF, BMP or TIFF image") from None
    except Exception as error:  # noqa: BLE001 - a damaged file may fail in any header parser
        raise ImageRefused(f"damaged image ({type(error).__name__})") from None
    return LoadedImage(blob, image.px_width, image.px_height)


def _data_uri(src: str) -> bytes:
    match = _DATA.match(src)
    if not match:
        raise ImageRefused("only data:image/png;base64 and data:image/jpeg;base64 are allowed")
    try:
        return base64.b64decode(re.sub(r"\s+", "", match.group(2)), validate=True)
    except (binascii.Error, ValueError):
        raise ImageRefused("invalid base64 data") from None


def _asset_file(src: str, assets: AssetPolicy) -> bytes:
    if _SCHEME.match(src) or src.startswith("//"):
        raise ImageRefused("URLs are not loaded, only files below the workspace")
    try:
        return assets.read(unquote(src.split("?", 1)[0].split("#", 1)[0]))
    except AssetRefused as refused:
        raise ImageRefused(str(refused)) from None


def css_length(value: str | None, reference: int, default_unit: str = "px") -> int | None:
    """Convert ``"40mm"``, ``"120"`` (px), ``"50%"`` (of ``reference`` EMU) to EMU."""
    match = _LENGTH.match(value or "")
    if not match:
        return None
    number, unit = float(match.group(1)), (match.group(2) or default_unit).lower()
    if unit == "%":
        return round(reference * number / 100)
    return round(number * EMU_PER[unit])


def style_property(style: str | None, name: str) -> str | None:
    """Return the value of one declaration in an inline ``style`` attribute."""
    for declaration in (style or "").split(";"):
        key, _, value = declaration.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return None


def picture_size(element, image: LoadedImage, max_width: int) -> tuple[int, int]:
    """Width and height in EMU for an ``<img>``, following the rules above."""
    style = element.get("style")
    width = css_length(style_property(style, "width"), max_width) or css_length(
        element.get("width"), max_width)
    height = css_length(style_property(style, "height"), max_width) or css_length(
        element.get("height"), max_width)
    ratio = image.px_height / image.px_width if image.px_width else 1.0
    if width is None and height is None:
        width = image.px_width * EMU_PER["px"]
    if width is None:
        width = round(height / ratio) if ratio else height
    if height is None:
        height = round(width * ratio)
    if max_width and width > max_width:
        width, height = max_width, round(height * max_width / width)
    return width, height
