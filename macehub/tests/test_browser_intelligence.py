"""Intelligence pages in a real browser, as the people who use them (issue #4).

A school's safeguarding lead tells the hub what they know (first forgetting a required
answer) and sees their own submission; a hub analyst reviews it from the queue (3x5x2
grading, sanitised text, links to a vehicle and a phone, the phone's link removed, an
action) and shares it with children's services on a lawful basis; a worker there sees
only the sanitised text. Then an analyst records a report (handling code C without its
conditions first), reads a historic 5x5x5 report, searches, opens every kind of entity
page and exports the reports to CSV.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA and loads without asset, console or script errors. ``SCANNED_BY`` names the test here
that scans each page, in the shape of the one in ``test_browser_pages``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

# The test URLconf is the project's URLs with the intelligence pages included (whether or
# not ``macehub/urls.py`` includes them yet).
pytestmark = pytest.mark.browser

FLOW = "test_submission_review_and_dissemination"
RECORDS = "test_recording_searching_entities_and_export"

# The tests that scan each page, by URL name. A POST-only action is listed with the test
# that scans the page it answers with.
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "intelligence:submit": (FLOW,),
    "intelligence:submission_detail": (FLOW,),
    "intelligence:my_submissions": (FLOW,),
    "intelligence:review_queue": (FLOW,),
    "intelligence:review": (FLOW,),
    "intelligence:add_link": (FLOW,),
    "intelligence:remove_link": (FLOW,),
    "intelligence:disseminate": (FLOW,),
    "intelligence:report_list": (FLOW, RECORDS),
    "intelligence:report_detail": (FLOW, RECORDS),
    "intelligence:record": (RECORDS,),
    "intelligence:search": (RECORDS,),
    "intelligence:location_detail": (RECORDS,),
    "intelligence:vehicle_detail": (RECORDS,),
    "intelligence:phone_detail": (RECORDS,),
    "intelligence:account_detail": (RECORDS,),
    "intelligence:premises_detail": (RECORDS,),
    "intelligence:export": (RECORDS,),  # the page scanned; the CSV fetched, type checked
}

WHAT = "A man in a grey van waits outside the school gates on Fridays and gives pupils lifts"
HOW_KNOWN = "Our pupil Jade told me on Monday; her friend saw it too"
SANITISED = "Intelligence indicates a grey van collects pupils near a secondary school"
CONDITIONS_MISSING = ("Enter the conditions of handling code C: who may see the report, "
                      "and what they may do with it")
NO_TEAM_NAMED = "Name at least one team or agency that handling code C allows to see the report"


# --- Scanning -------------------------------------------------------------------------


def choose(page: Page, legend: str, label: str) -> None:
    page.locator("main form").get_by_role("group", name=legend).get_by_label(
        label, exact=True).check()


def assert_banner(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


# --- The journeys --------------------------------------------------------------------


def test_submission_review_and_dissemination(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    school = make_agency("vale-academy", AgencyKind.EDUCATION, name="Vale Academy")
    teacher = make_user("dana.school", Role.REFERRER, agency=school,
                        team=make_team(school, "Safeguarding", is_hub_team=False))
    social_worker = make_user(
        "sol.worker", Role.INVESTIGATOR, agency=partner_agency,
        team=make_team(partner_agency, "Exploitation Team", is_hub_team=False))

    # A school's safeguarding lead tells the hub what they know, forgetting how they know.
    sign_in_as(page, live_server, teacher)
    scanner.open("/intelligence/submit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell the hub what you know")
    scanner.scan("empty")
    page.get_by_label("What do you know?").fill(WHAT)
    page.get_by_label("Where did it happen?").fill("Outside Vale Academy, Mill Lane")
    click_and_wait(page, "button", "Send to the hub")
    assert_errors_shown(page, "Enter how you know this")
    expect(page.get_by_label("What do you know?")).to_have_value(WHAT)
    scanner.scan("without how they know")
    page.locator(".govuk-error-summary").get_by_role("link",
                                                     name="Enter how you know this").click()
    expect(page.get_by_label("How do you know this?")).to_be_focused()
    page.get_by_label("How do you know this?").fill(HOW_KNOWN)
    click_and_wait(page, "button", "Send to the hub")
    submission_reference = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"SUB-\S+", submission_reference), submission_reference
    assert_banner(page, f"Its reference is {submission_reference}")
    expect(page.locator("main")).to_contain_text("A researcher will review it")
    expect(page.locator("main")).to_contain_text(HOW_KNOWN)
    scanner.scan("just sent")
    click_and_wait(page, "link", "Your submissions", within=".govuk-width-container")
    expect(page.get_by_role("table")).to_contain_text(submission_reference)
    scanner.scan("one submission")

    # The hub analyst reviews it from the queue.
    sign_in_as(page, live_server, analyst)
    scanner.open("/intelligence/review/")
    row = page.get_by_role("row").filter(has_text="Partner submission")
    expect(row).to_have_count(1)
    scanner.scan("one partner submission awaiting review")
    report = IntelligenceReport.objects.get(submission__reference=submission_reference)
    click_and_wait(page, "link", report.reference)
    expect(page.get_by_role("heading", name="Intelligence as received")).to_be_visible()
    expect(page.locator("main")).to_contain_text(WHAT)
    expect(page.locator("main")).to_contain_text(f"Submission {submission_reference} from "
                                                 "Vale Academy")
    scanner.scan("a partner submission, awaiting review")

    click_and_wait(page, "button", "Review this report")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review {report.reference}")
    scanner.scan("a partner submission")
    choose(page, "Source evaluation", "2 – Untested")
    choose(page, "Intelligence assessment", "B – Known indirectly, corroborated")
    choose(page, "Handling code", "P – Lawful sharing permitted")
    choose(page, "Priority", "Medium – time-critical")
    choose(page, "Action", "Disseminate")
    click_and_wait(page, "button", "Save the review")  # no sanitised text yet
    sanitise_message = ("Enter the sanitised text: what may be shared, with nothing that "
                        "identifies the source")
    assert_errors_shown(page, sanitise_message)
    scanner.scan("without a sanitised text")
    page.get_by_label("Sanitised text").fill(SANITISED)
    click_and_wait(page, "button", "Save the review")
    assert_banner(page, f"Report {report.reference} has been reviewed")
    summary = page.locator("main dl.govuk-summary-list").filter(has_text="Grading (3x5x2)")
    expect(summary).to_contain_text("2BP")
    expect(summary).to_contain_text("Disseminate")

    # Links: a vehicle (typed loosely) and a phone number, linked by mistake and removed.
    for kind, field, value, role in (
        ("Vehicle", "Registration", "xb01 van", "Vehicle used"),
        ("Phone number", "Phone number", "07700 900461", "Phone used"),
    ):
        click_and_wait(page, "button", "Link a person, place or thing")
        if kind == "Vehicle":
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "What does the report mention?")
            scanner.scan("choosing a kind of record")
        page.get_by_label(kind, exact=True).check()
        click_and_wait(page, "button", "Continue")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Link a {kind.lower()}")
        if kind == "Vehicle":
            scanner.scan("a new vehicle")
        page.get_by_label(field, exact=True).fill(value)
        choose(page, "Role in the report", role)
        click_and_wait(page, "button", "Link to the report")
        assert_banner(page, f"linked to {report.reference}")
    links = page.get_by_role("table", name="Linked records")
    expect(links).to_contain_text("XB01 VAN")
    expect(links).to_contain_text("07700 900461")
    click_and_wait(page, "link", "Remove link to 07700 900461")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove the link to 07700 900461?")
    scanner.scan("a phone number")
    click_and_wait(page, "button", "Remove the link")
    assert_banner(page, "The link has been removed")
    expect(links).not_to_contain_text("07700 900461")
    expect(links).to_contain_text("XB01 VAN")
    scanner.scan("reviewed and linked, not yet shared")

    # Shared with children's services, on a lawful basis (first forgotten).
    click_and_wait(page, "button", "Share with partner agencies")
    expect(page.locator("main .govuk-inset-text").last).to_have_text(SANITISED)
    scanner.scan("ready to share")
    page.get_by_role("group", name="Agencies to share it with").get_by_label(
        partner_agency.name).check()
    click_and_wait(page, "button", "Share the sanitised report")
    assert_errors_shown(page, "Select the lawful basis for sharing")
    scanner.scan("without a lawful basis")
    choose(page, "Lawful basis for sharing", "Children Act 1989 s.47 – enquiries about a child")
    # No information-sharing agreement covers the two agencies: shared, saying why.
    page.get_by_label("Why it is shared without an agreement").fill(
        "To safeguard a child at immediate risk")
    click_and_wait(page, "button", "Share the sanitised report")
    assert_banner(page, f"has been shared with {partner_agency.name}")
    shared = page.locator("main table").filter(has_text="Lawful basis")
    expect(shared).to_contain_text(partner_agency.name)
    expect(shared).to_contain_text("Children Act 1989 s.47")
    expect(shared).to_contain_text("None in force. Shared because: To safeguard a child")
    scanner.scan("shared with a partner agency")
    dissemination = Dissemination.objects.get(report=report)
    assert dissemination.shared_text == SANITISED and dissemination.handling_code == "P"

    scanner.open("/intelligence/review/?show=reviewed")
    expect(page.get_by_role("row").filter(has_text=report.reference)).to_contain_text(
        "Disseminate")
    scanner.scan("the reviewed tab")

    # Children's services see the shared report: sanitised text only, nothing of its source.
    sign_in_as(page, live_server, social_worker)
    scanner.open("/intelligence/")
    expect(page.get_by_role("table")).to_contain_text(report.reference)
    scanner.scan("one report shared with the agency")
    click_and_wait(page, "link", report.reference)
    expect(page.get_by_role("heading", name="Sanitised intelligence")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text(SANITISED)
    for secret in (WHAT, HOW_KNOWN, "Vale Academy", submission_reference, "Shared with"):
        expect(main).not_to_contain_text(secret)
    expect(main.get_by_role("button", name="Review this report")).to_have_count(0)
    scanner.scan("shared with the viewer's agency")
    scanner.assert_scanned_every_page_listed()


def test_recording_searching_entities_and_export(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    partner_team = make_team(partner_agency, "Exploitation Team", is_hub_team=False)
    received = timezone.now() - dt.timedelta(days=3)
    known = make_report(hub_team, analyst, reference="INT-2026-000321", received_at=received,
                        sanitised_text="Children seen being collected from the bus station")
    station = Location.objects.create(description="Bus station", address="1 Station Road",
                                      postcode="XB1 1AA")
    entities = [
        station,
        Vehicle.objects.create(registration="XB01ABC", make="Vauxhall"),
        PhoneNumber.objects.create(number="+447700900123"),
        OnlineAccount.objects.create(platform="snapchat", handle="dj.x"),
        Premises.objects.create(name="Station Hotel", kind="hotel", location=station),
    ]
    for entity in entities:
        link(known, entity)
    link(known, make_person(hub_agency, given_name="Dean", family_name="Rowntree"))
    historic = make_report(
        hub_team, analyst, reference="INT-2015-000042", is_legacy_5x5x5=True,
        status="historic", legacy_source_evaluation="B", legacy_intelligence_evaluation="2",
        legacy_handling_code="3", source_evaluation="", intelligence_assessment="",
        received_at=received - dt.timedelta(days=3650),
    )
    sign_in_as(page, live_server, analyst)

    # Recording a report: handling code C without its conditions, then with them.
    scanner.open("/intelligence/")
    expect(page.get_by_role("table")).to_contain_text(known.reference)
    scanner.scan("two reports")
    received_from = page.get_by_role("group", name="Received from")
    received_from.get_by_label("Day").fill("1")
    received_from.get_by_label("Month").fill("13")
    received_from.get_by_label("Year").fill("2026")
    page.get_by_label("Status").select_option(label="Current (not historic)")
    click_and_wait(page, "button", "Apply filters")
    assert_errors_shown(page, "Received from must be a real date")
    expect(received_from.get_by_label("Month")).to_have_value("13")
    scanner.scan("filtered with a month that does not exist")
    received_from.get_by_label("Month").fill("1")
    received_from.get_by_label("Year").fill(str(received.year - 1))
    click_and_wait(page, "button", "Apply filters")
    expect(page.get_by_role("table")).to_contain_text(known.reference)
    expect(page.get_by_role("table")).not_to_contain_text(historic.reference)
    scanner.scan("current reports received since a date")
    click_and_wait(page, "button", "Record an intelligence report")
    scanner.scan("empty")
    page.get_by_label("Intelligence, as received").fill(
        "DC Sample heard from a taxi driver that Station Hotel rents rooms by the hour")
    page.get_by_label("Sanitised text").fill("A hotel is said to rent rooms by the hour")
    choose(page, "Source evaluation", "3 – Not reliable")
    choose(page, "Intelligence assessment", "C – Known indirectly")
    choose(page, "Handling code", "C – Lawful sharing permitted with conditions")
    click_and_wait(page, "button", "Record the report")
    assert_errors_shown(page, CONDITIONS_MISSING, NO_TEAM_NAMED)
    expect(page.get_by_role("group", name="Handling code").get_by_label(
        "C – Lawful sharing permitted with conditions")).to_be_checked()
    scanner.scan("handling code C without conditions")
    page.locator(".govuk-error-summary").get_by_role("link", name=CONDITIONS_MISSING).click()
    expect(page.get_by_label("Handling conditions")).to_be_focused()
    page.get_by_label("Handling conditions").fill("Exploitation Team only; no further sharing")
    page.get_by_role("group", name="Teams the conditions allow").get_by_label(
        re.compile("^Exploitation Team")).check()
    click_and_wait(page, "button", "Record the report")
    assert_banner(page, "It is in the review queue")
    summary = page.locator("main dl.govuk-summary-list").filter(has_text="Grading (3x5x2)")
    expect(summary).to_contain_text("3CC")
    expect(summary).to_contain_text(f"{partner_team.name}")
    scanner.scan("just recorded, handling code C")

    # A historic 5x5x5 report, read-only.
    scanner.open(f"/intelligence/reports/{historic.pk}/")
    expect(page.locator("main")).to_contain_text("B23 (5x5x5)")
    expect(page.locator("main").get_by_role("button", name="Review this report")).to_have_count(0)
    scanner.scan("a historic 5x5x5 report")

    # Every kind of entity page, from the report that links them.
    scanner.open(f"/intelligence/reports/{known.pk}/")
    scanner.scan("reviewed, with every kind of record linked")
    for label, heading in (
        ("Bus station", "Bus station"), ("XB01 ABC", "XB01 ABC"),
        ("07700 900123", "07700 900123"), ("Snapchat @dj.x", "Snapchat @dj.x"),
        ("Station Hotel", "Station Hotel"),
    ):
        scanner.open(f"/intelligence/reports/{known.pk}/")
        click_and_wait(page, "link", label)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        mentions = page.get_by_role("table", name=re.compile("report"))
        expect(mentions).to_contain_text(known.reference)
        if label == "Bus station":
            expect(page.get_by_role("link", name="Station Hotel")).to_be_visible()
        scanner.scan("mentioned in one report")

    # The one search box: nothing entered, then a registration written loosely.
    scanner.open("/intelligence/search/")
    scanner.scan("empty")
    click_and_wait(page, "button", "Search")
    assert_errors_shown(page, "Enter what you are looking for")
    scanner.scan("nothing entered")
    page.get_by_label(re.compile("^Search people")).fill("xb01 abc")
    click_and_wait(page, "button", "Search")
    expect(page.locator("#results-heading")).to_have_text(re.compile(r"^\d+ records? found$"))
    vehicles = page.get_by_role("table", name=re.compile("^Vehicles"))
    expect(vehicles.get_by_role("link", name="XB01 ABC")).to_be_visible()
    scanner.scan("a registration, with results")
    page.get_by_label(re.compile("^Search people")).fill("station")
    click_and_wait(page, "button", "Search")
    expect(page.get_by_role("link", name="Bus station")).to_be_visible()
    expect(page.get_by_role("link", name="Station Hotel")).to_be_visible()
    scanner.scan("a word, matching places and premises")

    # The export: the page, then the file.
    scanner.open("/intelligence/")
    click_and_wait(page, "link", "Export to CSV")
    expect(page.locator("main")).to_contain_text("3 reports will be exported")
    scanner.scan("every report")
    body = scanner.download(page.get_by_role("button", name="Download the CSV file"),
                            "text/csv").decode()
    assert known.reference in body and historic.reference in body
    scanner.assert_scanned_every_page_listed()
