"""An investigation in a real browser, as the police staff who work it: an investigator
records one (refused first with nothing entered); a supervisor allocates it (refused first
as both officer and supervisor), finds its review in the reviews due and signs it. Then
the investigator works it: a second crime, a line of enquiry and its result, a second
child; asks for the review before charge, which a supervisor signs; sends the file for a
charging decision; asks for the review before closure, which another supervisor signs;
and records the outcome, which closes it.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All names are made up.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation
from macehub.cases.services import open_case
from macehub.investigations import services
from macehub.investigations.codes import (
    ChargingDecision,
    ChargingDecisionMaker,
    EnquiryStatus,
    InvestigationStatus,
    OutcomeCode,
    ReviewPoint,
    WithdrawalReason,
)
from macehub.investigations.models import Investigation, SupervisoryReview, SuspectRelease
from macehub.people.models import Person
from macehub.testing.browser import fill_govuk_date as _fill_date
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

RECORDING = "test_recording_and_allocating_an_investigation"
TO_CLOSURE = "test_working_an_investigation_to_charge_and_closure"
BAIL = "test_a_suspect_bailed_with_conditions_then_released_under_investigation"
JOURNEY = "test_a_child_victims_journey_recorded_by_the_officer_and_the_advocate"

# POST-only actions are listed with the test that scans the page they return to.
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "investigations:list": (RECORDING, TO_CLOSURE),
    "investigations:create": (RECORDING,),
    "investigations:record_charging_decision": (TO_CLOSURE,),
    "investigations:reviews_due": (RECORDING,),
    "investigations:detail": (RECORDING, TO_CLOSURE),
    "investigations:allocate": (RECORDING,),
    "investigations:sign_review": (RECORDING, TO_CLOSURE),
    "investigations:add_crime": (TO_CLOSURE,),
    "investigations:add_person": (TO_CLOSURE,),
    "investigations:add_enquiry": (TO_CLOSURE,),
    "investigations:finish_enquiry": (TO_CLOSURE,),
    "investigations:ask_review": (TO_CLOSURE,),
    "investigations:send_for_charge": (TO_CLOSURE,),
    "investigations:record_outcome": (TO_CLOSURE,),
    "investigations:record_release": (BAIL,),
    "investigations:end_release": (BAIL,),
    "investigations:releases_expiring": (BAIL,),
    "investigations:victim_journey": (JOURNEY,),
    "investigations:record_entitlement": (JOURNEY,),
    "investigations:record_needs": (JOURNEY,),
    "investigations:record_step": (JOURNEY,),
    "investigations:record_withdrawal": (JOURNEY,),
    "investigations:write_advocate_note": (JOURNEY,),
}

TITLE = "Operation Larkspur"
OFFENCE = "71 Abuse of children through sexual exploitation"
FINDINGS = {
    "Victim safeguarding": "Lily is supported by her advocate and her mother is informed.",
    "Lines of enquiry": "Phone download and the taxi firm's records are open and owned.",
    "Suspect management": "Suspect on bail with conditions not to contact children.",
    "Evidence and disclosure": "Devices submitted; the unused material schedule is started.",
}


def _people(agency: Agency) -> tuple[Person, Person]:
    child = make_person(agency, given_name="Lily", family_name="Marsh",
                        date_of_birth=dt.date(2011, 9, 4))
    suspect = make_person(agency, given_name="Dean", family_name="Carver",
                          date_of_birth=dt.date(1989, 2, 11), sex="male")
    return child, suspect


def _success(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def _sign_the_review(page: Page, scanner: Scanner, review: str, state: str) -> None:
    """From the investigation's page, open the waiting review and sign it."""
    page.get_by_role("table", name="Reviews waiting").get_by_role(
        "link", name=f"Review {review.lower()}").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Supervisory review: {review.lower()}")
    scanner.scan(state)
    for label, text in FINDINGS.items():
        page.get_by_label(label, exact=True).fill(text)
    click_and_wait(page, "button", "Sign the review")
    expect(_success(page)).to_contain_text("Review signed.")


