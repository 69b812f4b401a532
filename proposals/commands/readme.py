"""Keep the README's generated sections in step with the code.

The field reference of the input files comes from the models
(:mod:`proposals.input.reference`), the template reference from the template
context and filters (:mod:`proposals.documents.reference`).
``python -m proposals.commands.readme`` prints the field reference; ``--write``
replaces both sections of README.md between their markers; a test fails when
README and code disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..documents.reference import template_tables
from ..input.reference import field_tables

BEGIN = "<!-- BEGIN GENERATED FIELD REFERENCE: python -m proposals.commands.readme --write -->"
END = "<!-- END GENERATED FIELD REFERENCE -->"
TEMPLATE_BEGIN = "<!-- BEGIN GENERATED TEMPLATE REFERENCE: python -m proposals.commands.readme --write -->"
TEMPLATE_END = "<!-- END GENERATED TEMPLATE REFERENCE -->"


def reference() -> str:
    """The README's field reference section, markers included."""
    return "\n".join([BEGIN, "", field_tables(), END])


def template_reference() -> str:
    """The README's template reference section, markers included."""
    return "\n".join([TEMPLATE_BEGIN, "", template_tables(), "", TEMPLATE_END])


def update_readme(readme: Path) -> bool:
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + reference() + text[end:]
    start, end = new.index(TEMPLATE_BEGIN), new.index(TEMPLATE_END) + len(TEMPLATE_END)
    new = new[:start] + template_reference() + new[end:]
    readme.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if "--write" in sys.argv:
        update_readme(Path("README.md"))
    else:
        print(reference())
