"""pytest plugin for browser tests (enabled in ``macehub/conftest.py``).

Fixtures:

- ``browser`` (session): headless Chromium, see ``macehub.testing.browser``;
- ``page``: a fresh browser context and page per test (British locale and time zone);
  a screenshot of it is saved in ``test-results/`` when the test fails;
- ``page_monitor``: records failed /assets/ requests, console errors (CSP violations
  included) and script errors on ``page``; call ``page_monitor.assert_clean()``;
- ``browser_login``: ``browser_login(page, live_server, user)`` signs a user in through
  the real forms, two-factor step included.

Mark browser tests ``@pytest.mark.browser`` and use pytest-django's ``live_server``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from macehub.testing.browser import PROJECT_ROOT, PageMonitor, browser_login, launch_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright

# Playwright's sync API runs an event loop in the test's thread; Django refuses ORM calls
# from a thread with a running loop unless told that this is deliberate.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

RESULTS_DIR = PROJECT_ROOT / "test-results"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = launch_chromium(playwright_driver)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/London", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "_browser_report_call", None)
    if report is not None and report.failed:
        RESULTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        path: Path = RESULTS_DIR / f"{name}.png"
        try:
            new_page.screenshot(path=str(path), full_page=True)
        except Exception as error:  # a failed screenshot must not hide the test's failure
            print(f"Could not save a screenshot of the failed test: {error}")
    context.close()


@pytest.fixture
def page_monitor(page: Page) -> PageMonitor:
    return PageMonitor().attach(page)


@pytest.fixture(name="browser_login")
def browser_login_fixture() -> Callable[..., None]:
    return browser_login
