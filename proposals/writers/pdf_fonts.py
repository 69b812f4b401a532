"""The font configuration the PDF writer keeps from one document to the next.

One WeasyPrint FontConfiguration per process keeps Pango's caches warm while no
document adds a font face to it; the documents come out byte-identical to
those laid out with a fresh configuration each.
"""

from __future__ import annotations

import contextlib


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
