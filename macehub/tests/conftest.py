"""Fixtures shared by the browser tests in this folder."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from macehub.testing.browser import PageMonitor
from macehub.tests.test_browser_pages import SCANNED_BY, Scanner


@pytest.fixture
def scanner(
    page: Page, page_monitor: PageMonitor, live_server: Any, request: pytest.FixtureRequest
) -> Scanner:
    """A ``Scanner`` for the test, checking its scans against its module's ``SCANNED_BY``
    (the pages' own in ``test_browser_pages`` for a module without one)."""
    return Scanner(page, page_monitor, live_server.url.rstrip("/"), request.node.originalname,
                   scanned_by=getattr(request.module, "SCANNED_BY", SCANNED_BY))
