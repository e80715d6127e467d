"""A weekly tactical meeting in a real browser, from preparation to circulated minutes:
the chair sets up the series (refused first with nothing entered) and arranges a
meeting, prepares the agenda (a child newly at High risk appears, linked to their case),
adds items (refused first), moves one and drops another, records the attendance, the
discussion and decision on the child's item and an action (refused first), approves the
minutes (then frozen: no more changes offered) and downloads the PDF, whose text is
checked; the action's owner finds it under their actions and records it done.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All names are made up.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.services.opening import open_case
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import Meeting, MeetingAction
from macehub.testing.browser import fill_govuk_date as _fill_date
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_performance_equality import prepared_pdf

pytestmark = pytest.mark.browser

MEETING_TO_MINUTES = "test_preparing_holding_and_approving_a_meeting"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "meetings:list": (MEETING_TO_MINUTES,),
    "meetings:new_series": (MEETING_TO_MINUTES,),
    "meetings:new_meeting": (MEETING_TO_MINUTES,),
    "meetings:change_series": (MEETING_TO_MINUTES,),
    "meetings:change_meeting": (MEETING_TO_MINUTES,),
    "meetings:detail": (MEETING_TO_MINUTES,),
    "meetings:prepare_agenda": (MEETING_TO_MINUTES,),
    "meetings:add_item": (MEETING_TO_MINUTES,),
    "meetings:move_item": (MEETING_TO_MINUTES,),
    "meetings:drop_item": (MEETING_TO_MINUTES,),
    "meetings:attendance": (MEETING_TO_MINUTES,),
    "meetings:discussion": (MEETING_TO_MINUTES,),
    "meetings:add_action": (MEETING_TO_MINUTES,),
    "meetings:approve_minutes": (MEETING_TO_MINUTES,),
    # POST only: drawn in the background; its job's page is scanned, its file downloaded
    "meetings:minutes_pdf": (MEETING_TO_MINUTES,),
    "audit:requested_job": (MEETING_TO_MINUTES,),
    "audit:requested_job_file": (MEETING_TO_MINUTES,),
    "meetings:my_actions": (MEETING_TO_MINUTES,),
    "meetings:action_status": (MEETING_TO_MINUTES,),
}


def _pdf_text(body: bytes, tmp_path: Path) -> str:
    found = shutil.which("pdftotext")
    assert found, "poppler-utils (pdftotext) is needed to read the PDF"
    pdf = tmp_path / "minutes.pdf"
    pdf.write_bytes(body)
    out = subprocess.run([found, "-raw", str(pdf), "-"], check=True,  # noqa: S603
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


@pytest.mark.django_db(transaction=True)
def test_preparing_holding_and_approving_a_meeting(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    tmp_path: Path,
) -> None:
    chair = make_user("cara.chair", Role.MEETING_CHAIR, agency=hub_agency, team=hub_team)
    triage = make_user("tom.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    owner = make_user("sue.social", Role.SOCIAL_WORKER, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Lily", family_name="Marsh",
                        date_of_birth=dt.date(2011, 9, 4))
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Screened as high risk")
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")
    today = timezone.localdate()

    # 1. The series, then the meeting.
    sign_in_as(page, live_server, chair)
    scanner.open("/")
    click_and_wait(page, "link", "Meetings", within="header")
    assert scanner.path() == "/meetings/"
    scanner.scan("no meetings yet")
    click_and_wait(page, "button", "New series")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the name of the series", "Select the kind of meeting",
                        "Select the standing member agencies")
    scanner.scan("nothing entered")
    page.get_by_label("Name of the series").fill("Weekly tactical")
    page.get_by_label("Weekly tactical meeting").check()
    page.get_by_label("County Police").check()
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Weekly tactical: series created.")
    click_and_wait(page, "link", "Change Weekly tactical")
    scanner.scan("as created")
    page.get_by_label("Name of the series").fill("")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the name of the series")
    expect(page.get_by_label("County Police")).to_be_checked()
    scanner.scan("name cleared")
    page.get_by_label("Name of the series").fill("Weekly tactical meeting")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Weekly tactical meeting: series changed.")
    click_and_wait(page, "button", "Arrange a meeting")
    scanner.scan("empty")
    page.get_by_label("Series").select_option(label="Weekly tactical meeting")
    _fill_date(page, "Date of the meeting", today + dt.timedelta(days=1))
    click_and_wait(page, "button", "Save")
    meeting = Meeting.objects.get()
    assert scanner.path() == f"/meetings/{meeting.pk}/"
    scanner.scan("just arranged")
    click_and_wait(page, "link", "Change date or chair")
    scanner.scan("as arranged")
    _fill_date(page, "Date of the meeting", today)
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text(f"{meeting.reference} changed.")
    meeting.refresh_from_db()
    assert meeting.held_on == today

    # 2. The agenda writes itself; items by hand.
    click_and_wait(page, "button", "Prepare the agenda from what changed")
    expect(success).to_contain_text("Agenda prepared: 1 new item.")
    expect(main).to_contain_text(f"Lily Marsh ({case.reference}) now at High risk")
    scanner.scan("agenda prepared", page_of="meetings:prepare_agenda")
    click_and_wait(page, "button", "Add an item")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter what the item is about")
    scanner.scan("nothing entered")
    page.get_by_label("What the item is about").fill("Training for partners")
    click_and_wait(page, "button", "Save")
    click_and_wait(page, "button", "Add an item")
    page.get_by_label("What the item is about").fill("Any other business")
    click_and_wait(page, "button", "Save")
    page.locator(".govuk-summary-card").nth(1).get_by_role("button", name="Move up").click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-summary-card__title").first).to_contain_text(
        "Training for partners")
    scanner.scan("an item moved up", page_of="meetings:move_item")
    with page.expect_navigation():
        page.locator(".govuk-summary-card").nth(2).get_by_role("button", name="Drop").click()
    expect(success).to_contain_text("Item dropped from the agenda.")
    expect(main).to_contain_text("Dropped from the agenda")
    scanner.scan("an item dropped", page_of="meetings:drop_item")

    # 3. The meeting: attendance, discussion and decision, an action.
    click_and_wait(page, "button", "Record attendance")
    scanner.scan("empty")
    page.get_by_role("group", name="County Police").get_by_label("Present").check()
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Attendance recorded.")
    page.get_by_role("link", name="Record discussion and decision for item 2").click()
    page.wait_for_load_state()
    assert scanner.path().startswith("/meetings/items/")
    scanner.scan("empty")
    page.get_by_label("Discussion").fill("Going missing from school; seen at the takeaway.")
    page.get_by_label("Decision").fill("Strategy meeting to be held this week.")
    click_and_wait(page, "button", "Save")
    expect(main).to_contain_text("Strategy meeting to be held this week.")
    page.get_by_role("link", name="Add an action for item 2").click()
    page.wait_for_load_state()
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter what is to be done", "Select who owns the action",
                        "Select the agency")
    scanner.scan("nothing entered")
    page.get_by_label("What is to be done").fill("Arrange the strategy meeting")
    page.get_by_label("Owner").select_option(value=str(owner.pk))
    page.get_by_label("Agency").select_option(label="County Police")
    _fill_date(page, "Due by", today + dt.timedelta(days=3))
    click_and_wait(page, "button", "Save")
    action = MeetingAction.objects.get()
    expect(success).to_contain_text(f"Action {action.reference} recorded.")
    scanner.scan("with an action")

    # 4. Minutes approved, then frozen; the PDF for circulation.
    click_and_wait(page, "button", "Approve the minutes")
    expect(success).to_contain_text("Minutes approved.")
    expect(page.get_by_role("button", name="Add an item")).to_have_count(0)
    expect(page.get_by_role("link", name="Record discussion and decision for item 2")
           ).to_have_count(0)
    scanner.scan("minutes approved", page_of="meetings:approve_minutes")
    body = prepared_pdf(page, scanner, "the minutes' PDF, drawn", "meetings:minutes_pdf",
                        "Prepare the minutes as a PDF")
    text = _pdf_text(body, tmp_path)
    for shown in ("Weekly tactical meeting", "Strategy meeting to be held this week.",
                  action.reference, "Training for partners", "County Police"):
        assert shown in text, shown
    assert "Any other business" not in text

    # 5. The owner records their action done.
    sign_in_as(page, live_server, owner)
    scanner.open("/meetings/actions/")
    expect(main).to_contain_text(action.reference)
    scanner.scan("one open action")
    click_and_wait(page, "link", action.reference)
    scanner.scan("open")
    page.get_by_label("Done").check()
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text(f"Action {action.reference}: recorded.")
    scanner.scan("done")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    scanner.assert_scanned_every_page_listed()
