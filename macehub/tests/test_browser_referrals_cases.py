"""Referrals and child safeguarding cases in a real browser (issue #3), as the people who
use them: a school's safeguarding lead refers a child through every question page; a
triage officer screens and decides, opening a MACE case; the case is worked (risk tier,
plan, contact, missing episode) and its chronology shows it all on one timeline; the
referrer sees the status and outcome of their referral and nothing more, and is e-mailed.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA and loads without asset, console or script errors (``Scanner`` from
``test_browser_pages``, whose ``SCANNED_BY`` names the test here that scans each page).
The other tests visit every other referrals and cases page in a realistic state.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import services as case_services
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import Case
from macehub.cases.reviews import assessment_domains
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import browser_login, sign_in_as
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.tests.test_browser_pages import (
    Scanner,
    assert_errors_shown,
    click_and_wait,
)

pytestmark = pytest.mark.browser

CHILD_GIVEN_NAME, CHILD_FAMILY_NAME = "Amelia", "Stone"
CHILD_NAME = f"{CHILD_GIVEN_NAME} {CHILD_FAMILY_NAME}"
CHILD_NAME_ZOFIA = "Zofia Nowak"
# Indicators the referrer ticks, by domain legend: one High-weight (vehicles, 3), two
# Medium (gifts, unknown contacts online: 2 each) and one Low (truancy, 1): 8, and one
# missing episode adds 1: score 9.
TICKED = {
    "Signs of grooming": ("Seen in vehicles driven by unknown adults",
                          "Unexplained gifts or money"),
    "Behaviour": ("Truancy or sudden drop in school attendance",),
    "Online": ("Contact with unknown adults online",),
}
SCORE = 9


# --- Helpers ---------------------------------------------------------------------------


def sign_out(page: Page) -> None:
    click_and_wait(page, "button", "Sign out", within="header")


def fill_date(group: Locator, day: dt.date) -> None:
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def main_text(page: Page) -> str:
    return page.locator("main").inner_text()


def follow_error_link(page: Page, message: str) -> None:
    """Follow a link of the error summary (to the field it is about)."""
    page.locator(".govuk-error-summary").get_by_role("link", name=message, exact=True).click()


def summary_value(page: Page, key: str) -> Locator:
    row = page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^{re.escape(key)}$"))
    ).first
    return row.locator(".govuk-summary-list__value")


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")


def open_section(page: Page, name: str) -> None:
    """Follow a link of the case's sub navigation."""
    click_and_wait(page, "link", name, within="nav[aria-label='Case sections']")


def school_referrer() -> User:
    school = make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    team = make_team(school, "Safeguarding", is_hub_team=False)
    return make_user("dana.school", Role.REFERRER, agency=school, team=team)


# --- The journey -----------------------------------------------------------------------


