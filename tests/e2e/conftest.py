"""Browser tests: the seeded app on a loopback port, driven by Debian's Chromium via Playwright.

Chromium comes from the Debian archive (scripts/install_e2e.sh), never from ``playwright
install``; without /usr/bin/chromium every test here is skipped with the reason. Each browser
context refuses requests to any host but the local server, so no test can reach the network.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from e2e_helpers import CHROMIUM, DESKTOP, EDITOR_TOKEN, MINI_SEED, TESTS

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found; run scripts/install_e2e.sh")
    for item in items:
        if TESTS in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if not CHROMIUM.exists():
                item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The app with the fixture seed (tests may change its config, and must restore it)."""
    from matcher import create_app
    from matcher.db import get_database, upgrade
    from matcher.importing.seed import seed_database
    from matcher.services import indexes

    folder = tmp_path_factory.mktemp("e2e")
    indexes.clear()
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder / 'e2e.sqlite3'}",
            "DATA_DIR": str(MINI_SEED),
            "SECRET_KEY": "e2e",
            "TODAY": "2026-09-01",
            "API_TOKEN_HASHES": hashlib.sha256(EDITOR_TOKEN.encode()).hexdigest(),
        }
    )
    app.instance_path = str(folder / "instance")
    database = get_database(app)
    upgrade(database.engine)
    session = database.session()
    seed_database(session, MINI_SEED)
    session.close()
    yield app
    database.dispose()


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """``live_app`` served by werkzeug on 127.0.0.1 in a background thread."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the run (Playwright gives it a fresh profile dir)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _loopback_only(live_server: str):
    allowed = urlsplit(live_server).netloc

    def route(route_, request):
        if urlsplit(request.url).netloc == allowed:
            route_.continue_()
        else:
            route_.abort("blockedbyclient")

    return route


@pytest.fixture
def new_page(browser, live_server):
    """Factory of pages in fresh contexts: ``new_page(viewport=..., javascript=..., ...)``.

    Every page records console errors (CSP violations included) in ``page.console_errors``.
    """
    contexts = []

    def make(*, viewport=DESKTOP, javascript=True, bypass_csp=False):
        context = browser.new_context(
            base_url=live_server,
            viewport=viewport,
            locale="en-GB",
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
            service_workers="block",
        )
        context.route("**/*", _loopback_only(live_server))
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on(
            "console",
            lambda message: message.type == "error" and page.console_errors.append(message.text),
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """A desktop-sized page with JavaScript on."""
    return new_page()
