"""Drive a private, headless LibreOffice from a test: start it, run a UNO script, always stop it.

The project's Python cannot import ``uno`` (it is Debian's ``python3-uno``, built for the system
Python), so a script runs under :data:`SYSTEM_PYTHON` in a subprocess. Each :class:`Office` gets
its own pipe name and its own profile (``-env:UserInstallation``): two soffice processes sharing a
profile lock each other out, and other people on the same machine run soffice too.

    with Office() as office:
        result = office.run(STEPS, path=str(docx))

``STEPS`` is Python source defining ``main(desktop, params)``; it runs in the subprocess with
``uno`` importable, ``desktop`` the connected ``com.sun.star.frame.Desktop`` and ``params`` the
keyword arguments of :meth:`Office.run` (``context`` is the office's component context), and may call ``load(path)`` to open a document hidden
(tried again while a freshly started soffice is not ready); whatever ``main`` returns (JSON-able)
is :meth:`Office.run`'s result. An exception in the script fails :meth:`Office.run` with the
script's traceback.

soffice is started in a process group of its own and, however the test ends, asked to terminate
and then killed by that group's id; its profile is removed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"
SOFFICE = shutil.which("soffice")
START_TIMEOUT = 60   # seconds for soffice to accept a connection (a first start builds the profile)
STOP_TIMEOUT = 15    # seconds for soffice to end after desktop.terminate() before it is killed


def require_libreoffice() -> None:
    """Skip the calling test where LibreOffice or python3-uno is missing, except in CI (``CI=true``),
    where ``scripts/setup --test`` installs them and a missing one is a failure, not a skip."""
    missing = []
    if SOFFICE is None:
        missing.append("soffice (libreoffice-writer-nogui)")
    if not os.access(SYSTEM_PYTHON, os.X_OK) or subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode:
        missing.append(f"the UNO bridge for {SYSTEM_PYTHON} (python3-uno)")
    if not missing:
        return
    message = f"LibreOffice test needs {' and '.join(missing)}: run scripts/setup --test (as root or with sudo)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


_BOOTSTRAP = r'''
import json, os, sys, time, traceback
import uno
from com.sun.star.connection import NoConnectException

pipe, deadline, params = sys.argv[1], time.monotonic() + float(sys.argv[2]), json.loads(sys.argv[3])
resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
while True:
    try:
        context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except NoConnectException:
        if time.monotonic() > deadline:
            sys.exit("soffice did not accept a connection in time")
        time.sleep(0.2)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def load(path):
    """Open a document hidden; soffice that has just begun to accept connections may refuse (a
    RuntimeException, or no document) for a moment, so that is tried again for a while."""
    from com.sun.star.beans import PropertyValue
    from com.sun.star.uno import RuntimeException

    hidden = PropertyValue()
    hidden.Name, hidden.Value = "Hidden", True
    until = time.monotonic() + 30
    while True:
        try:
            document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
        except RuntimeException:
            if time.monotonic() > until:
                raise
            document = None
        if document is not None:
            return document
        if time.monotonic() > until:
            raise RuntimeError(f"LibreOffice did not open {path}")
        time.sleep(0.3)


def value(name, v):
    """A PropertyValue, as UNO calls take their options."""
    from com.sun.star.beans import PropertyValue

    p = PropertyValue()
    p.Name, p.Value = name, v
    return p


def paragraphs(doc):
    """The body's paragraphs in order (tables are skipped)."""
    items = doc.Text.createEnumeration()
    while items.hasMoreElements():
        item = items.nextElement()
        if item.supportsService("com.sun.star.text.Paragraph"):
            yield item


namespace = {"__name__": "uno_steps", "context": context, "load": load, "value": value, "paragraphs": paragraphs}
exec(compile(sys.stdin.read(), "<uno steps>", "exec"), namespace)
try:
    result = namespace["main"](desktop, params)
except Exception:
    traceback.print_exc()
    sys.exit(1)
print("\n@@RESULT@@" + json.dumps(result))
sys.stdout.flush()
os._exit(0)  # the result is out: skip the interpreter's teardown, where the UNO bridge has been seen to crash (SIGSEGV)
'''


class Office:
    """A headless soffice of one's own (a context manager); :meth:`run` runs UNO scripts against it."""

    def __init__(self, timeout: float = 120):
        self.timeout = timeout  # seconds for each run() (connecting included)
        self.name = f"proposals-test-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.profile = Path(tempfile.gettempdir()) / f"lo-profile-{self.name}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Office:
        self.process = subprocess.Popen(
            [SOFFICE, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
             f"-env:UserInstallation={self.profile.as_uri()}", f"--accept=pipe,name={self.name};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return self

    def run(self, steps: str, **params) -> object:
        """Run ``steps`` (source defining ``main(desktop, params)``) and return what main returned."""
        assert self.process is not None, "use Office as a context manager"
        timeout = max(self.timeout, START_TIMEOUT + 10)
        try:
            done = subprocess.run([SYSTEM_PYTHON, "-c", _BOOTSTRAP, self.name, str(START_TIMEOUT), json.dumps(params)],
                                  input=steps, capture_output=True, text=True, timeout=timeout, env=_system_env())
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"the UNO script did not end within {timeout} s:\n{exc.stderr or ''}") from None
        if done.returncode or "\n@@RESULT@@" not in done.stdout:
            raise AssertionError(f"the UNO script failed (exit {done.returncode}):\n{done.stderr}{done.stdout}")
        return json.loads(done.stdout.rsplit("\n@@RESULT@@", 1)[1])

    def __exit__(self, *exc_info) -> None:
        process, self.process = self.process, None
        if process is not None:
            try:
                if process.poll() is None:
                    self._terminate()
                    try:
                        process.wait(STOP_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        pass
            finally:
                _kill_group(process)
        shutil.rmtree(self.profile, ignore_errors=True)

    def _terminate(self) -> None:
        """Ask soffice to end (``Desktop.terminate``); it is killed afterwards if this does not work."""
        script = "def main(desktop, params):\n    try:\n        desktop.terminate()\n    except Exception:\n        pass\n    return True\n"
        try:
            subprocess.run([SYSTEM_PYTHON, "-c", _BOOTSTRAP, self.name, "5", "{}"], input=script, capture_output=True,
                           text=True, timeout=STOP_TIMEOUT, env=_system_env())
        except subprocess.TimeoutExpired:
            pass


def _kill_group(process: subprocess.Popen) -> None:
    """Kill what is left of soffice's process group (the launcher and soffice.bin) and reap the launcher."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        pass


def _system_env() -> dict[str, str]:
    """The environment for the system Python: without the virtual environment's variables."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env
