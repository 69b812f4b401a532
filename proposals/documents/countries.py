"""Country names in running text, with the article the language puts before them.

Babel gives a country's name as it stands alone ("Niederlande", "Netherlands"),
right in an address and in parentheses. In a sentence many names need an article
("in the Netherlands", "in den Niederlanden", "für die Schweiz"), and in German its
case depends on the preposition. Each language's wording lists the countries that
need one, per preposition: ``countries_after_in`` and ``countries_after_for``, as
``"NL: the Netherlands; US: the United States"``. A country not listed reads as
Babel's name.
"""

from __future__ import annotations

from functools import lru_cache

FORMS = ("in", "for")


@lru_cache(maxsize=64)
def _listed(text: str) -> dict[str, str]:
    pairs = (item.split(":", 1) for item in text.split(";") if ":" in item)
    return {code.strip().upper(): name.strip() for code, name in pairs}


def in_text(code: str, form: str, wording: dict[str, str], name: str) -> str:
    """The country ``code`` as it reads after the preposition ``form`` ("in", "for"): from the
    wording's list if it is there, else ``name`` (Babel's)."""
    if form not in FORMS:
        raise ValueError(f"country form {form!r}: one of {', '.join(FORMS)}")
    return _listed(wording.get(f"countries_after_{form}", "")).get(code.upper(), name)
