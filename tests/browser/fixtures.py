"""Browser fixtures: the test app served on 127.0.0.1 in a background thread, and Debian's
Chromium driven by Playwright (its own browser download is not used). The root conftest.py loads
this as a plugin, so the core's and the plugins' browser tests share one Chromium."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# --no-sandbox: Chromium refuses to start its sandbox as root (CI runs as root). The rest keeps a
# test browser off the network: no QUIC, no background, component or sync traffic.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A ceiling for waiting on a busy two-core CI machine, not a speed requirement.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The session's app on a free port. Each request pushes its own app context in the server
    thread, so it shares the test's database (a SQLite file or PostgreSQL), not its session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for all browser tests. Missing Chromium is a failure, never a skip:
    `python3 tasks.py test` installs it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM}: install it (apt-get install chromium) or set "
                    "CHROMIUM_PATH. The browser tests are part of the suite and are not skipped.",
                    pytrace=False)
    # launch() gives the browser a fresh, empty profile directory of its own.
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live_server, app, monkeypatch) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context (own cookies); keyword arguments go to
    new_context, e.g. viewport. CSRF protection is on, as in production."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    contexts: list[BrowserContext] = []

    def open_(**options) -> Page:
        context = browser.new_context(base_url=live_server, locale="en-GB", **options)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    return open_page()
