"""The child at the centre of the case record, in a real browser, as the hub worker who
records it: a home visit where the child was seen alone, with the child's own words; a
missing episode with the police missing person reference and risk grade (from the case
and from the child's record); and a plan action owned by a school's designated
safeguarding lead, which the key worker's work queue shows when it is overdue.

The follow-up questions appear only when their answer is chosen (GOV.UK conditional
reveal). Every page on the way, error states included, is scanned with axe-core against
WCAG 2.2 AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that
scans each page here).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases import services as case_services
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, Contact, MissingEpisode, PlanItem
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_person, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait
from macehub.tests.test_browser_referrals_cases import fill_date, follow_error_link

pytestmark = pytest.mark.browser

CONTACT = "test_contact_with_the_child_seen_alone_and_their_words"
MISSING = "test_missing_episode_with_the_police_report"
PLAN = "test_plan_action_owned_by_a_schools_safeguarding_lead"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "cases:contacts": (CONTACT,),
    "cases:add_contact": (CONTACT,),
    "cases:missing": (MISSING,),
    "cases:add_missing_episode": (MISSING,),
    "cases:edit_missing_episode": (MISSING,),
    "cases:child_add_missing_episode": (MISSING,),
    "cases:plan": (PLAN,),
    "cases:add_plan_item": (PLAN,),
    "cases:edit_plan_item": (PLAN,),
    "home": (PLAN,),
}

WORDS = "I don't want to go back to that flat. I want to see my nan more."


def _worker_and_case(hub_agency: Agency, hub_team: Team) -> tuple[User, Case]:
    worker = make_user("sam.worker", Role.TRIAGE, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Amira", family_name="Stone",
                        date_of_birth=dt.date(2011, 3, 9))
    case = case_services.open_case(actor=worker, child=child, risk_tier=RiskTier.HIGH,
                                   lead_agency=hub_agency, reason="Screened as high risk")
    return worker, case


@pytest.mark.django_db(transaction=True)
def test_contact_with_the_child_seen_alone_and_their_words(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker, case = _worker_and_case(hub_agency, hub_team)
    sign_in_as(page, live_server, worker)
    scanner.open(f"/cases/{case.pk}/contacts/new/")
    seen = page.get_by_role("group", name="Was the child seen?")
    seen_alone = page.get_by_role("group", name="Was the child seen alone?")
    expect(seen.get_by_label("Not applicable")).to_be_visible()
    expect(seen.locator(".govuk-radios__hint")).to_contain_text("a phone call")
    # Seen alone is asked only once the child is seen.
    expect(seen_alone).to_be_hidden()
    scanner.scan("empty")
    click_and_wait(page, "button", "Record contact")
    assert_errors_shown(page, "Enter the date and time of the contact",
                        "Select whether the child was seen")
    scanner.scan("nothing filled in")

    fill_date(page.get_by_role("group", name="Date of the contact"),
              timezone.localdate() - dt.timedelta(days=1))
    page.get_by_label("Time of the contact").fill("4:30pm")
    page.get_by_label("Kind of contact").select_option(label="Home visit")
    page.get_by_label("Who was the contact with?").fill("Amira and her mother")
    # (Seen alone's own "Yes" is hidden inside this group until then.)
    seen.get_by_role("radio", name="Yes", exact=True).check()
    expect(seen_alone).to_be_visible()
    page.get_by_label("The child's own words and wishes").fill(WORDS)
    page.get_by_label("Summary").fill("Talked through the safety plan in her room.")
    click_and_wait(page, "button", "Record contact")
    assert_errors_shown(page, "Select whether the child was seen alone")
    # What was typed is kept, and the question stays open under its answer.
    expect(page.get_by_label("The child's own words and wishes")).to_have_value(WORDS)
    expect(seen_alone).to_be_visible()
    scanner.scan("seen, but seen alone not answered")
    follow_error_link(page, "Select whether the child was seen alone")
    expect(seen_alone.get_by_label("Yes")).to_be_focused()
    seen_alone.get_by_label("Yes").check()
    click_and_wait(page, "button", "Record contact")

    assert scanner.path() == f"/cases/{case.pk}/contacts/"
    table = page.get_by_role("table", name="Contacts, newest first")
    expect(table).to_contain_text("In the child's words:")
    expect(table).to_contain_text(WORDS)
    expect(table).to_contain_text("Child seen: Yes")
    expect(table).to_contain_text("Seen alone: Yes")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Last seen alone")
           ).to_contain_text(f"{yesterday.day} {yesterday:%B %Y}")
    scanner.scan("a contact, the child seen alone")
    saved = Contact.objects.get()
    assert (saved.child_seen, saved.child_seen_alone, saved.child_words) == ("yes", "yes", WORDS)

    # A phone call: not applicable, and seen alone is never asked.
    click_and_wait(page, "button", "Record a contact")
    fill_date(page.get_by_role("group", name="Date of the contact"), timezone.localdate())
    page.get_by_label("Time of the contact").fill("00:05")
    page.get_by_label("Kind of contact").select_option(label="Phone call")
    page.get_by_label("Who was the contact with?").fill("her mother")
    page.get_by_role("group", name="Was the child seen?").get_by_label(
        "Not applicable").check()
    expect(page.get_by_role("group", name="Was the child seen alone?")).to_be_hidden()
    page.get_by_label("Summary").fill("Mum says Amira came home on time all week.")
    click_and_wait(page, "button", "Record contact")
    assert scanner.path() == f"/cases/{case.pk}/contacts/"
    call = Contact.objects.get(kind="phone")
    assert (call.child_seen, call.child_seen_alone) == ("not_applicable", "not_applicable")
    expect(page.get_by_role("table", name="Contacts, newest first").locator("tbody tr").first
           ).to_contain_text("Child seen: Not applicable")
    scanner.scan("a phone call and a visit")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_missing_episode_with_the_police_report(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker, case = _worker_and_case(hub_agency, hub_team)
    sign_in_as(page, live_server, worker)
    scanner.open(f"/cases/{case.pk}/missing-episodes/new/")
    grades = page.get_by_role("group", name="Police risk grade")
    for grade in ("No apparent risk", "Low risk", "Medium risk", "High risk", "Not known"):
        expect(grades.get_by_label(grade, exact=True)).to_be_visible()
    scanner.scan("empty")
    page.get_by_label("Police reference").fill("MP/260301/0042")
    grades.get_by_label("High risk", exact=True).check()
    click_and_wait(page, "button", "Record missing episode")
    assert_errors_shown(page, "Enter the date and time the child went missing")
    expect(page.get_by_label("Police reference")).to_have_value("MP/260301/0042")
    expect(grades.get_by_label("High risk", exact=True)).to_be_checked()
    scanner.scan("no date, the police report kept")
    went = timezone.localtime() - dt.timedelta(days=2)
    fill_date(page.get_by_role("group", name="Date the child went missing"), went.date())
    page.get_by_label("Time the child went missing").fill("21:15")
    click_and_wait(page, "button", "Record missing episode")

    assert scanner.path() == f"/cases/{case.pk}/missing-episodes/"
    table = page.get_by_role("table", name="Missing episodes, newest first")
    expect(table).to_contain_text("Police ref MP/260301/0042")
    expect(table).to_contain_text("Police risk: high risk")
    scanner.scan("one episode with its police report")
    episode = MissingEpisode.objects.get()
    assert (episode.police_reference, episode.police_risk_grade) == ("MP/260301/0042", "high")

    # The police lower the grade: updated from the case.
    click_and_wait(page, "link", f"Update the episode of {went.day} {went:%b %Y}")
    assert scanner.path() == f"/cases/{case.pk}/missing-episodes/{episode.pk}/"
    expect(page.get_by_label("Police reference")).to_have_value("MP/260301/0042")
    scanner.scan("the episode to update")
    page.get_by_role("group", name="Police risk grade").get_by_label(
        "Medium risk", exact=True).check()
    click_and_wait(page, "button", "Save missing episode")
    expect(page.get_by_role("table", name="Missing episodes, newest first")).to_contain_text(
        "Police risk: medium risk")

    # The child's own record asks the same questions.
    scanner.open(f"/cases/children/{case.child_id}/missing-episodes/new/")
    expect(page.get_by_role("group", name="Police risk grade")).to_be_visible()
    expect(page.get_by_label("Police reference")).to_be_visible()
    scanner.scan("from the child's record")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_plan_action_owned_by_a_schools_safeguarding_lead(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker, case = _worker_and_case(hub_agency, hub_team)
    key_worker = make_user("kit.keyworker", Role.SOCIAL_WORKER, agency=hub_agency,
                           team=hub_team)
    case = case_services.set_key_worker(actor=worker, case_pk=case.pk,
                                        expected_version=case.version, key_worker=key_worker)
    sign_in_as(page, live_server, worker)
    scanner.open(f"/cases/{case.pk}/plan/new/")
    owner_kind = page.get_by_role("group", name="Who owns this action?")
    expect(owner_kind.get_by_label("A member of hub staff")).to_be_checked()
    expect(page.get_by_label("Owner", exact=True)).to_be_visible()
    expect(page.get_by_label("Their name")).to_be_hidden()
    scanner.scan("empty")
    owner_kind.get_by_label("Someone at a partner agency").check()
    expect(page.get_by_label("Owner", exact=True)).to_be_hidden()
    expect(page.get_by_label("Their name")).to_be_visible()
    expect(owner_kind).to_contain_text("They do not get access to the case")
    page.get_by_label("Action").fill("A safe adult at the gate and a daily check-in")
    page.get_by_label("Their name").fill("Hannah Okafor")
    page.get_by_label("Their agency").fill("Riverside Academy")
    fill_date(page.get_by_role("group", name="Due date"),
              timezone.localdate() + dt.timedelta(days=7))
    click_and_wait(page, "button", "Add plan item")
    assert_errors_shown(
        page, "Enter their role, for example designated safeguarding lead",
        "Enter a phone number or email address, so the hub can chase the action")
    expect(page.get_by_label("Their name")).to_have_value("Hannah Okafor")
    expect(page.get_by_label("Their name")).to_be_visible()
    scanner.scan("a partner owner without role or contact details")
    follow_error_link(page, "Enter their role, for example designated safeguarding lead")
    expect(page.get_by_label("Their role")).to_be_focused()
    page.get_by_label("Their role").fill("Designated safeguarding lead")
    page.get_by_label("Their phone number or email address").fill("01632 960 118")
    click_and_wait(page, "button", "Add plan item")

    assert scanner.path() == f"/cases/{case.pk}/plan/"
    table = page.get_by_role("table", name="Open plan items")
    expect(table).to_contain_text("Hannah Okafor")
    expect(table).to_contain_text("Designated safeguarding lead, Riverside Academy")
    expect(table).to_contain_text("01632 960 118")
    expect(table).to_contain_text("Partner agency")
    scanner.scan("an action a school owns")
    item = PlanItem.objects.get()
    assert item.owner_id is None and item.partner_owner_agency == "Riverside Academy"

    # Changing it shows the partner's details under their choice.
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile("^Change plan item")).click()
    expect(page.get_by_role("group", name="Who owns this action?").get_by_label(
        "Someone at a partner agency")).to_be_checked()
    expect(page.get_by_label("Their phone number or email address")).to_have_value(
        "01632 960 118")
    scanner.scan("a partner's action to change")

    # The school has not done it by the due date: the key worker's work queue says so.
    PlanItem.objects.filter(pk=item.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=2))
    sign_in_as(page, live_server, key_worker)
    scanner.open("/")
    main = page.locator("main")
    expect(main).to_contain_text("Owned by Hannah Okafor, Designated safeguarding lead "
                                 "(Riverside Academy): chase them on 01632 960 118")
    scanner.scan("a partner's overdue action to chase")
    scanner.assert_scanned_every_page_listed()
