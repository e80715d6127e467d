"""The inspection recommendations tracker in a real browser: a senior leader records an
inspection, imports findings (a bad file refused row by row first) and adds one, gives it
an action, links measures as evidence, and is refused when setting it evidenced with an
action still open; the action's owner records it done with its evidence; the status is
then set; the PCC's scrutiny officer assesses it (refused first with nothing entered),
sees the force's status and the PCC's assessment side by side, and publishes the progress
statement, which shows both and downloads as a PDF.

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

from macehub.accountability.models import ImprovementAction, Inspection, Recommendation
from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.browser import fill_govuk_date, sign_in_as
from macehub.testing.factories import make_agency, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_performance_equality import prepared_pdf

pytestmark = pytest.mark.browser

TRACKER = "test_a_recommendation_evidenced_assessed_and_published"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "accountability:inspections": (TRACKER,),
    "accountability:inspection_new": (TRACKER,),
    "accountability:inspection": (TRACKER,),
    "accountability:recommendation_import": (TRACKER,),
    "accountability:recommendation_new": (TRACKER,),
    "accountability:recommendation": (TRACKER,),
    "accountability:recommendation_status": (TRACKER,),
    "accountability:recommendation_assess": (TRACKER,),
    "accountability:action_new": (TRACKER,),
    "accountability:measure_link": (TRACKER,),
    "accountability:measure_unlink": (TRACKER,),  # a POST: the page it leads to
    "accountability:my_actions": (TRACKER,),
    "accountability:action_update": (TRACKER,),
    "accountability:inspection_statements": (TRACKER,),
    "accountability:statement": (TRACKER,),
    # POST only: drawn in the background; its job's page is scanned, its file downloaded
    "accountability:statement_pdf": (TRACKER,),
    "audit:requested_job": (TRACKER,),
    "audit:requested_job_file": (TRACKER,),
    "accountability:statements": (TRACKER,),
}

BAD_FILE = (b"kind,number,text,addressed_to,theme\n"
            b"recommendation,1,Record the flag,Chief Constables,data quality\n"
            b"recommendation,one,,,nonsense\n")
GOOD_FILE = (b"kind,number,text,addressed_to,theme\n"
             b"recommendation,1,Record the flag consistently,Chief Constables,data quality\n"
             b"area for improvement,1,Share partners' information sooner,the partnership,"
             b"intelligence sharing\n")


@pytest.mark.django_db(transaction=True)
def test_a_recommendation_evidenced_assessed_and_published(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    leader = make_user("lena.leader", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
    owner = make_user("omar.owner", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    pcc = make_agency("pcc-office", AgencyKind.PCC_OFFICE,
                      name="Office of the Police and Crime Commissioner")
    scrutiny = make_user("sian.scrutiny", Role.SCRUTINY, agency=pcc)
    success = page.locator(".govuk-notification-banner--success")
    main = page.locator("main")

    # 1. The senior leader records the inspection (refused first with nothing entered).
    sign_in_as(page, live_server, leader)
    scanner.open("/")
    click_and_wait(page, "link", "Inspections", within="header")
    expect(main).to_contain_text("No inspection has been recorded.")
    scanner.scan("none yet")
    click_and_wait(page, "button", "Record an inspection")
    click_and_wait(page, "button", "Record the inspection")
    assert_errors_shown(page, "Select the inspecting body", "Enter the inspection's title")
    scanner.scan("nothing entered")
    page.get_by_label("HM Inspectorate of Constabulary and Fire & Rescue Services").check()
    page.get_by_label("Title of the report").fill("Inspection of the response to exploitation")
    fill_govuk_date(page, "Date the report was published", dt.date(2025, 3, 1))
    click_and_wait(page, "button", "Record the inspection")
    inspection = Inspection.objects.get()
    assert scanner.path() == f"/accountability/inspections/{inspection.pk}/"
    expect(success).to_contain_text("Inspection recorded.")
    scanner.scan("just recorded")

    # 2. Findings imported from a file: a bad file is refused row by row, nothing kept.
    click_and_wait(page, "button", "Import from a CSV file")
    scanner.scan("empty")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": BAD_FILE}])
    click_and_wait(page, "button", "Import")
    expect(main).to_contain_text('Row 3, column "number"')
    expect(main).to_contain_text('Row 3, column "theme": Select the theme')
    assert not Recommendation.objects.exists()
    scanner.scan("a bad file refused")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "good.csv", "mimeType": "text/csv", "buffer": GOOD_FILE}])
    click_and_wait(page, "button", "Import")
    expect(success).to_contain_text("1 recommendation(s) and 1 area(s) for improvement")

    # 3. Recommendation 5 added by hand (refused first).
    click_and_wait(page, "button", "Add a recommendation or area for improvement")
    click_and_wait(page, "button", "Add it")
    assert_errors_shown(page, "Select recommendation or area for improvement",
                        "Enter what the report says", "Select the theme")
    scanner.scan("nothing entered")
    page.get_by_label("Recommendation", exact=True).check()
    page.get_by_label("Number in the report").fill("5")
    page.get_by_label("What the report says").fill(
        "Supervisors should review exploitation investigations at set points.")
    page.get_by_label("Theme").select_option(label="Supervision")
    click_and_wait(page, "button", "Add it")
    expect(success).to_contain_text("Recommendation 5 added.")
    scanner.scan("three findings")
    click_and_wait(page, "link", "Recommendation 5")
    recommendation = Recommendation.objects.get(number=5)
    scanner.scan("no actions yet")

    # 4. Evidenced with nothing behind it: refused, the reason shown, what was typed kept.
    click_and_wait(page, "button", "Set the status")
    scanner.scan("empty")
    page.get_by_label("Evidenced").check()
    page.get_by_label("The force's commentary").fill("Reviews happen at every set point.")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "It has no actions: record the actions taken before marking "
                              "it completed")
    expect(page.get_by_label("The force's commentary")).to_have_value(
        "Reviews happen at every set point.")
    scanner.scan("refused without evidence")

    # 5. An action for the supervisor, and measures linked as evidence.
    scanner.open(f"/accountability/recommendations/{recommendation.pk}/")
    click_and_wait(page, "button", "Add an action")
    click_and_wait(page, "button", "Add the action")
    assert_errors_shown(page, "Enter what is to be done", "Select who owns the action")
    scanner.scan("nothing entered")
    page.get_by_label("What is to be done").fill("Set review points in the policy")
    page.get_by_label("Owner").select_option(value=str(owner.pk))
    fill_govuk_date(page, "Due by", timezone.localdate() + dt.timedelta(days=30))
    click_and_wait(page, "button", "Add the action")
    expect(success).to_contain_text("Action added.")
    for code in ("investigation_reviews_on_time", "inspection_actions_overdue"):
        click_and_wait(page, "button", "Link a measure")
        if code == "investigation_reviews_on_time":
            scanner.scan("empty")
        page.get_by_label("Measure").select_option(value=code)
        click_and_wait(page, "button", "Link the measure")
    expect(main).to_contain_text("Supervisory reviews on time")
    scanner.scan("two measures linked")
    page.locator("main").get_by_role("button", name="Take this measure off").last.click()
    page.wait_for_load_state("load")
    expect(success).to_contain_text("Measure taken off.")
    expect(main).not_to_contain_text("Inspection actions overdue")
    scanner.scan("one measure taken off", page_of="accountability:measure_unlink")
    click_and_wait(page, "button", "Set the status")
    page.get_by_label("Evidenced").check()
    page.get_by_label("The force's commentary").fill("Reviews happen at every set point.")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "1 of its actions is still open: every action must be done "
                              "or dropped before it is completed")

    # 6. The owner records the action done, with its evidence (refused first).
    sign_in_as(page, live_server, owner)
    scanner.open("/accountability/actions/")
    scanner.scan("one open action")
    click_and_wait(page, "link", "Set review points in the policy")
    scanner.scan("open")
    page.get_by_label("Done").check()
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the date it was done")
    scanner.scan("no date")
    fill_govuk_date(page, "Date done or dropped", timezone.localdate())
    page.get_by_label("Evidence").fill("Investigation policy, section 4, published")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Action updated.")
    assert ImprovementAction.objects.get().status == "done"

    # 7. Now the force may mark it evidenced.
    sign_in_as(page, live_server, leader)
    scanner.open(f"/accountability/recommendations/{recommendation.pk}/status/")
    page.get_by_label("Evidenced").check()
    page.get_by_label("The force's commentary").fill("Reviews happen at every set point.")
    click_and_wait(page, "button", "Save")
    expect(success).to_contain_text("Status set: evidenced.")

    # 8. The PCC's scrutiny officer assesses it (refused first), beside the force's status.
    sign_in_as(page, live_server, scrutiny)
    scanner.open("/")
    click_and_wait(page, "link", "Inspections", within="header")
    click_and_wait(page, "link", "Inspection of the response to exploitation")
    click_and_wait(page, "link", "Recommendation 5")
    expect(page.get_by_role("button", name="Set the status")).to_have_count(0)
    click_and_wait(page, "button", "Scrutinise and assess")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select the assessment", "Enter the scrutiny note")
    scanner.scan("nothing entered")
    page.get_by_label("Progressing").check()
    page.get_by_label("Scrutiny note").fill("Figures improving; to be confirmed next quarter.")
    click_and_wait(page, "button", "Save")
    expect(main).to_contain_text("Evidenced")
    expect(main).to_contain_text("Progressing")
    expect(main).to_contain_text("Figures improving; to be confirmed next quarter.")
    scanner.scan("status and assessment side by side")

    # 9. The progress statement: refused with no foreword, then published and frozen.
    click_and_wait(page, "link", "Back to the inspection", within="body")
    click_and_wait(page, "link", "Progress statements: publish a new one")
    scanner.scan("none yet")
    click_and_wait(page, "button", "Publish the statement")
    assert_errors_shown(page, "Enter the foreword")
    scanner.scan("no foreword")
    page.get_by_label("The Police and Crime Commissioner's foreword").fill(
        "The Commissioner holds the Chief Constable to account for every recommendation.")
    click_and_wait(page, "button", "Publish the statement")
    expect(success).to_contain_text("Progress statement published.")
    for shown in ("Recommendation 5", "Evidenced", "Progressing",
                  "Reviews happen at every set point.", "Supervisory reviews on time"):
        expect(main).to_contain_text(shown)
    expect(main).not_to_contain_text("Omar")
    scanner.scan("published")
    assert prepared_pdf(page, scanner, "the statement's PDF, drawn",
                        "accountability:statement_pdf", "Prepare as a PDF").startswith(b"%PDF")
    page.go_back()  # to the statement
    click_and_wait(page, "link", "Progress statements", within="body")
    scanner.scan("one published")
    scanner.assert_scanned_every_page_listed()
