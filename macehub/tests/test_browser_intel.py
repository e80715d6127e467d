"""Intelligence as practitioners met it (issue 12), in a real browser: an analyst records
a report, handling code C's conditions appearing only when C is chosen (and still
checked when left out); as its author she is offered no review and is refused one,
while another researcher reviews it and the report page shows the review. A researcher
links a suspect known only by his street name, and finds him and a vehicle whose
registration was typed with a slip. A reviewed report is shared with two agencies at
once, and a social worker in one of them is told on her work queue until she reads it.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.governance.tests.factories import make_agreement
from macehub.intelligence.models import Dissemination, IntelligenceReport, Vehicle
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

FOUR_EYES = "test_four_eyes_review_with_the_conditions_revealed_only_for_c"
STREET_NAME = "test_a_suspect_known_by_a_street_name_and_a_registration_typed_with_a_slip"
SHARING = "test_sharing_with_two_agencies_and_the_recipients_work_queue"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "intelligence:record": (FOUR_EYES,),
    "intelligence:report_detail": (FOUR_EYES, STREET_NAME, SHARING),
    "intelligence:review_queue": (FOUR_EYES,),
    "intelligence:review": (FOUR_EYES,),
    "intelligence:report_list": (FOUR_EYES,),
    "intelligence:add_link": (STREET_NAME,),
    "intelligence:search": (STREET_NAME,),
    "intelligence:disseminate": (SHARING,),
    "home": (SHARING,),
}

SOURCE = "Told to DC Sample by a neighbour at 4 Mill Row that men collect girls at night"
SANITISED = "Girls are reported to be collected by car from Mill Row late at night"
CONDITIONS = "Exploitation Team only; no further sharing"


def choose(page: Page, legend: str, label: str) -> None:
    page.locator("main form").get_by_role("group", name=legend).get_by_label(
        label, exact=True).first.check()


@pytest.mark.django_db(transaction=True)
def test_four_eyes_review_with_the_conditions_revealed_only_for_c(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    author = make_user("ana.author", Role.ANALYST, agency=hub_agency, team=hub_team)
    reviewer = make_user("rev.iewer", Role.ANALYST, agency=hub_agency, team=hub_team)
    make_team(partner_agency, "Exploitation Team", is_hub_team=False)

    # Recording: the conditions appear only when C is chosen.
    sign_in_as(page, live_server, author)
    scanner.open("/intelligence/new/")
    conditions = page.get_by_label("Handling conditions")
    expect(conditions).to_be_hidden()
    scanner.scan("empty, conditions hidden")
    page.get_by_label("Intelligence, as received").fill(SOURCE)
    choose(page, "Source evaluation", "2 – Untested")
    choose(page, "Intelligence assessment", "B – Known indirectly, corroborated")
    choose(page, "Handling code", "C – Lawful sharing permitted with conditions")
    expect(conditions).to_be_visible()
    scanner.scan("handling code C chosen, conditions shown")
    choose(page, "Handling code", "P – Lawful sharing permitted")
    expect(conditions).to_be_hidden()
    choose(page, "Handling code", "C – Lawful sharing permitted with conditions")
    choose(page, "Priority", "High – threat to life, serious harm, imminent risk or opportunity")
    click_and_wait(page, "button", "Record the report")
    assert_errors_shown(
        page, "Enter the conditions of handling code C: who may see the report, and what "
        "they may do with it")
    expect(conditions).to_be_visible()
    scanner.scan("C without its conditions")
    conditions.fill(CONDITIONS)
    page.get_by_role("group", name="Teams the conditions allow").get_by_label(
        "Exploitation Team", exact=False).check()
    click_and_wait(page, "button", "Record the report")
    report = IntelligenceReport.objects.get()
    assert report.handling_code == "C" and report.handling_conditions == CONDITIONS

    # The author: no review offered, and refused one.
    assert scanner.path() == f"/intelligence/reports/{report.pk}/"
    main = page.locator("main")
    expect(main.get_by_role("button", name="Review this report")).to_have_count(0)
    expect(page.locator("#four-eyes")).to_contain_text("someone else in your team reviews it")
    scanner.scan("the author's own report, awaiting review")
    scanner.open("/intelligence/review/")
    expect(main).to_contain_text("1 report you recorded is waiting for someone else")
    expect(main).not_to_contain_text(report.reference)
    scanner.scan("only the author's own report waiting")
    scanner.open(f"/intelligence/reports/{report.pk}/review/", status=403)

    # Another researcher reviews it.
    sign_in_as(page, live_server, reviewer)
    scanner.open("/intelligence/review/")
    expect(main).to_contain_text("highest priority first, then longest waiting")
    click_and_wait(page, "link", report.reference)
    click_and_wait(page, "button", "Review this report")
    expect(page.get_by_label("Handling conditions")).to_have_value(CONDITIONS)
    scanner.scan("a C report, conditions shown")
    page.get_by_label("Sanitised text").fill(SANITISED)
    choose(page, "Action", "Develop")
    page.get_by_label("What is to be done").fill("Night team to develop the Mill Row lead")
    click_and_wait(page, "button", "Save the review")
    review = page.locator("#review + dl")
    expect(review).to_contain_text(reviewer.display_name)
    expect(review).to_contain_text("Develop")
    expect(review).to_contain_text("Night team to develop the Mill Row lead")
    expect(page.locator("#sanitised + p + .govuk-inset-text")).to_have_text(SANITISED)
    scanner.scan("reviewed, with the review shown")

    # The author's list shows the sanitised summary, not what the source said.
    sign_in_as(page, live_server, author)
    scanner.open("/intelligence/")
    table = page.get_by_role("table")
    expect(table).to_contain_text(SANITISED)
    expect(table).not_to_contain_text("DC Sample")
    scanner.scan("a reviewed report with its summary")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_a_suspect_known_by_a_street_name_and_a_registration_typed_with_a_slip(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
) -> None:
    author = make_user("ana.author", Role.ANALYST, agency=hub_agency, team=hub_team)
    researcher = make_user("res.earcher", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    report = make_report(hub_team, author, source_text=SOURCE, sanitised_text=SANITISED,
                         received_at=timezone.now() - dt.timedelta(days=1))
    link(report, Vehicle.objects.create(registration="XB01ABC", make="Ford"))

    sign_in_as(page, live_server, researcher)
    scanner.open(f"/intelligence/reports/{report.pk}/links/new/?kind=person")
    expect(page.get_by_label("Nickname or street name")).to_be_visible()
    scanner.scan("a new person")
    choose(page, "Role in the report", "Suspect")
    click_and_wait(page, "button", "Link to the report")
    assert_errors_shown(
        page, "Enter the person's name, or the nickname or street name they are known by")
    scanner.scan("no name at all")
    page.get_by_label("Nickname or street name").fill("Kaz")
    click_and_wait(page, "button", "Link to the report")
    assert scanner.path() == f"/intelligence/reports/{report.pk}/"
    expect(page.get_by_role("table", name="Linked records")).to_contain_text(
        "Kaz (street name)")
    scanner.scan("a suspect known by a street name")
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("", "")

    scanner.open("/intelligence/search/?q=kaz")
    expect(page.locator("main")).to_contain_text("Kaz (street name)")
    scanner.scan("found by the street name")
    scanner.open("/intelligence/search/?q=xb01+abd")
    expect(page.locator("main")).to_contain_text("XB01 ABC")
    expect(page.locator("main")).to_contain_text("registration matches but for one character")
    scanner.scan("a registration typed with a slip")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_sharing_with_two_agencies_and_the_recipients_work_queue(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    author = make_user("ana.author", Role.ANALYST, agency=hub_agency, team=hub_team)
    researcher = make_user("res.earcher", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    council = make_agency("westmoor", AgencyKind.CHILDRENS_SOCIAL_CARE,
                          name="Westmoor Council Social Care")
    social_worker = make_user(
        "sol.worker", Role.SOCIAL_WORKER, agency=council,
        team=make_team(council, "Exploitation social work", is_hub_team=False))
    report = make_report(hub_team, author, source_text=SOURCE, sanitised_text=SANITISED,
                         received_at=timezone.now() - dt.timedelta(days=1))
    agreement = make_agreement(hub_agency, partner_agency, council, created_by=author,
                               title="Westmoor MACE agreement")

    sign_in_as(page, live_server, researcher)
    scanner.open(f"/intelligence/reports/{report.pk}/")
    click_and_wait(page, "button", "Share with partner agencies")
    scanner.scan("ready to share")
    choose(page, "Lawful basis for sharing",
           "DPA 2018 Part 3, s.35(5) and Sch. 8 para 4 – safeguarding of children")
    click_and_wait(page, "button", "Share the sanitised report")
    assert_errors_shown(page, "Choose the agencies to share it with")
    scanner.scan("no agency chosen")
    agencies = page.get_by_role("group", name="Agencies to share it with")
    agencies.get_by_label(partner_agency.name).check()
    agencies.get_by_label(council.name).check()
    click_and_wait(page, "button", "Share the sanitised report")
    assert_errors_shown(page, f"Choose the sharing agreement that covers sharing with "
                              f"{partner_agency.name}")
    scanner.scan("no sharing agreement chosen")
    page.get_by_role("group", name="Information-sharing agreements it relies on").get_by_label(
        f"{agreement.reference} Westmoor MACE agreement").check()
    click_and_wait(page, "button", "Share the sanitised report")
    banner = page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(council.name)
    expect(banner).to_contain_text(partner_agency.name)
    shared = page.locator("main table").filter(has_text="Lawful basis")
    expect(shared).to_contain_text(partner_agency.name)
    expect(shared).to_contain_text(council.name)
    expect(shared).to_contain_text("Westmoor MACE agreement")
    scanner.scan("shared with two agencies")
    assert Dissemination.objects.filter(report=report).count() == 2

    sign_in_as(page, live_server, social_worker)
    scanner.open("/")
    main = page.locator("main")
    expect(main).to_contain_text("Intelligence shared with your agency")
    item = main.get_by_role("link", name=f"{report.reference}: Girls are reported",
                            exact=False)
    expect(item.first).to_be_visible()
    scanner.scan("intelligence shared with the agency", page_of="home")
    with page.expect_navigation():
        item.first.click()
    assert scanner.path() == f"/intelligence/reports/{report.pk}/"
    expect(page.get_by_role("heading", name="Sanitised intelligence")).to_be_visible()
    expect(main).not_to_contain_text("DC Sample")
    scanner.scan("the shared report, sanitised")
    scanner.open("/")
    expect(main.get_by_role("link", name=f"{report.reference}: Girls are reported",
                            exact=False)).to_have_count(0)
    scanner.assert_scanned_every_page_listed()