def test_referral_to_triage_to_case_to_chronology(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    """Issue #3's "done when": referral -> screening -> triage -> case -> chronology, as
    the roles that do each step, with every page (errors included) passing axe; then the
    referrer sees only the status and outcome, and has been e-mailed."""
    referrer = school_referrer()
    assert not referrer.is_hub_member
    officer = make_user("riley.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    today = timezone.localdate()
    born = dt.date(today.year - 15, 1, 15)  # 14 or 15: the age-13-and-under rule is off

    # 1. The school's safeguarding lead refers a child the hub has no record of.
    browser_login(page, live_server, referrer)
    scanner.open("/referrals/mine/")
    expect(page.get_by_text("You have not made any referrals yet.")).to_be_visible()
    scanner.scan("a referrer with no referrals yet")
    click_and_wait(page, "button", "Refer a child")

    assert scanner.path() == "/referrals/new/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Which child are you referring?")
    scanner.scan("empty")
    page.get_by_label("First name").fill(CHILD_GIVEN_NAME)
    page.get_by_label("Last name").fill(CHILD_FAMILY_NAME)
    fill_date(page.get_by_role("group", name="Date of birth"), born)
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/referrals/new/is-this-the-child/"
    expect(page.get_by_role("heading", level=1)).to_have_text("No matching child found")
    scanner.scan("no match")
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/referrals/new/about-the-child/"
    expect(page.get_by_label("First name")).to_have_value(CHILD_GIVEN_NAME)  # carried over
    expect(page.get_by_role("group", name="Date of birth").get_by_label("Year")).to_have_value(
        str(born.year))
    scanner.scan("filled in from the search")
    page.get_by_label("Sex").select_option(label="Female")
    click_and_wait(page, "button", "Continue")

    # Home, school and family (scanned in test_browser_referral_form.py).
    assert scanner.path() == "/referrals/new/home-and-school/"
    page.get_by_label("Year group").select_option(label="Year 10")
    click_and_wait(page, "button", "Continue")
    assert scanner.path() == "/referrals/new/family-and-consent/"
    page.get_by_role("group", name="Does the parent or carer know you are making this "
                     "referral?").get_by_label("Yes").check()
    page.get_by_role("group", name="Did you ask for consent to this referral?").get_by_label(
        "Sought and given").check()
    page.get_by_label("Your phone number").fill("01632 960001")
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/referrals/new/the-concern/"
    click_and_wait(page, "button", "Continue")  # nothing filled in
    assert_errors_shown(
        page,
        "Enter what happened and why you are worried",
        "Select the type of exploitation",
        "Select the kind of exploitation, or 'Not known yet'",
        "Select whether the child is at immediate risk of harm, or 'I do not know'",
        "Select whether the child has disclosed abuse or harm, or 'I do not know'",
        "Select whether the child has been involved in sexual activity, or 'I do not know'",
    )
    scanner.scan("submitted with nothing filled in")
    follow_error_link(page, "Select the kind of exploitation, or 'Not known yet'")
    expect(page.get_by_role("group", name="What kind of exploitation do you think it is?")
           .get_by_role("radio").first).to_be_focused()
    page.get_by_label("What happened, and why are you worried?").fill(
        "Seen being collected from school by older men in different cars.\n"
        "She has new clothes and a second phone.")
    page.get_by_role("group", name="What type of exploitation do you think it is?").get_by_label(
        "Child sexual exploitation").check()
    page.get_by_role("group", name="What kind of exploitation do you think it is?").get_by_label(
        "Not known yet").check()
    page.get_by_role("group", name="Is the child at immediate risk of harm?").get_by_label(
        "No", exact=True).check()
    page.get_by_role("group", name="Has the child disclosed abuse or harm to anyone?"
                     ).get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Has the child been involved in any sexual activity?"
                     ).get_by_label("No", exact=True).check()
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/referrals/new/signs-of-exploitation/"
    scanner.scan("nothing ticked yet")
    for legend, labels in TICKED.items():
        group = page.get_by_role("group", name=legend, exact=True)
        for label in labels:
            group.get_by_label(label, exact=True).check()
    page.get_by_role("group", name="Has the child been missing from home or care in the "
                     "last 30 days?").get_by_label("Yes", exact=True).check()
    page.get_by_label("How many times?").fill("1")
    page.get_by_role("group", name="Which apps or online platforms are involved?").get_by_label(
        "Snapchat").check()
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/referrals/new/check-your-answers/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your referral")
    expect(summary_value(page, "Child's name")).to_have_text(CHILD_NAME)
    expect(summary_value(page, "Signs of grooming")).to_contain_text(
        "Seen in vehicles driven by unknown adults")
    expect(summary_value(page, "Apps or online platforms")).to_contain_text("Snapchat")
    scanner.scan("every answer given")
    assert not Referral.objects.exists()  # nothing is saved before it is sent
    click_and_wait(page, "button", "Send referral")

    assert scanner.path() == "/referrals/new/sent/"
    panel = page.locator(".govuk-panel--confirmation")
    expect(panel).to_contain_text("Referral sent")
    reference = panel.locator("strong").inner_text().strip()
    referral = Referral.objects.get()
    assert reference == referral.reference
    assert referral.screening_score == SCORE
    assert (referral.suggested_brag, referral.suggested_tier) == (Brag.AMBER, RiskTier.MEDIUM)
    scanner.scan("the reference number")
    sign_out(page)

    # 2. A triage officer screens it and decides: a MACE case, at a higher tier.
    browser_login(page, live_server, officer)
    click_and_wait(page, "link", "Triage", within="nav[aria-label='Menu']")
    assert scanner.path() == "/referrals/queue/"
    queue = page.get_by_role("table")
    expect(queue.locator("tbody tr")).to_have_count(1)
    expect(queue).to_contain_text(CHILD_NAME)
    expect(queue).to_contain_text("Northtown Academy")
    scanner.scan("one referral awaiting triage")
    click_and_wait(page, "link", reference)

    assert scanner.path() == f"/referrals/{referral.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Referral {reference}")
    expect(page.get_by_text("Not decided yet.")).to_be_visible()
    screening = page.locator(".govuk-grid-column-one-third")
    expect(screening.get_by_role("heading", name="Screening suggestion")).to_be_visible()
    expect(screening).to_contain_text(f"Score {SCORE}")
    expect(screening).to_contain_text("Rating Amber")
    expect(screening).to_contain_text("Risk tier Medium")
    driving = screening.get_by_role("list").first
    for labels in TICKED.values():
        for label in labels:
            expect(driving).to_contain_text(label)
    expect(driving).to_contain_text("Seen in vehicles driven by unknown adults (High, weight 3)")
    expect(screening).to_contain_text(
        "Missing once in the last 30 days: 1 added to the score (1 for each episode)")
    expect(screening).to_contain_text("Score 9 is at or above the Medium threshold of 5")
    scanner.scan("awaiting triage, with the screening beside it")
    click_and_wait(page, "button", "Record the triage decision")

    assert scanner.path() == f"/referrals/{referral.pk}/decide/"
    # The suggestion is chosen already, with the screening beside the form.
    expect(page.get_by_role("group", name="BRAG rating").get_by_label("Amber")).to_be_checked()
    expect(page.get_by_role("group", name="Risk tier").get_by_label(
        "Medium – at significant risk")).to_be_checked()
    expect(page.locator(".govuk-grid-column-one-third")).to_contain_text(f"Score {SCORE}")
    expect(page.get_by_role("group", name="Type of exploitation").get_by_label(
        "Child sexual exploitation")).to_be_checked()  # as the referrer gave it
    expect(page.get_by_role("heading", name=f"What we already know about {CHILD_NAME}")
           ).to_be_visible()
    expect(page.get_by_text("There is nothing else you may see about this child")).to_be_visible()
    scanner.scan("the suggestion chosen")
    page.get_by_role("group", name="BRAG rating").get_by_label(
        "Red – possible child protection concern").check()
    page.get_by_role("group", name="Risk tier").get_by_label("High – being exploited").check()
    page.get_by_role("group", name="Outcome").get_by_label("Open a MACE case").check()
    page.get_by_role("group", name="Type of exploitation").get_by_label(
        "Child criminal exploitation (including county lines)").check()
    page.get_by_label("Reason for the outcome").fill(
        "Grooming by adults in vehicles, with gifts: needs a multi-agency plan.")
    click_and_wait(page, "button", "Save decision")
    assert_errors_shown(page, "Enter why you changed the suggestion (rating Amber, tier Medium)")
    expect(page.get_by_role("group", name="Risk tier").get_by_label(
        "High – being exploited")).to_be_checked()  # what was chosen is kept
    scanner.scan("an override with no reason")
    follow_error_link(page, "Enter why you changed the suggestion (rating Amber, tier Medium)")
    expect(page.get_by_label("Why are you changing the suggested rating or tier?")
           ).to_be_focused()
    assert not Case.objects.exists()
    page.get_by_label("Why are you changing the suggested rating or tier?").fill(
        "A second phone and older men collecting her: the school's account is of grooming "
        "under way, not only risk.")
    click_and_wait(page, "button", "Save decision")

    assert scanner.path() == f"/referrals/{referral.pk}/"
    case = Case.objects.get()
    expect(success_banner(page)).to_contain_text(f"The decision on {reference} has been recorded.")
    expect(success_banner(page)).to_contain_text(
        f"MACE case {case.reference} has been opened for {CHILD_NAME}.")
    expect(summary_value(page, "Outcome")).to_have_text("Open a MACE case")
    expect(summary_value(page, "Why the suggestion was changed")).to_contain_text(
        "A second phone")
    scanner.scan("decided, with the case opened")
    click_and_wait(page, "link", case.reference)

    # 3. The case: the tier changed with a reason, a plan item, a contact, an episode.
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text(CHILD_NAME)
    expect(summary_value(page, "Risk tier")).to_contain_text("High – being exploited")
    expect(summary_value(page, "Type of exploitation")).to_have_text(
        "Child sexual exploitation, Child criminal exploitation (including county lines)")
    scanner.scan("just opened from triage")
    click_and_wait(page, "link", "Change the risk tier")

    assert scanner.path() == f"/cases/{case.pk}/risk-tier/"
    scanner.scan("the form")
    click_and_wait(page, "button", "Change risk tier")
    assert_errors_shown(page, "Select the risk tier", "Enter why the risk tier is changing")
    scanner.scan("with nothing chosen")
    page.get_by_role("group", name="New risk tier").get_by_label(
        "Medium – at significant risk").check()
    page.get_by_label("Why is the risk tier changing?").fill(
        "She has stopped seeing the men and is back in school every day.")
    click_and_wait(page, "button", "Change risk tier")
    assert scanner.path() == f"/cases/{case.pk}/"
    # Lowering a tier is asked for: it waits for a supervisor or the chair.
    expect(success_banner(page)).to_contain_text("Your request has been sent for approval")
    waiting = page.locator(".app-pending-decision")
    expect(waiting).to_contain_text("Lower the risk tier from High to Medium")
    expect(waiting).to_contain_text("She has stopped seeing the men")
    expect(summary_value(page, "Risk tier")).to_contain_text("High – being exploited")
    scanner.scan("with a lowering of its tier waiting for approval")

    # The types of exploitation, corrected with a reason.
    click_and_wait(page, "link", "Change Type of exploitation")
    assert scanner.path() == f"/cases/{case.pk}/exploitation-types/"
    scanner.scan("the form")
    click_and_wait(page, "button", "Save types of exploitation")
    assert_errors_shown(page, "These are already the case's types of exploitation: change at "
                              "least one", "Enter why the types of exploitation are changing")
    scanner.scan("unchanged, with no reason")
    types = page.get_by_role("group", name="What types of exploitation is the case about?")
    types.get_by_label("Trafficking and modern slavery").check()
    page.get_by_label("Why are the types changing?").fill(
        "Taken to another city and kept at an address by the men.")
    click_and_wait(page, "button", "Save types of exploitation")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(summary_value(page, "Type of exploitation")).to_contain_text(
        "Trafficking and modern slavery")

    # A National Referral Mechanism referral, and its decisions as they arrive.
    click_and_wait(page, "link", "Record an NRM referral")
    assert scanner.path() == f"/cases/{case.pk}/nrm-referrals/new/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Record NRM referral")
    assert_errors_shown(page, "Enter the date of the NRM referral",
                        "Enter the first responder organisation that made the referral",
                        "Enter who made the referral")
    scanner.scan("with nothing filled in")
    fill_date(page.get_by_role("group", name="Date of the NRM referral"),
              today - dt.timedelta(days=3))
    page.get_by_label("First responder organisation").fill("County Police")
    page.get_by_label("Who made the referral").fill("DC Example, exploitation team")
    page.get_by_role("group", name="Reasonable-grounds decision").get_by_label(
        "Positive").check()
    fill_date(page.get_by_role("group", name="Date of the reasonable-grounds decision"),
              today - dt.timedelta(days=4))
    click_and_wait(page, "button", "Record NRM referral")
    assert_errors_shown(page, "The reasonable-grounds decision cannot be before the referral, "
                        f"{today - dt.timedelta(days=3):%d/%m/%Y}")
    scanner.scan("a decision before the referral")
    fill_date(page.get_by_role("group", name="Date of the reasonable-grounds decision"),
              today - dt.timedelta(days=1))
    click_and_wait(page, "button", "Record NRM referral")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(success_banner(page)).to_contain_text("The NRM referral has been recorded.")
    expect(summary_value(page, "Reasonable grounds")).to_contain_text("Positive")
    expect(summary_value(page, "Conclusive grounds")).to_have_text("Not decided yet")
    scanner.scan("with an NRM referral")
    with page.expect_navigation():
        page.locator("main").get_by_role(
            "link", name=re.compile(r"^Update the NRM referral")).click()
    assert scanner.path().startswith(f"/cases/{case.pk}/nrm-referrals/")
    scanner.scan("the referral to update")
    page.get_by_role("group", name="Conclusive-grounds decision").get_by_label(
        "Positive").check()
    fill_date(page.get_by_role("group", name="Date of the conclusive-grounds decision"), today)
    click_and_wait(page, "button", "Save NRM referral")
    expect(summary_value(page, "Conclusive grounds")).to_contain_text("Positive")

    open_section(page, "Plan")
    assert scanner.path() == f"/cases/{case.pk}/plan/"
    expect(page.get_by_text("No open plan items.")).to_be_visible()
    scanner.scan("no plan items yet")
    click_and_wait(page, "button", "Add a plan item")
    assert scanner.path() == f"/cases/{case.pk}/plan/new/"
    scanner.scan("empty")
    click_and_wait(page, "button", "Add plan item")
    assert_errors_shown(
        page, "Enter the action",
        "Select who owns this action: every plan item needs a named owner",
        "Enter the date the action is due",
    )
    scanner.scan("with no action, owner or due date")
    page.get_by_label("Action").fill("Safety plan with her and her mother")
    page.get_by_label("Owner", exact=True).select_option(label="Riley Tester (County Police)")
    fill_date(page.get_by_role("group", name="Due date"), today + dt.timedelta(days=14))
    click_and_wait(page, "button", "Add plan item")
    assert scanner.path() == f"/cases/{case.pk}/plan/"
    expect(page.get_by_role("table", name="Open plan items")).to_contain_text(
        "Safety plan with her and her mother")
    scanner.scan("one open plan item")

    open_section(page, "Contacts")
    assert scanner.path() == f"/cases/{case.pk}/contacts/"
    expect(page.get_by_text("No contacts recorded yet.")).to_be_visible()
    scanner.scan("no contacts yet")
    click_and_wait(page, "button", "Record a contact")
    click_and_wait(page, "button", "Record contact")
    assert_errors_shown(page, "Enter the date and time of the contact",
                        "Select the kind of contact", "Enter who the contact was with",
                        "Select whether the child was seen", "Enter a summary of the contact")
    scanner.scan("with nothing filled in")
    follow_error_link(page, "Enter the date and time of the contact")
    expect(page.get_by_role("group", name="Date of the contact").get_by_label("Day")
           ).to_be_focused()
    yesterday = today - dt.timedelta(days=1)
    fill_date(page.get_by_role("group", name="Date of the contact"), yesterday)
    page.get_by_label("Time of the contact").fill("2:30pm")
    page.get_by_label("Kind of contact").select_option(label="Home visit")
    page.get_by_label("Who was the contact with?").fill("the child and her mother")
    seen = page.get_by_role("group", name="Was the child seen?")
    seen.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_role("group", name="Was the child seen alone?").get_by_label(
        "No", exact=True).check()
    page.get_by_label("Summary").fill("Talked through the safety plan; she agreed to it.")
    click_and_wait(page, "button", "Record contact")
    assert scanner.path() == f"/cases/{case.pk}/contacts/"
    expect(page.get_by_role("table", name="Contacts, newest first")).to_contain_text(
        "the child and her mother")
    scanner.scan("one contact")

    open_section(page, "Missing episodes")
    assert scanner.path() == f"/cases/{case.pk}/missing-episodes/"
    scanner.scan("no episodes yet")
    click_and_wait(page, "button", "Record a missing episode")
    scanner.scan("empty")
    click_and_wait(page, "button", "Record missing episode")
    assert_errors_shown(page, "Enter the date and time the child went missing")
    scanner.scan("with nothing filled in")
    # 10 hours away, but for a change of the clocks in between.
    went = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(22)))
    back = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=2),
                                                   dt.time(8, 15)))
    fill_date(page.get_by_role("group", name="Date the child went missing"), went.date())
    page.get_by_label("Time the child went missing").fill("22:00")
    fill_date(page.get_by_role("group", name="Date the child returned"), back.date())
    page.get_by_label("Time the child returned").fill("08:15")
    page.get_by_label("Notes").fill("Found at a takeaway in town by police.")
    click_and_wait(page, "button", "Record missing episode")
    assert scanner.path() == f"/cases/{case.pk}/missing-episodes/"
    expect(success_banner(page)).to_contain_text("The missing episode has been recorded.")
    expect(page.get_by_role("table", name="Missing episodes, newest first")).to_contain_text(
        f"after {round((back - went).total_seconds() / 3600)} hours")
    scanner.scan("one episode, interview due")

    # 4. The chronology: everything above, on one timeline.
    open_section(page, "Chronology")
    assert scanner.path() == f"/cases/{case.pk}/chronology/"
    titles = page.locator(".moj-timeline__title").all_inner_texts()
    for expected in (
        f"Referral {reference} received from Northtown Academy",
        f"Triage decision on {reference}: Open a MACE case",
        f"Case {case.reference} opened",
        "Approval requested: Lower the risk tier from High to Medium",
        "Plan item added: Safety plan with her and her mother",
        "Home visit with the child and her mother",
        "Missing episode",
        "Return from missing",
        "Referred into the National Referral Mechanism",
        "NRM reasonable-grounds decision: Positive",
        "NRM conclusive-grounds decision: Positive",
    ):
        assert expected in titles, f"{expected!r} is not on the timeline: {titles}"
    scanner.scan("the referral, the decision and the work on the case")
    sign_out(page)

    # 5. The referrer: the status and the outcome, and nothing the hub decided beyond it.
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    message = mail.outbox[0]
    assert message.to == [referrer.email]
    assert reference in message.subject and reference in message.body
    assert "Open a MACE case" in message.body
    assert CHILD_GIVEN_NAME not in message.body and case.reference not in message.body

    browser_login(page, live_server, referrer)
    click_and_wait(page, "link", "Your referrals", within="nav[aria-label='Menu']")
    assert scanner.path() == "/referrals/mine/"
    row = page.get_by_role("table").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(reference)
    expect(row.locator(".govuk-tag")).to_have_text("Decided")
    expect(row).to_contain_text("Open a MACE case")
    scanner.scan("one referral, decided")
    # Nothing of the hub's screening, decision reasons, tier or case reaches the referrer.
    hidden = re.compile(
        rf"{re.escape(case.reference)}|score|screening|risk tier|\b(High|Medium|Low|Amber"
        r"|Red|Green)\b|weight|override|A second phone and older men|multi-agency plan"
        r"|criminal exploitation|trafficking",
        re.IGNORECASE,
    )
    shown = hidden.search(main_text(page))
    assert shown is None, f"The referrer's list shows {shown.group(0)!r}"
    click_and_wait(page, "link", reference)

    assert scanner.path() == f"/referrals/mine/{referral.pk}/"
    expect(summary_value(page, "Status")).to_have_text("Decided")
    expect(summary_value(page, "Outcome")).to_have_text("Open a MACE case")
    expect(summary_value(page, "Child")).to_have_text(CHILD_NAME)
    expect(summary_value(page, "Signs of grooming")).to_contain_text(
        "Seen in vehicles driven by unknown adults")
    scanner.scan("decided: status and outcome only")
    keys = page.locator("main .govuk-summary-list__key").all_inner_texts()
    assert sorted(keys) == sorted([
        "Sent", "Status", "Decided", "Outcome", "What this means",  # the hub's answer
        "Child", "What happened", "Kind of exploitation", "At immediate risk",  # theirs
        "Child has disclosed abuse or harm", "Behaviour", "Signs of grooming", "Online",
        "Times missing in the last 30 days", "Apps or online platforms",
        "Sexual activity", "Child's address", "School or college", "Year group",
        "Parent or carer", "Relationship to the child", "Parent or carer's contact",
        "Parent or carer knows about the referral", "Consent", "Your phone number",
    ]), keys
    shown = hidden.search(main_text(page))
    assert shown is None, f"The referrer's own referral page shows {shown.group(0)!r}"
    scanner.assert_scanned_every_page_listed()

