"""Line breaks a reader notices: where a line may not end.

Templates mark text whose parts belong on one line: a register number
("HRB 184213"), a person's name ("Jonas Petersen"), and titles, where a
number stays with the word it counts ("press line 3") and the last line never
holds a single word. The spaces become no-break spaces (U+00A0), which both
WeasyPrint and Word honour, so the PDF and the DOCX break alike.

Also here: the small filters that shape printed strings for CSS and letterheads
(``css_string``, ``page_counter``, ``iban``).
"""

from __future__ import annotations

from markupsafe import Markup

import re

NBSP = "\u00a0"
_SPACES = re.compile(r"[ \t]+")
# a short number (or number-like token such as "3", "12a", "2027") after a word
_COUNTED = re.compile(r"(?<=\w) (?=\d[\w.]{0,4}(?:\W|$))")
# the last space of the text, when the last word is short enough to stand beside the one before
_LAST = re.compile(r" (?=\S{1,12}$)")


def nobreak(text: str) -> str:
    """``text`` on one line: every space a no-break space (register numbers, names)."""
    return _SPACES.sub(NBSP, str(text).strip())


def headline(text: str) -> str:
    """A title that breaks well: a number stays with its word, the last two words together."""
    text = _SPACES.sub(" ", str(text).strip())
    return _LAST.sub(NBSP, _COUNTED.sub(NBSP, text), count=1)


def css_literal(text: str) -> Markup:
    """Text as a safe CSS string literal, for ``<style>`` blocks."""
    return Markup(css_string(text))


def iban(value: str) -> str:
    """IBAN in groups of four, as printed on letterheads."""
    return " ".join(value[i : i + 4] for i in range(0, len(value), 4))


def css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the <style> element."""
    escaped = "".join(ch if ch.isalnum() or ch in " .,:;-" else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def page_counter(label: str) -> Markup:
    """``"Page {page} of {pages}"`` -> CSS ``content`` with page counters."""
    before, _, rest = label.partition("{page}")
    middle, _, after = rest.partition("{pages}")
    parts = [css_string(before), "counter(page)", css_string(middle), "counter(pages)", css_string(after)]
    return Markup(" ".join(parts))
