"""A seized device in a real browser, from seizure to full examination: the investigator
records a phone seized from the child victim, from the investigation's page (refused
first with nothing entered); the force's digital forensics examiner finds it in the
queue, least time left first, opens it (seeing of the investigation only what the
examination needs), records the triage (refused first), then the full examination's
report, and returns the phone.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All names are made up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.forensics.codes import ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.investigations import services
from macehub.testing.browser import fill_govuk_date as _fill_date
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

SEIZURE_TO_REPORT = "test_seizing_a_device_then_triage_and_full_examination"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "forensics:queue": (SEIZURE_TO_REPORT,),
    "forensics:record_device": (SEIZURE_TO_REPORT,),
    "forensics:detail": (SEIZURE_TO_REPORT,),
    "forensics:record_triage": (SEIZURE_TO_REPORT,),
    "forensics:record_full_examination": (SEIZURE_TO_REPORT,),
    "forensics:after_examination": (SEIZURE_TO_REPORT,),
}


@pytest.mark.django_db(transaction=True)
def test_seizing_a_device_then_triage_and_full_examination(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    examiner = make_user("eve.examiner", Role.FORENSICS, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Lily", family_name="Marsh",
                        date_of_birth=dt.date(2011, 9, 4))
    sister = make_person(hub_agency, given_name="Rosa", family_name="Marsh",
                         date_of_birth=dt.date(2012, 1, 20))
    suspect = make_person(hub_agency, given_name="Dean", family_name="Carver",
                          date_of_birth=dt.date(1989, 2, 11), sex="male")
    recorded = services.record_investigation(
        actor=investigator, title="Operation Larkspur",
        reported_on=timezone.localdate() - dt.timedelta(days=10),
        crime=services.CrimeDetails("71"), victim_pks=[child.pk, sister.pk],
        suspect_pks=[suspect.pk])
    investigation = services.allocate(
        actor=supervisor, investigation_pk=recorded.pk, expected_version=recorded.version,
        officer_pk=investigator.pk, supervisor_pk=supervisor.pk)
    seized = timezone.localtime() - dt.timedelta(hours=3)
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. The investigator records the phone from the investigation's page.
    sign_in_as(page, live_server, investigator)
    scanner.open(f"/investigations/{investigation.pk}/")
    expect(main).to_contain_text("No device has been recorded as seized.")
    click_and_wait(page, "link", "Record a seized device")
    assert scanner.path() == f"/forensics/investigations/{investigation.pk}/exhibits/new/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a seized device")
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the device")
    assert_errors_shown(page, "Select the type of device",
                        "Enter the make and model of the device", "Select whose device it is",
                        "Select the priority", "Select the legal authority for the seizure")
    scanner.scan("nothing entered")
    assert not Exhibit.objects.exists()
    page.get_by_label("Mobile phone").check()
    page.get_by_label("Make and model").fill("Black Samsung Galaxy A15 in a pink case")
    _fill_date(page, "Date seized", seized.date())
    page.get_by_label("Time seized").fill(f"{seized:%H:%M}")
    page.get_by_role("group", name="Whose device is it?").get_by_label("Victim").check()
    page.get_by_label("Seized from").select_option(label="Lily Marsh (victim)")
    page.get_by_label("Child at immediate risk").check()
    page.get_by_label("Legal authority for the seizure").select_option(
        label="Consent of the owner, or of the child's parent")
    click_and_wait(page, "button", "Record the device")
    exhibit = Exhibit.objects.get()
    assert scanner.path() == f"/forensics/exhibits/{exhibit.pk}/"
    expect(success).to_contain_text(f"{exhibit.reference} recorded. Triage is due by")
    expect(main).to_contain_text("Waiting for triage")
    expect(main).to_contain_text("Lily Marsh")
    scanner.scan("just recorded, as the investigator")
    assert exhibit.triage_due_at == exhibit.seized_at + dt.timedelta(hours=48)

    # 2. The examiner finds it in the queue and opens it: nothing of the other child.
    sign_in_as(page, live_server, examiner)
    scanner.open("/")
    click_and_wait(page, "link", "Digital forensics", within="header")
    assert scanner.path() == "/forensics/"
    expect(page.locator("#exhibits-heading")).to_have_text("Waiting for examination: 1 exhibit")
    row = page.locator("main table tbody tr")
    expect(row).to_contain_text("Child at immediate risk")
    expect(row).to_contain_text("left")
    scanner.scan("one device waiting for triage")
    click_and_wait(page, "link", exhibit.reference)
    expect(main).to_contain_text("Operation Larkspur")
    expect(main).to_contain_text("71 Abuse of children through sexual exploitation")
    expect(main).to_contain_text("4 September 2011")
    expect(main).not_to_contain_text("Rosa Marsh")
    expect(main).not_to_contain_text("Dean Carver")
    expect(page.get_by_role("link", name="Open the investigation")).to_have_count(0)
    scanner.scan("as the examiner, waiting for triage")

    # 3. Triage: nothing entered, then a full examination needed.
    click_and_wait(page, "button", "Record the triage")
    assert scanner.path() == f"/forensics/exhibits/{exhibit.pk}/triage/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the triage")
    assert_errors_shown(page, "Enter what the triage found",
                        "Select whether a full examination is needed")
    scanner.scan("nothing entered")
    page.get_by_label("What the triage found").fill(
        "Messages with an unknown adult arranging meetings; images to grade.")
    page.get_by_role("group", name="Is a full examination needed?").get_by_label(
        "Yes").check()
    click_and_wait(page, "button", "Record the triage")
    expect(success).to_contain_text("Triage recorded. The full examination is due by")
    expect(main).to_contain_text("Waiting for full examination")
    scanner.scan("triaged, waiting for the full examination")

    # 4. The full examination's report: a date before triage refused, then recorded.
    click_and_wait(page, "button", "Record the full examination report")
    assert scanner.path() == f"/forensics/exhibits/{exhibit.pk}/full-examination/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the report")
    assert_errors_shown(page, "Enter the date of the report",
                        "Enter what the full examination found")
    scanner.scan("nothing entered")
    _fill_date(page, "Date of the report", timezone.localdate() - dt.timedelta(days=5))
    page.get_by_label("What the full examination found").fill(
        "Full download: 212 messages with the suspect's second number; exhibits produced.")
    click_and_wait(page, "button", "Record the report")
    assert_errors_shown(page, "The date of the report must be from the day of triage to today")
    expect(page.get_by_label("What the full examination found")).to_contain_text("212 messages")
    scanner.scan("a date before triage")
    _fill_date(page, "Date of the report", timezone.localdate())
    click_and_wait(page, "button", "Record the report")
    expect(success).to_contain_text("Full examination report recorded.")
    expect(main).to_contain_text("Full examination done")
    history = main.locator(".moj-timeline")
    expect(history).to_contain_text("Full examination report")
    expect(history).to_contain_text("Triaged")
    scanner.scan("examined in full")

    # 5. Returned to the child's mother.
    click_and_wait(page, "button", "Return, retain or dispose of it")
    assert scanner.path() == f"/forensics/exhibits/{exhibit.pk}/after-examination/"
    scanner.scan("empty")
    page.get_by_label("Returned", exact=True).check()
    _fill_date(page, "Date", timezone.localdate())
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter who it was returned to")
    scanner.scan("refused")
    page.get_by_label("Returned to").fill("Lily's mother")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Returned: recorded.")
    scanner.scan("returned")
    exhibit.refresh_from_db()
    assert exhibit.stage == ExhibitStage.RETURNED and exhibit.examiner == examiner
    assert exhibit.returned_to == "Lily's mother"

    # The queue is empty again.
    scanner.open("/forensics/")
    expect(page.locator("#exhibits-heading")).to_have_text("Waiting for examination: 0 exhibits")
    scanner.scan("nothing waiting")
    scanner.assert_scanned_every_page_listed()
