"""A real headless Chromium against the real server (real models, the default index):
the chat page and the widget on a demo NGO page served from a second origin. No request may
leave the two local origins, and nothing may be stored in the browser."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from store.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.models
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = REPO_ROOT / "build" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(1)
    raise TimeoutError(url)


@pytest.fixture(scope="module")
def servers(default_settings: Settings, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[str, str]]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: ./setup.sh --dev installs it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    port, site_port = _free_port(), _free_port()
    app_origin, site_origin = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{site_port}"
    site = tmp_path_factory.mktemp("ngo-site")
    page = (REPO_ROOT / "examples" / "ngo-site" / "index.html").read_text(encoding="utf-8")
    (site / "index.html").write_text(page.replace("http://127.0.0.1:7860", app_origin))
    env = {**os.environ, "VRAAGBAAK_ALLOWED_ORIGINS": json.dumps([site_origin])}
    app = subprocess.Popen([sys.executable, str(REPO_ROOT / "app.py"), "serve", "--port",
                            str(port)], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True)
    web = subprocess.Popen([sys.executable, "-m", "http.server", str(site_port), "--bind",
                            "127.0.0.1", "-d", str(site)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        _wait(app_origin + "/openapi.json", app)
        _wait(site_origin + "/index.html", web)
        yield app_origin, site_origin
    finally:
        for proc in (app, web):
            proc.terminate()
            proc.wait(30)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _context(browser, origins: set[str], locale: str):  # noqa: ANN001, ANN202
    context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 860})
    hosts: list[str] = []
    context.on("request", lambda r: hosts.append(
        f"{urlparse(r.url).scheme}://{urlparse(r.url).netloc}"))
    return context, hosts


def _storage(page) -> dict:  # noqa: ANN001
    return page.evaluate("""() => ({
        local: localStorage.length, keys: Object.keys(localStorage).join(","),
        session: sessionStorage.length, cookie: document.cookie})""")


def test_chat_page_answers_with_sources(servers, browser) -> None:  # noqa: ANN001
    app_origin, _ = servers
    context, hosts = _context(browser, {app_origin}, "nl-BE")
    page = context.new_page()
    page.goto(app_origin + "/", wait_until="domcontentloaded")
    box = page.get_by_role("textbox").first
    box.wait_for(timeout=60_000)
    assert "Belgisch asiel- en migratiebeleid" in page.content()  # labels follow the language
    box.fill("Hoeveel opvangplaatsen telt het netwerk van Fedasil volgens de beleidsnota van "
             "minister Van Bossuyt?")
    box.press("Enter")
    page.get_by_text("Bronnen").first.wait_for(timeout=180_000)
    page.get_by_text("Bronnen").first.click()
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chat-page.png"), full_page=True)
    text = page.inner_text("body")
    assert "38.300" in text
    assert "Beleidsnota" in text  # the source's title is shown
    assert set(hosts) <= {app_origin}, set(hosts)
    assert context.cookies() == []
    assert _storage(page) == {"local": 0, "keys": "", "session": 0, "cookie": ""}
    context.close()


def test_widget_on_another_origin_answers_with_sources(servers, browser) -> None:  # noqa: ANN001
    app_origin, site_origin = servers
    context, hosts = _context(browser, {app_origin, site_origin}, "en-GB")
    page = context.new_page()
    page.goto(site_origin + "/index.html", wait_until="load")
    # the demo site is Dutch (<html lang="nl">): the widget's labels follow the page
    launcher = page.get_by_role("button", name="Vraag het Vraagbaak")
    launcher.focus()
    page.keyboard.press("Enter")  # keyboard only
    question = page.get_by_role("textbox", name="Uw vraag")
    question.wait_for()
    page.keyboard.type("How much does a visa application for family reunification cost, "
                       "according to the Vluchtelingenwerk memorandum?")
    page.keyboard.press("Enter")
    page.get_by_text("Bronnen (", exact=False).wait_for(timeout=180_000)
    page.get_by_text("Bronnen (", exact=False).click()
    page.wait_for_timeout(300)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget.png"))
    log = page.get_by_role("log").inner_text()
    assert "180" in log  # the Dutch memorandum, answered in English
    assert "003_a27541d3f3e19fef.txt" in log
    assert set(hosts) <= {app_origin, site_origin}, set(hosts)
    assert context.cookies() == []
    assert _storage(page) == {"local": 0, "keys": "", "session": 0, "cookie": ""}
    page.keyboard.press("Escape")
    assert page.get_by_role("dialog").is_hidden()
    context.close()


def test_widget_is_refused_for_an_unlisted_origin(servers) -> None:  # noqa: ANN001
    app_origin, _ = servers
    resp = httpx.options(app_origin + "/api/ask/stream", headers={
        "Origin": "https://not-listed.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert "access-control-allow-origin" not in resp.headers


def test_widget_fits_a_phone_and_opens_from_the_keyboard(servers, browser) -> None:  # noqa: ANN001
    _, site_origin = servers
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(site_origin + "/index.html", wait_until="load")
    page.keyboard.press("Tab")  # the launcher is the first focusable element
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    box = dialog.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    assert box["y"] >= 0 and box["y"] + box["height"] <= 740
    focused = page.evaluate("() => document.activeElement.shadowRoot.activeElement.id")
    assert focused == "vb-input"
    context.close()
