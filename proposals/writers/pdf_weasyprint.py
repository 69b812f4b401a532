"""WeasyPrint as the PDF writer loads it and listens to it.

:func:`load_weasyprint` imports WeasyPrint with one reading of the ldconfig
cache instead of a library search per name it tries (a tenth of a second of
every build's start); :func:`_weasyprint_messages` collects the warnings
WeasyPrint logs while it parses or lays out a document, which the writer
reports as problems.
"""

from __future__ import annotations

import contextlib
import logging


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