@pytest.mark.django_db(transaction=True)
def test_recording_and_allocating_an_investigation(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    make_user("suki.sergeant", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    child, suspect = _people(hub_agency)
    reported = timezone.localdate() - dt.timedelta(days=3)

    # 1. The investigator records it: nothing entered, then the first crime and people.
    sign_in_as(page, live_server, investigator)
    scanner.open("/investigations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Investigations")
    expect(page.locator("#investigations-heading")).to_have_text("Yours: 0 investigations")
    scanner.scan("none yet")
    click_and_wait(page, "button", "Record an investigation")
    assert scanner.path() == "/investigations/new/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an investigation")
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the investigation")
    assert_errors_shown(page, "Enter what the investigation is called",
                        "Enter when the crime was reported", "Select the offence")
    assert not Investigation.objects.exists()
    scanner.scan("nothing entered")
    page.get_by_label("What the investigation is called").fill(TITLE)
    _fill_date(page, "When the crime was reported", reported)
    page.get_by_label("Offence", exact=True).select_option(label=OFFENCE)
    page.get_by_label("Where it happened").fill("Riverside car park")
    page.get_by_label("Child victims (record numbers)").fill(str(child.pk))
    page.get_by_label("Suspects (record numbers)").fill(str(suspect.pk))
    click_and_wait(page, "button", "Record the investigation")

    investigation = Investigation.objects.get()
    assert scanner.path() == f"/investigations/{investigation.pk}/"
    expect(_success(page)).to_contain_text(f"{investigation.reference} recorded.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    main = page.locator("main")
    expect(main.locator(".govuk-tag").first).to_have_text("Open")
    expect(page.get_by_role("table", name="Crimes")).to_contain_text(OFFENCE)
    expect(page.get_by_role("table", name="Crimes")).to_contain_text("Riverside car park")
    expect(main).to_contain_text("Child victims: 1")
    expect(page.get_by_role("link", name="Lily Marsh", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Dean Carver")).to_be_visible()
    expect(main).to_contain_text("No review is waiting. The first is due once the "
                                 "investigation is allocated.")
    expect(page.get_by_role("link", name="Allocate the investigation")).to_have_count(0)
    scanner.scan("just recorded, not allocated")
    assert investigation.created_by == investigator
    assert investigation.reported_on == reported
    assert [v.person for v in investigation.victims.all()] == [child]
    assert [s.person for s in investigation.suspects.all()] == [suspect]

    # 2. A supervisor allocates it: refused as both officer and supervisor, then to the
    # investigator, with themself as the supervisor.
    sign_in_as(page, live_server, supervisor)
    scanner.open(f"/investigations/{investigation.pk}/")
    click_and_wait(page, "link", "Allocate the investigation")
    assert scanner.path() == f"/investigations/{investigation.pk}/allocate/"
    officer = page.get_by_label("Officer in the case")
    expect(officer.locator("option")).to_have_text(
        ["Select an officer", "Ira Tester", "Sam Tester", "Suki Tester"])
    scanner.scan("not allocated yet")
    officer.select_option(label="Sam Tester")
    page.get_by_label("Supervisor", exact=True).select_option(label="Sam Tester")
    click_and_wait(page, "button", "Allocate")
    assert_errors_shown(page,
                        "The supervisor must be someone other than the officer in the case")
    scanner.scan("the supervisor as the officer too")
    page.get_by_label("Officer in the case").select_option(label="Ira Tester")
    click_and_wait(page, "button", "Allocate")
    assert scanner.path() == f"/investigations/{investigation.pk}/"
    expect(_success(page)).to_contain_text("Allocated.")
    expect(main).to_contain_text("Ira Tester")
    waiting = page.get_by_role("table", name="Reviews waiting")
    expect(waiting.locator("tbody tr")).to_have_count(1)
    expect(waiting).to_contain_text("On allocation")
    scanner.scan("allocated, its first review waiting")
    investigation.refresh_from_db()
    assert (investigation.officer_in_case, investigation.supervisor) == (investigator,
                                                                         supervisor)

    # 3. The review in the reviews due, signed: nothing entered first.
    scanner.open("/investigations/")
    click_and_wait(page, "link", "Supervisory reviews due")
    assert scanner.path() == "/investigations/reviews/"
    expect(page.locator("#reviews-heading")).to_have_text("1 review waiting")
    row = page.locator("main table tbody tr")
    expect(row).to_contain_text(investigation.reference)
    expect(row).to_contain_text("On allocation")
    expect(row).to_contain_text("Sam Tester")
    scanner.scan("the allocation review waiting")
    click_and_wait(page, "link", investigation.reference)
    page.get_by_role("table", name="Reviews waiting").get_by_role(
        "link", name="Review on allocation").click()
    page.wait_for_load_state("load")
    review = SupervisoryReview.objects.get(investigation=investigation)
    assert scanner.path() == f"/investigations/{investigation.pk}/reviews/{review.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Supervisory review: on allocation")
    scanner.scan("the allocation review")
    click_and_wait(page, "button", "Sign the review")
    assert_errors_shown(
        page, "Enter what you checked of the victims' safeguarding",
        "Enter what you checked of the lines of enquiry",
        "Enter what you checked of how the suspects are managed",
        "Enter what you checked of the evidence and disclosure")
    scanner.scan("nothing entered")
    for label, text in FINDINGS.items():
        page.get_by_label(label, exact=True).fill(text)
    click_and_wait(page, "button", "Sign the review")
    assert scanner.path() == f"/investigations/{investigation.pk}/"
    expect(_success(page)).to_contain_text("Review signed.")
    signed = page.get_by_role("table", name="Reviews signed")
    expect(signed).to_contain_text("On allocation")
    expect(signed).to_contain_text("by Sam Tester")
    expect(signed).to_contain_text(FINDINGS["Suspect management"])
    expect(page.get_by_role("table", name="Reviews waiting")).to_contain_text(
        "Regular review while open")
    scanner.scan("the allocation review signed")
    review.refresh_from_db()
    assert review.reviewer == supervisor and review.is_done
    assert review.victim_safeguarding == FINDINGS["Victim safeguarding"]
    scanner.assert_scanned_every_page_listed()


def _allocated_investigation(investigator: User, supervisor: User, child: Person,
                             suspect: Person) -> Investigation:
    """Recorded, allocated, and its allocation review signed."""
    recorded = services.record_investigation(
        actor=investigator, title=TITLE, reported_on=timezone.localdate() - dt.timedelta(days=10),
        crime=services.CrimeDetails("71"), victim_pks=[child.pk], suspect_pks=[suspect.pk])
    allocated = services.allocate(actor=supervisor, investigation_pk=recorded.pk,
                                  expected_version=recorded.version,
                                  officer_pk=investigator.pk, supervisor_pk=supervisor.pk)
    review = allocated.reviews.get()
    services.sign_review(actor=supervisor, investigation_pk=allocated.pk, review_pk=review.pk,
                         findings=services.ReviewFindings(*FINDINGS.values(), None))
    return allocated


@pytest.mark.django_db(transaction=True)
def test_working_an_investigation_to_charge_and_closure(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    second = make_user("suki.sergeant", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    child, suspect = _people(hub_agency)
    sister = make_person(hub_agency, given_name="Rosa", family_name="Marsh",
                         date_of_birth=dt.date(2012, 1, 20))
    investigation = _allocated_investigation(investigator, supervisor, child, suspect)
    detail = f"/investigations/{investigation.pk}/"
    main = page.locator("main")

    # 1. The investigator's list, then the investigation: a second crime.
    sign_in_as(page, live_server, investigator)
    scanner.open("/investigations/")
    expect(page.locator("#investigations-heading")).to_have_text("Yours: 1 investigation")
    row = page.locator("main table tbody tr")
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text("Sam Tester")
    scanner.scan("one allocated to them")
    click_and_wait(page, "link", investigation.reference)
    assert scanner.path() == detail
    expect(main).to_contain_text("You are the officer in the case: a supervisor other than "
                                 "you signs its reviews.")
    expect(page.get_by_role("link", name="Allocate the investigation")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("^Review"))).to_have_count(0)
    scanner.scan("as the officer in the case")
    click_and_wait(page, "link", "Add a crime")
    assert scanner.path() == f"{detail}crimes/new/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a crime")
    scanner.scan("empty")
    page.get_by_label("Offence", exact=True).select_option(label="88A Sexual grooming")
    _fill_date(page, "When it happened", timezone.localdate() - dt.timedelta(days=40))
    click_and_wait(page, "button", "Save")
    assert scanner.path() == detail
    expect(_success(page)).to_contain_text("Crime added: 88A Sexual grooming.")
    expect(page.get_by_role("table", name="Crimes").locator("tbody tr")).to_have_count(2)

    # 2. A line of enquiry, then its result.
    click_and_wait(page, "link", "Add a line of enquiry")
    assert scanner.path() == f"{detail}enquiries/new/"
    scanner.scan("empty")
    page.get_by_label("Line of enquiry", exact=True).fill(
        "Obtain the taxi firm's booking records for May")
    page.get_by_label("Owner").select_option(label="Ira Tester")
    _fill_date(page, "Due by", timezone.localdate() + dt.timedelta(days=14))
    click_and_wait(page, "button", "Save")
    expect(_success(page)).to_contain_text("Line of enquiry added to the plan.")
    plan = page.get_by_role("table", name="Investigation plan: lines of enquiry")
    expect(plan).to_contain_text("Obtain the taxi firm's booking records for May")
    expect(plan).to_contain_text("Ira Tester")
    expect(plan.locator(".govuk-tag")).to_have_text("Open")
    enquiry = investigation.enquiries.get()
    click_and_wait(page, "link", "Record the result of this line of enquiry")
    assert scanner.path() == f"{detail}enquiries/{enquiry.pk}/"
    expect(page.locator(".govuk-inset-text")).to_contain_text("taxi firm's booking records")
    scanner.scan("an open line of enquiry")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select whether it is done or closed without a result",
                        "Enter what it found, or why it was closed")
    scanner.scan("nothing entered")
    page.get_by_role("group", name="Is it finished?").get_by_label(
        "Yes, with a result").check()
    page.get_by_label("What it found, or why it was closed").fill(
        "Three bookings from the suspect's address to the child's school")
    click_and_wait(page, "button", "Save")
    expect(_success(page)).to_contain_text("Line of enquiry finished.")
    expect(plan.locator(".govuk-tag")).to_have_text("Done")
    expect(plan).to_contain_text("Three bookings from the suspect's address")
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.DONE

    # 3. A second child victim.
    click_and_wait(page, "link", "Add a victim or suspect")
    assert scanner.path() == f"{detail}people/new/"
    scanner.scan("empty")
    page.get_by_label("Record number").fill(str(sister.pk))
    page.get_by_role("group", name="Their part").get_by_label("A child victim").check()
    click_and_wait(page, "button", "Save")
    expect(_success(page)).to_contain_text("Victim added.")
    expect(main).to_contain_text("Child victims: 2")
    expect(page.get_by_role("link", name="Rosa Marsh", exact=True)).to_be_visible()

    # 4. The review before charge, asked for and signed by the supervisor.
    click_and_wait(page, "button", "Ask for the review before charge")
    assert scanner.path() == detail
    expect(_success(page)).to_contain_text(
        "Before a charging decision: review asked for. It is due now.")
    expect(page.get_by_role("table", name="Reviews waiting")).to_contain_text(
        "Before a charging decision")
    expect(page.get_by_role("button", name="Ask for the review before charge")).to_have_count(0)
    expect(page.get_by_role("button", name="Send for a charging decision")).to_have_count(0)
    scanner.scan("the review before charge asked for", page_of="investigations:ask_review")

    sign_in_as(page, live_server, supervisor)
    scanner.open(detail)
    _sign_the_review(page, scanner, ReviewPoint.BEFORE_CHARGE.label, "before charge")
    expect(page.get_by_role("table", name="Reviews signed")).to_contain_text(
        "Before a charging decision")

    # 5. The file goes for a charging decision; the review before closure asked for.
    sign_in_as(page, live_server, investigator)
    scanner.open(detail)
    click_and_wait(page, "button", "Send for a charging decision")
    expect(_success(page)).to_contain_text("Sent for a charging decision.")
    expect(main.locator(".govuk-tag").first).to_have_text("Awaiting a charging decision")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        "Sent for a charging decision")
    scanner.scan("sent for a charging decision", page_of="investigations:send_for_charge")
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.CHARGING_DECISION
    assert investigation.charging_requested_at is not None
    # The CPS authorises the charge: nothing entered first.
    click_and_wait(page, "link", "Record the charging decision")
    assert scanner.path() == f"{detail}charge/decision/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the decision")
    assert_errors_shown(page, "Select the charging decision")
    scanner.scan("nothing entered")
    page.get_by_role("group", name="Decision", exact=True).get_by_label(
        ChargingDecision.CHARGE.label).check()
    page.get_by_role("group", name="Who decided").get_by_label(
        ChargingDecisionMaker.CPS.label).check()
    _fill_date(page, "Date of the decision", timezone.localdate())
    click_and_wait(page, "button", "Record the decision")
    assert scanner.path() == detail
    expect(_success(page)).to_contain_text(
        f"Charging decision recorded: {ChargingDecision.CHARGE.label}.")
    expect(page.get_by_role("table", name="Charging decisions")).to_contain_text(
        ChargingDecisionMaker.CPS.label)
    expect(page.get_by_role("button", name="Send for a charging decision")).to_have_count(0)
    click_and_wait(page, "button", "Ask for the review before closure")
    expect(_success(page)).to_contain_text("Before closure: review asked for.")
    expect(page.get_by_role("link", name="Record the outcome and close")).to_have_count(0)

    # 6. Another of the force's supervisors signs it.
    sign_in_as(page, live_server, second)
    scanner.open(detail)
    _sign_the_review(page, scanner, ReviewPoint.BEFORE_CLOSURE.label, "before closure")
    expect(page.get_by_role("table", name="Reviews signed")).to_contain_text("by Suki Tester")

    # 7. The outcome, which closes the investigation: nothing entered first.
    sign_in_as(page, live_server, investigator)
    scanner.open(detail)
    click_and_wait(page, "link", "Record the outcome and close")
    assert scanner.path() == f"{detail}outcome/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Record the outcome and close")
    assert_errors_shown(page, "Select the outcome")
    scanner.scan("nothing entered")
    page.get_by_role("group", name="Outcome", exact=True).get_by_label(
        OutcomeCode.CHARGE_SUMMONS.label).check()
    _fill_date(page, "Date of the outcome", timezone.localdate())
    click_and_wait(page, "button", "Record the outcome and close")
    assert scanner.path() == detail
    expect(_success(page)).to_contain_text("Outcome recorded. The investigation is closed.")
    expect(main.locator(".govuk-tag").first).to_have_text("Closed")
    expect(page.locator(".govuk-summary-list").first).to_contain_text(
        "Outcome 1 – Charge or summons")
    expect(page.get_by_role("heading", name="Charge and closure")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a crime")).to_have_count(0)
    expect(page.get_by_role("table", name="Reviews waiting")).to_have_count(0)
    scanner.scan("closed with its outcome")
    investigation.refresh_from_db()
    assert investigation.status == InvestigationStatus.CLOSED
    assert investigation.outcome == OutcomeCode.CHARGE_SUMMONS
    assert investigation.outcome_on == timezone.localdate()
    assert not investigation.reviews.filter(reviewed_at__isnull=True).exists()
    signed_by = {r.point: r.reviewer for r in investigation.reviews.all()}
    assert signed_by[ReviewPoint.BEFORE_CHARGE] == supervisor
    assert signed_by[ReviewPoint.BEFORE_CLOSURE] == second
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_a_suspect_bailed_with_conditions_then_released_under_investigation(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    child, suspect = _people(hub_agency)
    investigation = _allocated_investigation(investigator, supervisor, child, suspect)
    today = timezone.localdate()
    sign_in_as(page, live_server, investigator)
    scanner.open(f"/investigations/{investigation.pk}/")
    click_and_wait(page, "link", "Record bail or release under investigation")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record bail or release under investigation")
    scanner.scan("empty")
    # Release under investigation with conditions is refused, what was typed kept.
    page.get_by_label("Suspect", exact=True).select_option(label="Dean Carver")
    page.get_by_label("Released under investigation").check()
    page.get_by_label("Bail conditions").fill("Not to contact Lily Marsh")
    _fill_date(page, "Date of release", today - dt.timedelta(days=2))
    _fill_date(page, "Expires or is next reviewed on", today + dt.timedelta(days=5))
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Release under investigation carries no conditions: record "
                              "pre-charge bail to set them")
    expect(page.get_by_label("Bail conditions")).to_have_value("Not to contact Lily Marsh")
    scanner.scan("conditions on release under investigation refused")
    page.get_by_label("Pre-charge bail").check()
    click_and_wait(page, "button", "Save")
    expect(_success(page)).to_contain_text("Pre-charge bail recorded")
    expect(page.locator("main")).to_contain_text("Conditions: Not to contact Lily Marsh")
    release = SuspectRelease.objects.get()
    assert (release.kind, release.expires_on) == ("bail", today + dt.timedelta(days=5))

    # Expiring within a fortnight: marked on the list of everyone on bail.
    scanner.open("/investigations/released/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bail and release under investigation")
    row = page.locator("main table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Dean Carver")
    expect(row).to_contain_text("Expiring")
    scanner.scan("one suspect on bail, expiring")

    # Ended: the suspect is no longer listed.
    scanner.open(f"/investigations/{investigation.pk}/")
    page.get_by_role("link", name="End it (Dean Carver)").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "End pre-charge bail: Dean Carver")
    scanner.scan("ending bail")
    _fill_date(page, "Date it ended", today)
    click_and_wait(page, "button", "End it")
    expect(_success(page)).to_contain_text("Pre-charge bail ended.")
    release.refresh_from_db()
    assert release.ended_on == today
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_a_child_victims_journey_recorded_by_the_officer_and_the_advocate(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    advocacy = make_agency("young-voices", AgencyKind.VOLUNTARY_SECTOR,
                           name="Young Voices Advocacy")
    advocate = make_user("ava.advocate", Role.VICTIM_ADVOCATE, agency=advocacy)
    child, suspect = _people(hub_agency)
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Made up for the test")
    AdvocateAllocation.objects.create(case=case, advocate=advocate, allocated_by=triage,
                                      started_on=timezone.localdate() - dt.timedelta(days=20))
    reported = timezone.localdate() - dt.timedelta(days=10)
    investigation = services.record_investigation(
        actor=investigator, title=TITLE, reported_on=reported,
        crime=services.CrimeDetails("71"), victim_pks=[child.pk], suspect_pks=[suspect.pk])
    victim = investigation.victims.get()
    journey_url = f"/investigations/victims/{victim.pk}/"

    # 1. The officer opens the child's journey from the investigation.
    sign_in_as(page, live_server, investigator)
    scanner.open(f"/investigations/{investigation.pk}/")
    click_and_wait(page, "link", "The child's journey (Lily Marsh)")
    assert scanner.path() == journey_url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lily Marsh: the journey through the investigation")
    scanner.scan("nothing recorded yet")

    # 2. A Victims' Code right: nothing entered, then offered and taken up.
    click_and_wait(page, "link", "Record a right offered")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select the right", "Select whether the child took it up")
    scanner.scan("nothing entered")
    page.get_by_label("Right offered").select_option(value="4")
    _fill_date(page, "Date offered", reported)
    page.get_by_label("Taken up").check()
    click_and_wait(page, "button", "Save")
    assert scanner.path() == journey_url
    expect(page.get_by_role("table", name="Victims' Code rights offered")).to_contain_text(
        "Right 4")

    # 3. The needs assessment, with pre-trial therapy offered.
    click_and_wait(page, "link", "Change the needs assessment or pre-trial therapy")
    scanner.scan("empty")
    _fill_date(page, "Date of the needs assessment", reported + dt.timedelta(days=2))
    page.get_by_label("What the assessment found").fill("Needs a registered intermediary.")
    page.get_by_label("Offered", exact=True).check()
    click_and_wait(page, "button", "Save")
    expect(_success(page)).to_contain_text("Needs assessment and pre-trial therapy saved.")

    # 4. The ABE interview held, then a special measure and a hearing.
    click_and_wait(page, "link", "Record an Achieving Best Evidence interview")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select where it stands")
    scanner.scan("nothing entered")
    _fill_date(page, "Date", reported + dt.timedelta(days=3))
    page.get_by_label("Held", exact=True).check()
    page.get_by_label("Who interviews the child").fill("DC Example, ABE trained")
    page.get_by_label("Registered intermediary").fill("Registered intermediary R. Test")
    click_and_wait(page, "button", "Save")
    expect(page.get_by_role("table", name="Achieving Best Evidence interviews")
           ).to_contain_text("Registered intermediary R. Test")
    click_and_wait(page, "link", "Record a special measure")
    page.get_by_label("Special measure").select_option(value="live_link")
    _fill_date(page, "Date", timezone.localdate())
    page.get_by_label("Applied for").check()
    click_and_wait(page, "button", "Save")
    expect(page.get_by_role("table", name="Special measures")).to_contain_text(
        "Live link (s. 24)")
    click_and_wait(page, "link", "Record a court hearing")
    scanner.scan("a hearing, empty")
    page.get_by_label("Hearing", exact=True).select_option(value="trial")
    _fill_date(page, "Date", timezone.localdate() + dt.timedelta(days=90))
    page.get_by_label("Planned").check()
    page.get_by_label("Court", exact=True).fill("Northshire Crown Court")
    click_and_wait(page, "button", "Save")
    expect(page.get_by_role("table", name="Court hearings")).to_contain_text("Trial")
    scanner.scan("rights, needs, interview, measure and hearing recorded")

    # 5. The advocate reads the journey, not the investigation, and keeps a note.
    sign_in_as(page, live_server, advocate)
    scanner.open(journey_url)
    expect(page.locator("main")).not_to_contain_text("Carver")
    click_and_wait(page, "link", "Write a note")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the note")
    scanner.scan("nothing entered")
    page.get_by_label("Note").fill("Lily is worried about seeing him at court.")
    click_and_wait(page, "button", "Save")
    expect(page.locator("main")).to_contain_text("worried about seeing him at court")

    # 6. Later the child withdraws: the advocate records when and why.
    click_and_wait(page, "link", "Record that the child withdrew their support")
    scanner.scan("empty")
    _fill_date(page, "Date the child withdrew support", timezone.localdate())
    page.get_by_label(WithdrawalReason.FEAR.label).check()
    click_and_wait(page, "button", "Record the withdrawal")
    expect(_success(page)).to_contain_text("The child's withdrawal is recorded.")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "The child withdrew their support.")
    scanner.scan("withdrawn")

    # 7. The officer sees the withdrawal, never the advocate's note.
    sign_in_as(page, live_server, investigator)
    scanner.open(journey_url)
    expect(page.locator("main")).to_contain_text(WithdrawalReason.FEAR.label)
    expect(page.locator("main")).not_to_contain_text("worried about seeing him")
    victim.refresh_from_db()
    assert victim.withdrawal_reason == WithdrawalReason.FEAR
    assert victim.pre_trial_therapy == "offered"
    assert victim.steps.count() == 3
    scanner.assert_scanned_every_page_listed()
