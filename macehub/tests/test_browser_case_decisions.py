"""Closing a case with a supervisor's approval, in a real browser: a triage worker asks
to close it (after a mistake), the case page shows the request waiting and the worker
cannot decide it; a supervisor approves it with a comment and the case closes; the
advocacy goes on after the closure until the advocate's service ends it, after the trial.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``, whose ``SCANNED_BY`` lists these pages).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.cases import services as case_services
from macehub.cases.codes import CaseStatus, DecisionStatus, RiskTier
from macehub.cases.models import AdvocateAllocation, Case
from macehub.testing.browser import browser_login
from macehub.testing.factories import make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

NOTE = "Early help will hold the safety plan; no missing episodes for three months"
COMMENT = "Agreed at supervision: the step-down plan is in place and she knows who to call"


def sign_out(page: Page) -> None:
    click_and_wait(page, "button", "Sign out", within="header")


def test_closure_asked_for_and_approved(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    worker = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    advocate = make_user("val.advocate", Role.VICTIM_ADVOCATE, agency=partner_agency,
                         team=make_team(partner_agency, "Advocacy", is_hub_team=False))
    today = timezone.localdate()
    case = case_services.open_case(
        actor=worker, child=make_person(hub_agency, given_name="Ruby", family_name="Lane"),
        risk_tier=RiskTier.MEDIUM, lead_agency=hub_agency, reason="Referral screened",
        key_worker=worker,
    )
    case_services.change_advocate(actor=worker, case_pk=case.pk, advocate=advocate,
                                  starts_on=today - dt.timedelta(days=90))
    case_services.add_plan_item(actor=worker, case_pk=case.pk, action="Weekly check-in",
                                owner=worker, due_on=today + dt.timedelta(days=7))

    # 1. The worker asks to close the case.
    browser_login(page, live_server, worker)
    scanner.open(f"/cases/{case.pk}/")
    click_and_wait(page, "link", "Ask to close the case")
    assert scanner.path() == f"/cases/{case.pk}/close/"
    expect(page.get_by_text("not a reason to close")).to_be_visible()
    expect(page.get_by_text("stays the child's victim advocate")).to_be_visible()
    scanner.scan("the form")
    page.get_by_label("Stepped down to another service").check()
    click_and_wait(page, "button", "Send for approval")
    assert_errors_shown(
        page, "There is 1 open plan item: complete it first, or confirm it should be cancelled")
    scanner.scan("with an open plan item not confirmed")
    page.get_by_label("More detail").fill(NOTE)
    page.get_by_label("Cancel the open plan items").check()
    click_and_wait(page, "button", "Send for approval")
    assert scanner.path() == f"/cases/{case.pk}/"
    waiting = page.locator(".app-pending-decision")
    expect(waiting).to_contain_text("Close the case: Stepped down to another service")
    expect(waiting).to_contain_text(worker.display_name)
    expect(waiting).to_contain_text(NOTE)
    expect(waiting.get_by_role("button", name="Approve or reject")).to_have_count(0)
    scanner.scan("with its closure waiting for approval")
    asked = case.decision_requests.get()
    # The worker cannot decide their own request, even by its address.
    response = page.goto(f"{live_server.url}/cases/decisions/{asked.pk}/")
    assert response is not None and response.status == 403
    sign_out(page)

    # 2. The supervisor approves it, after forgetting the comment.
    browser_login(page, live_server, supervisor)
    scanner.open(f"/cases/{case.pk}/")
    scanner.scan("with a closure for this supervisor to decide")
    click_and_wait(page, "button", "Approve or reject")
    assert scanner.path() == f"/cases/decisions/{asked.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide: close the case")
    expect(page.locator("main")).to_contain_text(NOTE)
    scanner.scan("the request")
    page.get_by_role("group", name="Your decision").get_by_label("Approve").check()
    click_and_wait(page, "button", "Save decision")
    assert_errors_shown(page, "Enter a comment on your decision")
    scanner.scan("approved with no comment")
    page.get_by_label("Comment").fill(COMMENT)
    click_and_wait(page, "button", "Save decision")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The request has been approved.")
    expect(page.locator(".govuk-tag").filter(has_text="Closed")).to_be_visible()
    expect(page.locator(".app-pending-decision")).to_have_count(0)
    scanner.scan("closed after approval, its advocate still allocated")
    case.refresh_from_db()
    asked.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == supervisor
    assert (asked.status, asked.decision_comment) == (DecisionStatus.APPROVED, COMMENT)
    click_and_wait(page, "link", "Chronology", within="nav[aria-label='Case sections']")
    expect(page.locator(".moj-timeline__title").first).to_be_visible()
    titles = page.locator(".moj-timeline__title").all_inner_texts()
    for expected in ("Approval requested: Close the case: Stepped down to another service",
                     "Request approved: Close the case: Stepped down to another service",
                     f"Case {case.reference} closed"):
        assert expected in titles, titles
    sign_out(page)

    # 3. The advocacy goes on; the advocate's service ends it after the trial.
    browser_login(page, live_server, advocate)
    scanner.open(f"/cases/{case.pk}/")
    click_and_wait(page, "link", "End the victim advocacy")
    assert scanner.path() == f"/cases/{case.pk}/advocate/end/"
    scanner.scan("the form")
    for part in ("Day", "Month", "Year"):
        page.get_by_label(part).fill("")
    click_and_wait(page, "button", "End advocacy")
    assert_errors_shown(page, "Enter the date the advocacy ended",
                        "Enter why the advocacy is ending")
    scanner.scan("with no date or reason")
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_label("Why is the advocacy ending?").fill("After the trial")
    click_and_wait(page, "button", "End advocacy")
    # No longer working on the case, the independent advocate returns to their cases.
    assert scanner.path() == "/cases/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The victim advocacy has ended.")
    allocation = AdvocateAllocation.objects.get(case=case)
    assert (allocation.ended_on, allocation.end_reason) == (today, "After the trial")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    scanner.assert_scanned_every_page_listed()
