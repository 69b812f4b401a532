"""``templates/reference.docx`` read as untrusted input: a clean style sheet for the DOCX writer.

The reference document often comes from a customer or an agency. Whatever it
holds would otherwise be carried into every DOCX built on top of it (macros, a
remote attached template, tracking images, external links), and a damaged or
hostile file would end in a traceback. So it is read once per command
(:func:`workspace_reference`, memoised per process by path, size and
modification time; forked workers inherit the result) and rebuilt from the
parts a style sheet needs. Every removal is reported as one warning located at
the file (``templates/reference.docx: WARNING: word/settings.xml: external
attached template removed [template.reference-docx]``); a file that cannot be
used at all is one located error (exit code 2) and the build writes nothing.
The built-in reference is used only when the workspace has no
``templates/reference.docx`` at all.

Limits (the file is refused beyond them)
========================================

* the file: at most :data:`MAX_FILE_BYTES` (16 MiB), a regular file inside the
  workspace, a zip archive with a readable directory;
* at most :data:`MAX_MEMBERS` (300) zip members, no name twice, no encryption,
  only stored or deflated members;
* sizes are measured while inflating in 64 KiB steps, never taken from the zip
  headers: a part inflates to at most :data:`MAX_PART_BYTES` (16 MiB), all
  parts read to at most :data:`MAX_TOTAL_BYTES` (48 MiB), and a part past 1 MiB
  may not inflate more than :data:`MAX_RATIO` (100) times its compressed size;
  the length and CRC-32 must match the zip directory;
* XML is parsed by lxml with ``resolve_entities=False, no_network=True,
  load_dtd=False`` and libxml2's default depth and size limits; a part with a
  DOCTYPE is refused (the whole file when it is an essential part, see below).

What is kept
============

Only what is reached through relationships of these types, each checked for its
content type and root element:

* package: the main document part, core and app properties;
* main document (``word/document.xml``): styles, stylesWithEffects, numbering,
  theme, fontTable, settings, webSettings, headers and footers. Its body is
  cleared here (the writer clears it too) except the final ``w:sectPr``, whose
  header and footer references are kept;
* headers, footers, numbering (picture bullets) and theme: the images they use
  (not SVG); fontTable: the embedded fonts it references.

Everything else is dropped and reported: macros (``vbaProject.bin``, vbaData,
key customizations), glossary, comments, people, footnotes, endnotes,
customXml, altChunk, OLE objects, ActiveX controls, subdocuments, thumbnails,
custom properties, printer settings, unreferenced parts. No external
relationship survives (``TargetMode="External"``, ``w:attachedTemplate``, mail
merge sources, absolute URLs or targets outside the package or missing from it),
and elements that used a dropped relationship are removed with it. In headers and
footers, fields that fetch or run something (INCLUDEPICTURE, INCLUDETEXT, LINK,
DDE, DDEAUTO, IMPORT, DATABASE, MACROBUTTON, HYPERLINK) and VML ``href``/``src``
links are removed; ``docProps/app.xml`` loses its hyperlink base and list.
Macro-enabled content types become the ordinary ones (a template's too).
Every kept XML part is written again from its parse tree.

Essential parts -- ``[Content_Types].xml``, ``_rels/.rels``, the main document,
its relationships, ``word/styles.xml`` and (when there is one) the numbering the
list styles use -- must be present, well-formed and free of DTDs, or the file is
refused; so are page sizes and margins that are not whole numbers of twips in
Word's range or leave no room for text. A reference without numbering gets an
empty numbering part (python-docx cannot add one). A workspace file (unless it is
the built-in one byte for byte) is finally rendered once with a small document
using the writer's whole vocabulary; if the writer cannot use it, that is
reported as the file's error now rather than as a crash of every DOCX.

Cost for the example reference.docx (10 KiB, 13 parts): about 3 ms to sanitize
and 20 ms for the trial rendering, once per command; each document then costs a
``stat`` and a dictionary look-up.

The package: this module (the entry points and the per-process memo),
:mod:`.archive` (the file and its zip members read under the limits),
:mod:`.parts` (which parts and relationships are kept, and what dropped ones
were), :mod:`.sanitizer` (the walk over the relationships and the rebuilt
package), :mod:`.cleaning` (elements removed from the kept XML parts, the page
checks) and :mod:`.probe` (the trial rendering with the DOCX writer).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from proposals.builtin import BUILTIN as BUILTIN_FOLDER
from proposals.errors import InputError, Location, Problem

from ...input.archive import MAX_FILE_BYTES, MAX_MEMBERS, MAX_PART_BYTES, MAX_RATIO, MAX_TOTAL_BYTES, Refused, read_file
from .probe import trial_render
from .sanitizer import Sanitizer, short_message

__all__ = ["BUILTIN", "BUILTIN_NAME", "KIND", "MAX_FILE_BYTES", "MAX_MEMBERS", "MAX_PART_BYTES", "MAX_RATIO",
           "MAX_TOTAL_BYTES", "WORKSPACE_NAME", "Reference", "Refused", "load_reference",
           "reference_problems", "sanitize", "workspace_reference"]

KIND = "template.reference-docx"
WORKSPACE_NAME = "templates/reference.docx"
BUILTIN = BUILTIN_FOLDER / "reference.docx"
BUILTIN_NAME = "proposals/builtin/reference.docx"


@dataclass(frozen=True)
class Reference:
    """A sanitized reference document: the .docx bytes to open and what was removed (warnings)."""

    data: bytes
    problems: tuple[Problem, ...] = ()


# ------------------------------------------------------------------- entry points
_MEMO: dict[tuple, Reference | tuple[Problem, ...]] = {}


def workspace_reference(root: Path) -> Reference:
    """The workspace's reference document, sanitized; the built-in one only when the workspace
    has no ``templates/reference.docx`` at all. Raises :class:`InputError` when it cannot be used."""
    own = Path(root) / "templates" / "reference.docx"
    if os.path.lexists(own):
        return load_reference(own, WORKSPACE_NAME, root=Path(root))
    return load_reference(BUILTIN, BUILTIN_NAME, trusted=True)


def reference_problems(root: Path) -> list[Problem]:
    """What :func:`workspace_reference` reports: the warnings, or the error (for ``check``)."""
    try:
        return list(workspace_reference(root).problems)
    except InputError as exc:
        return list(exc.problems)


def load_reference(path: Path, name: str | None = None, *, root: Path | None = None, trusted: bool = False) -> Reference:
    """Sanitize the reference document at ``path`` once per process (by path, size, mtime).

    ``name``: where problems are located (default: the path); ``root``: the workspace the
    file must lie in; ``trusted``: the package's own file (no trial rendering).
    """
    name = name or str(path)
    try:
        info = os.stat(path)
        key = (str(Path(path).absolute()), info.st_size, info.st_mtime_ns, info.st_ino, info.st_dev, trusted)
    except OSError:
        key = None
    kept = _MEMO.get(key) if key is not None else None
    if kept is None:
        try:
            data = read_file(Path(path), root)
            kept = _sanitize_or_problems(data, name, probe=not (trusted or data == _builtin_bytes()), guard=not trusted)
        except Refused as exc:
            kept = (_problem(name, str(exc), "error"),)
        if key is not None:
            _MEMO[key] = kept
    if isinstance(kept, tuple):
        raise InputError(kept)
    return kept


def sanitize(data: bytes, name: str = WORKSPACE_NAME, probe: bool = True) -> Reference:
    """The sanitized .docx of ``data``; raises :class:`InputError` (one located problem) when refused."""
    kept = _sanitize_or_problems(data, name, probe)
    if isinstance(kept, tuple):
        raise InputError(kept)
    return kept


def _sanitize_or_problems(data: bytes, name: str, probe: bool, guard: bool = True) -> Reference | tuple[Problem, ...]:
    """``guard``: untrusted input, so even an unforeseen failure is the file's located error."""
    try:
        clean, removed = Sanitizer(data).run()
        if probe:
            trial_render(clean)
    except Refused as exc:
        return (_problem(name, str(exc), "error"),)
    except Exception as exc:  # noqa: BLE001 - no input may end in a traceback; the type is named for a bug report
        if not guard:
            raise
        return (_problem(name, f"cannot be read as a Word document ({type(exc).__name__}: {short_message(exc)[:100]})", "error"),)
    return Reference(clean, tuple(_problem(name, message, "warning") for message in dict.fromkeys(removed)))


def _builtin_bytes() -> bytes:
    try:
        return BUILTIN.read_bytes()
    except OSError:  # pragma: no cover - a broken installation
        return b""


def _problem(name: str, message: str, severity) -> Problem:
    return Problem(Location(name), "", message, KIND, severity)