# --- Every other page ------------------------------------------------------------------


def test_working_on_a_case(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    """A supervisor's day on a case that has been running a while: the decided
    referrals, an abandoned referral, the case list filtered, each form to change the
    case's workers, plan, episodes and outcomes (each with a mistake, and a conflicting
    edit), restricting it, and asking to close it."""
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    advocate = make_user("ava.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency,
                         team=hub_team)
    make_user("abe.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    partner_team = make_team(partner_agency, "District social work", is_hub_team=False)
    partner = make_user("pat.partner", Role.INVESTIGATOR, agency=partner_agency,
                        team=partner_team)
    now, today = timezone.now(), timezone.localdate()
    child = make_person(hub_agency, given_name="Jordan", family_name="Example",
                        date_of_birth=dt.date(2011, 3, 14))
    case = case_services.open_case(
        actor=supervisor, child=child, risk_tier=RiskTier.HIGH, lead_agency=hub_agency,
        reason="Referral screened as high risk", key_worker=supervisor,
    )
    case_services.open_case(
        actor=supervisor, risk_tier=RiskTier.LOW, lead_agency=partner_agency, reason="Test",
        child=make_person(hub_agency, given_name="Casey", family_name="Other"),
    )
    action = "Refer Jordan to the youth service"
    case_services.add_plan_item(actor=supervisor, case_pk=case.pk, action=action,
                                owner=supervisor, due_on=today + dt.timedelta(days=7))
    case_services.record_missing_episode(
        actor=supervisor, case_pk=case.pk, went_missing_at=now - dt.timedelta(days=5),
        returned_at=now - dt.timedelta(days=4, hours=20),  # the interview is overdue
    )
    case_services.allocate_worker(actor=supervisor, case_pk=case.pk, user=partner)
    case_services.share_case(actor=supervisor, case_pk=case.pk, agency=partner_agency,
                             reason="Social care leads the child in need plan")
    case_services.change_advocate(actor=supervisor, case_pk=case.pk, advocate=advocate,
                                  starts_on=today - dt.timedelta(days=30))
    make_referral(
        child, supervisor, received_at=now - dt.timedelta(hours=3),
        status=ReferralStatus.DECIDED, brag=Brag.RED, risk_tier=RiskTier.HIGH,
        outcome=TriageOutcome.OPEN_MACE_CASE, outcome_reason="Seen with adults of concern",
        decided_at=now - dt.timedelta(hours=2), decided_by=supervisor, case=case,
    )
    browser_login(page, live_server, supervisor)

    # The triage queue, empty, and the referrals decided.
    click_and_wait(page, "link", "Triage", within="nav[aria-label='Menu']")
    expect(page.get_by_text("No referrals are awaiting triage.")).to_be_visible()
    scanner.scan("nothing awaiting triage")
    click_and_wait(page, "link", "Decided")
    assert "show=decided" in page.url
    expect(page.get_by_role("table")).to_contain_text("Open a MACE case")
    scanner.scan("one referral decided")
    fill_date(page.get_by_role("group", name="Decided from"), today)
    fill_date(page.get_by_role("group", name="Decided to"), today - dt.timedelta(days=1))
    click_and_wait(page, "button", "Show referrals")
    assert_errors_shown(page, "Decided to must be the same as or after decided from")
    expect(page.get_by_role("group", name="Decided from").get_by_label("Day")).to_have_value(
        str(today.day))
    scanner.scan("filtered with the dates the wrong way round")
    click_and_wait(page, "link", "All referrals")
    assert "show=all" in page.url
    expect(page.get_by_role("table")).to_contain_text("Open a MACE case")
    scanner.scan("every referral")

    # A referral started about a child the hub knows, then deleted.
    scanner.open("/referrals/new/")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Example")
    fill_date(page.get_by_role("group", name="Date of birth"), child.date_of_birth)
    click_and_wait(page, "button", "Continue")
    assert scanner.path() == "/referrals/new/is-this-the-child/"
    choice = page.get_by_role("group", name="Is this the child you are referring?")
    expect(choice.get_by_label("Jordan Example")).to_be_visible()
    expect(choice).to_contain_text("Born 14 March 2011")
    scanner.scan("one possible match")
    click_and_wait(page, "link", "Search again with different details")
    assert scanner.path() == "/referrals/new/"
    expect(page.get_by_label("First name")).to_have_value("Jordan")
    scanner.scan("an unsent referral, with the link to delete it")
    click_and_wait(page, "link", "Delete this referral and start again")
    assert scanner.path() == "/referrals/new/cancel/"
    scanner.scan("asked before deleting")
    click_and_wait(page, "button", "Yes, delete it")
    assert scanner.path() == "/referrals/new/"
    expect(page.get_by_text("Your unsent referral has been deleted.")).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("")
    scanner.scan("after deleting the unsent referral", page_of="referrals:cancel")

    # The case list, then filtered.
    click_and_wait(page, "link", "Cases", within="nav[aria-label='Menu']")
    assert scanner.path() == "/cases/"
    rows = page.get_by_role("table").locator("tbody tr")
    # The supervisor is Jordan's key worker: the list opens on their own cases.
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Jordan Example")
    scanner.scan("my one case")
    click_and_wait(page, "link", "All cases")
    expect(rows).to_have_count(2)
    scanner.scan("two open cases")
    page.get_by_label("Risk tier").select_option(label="High – being exploited")
    page.get_by_label("Only cases with overdue work").check()
    click_and_wait(page, "button", "Apply filters")
    assert "risk_tier=high" in page.url
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Interview overdue")
    scanner.scan("filtered to high risk with overdue work")
    page.get_by_label("Missing from home", exact=True).select_option(
        label="Came back in the missing dates")
    open_on = page.get_by_role("group", name="Open on")
    open_on.get_by_label("Day").fill("31")
    open_on.get_by_label("Month").fill("2")
    open_on.get_by_label("Year").fill(str(today.year))
    click_and_wait(page, "button", "Apply filters")
    assert_errors_shown(page, "Open on must be a real date",
                        "Enter missing dates from, missing dates to, or both")
    expect(open_on.get_by_label("Day")).to_have_value("31")
    scanner.scan("filtered with a date that does not exist and no missing dates")
    page.get_by_label("Missing from home", exact=True).select_option(label="Any case")
    open_on.get_by_label("Day").fill("")
    open_on.get_by_label("Month").fill("")
    open_on.get_by_label("Year").fill("")
    click_and_wait(page, "button", "Apply filters")
    expect(rows).to_have_count(1)
    click_and_wait(page, "link", "Jordan Example")

    assert scanner.path() == f"/cases/{case.pk}/"
    expect(page.locator(".govuk-tag").filter(has_text="Overdue work")).to_be_visible()
    scanner.scan("with overdue work, as a supervisor")

    # Workers: lead agency, key worker (someone else saves first), allocations, shares.
    open_section(page, "Workers")
    assert scanner.path() == f"/cases/{case.pk}/workers/"
    expect(page.get_by_text("The child's advocate has changed 0 times.")).to_be_visible()
    scanner.scan("an advocate, a worker allocated and a share")
    click_and_wait(page, "link", "Change Lead agency")
    page.get_by_label("Lead agency").select_option(label="Select an agency")
    click_and_wait(page, "button", "Save lead agency")
    assert_errors_shown(page, "Select the lead agency")
    scanner.scan("with no agency chosen")
    click_and_wait(page, "link", "Cancel")

    click_and_wait(page, "link", "Change Key worker")
    scanner.scan("the form")
    page.get_by_label("Key worker").select_option(
        label="Abe Tester (County Police) – 0 open cases, 0 High")
    case.refresh_from_db()
    case_services.set_lead_agency(actor=supervisor, case_pk=case.pk,
                                  expected_version=case.version, lead_agency=partner_agency)
    click_and_wait(page, "button", "Save key worker")
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Someone else changed this case while you were editing it.")
    expect(page.locator("#their-changes")).to_contain_text("County Children's Services")
    expect(page.get_by_label("Key worker")).to_have_value(str(User.objects.get(
        username="abe.advocate").pk))
    scanner.scan("after someone else changed the case")
    click_and_wait(page, "button", "Save key worker")
    assert scanner.path() == f"/cases/{case.pk}/workers/"
    expect(success_banner(page)).to_contain_text("The key worker has been changed.")

    click_and_wait(page, "button", "Allocate a worker")
    click_and_wait(page, "button", "Allocate")
    assert_errors_shown(page, "Select who to allocate")
    scanner.scan("with nobody chosen")
    click_and_wait(page, "link", "Cancel")
    click_and_wait(page, "link", "Remove Pat Tester")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Remove Pat Tester from this case?")
    scanner.scan("asking to confirm")
    click_and_wait(page, "button", "Remove from case")
    expect(success_banner(page)).to_contain_text("Pat Tester is no longer allocated to the case.")

    click_and_wait(page, "button", "Share with an agency")
    click_and_wait(page, "button", "Share case")
    assert_errors_shown(page, "Select the agency to share the case with",
                        "Enter why the case is being shared")
    scanner.scan("with nothing filled in")
    click_and_wait(page, "link", "Cancel")
    click_and_wait(page, "link", "Stop sharing with County Children's Services")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Stop sharing this case with County Children's Services?")
    scanner.scan("asking to confirm")
    click_and_wait(page, "button", "Stop sharing")
    expect(success_banner(page)).to_contain_text(
        "The case is no longer shared with County Children's Services.")

    click_and_wait(page, "button", "Change the advocate")
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the victim advocate")
    click_and_wait(page, "button", "Save advocate")
    assert_errors_shown(page, "Select the victim advocate",
                        "Enter why Ava Tester is no longer the child's advocate")
    scanner.scan("with nothing chosen")

    # The plan item: changed with its action blanked, then cancelled with no note.
    scanner.open(f"/cases/{case.pk}/plan/")
    click_and_wait(page, "link", f"Change plan item: {action}")
    expect(page.get_by_label("Action")).to_have_value(action)
    page.get_by_label("Action").fill("")
    click_and_wait(page, "button", "Save plan item")
    assert_errors_shown(page, "Enter the action")
    scanner.scan("with the action blanked")
    click_and_wait(page, "link", "Cancel")
    click_and_wait(page, "link", f"Finish plan item: {action}")
    page.get_by_label("It was cancelled").check()
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter why the action was cancelled")
    scanner.scan("cancelled with no note")
    click_and_wait(page, "link", "Cancel")

    # The missing episode: an interview offered before the child came back.
    open_section(page, "Missing episodes")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile(r"^Update the episode of")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Update a missing episode")
    returned = timezone.localtime(now - dt.timedelta(days=4, hours=20))
    fill_date(page.get_by_role("group", name="Date the interview was offered"),
              returned.date() - dt.timedelta(days=1))
    page.get_by_label("Time the interview was offered").fill("10:00")
    page.get_by_label("Name of the person who offered it").fill("Robin Ashdown")
    page.get_by_label("An independent person").check()
    click_and_wait(page, "button", "Save missing episode")
    assert_errors_shown(page, "The interview must be offered after the child returned")
    scanner.scan("with the interview offered before the return")
    click_and_wait(page, "link", "Cancel")

    # The child's own record: their episodes, and one recorded there, declined.
    scanner.open(f"/people/{child.pk}/")
    episodes = page.get_by_role("table", name="The child's missing episodes, newest first")
    expect(episodes).to_contain_text("Interview offer overdue")
    scanner.scan("the child's record with an overdue interview offer")
    click_and_wait(page, "button", "Record a missing episode")
    assert scanner.path() == f"/cases/children/{child.pk}/missing-episodes/new/"
    went_again = timezone.localtime(now - dt.timedelta(days=2))
    fill_date(page.get_by_role("group", name="Date the child went missing"), went_again.date())
    page.get_by_label("Time the child went missing").fill("21:00")
    back_again = went_again + dt.timedelta(days=1)
    fill_date(page.get_by_role("group", name="Date the child returned"), back_again.date())
    page.get_by_label("Time the child returned").fill("06:00")
    fill_date(page.get_by_role("group", name="Date the interview was offered"),
              back_again.date())
    page.get_by_label("Time the interview was offered").fill("09:00")
    page.get_by_label("No, they declined it").check()
    scanner.scan("the child's episode, filled in")
    click_and_wait(page, "button", "Record missing episode")
    assert_errors_shown(page, "Enter the name of the person who offered it",
                        "Select whether they were independent")
    expect(page.get_by_label("Time the interview was offered")).to_have_value("09:00")
    scanner.scan("the child's episode with the offer's details missing")
    page.get_by_label("Name of the person who offered it").fill("Priya Lakhani")
    page.get_by_label("Their agency or service").fill("Safe Return Service")
    page.get_by_label("An independent person").check()
    click_and_wait(page, "button", "Record missing episode")
    assert scanner.path() == f"/people/{child.pk}/"
    expect(success_banner(page)).to_contain_text("The missing episode has been recorded.")
    expect(episodes).to_contain_text("Interview declined")
    expect(episodes).to_contain_text("Priya Lakhani (Safe Return Service), independent")
    with page.expect_navigation():
        episodes.get_by_role("link", name=re.compile(r"^Update the episode of")).first.click()
    assert scanner.path().startswith(f"/cases/children/{child.pk}/missing-episodes/")
    expect(page.get_by_label("Name of the person who offered it")).to_have_value(
        "Priya Lakhani")
    scanner.scan("the child's declined episode, to update")
    click_and_wait(page, "link", "Cancel")
    open_case_page = f"/cases/{case.pk}/missing-episodes/"
    scanner.open(open_case_page)
    expect(page.get_by_role("table", name="Missing episodes, newest first")).to_contain_text(
        "Interview declined")

    # Every child's episodes, in one list (where the performance figures lead).
    scanner.open("/cases/missing-episodes/")
    listed = page.get_by_role("table").locator("tbody tr")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Interview declined")
    scanner.scan("two episodes of one child")
    page.get_by_label("Missing from home", exact=True).select_option(
        label="Came back in the missing dates")
    click_and_wait(page, "button", "Apply filters")
    assert_errors_shown(page, "Enter missing dates from, missing dates to, or both")
    scanner.scan("filtered with no missing dates")
    fill_date(page.get_by_role("group", name="Missing dates from"), back_again.date())
    click_and_wait(page, "button", "Apply filters")
    expect(listed).to_have_count(1)
    scanner.scan("filtered to the episode that ended in the dates")
    scanner.open(open_case_page)

    # Outcomes.
    open_section(page, "Outcomes")
    expect(page.get_by_text("No outcomes recorded yet.")).to_be_visible()
    scanner.scan("none yet")
    click_and_wait(page, "button", "Record an outcome")
    click_and_wait(page, "button", "Record outcome")
    assert_errors_shown(page, "Select the outcome")
    scanner.scan("with no outcome chosen")
    click_and_wait(page, "link", "Cancel")

    # Restricting, then closing the case.
    open_section(page, "Overview")
    click_and_wait(page, "link", "Restrict the case")
    click_and_wait(page, "button", "Restrict case")
    assert_errors_shown(page, "Enter why the case is being restricted")
    scanner.scan("with no reason")
    click_and_wait(page, "link", "Cancel")
    click_and_wait(page, "link", "Ask to close the case")
    expect(page.get_by_text("1 plan item is still open.")).to_be_visible()
    click_and_wait(page, "button", "Send for approval")
    assert_errors_shown(
        page, "Select why the case is closing",
        "There is 1 open plan item: complete it first, or confirm it should be cancelled",
    )
    scanner.scan("with an open plan item and no reason")
    page.get_by_label("Risk reduced – no longer needs a MACE response").check()
    page.get_by_label("Cancel the open plan items").check()
    click_and_wait(page, "button", "Send for approval")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(success_banner(page)).to_contain_text("Your request has been sent for approval")
    # The supervisor asked, so someone else decides: the case stays open meanwhile.
    expect(page.locator(".app-pending-decision")).to_contain_text("Close the case")
    expect(page.get_by_role("button", name="Approve or reject")).to_have_count(0)
    expect(page.locator(".govuk-tag").filter(has_text="Closed")).to_have_count(0)
    scanner.scan("with its closure waiting for approval")

    # A new referral about Jordan: the decision page shows what the hub already knows,
    # the intelligence from another team in its sanitised words only.
    intelligence_team = make_team(hub_agency, "Intelligence unit", is_hub_team=True)
    analyst = make_user("ana.intel", Role.ANALYST, agency=hub_agency, team=intelligence_team)
    report = make_report(intelligence_team, analyst,
                         source_text="Informant GREY-2 saw Jordan at the flat on Mill Lane",
                         sanitised_text="Jordan is reported to visit a flat used by adults of "
                                        "concern")
    link(report, child, role=EntityRole.VICTIM)
    again = make_referral(child, supervisor, received_at=now - dt.timedelta(minutes=30),
                          exploitation_types=["cse", "cce"])
    scanner.open(f"/referrals/{again.pk}/decide/")
    known = page.locator("section[aria-labelledby='what-we-already-know']")
    expect(known.get_by_role("heading", level=2)).to_have_text(
        "What we already know about Jordan Example")
    expect(known).to_contain_text(case.reference)
    expect(known.get_by_role("table", name=re.compile("1 other referral"))).to_be_visible()
    # The episode on the case, and the one recorded on Jordan's record (declined).
    expect(known.get_by_role("table", name=re.compile("2 missing episodes"))).to_be_visible()
    expect(known).to_contain_text("Jordan is reported to visit a flat used by adults")
    expect(known).not_to_contain_text("GREY-2")
    scanner.scan("what we already know: a referral, a case, an episode and intelligence")
    scanner.assert_scanned_every_page_listed()


def test_restricted_case_and_access_log(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    """A hub member not working on a restricted case gives a reason to open it, and
    information governance sees the reason in the case's access log."""
    supervisor = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    officer = make_user("riley.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    governance = make_user("ingrid.governance", Role.INFORMATION_GOVERNANCE,
                           agency=hub_agency, team=make_team(hub_agency, "Information Management",
                                                             is_hub_team=False))
    child: Person = make_person(hub_agency, given_name="Morgan", family_name="Hidden")
    case = case_services.open_case(actor=supervisor, child=child, risk_tier=RiskTier.MEDIUM,
                                   lead_agency=hub_agency, reason="Test",
                                   key_worker=supervisor)
    case_services.set_restricted(actor=supervisor, case_pk=case.pk,
                                 expected_version=case.version, restricted=True,
                                 reason="A relative of the child works in the hub")
    reason = "Covering the key worker's cases while she is on leave"

    browser_login(page, live_server, officer)
    click_and_wait(page, "link", "Cases", within="nav[aria-label='Menu']")
    row = page.get_by_role("table").locator("tbody tr")
    expect(row).to_contain_text("Restricted case")
    expect(row).not_to_contain_text("Morgan")
    scanner.scan("a restricted case the officer does not work on")
    click_and_wait(page, "link", "Restricted case")

    assert scanner.path() == f"/cases/{case.pk}/open/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Why do you need to open this restricted case?")
    scanner.scan("asking for a reason")
    click_and_wait(page, "button", "Open the case")
    assert_errors_shown(page, "Enter why you need to open this restricted case")
    scanner.scan("with no reason")
    page.get_by_label("Why do you need to open this restricted case?").fill(reason)
    click_and_wait(page, "button", "Open the case")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Morgan Hidden")
    expect(page.locator(".govuk-tag").filter(has_text="Restricted")).to_be_visible()
    scanner.scan("restricted, opened with a reason")
    assert AuditEvent.objects.filter(
        event_type=EventType.VIEW, record_type="cases.case", record_id=str(case.pk),
        actor_username=officer.username, purpose=reason,
    ).exists()
    sign_out(page)

    browser_login(page, live_server, governance)
    scanner.open(f"/cases/{case.pk}/access-log/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Who has viewed or changed case {case.reference}")
    log = page.get_by_role("table")
    expect(log).to_contain_text(officer.username)
    expect(log).to_contain_text(reason)
    scanner.scan("the officer's view, with their reason")
    scanner.assert_scanned_every_page_listed()


def test_risk_assessment_reviews_and_statutory_status(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    """A triage officer works through the risk reviews due: records a child's risk
    assessment (first with mistakes) that judges the risk higher than the case's tier,
    sees the difference with the way to change the tier, and records the child's
    statutory status, which the case then shows beside the tier."""
    officer = make_user("riley.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Zofia", family_name="Nowak")
    case = case_services.open_case(
        actor=officer, child=child, risk_tier=RiskTier.MEDIUM, lead_agency=hub_agency,
        reason="Referral screened as medium risk", key_worker=officer,
    )
    case_services.open_case(
        actor=officer, risk_tier=RiskTier.LOW, lead_agency=hub_agency, reason="Test",
        child=make_person(hub_agency, given_name="Casey", family_name="Other"),
    )
    Case.objects.update(opened_at=timezone.now() - dt.timedelta(days=40))

    browser_login(page, live_server, officer)
    click_and_wait(page, "link", "Cases", within="nav[aria-label='Menu']")
    click_and_wait(page, "link", "Risk reviews due")
    assert scanner.path() == "/cases/risk-reviews/"
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("None yet")
    scanner.scan("two cases never assessed, both overdue")
    click_and_wait(page, "link", CHILD_NAME_ZOFIA)

    assert scanner.path() == f"/cases/{case.pk}/risk-assessments/"
    expect(page.get_by_text("No risk assessments recorded yet.")).to_be_visible()
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Overdue")
    scanner.scan("no assessment yet, overdue since the case opened")
    click_and_wait(page, "button", "Record a risk assessment")

    assert scanner.path() == f"/cases/{case.pk}/risk-assessments/new/"
    scanner.scan("empty")
    page.get_by_role("group", name="Online: level of concern").get_by_label("High").check()
    click_and_wait(page, "button", "Record risk assessment")
    assert_errors_shown(
        page, "Select the level of concern about health",
        "Enter what the high rating for online rests on",
        "Select your judgement of the child's risk tier", "Enter a summary of the assessment",
    )
    # In the order the page asks: each domain of the catalogue, then the judgement.
    others = [label for code, label in assessment_domains() if code != "online"]
    expect(page.locator(".govuk-error-summary li")).to_have_text([
        *["Enter what the high rating for online rests on" if code == "online"
          else f"Select the level of concern about {label.lower()}"
          for code, label in assessment_domains()],
        "Select your judgement of the child's risk tier", "Enter a summary of the assessment",
    ])
    scanner.scan("with domains unrated, no note, judgement or summary")
    for label in others:
        page.get_by_role("group", name=f"{label}: level of concern").get_by_label("Low").check()
    page.get_by_label("Online: what the rating rests on").fill(
        "Messages from unknown adults on Snapchat offering lifts")
    page.get_by_role("group", name="Your professional judgement of the child's risk tier") \
        .get_by_label("High – being exploited").check()
    page.get_by_label("Summary").fill("Online grooming has escalated since the referral.")
    click_and_wait(page, "button", "Record risk assessment")

    assert scanner.path() == f"/cases/{case.pk}/risk-assessments/"
    expect(success_banner(page)).to_contain_text("The risk assessment has been recorded.")
    expect(page.locator("#judgement-differs")).to_contain_text(
        "judged the risk high, but the case's tier is medium")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Messages from unknown adults")
    scanner.scan("one assessment, judging the risk higher than the tier")
    open_section(page, "Overview")
    expect(page.locator("#judgement-differs").get_by_role(
        "link", name="Change the risk tier")).to_be_visible()
    scanner.scan("the latest judgement differs from the tier")

    scanner.open(f"/people/{child.pk}/statutory-status/")
    scanner.scan("not recorded yet")
    page.get_by_label("Looked after by a local authority").check()
    page.get_by_label("First language").fill("Polish")
    click_and_wait(page, "button", "Save statutory status")
    assert_errors_shown(page, "Select the type of placement of the looked-after child",
                        "Enter the local authority that placed the child")
    expect(page.get_by_label("First language")).to_have_value("Polish")
    scanner.scan("looked after, with no placement")
    page.get_by_label("Placement type").select_option(label="Children's home")
    page.get_by_label("Placing authority").fill("Eastshire County Council")
    page.get_by_role("group", name="Is an interpreter needed?").get_by_label("Yes").check()
    click_and_wait(page, "button", "Save statutory status")
    assert scanner.path() == f"/people/{child.pk}/"
    expect(summary_value(page, "Placement")).to_have_text(
        "Children's home, placed by Eastshire County Council")
    scanner.scan("looked after, with an interpreter needed")

    scanner.open(f"/cases/{case.pk}/")
    expect(page.locator("[data-child-identity] [data-identity='legal-status']")).to_contain_text(
        "Looked after")
    expect(summary_value(page, "Interpreter needed")).to_have_text("Yes")
    scanner.open("/cases/risk-reviews/")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)
    scanner.scan("the other case, still never assessed")


def test_advocacy_notes_stay_with_the_service(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    """An independent advocate records a contact, told on the form that its notes are the
    advocacy service's; the hub's triage officer sees that it happened, not the notes, on
    the contacts page and the chronology."""
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    charity = make_agency("lantern-project", AgencyKind.VOLUNTARY_SECTOR,
                          name="Lantern Project")
    advocate = make_user("lena.advocate", Role.VICTIM_ADVOCATE, agency=charity,
                         team=make_team(charity, "Advocacy service", is_hub_team=False))
    child = make_person(hub_agency, given_name="Robin", family_name="Example",
                        date_of_birth=dt.date(2010, 6, 2))
    case = case_services.open_case(actor=triage, child=child, risk_tier=RiskTier.MEDIUM,
                                   lead_agency=hub_agency, reason="Screened as medium risk")
    case_services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                                  starts_on=timezone.localdate())
    notes = "She talked about the older boys at the park and the phone they gave her."

    sign_in_as(page, live_server, advocate)
    scanner.open(f"/cases/{case.pk}/contacts/new/")
    expect(page.locator("main")).to_contain_text(
        "confidential to the advocacy service (Lantern Project)")
    scanner.scan("an advocate's contact form")
    fill_date(page.get_by_role("group", name="Date of the contact"),
              timezone.localdate() - dt.timedelta(days=1))
    page.get_by_label("Time of the contact").fill("4:15pm")
    page.get_by_label("Kind of contact").select_option(label="Meeting")
    page.get_by_label("Who was the contact with?").fill("Robin at the youth centre")
    page.get_by_role("group", name="Was the child seen?").get_by_role(
        "radio", name="No", exact=True).check()
    page.get_by_label("Summary").fill(notes)
    click_and_wait(page, "button", "Record contact")
    assert scanner.path() == f"/cases/{case.pk}/contacts/"
    table = page.get_by_role("table", name="Contacts, newest first")
    expect(table).to_contain_text(notes)
    expect(table).to_contain_text("Confidential to the advocacy service")
    scanner.scan("the advocate reads their service's notes")

    sign_in_as(page, live_server, triage)
    scanner.open(f"/cases/{case.pk}/contacts/")
    table = page.get_by_role("table", name="Contacts, newest first")
    expect(table).to_contain_text("Confidential to the advocacy service (Lantern Project)")
    expect(table).to_contain_text(advocate.display_name)
    expect(page.locator("main")).not_to_contain_text(notes)
    expect(page.locator("main")).not_to_contain_text("Robin at the youth centre")
    scanner.scan("another role sees that a contact happened")
    scanner.open(f"/cases/{case.pk}/chronology/")
    expect(page.locator("main")).to_contain_text("Meeting (advocacy service)")
    expect(page.locator("main")).not_to_contain_text(notes)
    scanner.scan("an advocate's contact on the timeline")
    scanner.assert_scanned_every_page_listed()
