"""The child at the centre, in a real browser: the child's identity bar on every section
of their case and every page of their record (its facts read off the page), the next
actions at the top of the case overview, each candidate's caseload when choosing a key
worker or a victim advocate, and the chronology saying who did what — including, for a
victim advocate who may not read a school's referral, that it was made and by whom.

Every page on the way is scanned with axe-core against WCAG 2.2 AA (``Scanner`` from
``test_browser_pages``; ``SCANNED_BY`` names the test that scans each page here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases import services as case_services
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, PlanItem
from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import (
    make_person,
    make_school_referrer,
    make_team,
    make_user,
)
from macehub.tests.test_browser_pages import Scanner, click_and_wait

pytestmark = pytest.mark.browser

AT_THE_CENTRE = "test_the_child_at_the_centre_of_every_page"
ADVOCATE_SEES = "test_an_advocate_sees_the_referral_was_made_not_what_it_says"

CASE_SECTIONS = {
    "cases:detail": "",
    "cases:chronology": "chronology/",
    "cases:plan": "plan/",
    "cases:contacts": "contacts/",
    "cases:missing": "missing-episodes/",
    "cases:outcomes": "outcomes/",
    "cases:risk_assessments": "risk-assessments/",
    "cases:workers": "workers/",
}

SCANNED_BY: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(CASE_SECTIONS, (AT_THE_CENTRE,)),
    "cases:change_key_worker": (AT_THE_CENTRE,),
    "cases:change_advocate": (AT_THE_CENTRE,),
    "people:detail": (AT_THE_CENTRE,),
    "people:edit": (AT_THE_CENTRE,),
    "people:statutory_status": (AT_THE_CENTRE,),
    "people:access_log": (AT_THE_CENTRE,),
}
SCANNED_BY["cases:chronology"] = (AT_THE_CENTRE, ADVOCATE_SEES)


def _named(user: User, first_name: str, last_name: str) -> User:
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    return user


def _fact(page: Page, name: str) -> Any:
    return page.locator(f"[data-child-identity] [data-identity='{name}']")


def _child_with_a_case(worker: User, hub_agency: Agency) -> Case:
    """Maya Brook, 17 May 2011, on a child protection plan, living in Northtown East,
    missing now, with a Medium case that has no key worker or advocate, a plan item
    overdue and no risk assessment yet."""
    child = make_person(hub_agency, given_name="Maya", family_name="Brook",
                        date_of_birth=dt.date(2011, 5, 17))
    child.child_protection_plan = True
    child.statutory_status_recorded_at = timezone.now()
    child.save()
    area = Area.objects.create(code="E05000001", name="Northtown East", kind=AreaKind.WARD)
    PersonAddress.objects.create(person=child, line_1="1 High Street", town="Northtown",
                                 postcode="NT1 1AA", area=area)
    case = case_services.open_case(actor=worker, child=child, risk_tier=RiskTier.MEDIUM,
                                   lead_agency=hub_agency, reason="Referral screened")
    case_services.record_missing_episode(actor=worker, case_pk=case.pk,
                                         went_missing_at=timezone.now() - dt.timedelta(hours=3),
                                         notes="Not home after school")
    item = case_services.add_plan_item(actor=worker, case_pk=case.pk, action="School meeting",
                                       owner=worker, due_on=timezone.localdate())
    PlanItem.objects.filter(pk=item.pk).update(
        due_on=timezone.localdate() - dt.timedelta(days=4))
    return case


@pytest.mark.django_db(transaction=True)
def test_the_child_at_the_centre_of_every_page(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker = _named(make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team),
                    "Tia", "Triage")
    supervisor = _named(make_user("sam.jones", Role.SUPERVISOR, agency=hub_agency,
                                  team=hub_team), "Sam", "Jones")
    _named(make_user("val.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team),
           "Val", "Advocate")
    governance = make_user("info.gov", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                           team=make_team(hub_agency, "Information", is_hub_team=False))
    # Sam already holds two open cases as key worker, one of them High.
    for n, tier in enumerate((RiskTier.HIGH, RiskTier.LOW)):
        case_services.open_case(
            actor=worker, child=make_person(hub_agency, given_name=f"Other{n}",
                                            family_name="Child"),
            risk_tier=tier, lead_agency=hub_agency, reason="Screened", key_worker=supervisor)
    case = _child_with_a_case(worker, hub_agency)
    today = timezone.localdate()
    age = today.year - 2011 - ((today.month, today.day) < (5, 17))

    # 1. Every section of the case: the bar, with the same facts, and one h1.
    sign_in_as(page, live_server, worker)
    for name, tail in CASE_SECTIONS.items():
        scanner.open(f"/cases/{case.pk}/{tail}")
        expect(page.locator("[data-child-identity]")).to_have_count(1)
        expect(_fact(page, "name")).to_have_text("Maya Brook")
        expect(_fact(page, "age")).to_have_text(str(age))
        expect(_fact(page, "date-of-birth")).to_have_text("17 May 2011")
        expect(_fact(page, "area")).to_have_text("Northtown East")
        expect(_fact(page, "legal-status")).to_have_text("Child protection plan")
        expect(_fact(page, "risk-tier")).to_have_text("Medium")
        expect(_fact(page, "missing-now")).to_have_text("Yes")
        expect(_fact(page, "key-worker")).to_have_text("None named")
        expect(_fact(page, "advocate")).to_have_text("None allocated")
        expect(page.locator("[data-child-identity]")).to_contain_text("Missing now")
        expect(page.locator("[data-child-identity]")).not_to_contain_text("Restricted")
        expect(page.locator("h1")).to_have_count(1)
        scanner.scan(f"the {name} section with the identity bar")

    # 2. The overview's next actions, overdue first.
    scanner.open(f"/cases/{case.pk}/")
    actions = page.locator("#next-actions li")
    expect(actions.first).to_contain_text("1 plan item overdue")
    expect(actions.first).to_contain_text("Overdue")
    next_actions = page.locator("#next-actions")
    for text in ("Name a key worker", "Allocate a victim advocate",
                 "Review the risk: first assessment due"):
        expect(next_actions.get_by_role("link", name=text)).to_be_visible()

    # 3. Choosing the key worker shows each candidate's caseload.
    click_and_wait(page, "link", "Name a key worker", within="#next-actions")
    assert scanner.path() == f"/cases/{case.pk}/key-worker/"
    options = page.get_by_label("Key worker").locator("option")
    expect(options.filter(has_text="Sam Jones")).to_have_text(
        "Sam Jones (County Police) – 2 open cases, 1 High")
    expect(options.filter(has_text="Tia Triage")).to_have_text(
        "Tia Triage (County Police) – 0 open cases, 0 High")
    scanner.scan("candidates with their caseload")
    page.get_by_label("Key worker").select_option(
        label="Sam Jones (County Police) – 2 open cases, 1 High")
    click_and_wait(page, "button", "Save key worker")
    expect(_fact(page, "key-worker")).to_have_text("Sam Jones")

    # 4. Choosing the advocate shows theirs.
    scanner.open(f"/cases/{case.pk}/advocate/")
    expect(page.get_by_label("Victim advocate").locator("option").filter(
        has_text="Val Advocate")).to_have_text(
        "Val Advocate (County Police) – 0 open cases, 0 High")
    scanner.scan("advocates with their caseload")
    page.get_by_label("Victim advocate").select_option(
        label="Val Advocate (County Police) – 0 open cases, 0 High")
    click_and_wait(page, "button", "Save advocate")
    expect(_fact(page, "advocate")).to_have_text("Val Advocate")
    scanner.open(f"/cases/{case.pk}/")
    expect(page.locator("#next-actions")).not_to_contain_text("Name a key worker")
    expect(page.locator("#next-actions")).not_to_contain_text("Allocate a victim advocate")

    # 5. The chronology says who did what.
    scanner.open(f"/cases/{case.pk}/chronology/")
    missing = page.locator(".moj-timeline__item").filter(has_text="Missing episode")
    expect(missing.locator(".moj-timeline__byline")).to_have_text("Recorded by Tia Triage")
    opened = page.locator(".moj-timeline__item").filter(has_text=f"Case {case.reference} opened")
    expect(opened.locator(".moj-timeline__byline")).to_have_text("Opened by Tia Triage")
    expect(page.locator("main")).not_to_contain_text("Went missing")

    # 6. Every page of the child's record: the bar, with the case's facts and a link.
    for path, state in ((f"/people/{case.child_id}/", "the record"),
                        (f"/people/{case.child_id}/change/", "changing details"),
                        (f"/people/{case.child_id}/statutory-status/", "the statutory status")):
        scanner.open(path)
        expect(_fact(page, "name")).to_have_text("Maya Brook")
        expect(_fact(page, "risk-tier")).to_have_text("Medium")
        expect(_fact(page, "key-worker")).to_have_text("Sam Jones")
        expect(_fact(page, "advocate")).to_have_text("Val Advocate")
        expect(_fact(page, "missing-now")).to_have_text("Yes")
        expect(_fact(page, "case").get_by_role("link", name=case.reference)).to_be_visible()
        expect(page.locator("h1")).to_have_count(1)
        scanner.scan(f"{state} with the identity bar")
    sign_in_as(page, live_server, governance)
    scanner.open(f"/people/{case.child_id}/access-log/")
    expect(_fact(page, "name")).to_have_text("Maya Brook")
    scanner.scan("the access log with the identity bar")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_an_advocate_sees_the_referral_was_made_not_what_it_says(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    worker = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    advocate = make_user("val.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency,
                         team=hub_team)
    case = _child_with_a_case(worker, hub_agency)
    referral = make_referral(case.child, make_school_referrer(), concerns="SECRET concerns")
    case_services.change_advocate(actor=worker, case_pk=case.pk, advocate=advocate,
                                  starts_on=timezone.localdate())

    sign_in_as(page, live_server, advocate)
    scanner.open(f"/cases/{case.pk}/chronology/")
    entry = page.locator(".moj-timeline__item").filter(
        has_text="Referral received from Northtown Academy")
    expect(entry).to_have_count(1)
    expect(entry.locator("a")).to_have_count(0)
    expect(entry.locator(".moj-timeline__byline")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(referral.reference)
    expect(page.locator("main")).not_to_contain_text("SECRET")
    scanner.scan("a referral the advocate may not read")
    scanner.assert_scanned_every_page_listed()
