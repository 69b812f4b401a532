"""The live preview, end to end in Debian's headless Chromium: load, edit, see it, break it, see the error, fix it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from ..conftest import CASES, REPO

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def preview(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(CASES / "minimal", ws)
    (ws / "templates").mkdir()
    template = ws / "templates" / "offer.html.j2"
    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version one.</p>{% endblock %}\n')
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "proposals", "preview", "deals/basic.yaml", "-w", str(ws), "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}/", template
    server.terminate()
    server.wait(timeout=10)


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


def wait_for(driver, condition, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = driver.execute_script(condition)
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for: {condition}")


def test_edit_break_and_fix_a_template_with_the_preview_open(preview, browser):
    url, template = preview
    browser.get(url)
    wait_for(browser, "return document.getElementById('docx').textContent.includes('Greeting version one.')")
    pages = browser.execute_script("return Array.from(document.querySelectorAll('#pages img')).map(i => i.complete && i.naturalWidth > 0)")
    assert pages and all(pages)  # real PDF pages as images

    started = time.monotonic()
    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version two.</p>{% endblock %}\n')
    wait_for(browser, "return document.getElementById('docx').textContent.includes('Greeting version two.')")
    seconds = time.monotonic() - started

    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}\n<p>{{ deal.title }</p>\n{% endblock %}\n')
    wait_for(browser, "return getComputedStyle(document.getElementById('error')).display === 'block'")
    message = browser.execute_script("return document.getElementById('error-message').textContent")
    source = browser.execute_script("return document.getElementById('error-source').textContent")
    assert message.startswith("templates/offer.html.j2:3:1: template syntax error")
    assert "<p>{{ deal.title }</p>" in source

    template.write_text('{% extends "builtin/offer.html.j2" %}\n{% block greeting %}<p>Greeting version three.</p>{% endblock %}\n')
    wait_for(browser, "return getComputedStyle(document.getElementById('error')).display === 'none' && document.getElementById('docx').textContent.includes('Greeting version three.')")
    assert seconds < 20  # the refresh interval is 0.5 s; a render of this deal takes about a second
