"""Every DOCX the tests build, checked with an OOXML validator.

``openxml-audit`` encodes the Open XML SDK's schema rules and what Word is seen to
repair (a drawing id used twice, ``w:val="true"`` where the schema allows only
``on``/``off``); a file it flags is one Word may open only after asking to repair it.

:func:`watch` wraps the writer's last step (``docx_package.package_bytes``) so that
each package it zips is also saved, by content hash, in a folder of this test run.
The wrapper is in place before any test forks a worker, so the builds of worker
processes are seen too. :func:`findings` validates the files that arrived since
its last call, each distinct file once per run.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

SEEN = Path(tempfile.mkdtemp(prefix="proposals-test-docx-"))
_checked: set[str] = set()


def watch() -> None:
    """Save every DOCX package the writer makes into :data:`SEEN` (by sha256)."""
    from proposals.writers import docx_package

    original = docx_package.package_bytes

    def package_bytes(document, moment):
        blob = original(document, moment)
        target = SEEN / f"{hashlib.sha256(blob).hexdigest()}.docx"
        if not target.exists():
            partial = target.with_suffix(f".{id(blob)}.part")
            partial.write_bytes(blob)
            partial.replace(target)
        return blob

    docx_package.package_bytes = package_bytes


_SERVER = r"""
import json, sys
from openxml_audit import OpenXmlValidator

for line in sys.stdin:
    result = OpenXmlValidator(max_errors=50).validate(line.rstrip("\n"))
    print(json.dumps([f"{e.part_uri} {e.path}: {e.description}" for e in result.errors]), flush=True)
"""
_server = None


def validate(path: Path) -> list[str]:
    """The validator's findings for one file, one line each (empty: Word opens it as is).

    The validator runs in a process of its own, started once: its schema data and caches would
    otherwise grow the test process, whose address space every forked build worker inherits
    and counts against ``--memory-limit``."""
    import json
    import subprocess
    import sys

    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen([sys.executable, "-c", _SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    _server.stdin.write(f"{path}\n")
    _server.stdin.flush()
    answer = _server.stdout.readline()
    if not answer:
        raise RuntimeError(f"the OOXML validator ended while checking {path}")
    return json.loads(answer)


def findings() -> dict[str, list[str]]:
    """Findings by file name of each DOCX built since the last call and not checked before."""
    found = {}
    for path in sorted(SEEN.glob("*.docx")):
        if path.name in _checked:
            continue
        _checked.add(path.name)
        problems = validate(path)
        if problems:
            found[path.name] = problems
    return found
