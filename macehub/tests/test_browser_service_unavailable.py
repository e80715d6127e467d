"""The hub while its database cannot be reached, in a real browser: a signed-in social
worker's next page is the GOV.UK "service unavailable" page (scanned with axe-core
against WCAG 2.2 AA, its styles loading without the database), and the hub is back as
soon as the database is; the load balancers' health check answers in plain text.

The outage itself, against a real PostgreSQL server, is drilled in
``macehub/core/tests/test_database_outage.py``; here the session store stands for the
database, as it is the first thing a signed-in page reads.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_user
from macehub.tests.test_browser_pages import Scanner

pytestmark = pytest.mark.browser

OUTAGE = "test_the_service_unavailable_page_and_the_health_check"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "handler503": (OUTAGE,),
    # Plain text for load balancers, with no markup to scan: its answer is checked.
    "health": (OUTAGE,),
}


@pytest.mark.django_db(transaction=True)
def test_the_service_unavailable_page_and_the_health_check(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker = make_user("sam.worker", Role.SOCIAL_WORKER, agency=hub_agency, team=hub_team)
    health = page.request.get(f"{live_server.url}/health/")
    assert (health.status, health.text()) == (200, "ok")

    sign_in_as(page, live_server, worker)
    refused = OperationalError("connection refused")
    with mock.patch.object(SessionStore, "load", side_effect=refused):
        scanner.open("/people/", status=503)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Sorry, the service is unavailable")
        expect(page.locator("main")).to_contain_text("If a child is in immediate danger, "
                                                     "call 999.")
        scanner.scan("the database cannot be reached", page_of="handler503")
        assert page.locator("link[rel=stylesheet]").count() == 3
        assert "GDS Transport" in page.locator("h1").evaluate(
            "(heading) => getComputedStyle(heading).fontFamily")

    scanner.open("/people/")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(
        "Sorry, the service is unavailable")
    scanner.scanned.append("health: plain text, answer checked")
    scanner.assert_scanned_every_page_listed()
