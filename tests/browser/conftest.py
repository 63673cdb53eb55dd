"""Browser fixtures: one Chromium per session, the test app on a live server, a context per test."""
import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 5000


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once for the whole session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


def _always_closed(wsgi_app):
    """Close every response, even one the browser abandoned halfway.

    When a navigation cancels a download (bootstrap.min.js still loading as a form is
    submitted), werkzeug's development server can skip the response's close(), leaving the
    static file open: a ResourceWarning, hence an error under `filterwarnings = error`.
    """
    def closing_app(environ, start_response):
        response = wsgi_app(environ, start_response)
        try:
            for chunk in response:
                yield chunk
        finally:  # also runs when the abandoned generator is collected
            if hasattr(response, "close"):
                response.close()

    return closing_app


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port; yields its base address."""
    # A test-only speed-up: each new context still downloads every asset once (under the
    # real CSP), then reuses it instead of revalidating all four on every page.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600
    server = make_server("127.0.0.1", 0, _always_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    assert not thread.is_alive(), "the live server thread did not stop"


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: another person's browser).

    Script errors, console errors (a blocked style or script: CSP) and server errors (5xx)
    fail the test when it ends; 4xx answers are left to the journeys, which expect some.
    """
    contexts, problems = [], []

    def on_console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            problems.append(f"console: {msg.text} ({msg.location.get('url')})")

    def on_response(response):
        if response.status >= 500:
            problems.append(f"server error: {response.status} {response.url}")

    def open_page():
        context = browser.new_context(base_url=live_server)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", on_console)
        page.on("response", on_response)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context on the live server."""
    return new_page()
