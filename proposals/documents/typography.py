"""Line breaks a reader notices: where a line may not end.

Templates mark text whose parts belong on one line: a register number
("HRB 184213"), a person's name ("Jonas Petersen"), and titles, where a
number stays with the word it counts ("press line 3") and the last line never
holds a single word. The spaces become no-break spaces (U+00A0), which both
WeasyPrint and Word honour, so the PDF and the DOCX break alike.
"""

from __future__ import annotations

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
