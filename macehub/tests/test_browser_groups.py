"""Proposing and confirming a group in a real browser: an analyst runs group detection
and reads the proposal with its evidence (which they may not decide); a supervisor
confirms it, refused first without a reason; the child's record then carries the flag.

Every page on the way, the error state included, is scanned with axe-core against WCAG
2.2 AA (``Scanner`` from ``test_browser_pages``, whose ``SCANNED_BY`` names the test here
that scans each page). All names are made up.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group
from macehub.networks.tests.test_groups import plant
from macehub.testing.browser import browser_login
from macehub.testing.factories import make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

REASON = "Both suspects drive the same car to collect the child; two reliable sources."


def test_proposing_and_confirming_a_group(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    analyst = make_user("avery.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    linked = plant(hub_team, analyst, hub_agency)
    browser_login(page, live_server, analyst)

    scanner.open("/networks/groups/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Groups")
    expect(page.locator("#groups-heading")).to_have_text("Proposed: 0 groups")
    scanner.scan("no groups yet")
    click_and_wait(page, "button", "Run group detection")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Group detection proposed or renewed 1 group")
    expect(page.locator("#groups-heading")).to_have_text("Proposed: 1 group")
    row = page.locator("main table tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text("2")  # suspected offenders
    scanner.scan("a proposed group, after running group detection",
                 page_of="networks:group_propose")
    group = Group.objects.get()
    with page.expect_navigation():
        row.get_by_role("link", name=group.name).click()

    # The proposal: members by part, the evidence; the analyst may not decide it.
    expect(page.get_by_role("heading", level=1)).to_have_text(group.name)
    expect(page.locator("main")).to_contain_text("Suspected offenders: 2")
    for suspect in linked.suspects:
        expect(page.get_by_role("link", name=suspect.full_name)).to_be_visible()
    evidence = page.locator("table").filter(has_text="The evidence")
    expect(evidence.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("a supervisor other than you")).to_be_visible()
    expect(page.get_by_role("button", name="Save decision")).to_have_count(0)
    scanner.scan("a proposal, seen by the analyst who proposed it")

    # The supervisor decides: refused without a reason, then confirmed.
    page.context.clear_cookies()
    browser_login(page, live_server, supervisor)
    scanner.open(f"/networks/groups/{group.pk}/")
    decision = page.get_by_role("group", name="Is this group-based child sexual exploitation?")
    decision.get_by_label("Yes, confirm the group").check()
    click_and_wait(page, "button", "Save decision")
    error = "Enter what shows these people act together to exploit children"
    assert_errors_shown(page, error)
    expect(decision.get_by_label("Yes, confirm the group")).to_be_checked()
    scanner.scan("a decision without a reason")
    page.get_by_label("Why", exact=True).fill(REASON)
    click_and_wait(page, "button", "Save decision")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Confirmed group-based CSE")
    expect(page.locator("main")).to_contain_text(REASON)
    scanner.scan("a confirmed group")
    group.refresh_from_db()
    assert group.status == GroupStatus.CONFIRMED and group.decided_by == supervisor

    # The child's record carries the flag, linked to the group.
    scanner.open(f"/people/{linked.child.pk}/")
    flag = page.locator("[data-child-identity]").get_by_role(
        "link", name=f"Group-based CSE ({group.reference})")
    expect(flag).to_be_visible()
    scanner.scan("a child in a confirmed group")
    scanner.assert_scanned_every_page_listed()
