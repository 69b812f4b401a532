"""The live preview, end to end in Debian's headless Chromium: load, edit, see it, break it, see the error, fix it."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time

import pytest

from ..conftest import CASES, REPO

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
GUARD = 120.0  # seconds: only keeps a preview that never answers from hanging the suite


def _first_line(stream) -> str:
    """The first line the server prints (its URL), or "" when it ends first; read in a thread so
    a server that prints nothing cannot hang the test past GUARD."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline().decode()), daemon=True).start()
    try:
        return lines.get(timeout=GUARD)
    except queue.Empty:
        return ""


@pytest.fixture
def preview(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(CASES / "minimal", ws)
    (ws / "templates").mkdir()
    template = ws / "templates" / "offer.html.j2"
    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version one.</p>{% endblock %}\n')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # port 0: the server binds a free port itself and prints the URL it serves (nothing to race for)
    errors = tmp_path / "stderr.txt"  # a file, not a pipe: a chatty server cannot fill it and stall
    with errors.open("wb") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "proposals", "preview", "deals/basic.yaml", "-w", str(ws), "--port", "0"], env=env, stdout=subprocess.PIPE, stderr=stderr)
    try:
        line = _first_line(server.stdout)
        url = re.fullmatch(r"preview of deals/basic\.yaml at (http://127\.0\.0\.1:[1-9][0-9]*/) \(Ctrl-C to stop\)\n", line)
        assert url, f"the preview printed {line!r}, not its URL; stderr: {errors.read_text(errors='replace')}"
        yield url.group(1), template  # listening already: the URL is printed after the bind
    finally:
        server.terminate()
        server.wait(timeout=GUARD)
        server.stdout.close()


@pytest.fixture
def browser():
    assert CHROMIUM and CHROMEDRIVER, "Debian's chromium and chromium-driver are needed: run scripts/setup --test (as root or with sudo)"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def wait_for(driver, condition, seconds: float = GUARD):
    """Poll the page until ``condition`` holds; ``seconds`` only keeps a broken preview from hanging the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {condition}")


def test_edit_break_and_fix_a_template_with_the_preview_open(preview, browser):
    """Guards against the preview not re-rendering a saved template (a stale fingerprint), not
    showing the error panel with file, line and source of a broken one, and not recovering when
    it is fixed. How fast a save shows is not asserted: the waits only bound a hang."""
    url, template = preview
    browser.get(url)
    wait_for(browser, "return document.getElementById('docx').textContent.includes('Greeting version one.')")
    pages = browser.execute_script("return Array.from(document.querySelectorAll('#pages img')).map(i => i.complete && i.naturalWidth > 0)")
    assert pages and all(pages)  # real PDF pages as images

    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version two.</p>{% endblock %}\n')
    wait_for(browser, "return document.getElementById('docx').textContent.includes('Greeting version two.')")

    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>{{ deal.title }</p>\n{% endblock %}\n')
    wait_for(browser, "return getComputedStyle(document.getElementById('error')).display === 'block'")
    message = browser.execute_script("return document.getElementById('error-message').textContent")
    source = browser.execute_script("return document.getElementById('error-source').textContent")
    assert message.startswith("templates/offer.html.j2:3:1: template syntax error")
    assert "<p>{{ deal.title }</p>" in source

    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version three.</p>{% endblock %}\n')
    wait_for(browser, "return getComputedStyle(document.getElementById('error')).display === 'none' && document.getElementById('docx').textContent.includes('Greeting version three.')")
