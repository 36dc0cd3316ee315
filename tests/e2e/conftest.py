"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Nothing is downloaded or installed at run time. Without /usr/bin/chromium (or $CHROMIUM_PATH) the
tests are skipped with the reason. A failing test leaves a full-page screenshot in test-artifacts/e2e/.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio event loop running in the main thread, so Django thinks the
# test body is async code and raises SynchronousOnlyOperation on ORM calls (factories, assertions).
# The tests really are synchronous; the loop only talks to the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"


@pytest.fixture(scope="session")
def browser():
    executable = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    if not os.access(executable, os.X_OK):
        pytest.skip(f"Debian's chromium is not installed at {executable} (apt-get install chromium): "
                    "browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport():
    """Override in a test module, or parametrize indirectly, for another screen size."""
    return DESKTOP


@pytest.fixture
def page(browser, viewport):
    """A fresh browser context (no cookies, English browser) per test."""
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, username) fills the real sign-in form and waits to leave it."""

    def _sign_in(page, username, password="correct horse battery"):  # noqa: S107 (UserFactory's password)
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username or e-mail").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _sign_in


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    page = getattr(item, "funcargs", {}).get("page")
    if report.when != "call" or not report.failed or page is None:
        return
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", item.nodeid) + ".png")
        page.screenshot(path=str(path), full_page=True)
        report.sections.append(("e2e screenshot", f"{path} (at {page.url})"))
    except Exception as error:  # a dead browser must not hide the real failure
        report.sections.append(("e2e screenshot", f"could not take one: {error}"))
