"""Subject access in a real browser: an information governance officer opens the
register from the navigation, logs a request (refused first with nothing entered; then
from the child's page, which gives the form the child's record number),
records the requester's identity check, gathers what the hub holds about the child,
sees an intelligence report's source details withheld by default, withholds a contact's
summary as third-party data, produces the disclosure bundle and downloads it.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All people and agencies are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.cases.codes import CaseStatus, ContactKind, RiskTier
from macehub.cases.models import Case, Contact
from macehub.governance.subject_access_models import SubjectAccessRequest
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.browser import fill_govuk_date, sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

WALK = "test_a_request_from_logging_to_the_disclosure_bundle"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "audit:subject_access": (WALK,),
    "audit:subject_access_new": (WALK,),
    "audit:subject_access_request": (WALK,),
    "audit:subject_access_progress": (WALK,),
    "audit:subject_access_item": (WALK,),
    "audit:subject_access_bundle": (WALK,),
    # POST only: the request's page they return to, with its message, is scanned.
    "audit:subject_access_gather": (WALK,),
    # POST only: drawn in the background; the job's page, leading back, is scanned.
    "audit:subject_access_produce": (WALK,),
    "audit:requested_job": (WALK,),
}


@pytest.mark.django_db(transaction=True)
def test_a_request_from_logging_to_the_disclosure_bundle(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("iris.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                        team=hub_team)
    worker = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                       team=hub_team)
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase",
                        date_of_birth=dt.date(2011, 5, 6))
    now = timezone.now()
    case = Case.objects.create(reference="CASE-2026-000001", child=child, opened_at=now,
                               opened_by=worker, lead_agency=hub_agency,
                               risk_tier=RiskTier.MEDIUM, status=CaseStatus.OPEN)
    Contact.objects.create(case=case, occurred_at=now, kind=ContactKind.HOME_VISIT,
                           with_whom="Her aunt", summary="The aunt's own worries",
                           recorded_by=worker)
    report = make_report(hub_team, worker, source_text="Told by a named informant",
                         sanitised_text="Seen near the station")
    link(report, child, EntityRole.VICTIM)
    today = timezone.localdate()
    main = page.locator("main")
    success = page.locator(".govuk-notification-banner--success")

    # 1. The register, then a new request: refused with nothing entered, then logged.
    sign_in_as(page, live_server, officer)
    scanner.open("/")
    click_and_wait(page, "link", "Subject access", within="header")
    assert scanner.path() == "/audit/subject-access/"
    expect(main).to_contain_text("No requests here.")
    scanner.scan("empty register")
    click_and_wait(page, "button", "Log a request")
    scanner.scan("empty")
    click_and_wait(page, "button", "Log the request")
    assert_errors_shown(page, "Enter the requester's name",
                        "Enter who the requester is to the person",
                        "Enter the record number of a person the hub holds",
                        "Enter date received")
    scanner.scan("nothing entered")
    # The person is found as any record is, and the request logged from their page.
    scanner.open(f"/people/{child.pk}/")
    click_and_wait(page, "link", "Log a subject access request about this person")
    expect(page.get_by_label("Record number of the person the hub holds")).to_have_value(
        str(child.pk))
    page.get_by_label("Requester's name").fill("Anne Testcase")
    page.get_by_label("Who the requester is to the person").fill("Mother")
    fill_govuk_date(page, "Date received", today - dt.timedelta(days=5))
    click_and_wait(page, "button", "Log the request")
    request = SubjectAccessRequest.objects.get()
    assert scanner.path() == f"/audit/subject-access/{request.pk}/"
    expect(success).to_contain_text(f"{request.reference} logged.")
    expect(main).to_contain_text("Poppy Testcase, born 6 May 2011")
    scanner.scan("just logged")

    # 2. The requester's identity, checked.
    click_and_wait(page, "button", "Record identity, extension or status")
    scanner.scan("progress")
    fill_govuk_date(page, "Date the requester's identity was verified", today)
    page.get_by_label("Parental responsibility and the child's identity").check()
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text(f"{request.reference} updated.")

    # 3. Gathered: the report's source details are withheld by default.
    click_and_wait(page, "button", "Gather what the hub holds")
    expect(page.locator("#items-heading")).to_have_text("What the hub holds: 4 items")
    scanner.scan("gathered", page_of="audit:subject_access_gather")
    click_and_wait(page, "link", report.reference)
    expect(main).to_contain_text("Withheld by default")
    scanner.scan("an intelligence report")
    page.get_by_role("link", name="Back to the request").click()
    page.wait_for_load_state("load")

    # 4. The contact's summary withheld as another person's account.
    click_and_wait(page, "link", f"{case.reference} contact "
                                 f"{Contact.objects.get().pk}")
    page.get_by_label("Summary: disclose or withhold").select_option(
        label="Withhold: Third-party data (another person named)")
    page.get_by_label("Summary: note on the reason (optional)").fill("The aunt's account")
    scanner.scan("a contact, summary to withhold")
    click_and_wait(page, "button", "Save the redactions")
    expect(success).to_contain_text("Redactions of")

    # 5. The bundle, produced and downloaded, with its schedule on the page.
    click_and_wait(page, "button", "Produce the bundle")
    expect(page.get_by_role("heading", name="Done")).to_be_visible()
    scanner.scan("bundle drawn", page_of="audit:subject_access_produce")
    scanner.scan("bundle drawn")
    click_and_wait(page, "link", f"Download the bundle from request {request.reference}")
    expect(page.locator("#schedule-heading")).to_be_visible()
    expect(main).to_contain_text("Third-party data (another person named)")
    expect(main).to_contain_text("Intelligence source details (never disclosed)")
    scanner.scan("bundle produced")
    pdf = scanner.download(page.get_by_role("button", name="Download the bundle (PDF)"),
                           "application/pdf")
    assert pdf.startswith(b"%PDF")
    scanner.open("/audit/subject-access/")
    expect(main).to_contain_text(request.reference)
    scanner.scan("one request under review")
    scanner.assert_scanned_every_page_listed()
