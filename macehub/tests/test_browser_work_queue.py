"""The home page as each person's work queue, in a real browser: a triage officer with
referrals (Red first), plan items and a return home interview, moving between the tabs
and acting on the most urgent item; an administrator with a change of access to decide;
a referrer told an outcome; a senior leader asked to publish last month; a training lead
with nothing due. Every state is scanned with axe-core against WCAG 2.2 AA and loads
without asset, console or script errors (``Scanner`` from ``test_browser_pages``).
``SCANNED_BY`` names the test here that scans each page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.access import account_services
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases import services as case_services
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import MissingEpisode, PlanItem
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, click_and_wait

pytestmark = pytest.mark.browser

EVERY_ROLE = "test_the_work_queue_as_each_role"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "home": (EVERY_ROLE,),
    "referrals:decide": (EVERY_ROLE,),
}


def test_the_work_queue_as_each_role(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    now = timezone.now()
    school = make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    referrer = make_user("dsl.school", Role.REFERRER, agency=school,
                         team=make_team(school, "Safeguarding", is_hub_team=False))
    triage = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    office = make_team(hub_agency, "Information Management", is_hub_team=False)
    first_admin = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=office)
    second_admin = make_user("bo.admin", Role.ADMINISTRATOR, agency=hub_agency, team=office)
    leader = make_user("sen.ior", Role.SENIOR_LEADER, agency=hub_agency)
    training = make_user("train.lead", Role.TRAINING_LEAD, agency=hub_agency)

    def referral(name: str, brag: Brag, due_in_hours: float, **fields: Any) -> Any:
        given, family = name.split()
        return make_referral(make_person(school, given_name=given, family_name=family),
                             referrer, received_at=now - dt.timedelta(hours=1),
                             partner_check_brag=brag, suggested_brag=brag,
                             decision_due_at=now + dt.timedelta(hours=due_in_hours), **fields)

    red = referral("Rory Late", Brag.RED, -2)
    referral("Alma Soon", Brag.AMBER, 3)
    referral("Maya Brook", Brag.GREEN, 5, status=ReferralStatus.DECIDED,
             outcome=TriageOutcome.EARLY_HELP, decided_at=now, referrer_notified_at=now)
    case = case_services.open_case(
        actor=triage, child=make_person(hub_agency, given_name="Anna", family_name="Zed"),
        risk_tier=RiskTier.HIGH, lead_agency=hub_agency, reason="Screened at triage")
    case_services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=case.version,
                                 key_worker=triage)
    PlanItem.objects.create(case=case, action="Visit the school", owner=triage,
                            owner_agency=hub_agency,
                            due_on=timezone.localdate() - dt.timedelta(days=2),
                            created_at=now, created_by=triage)
    MissingEpisode.objects.create(case=case, went_missing_at=now - dt.timedelta(hours=30),
                                  returned_at=now - dt.timedelta(hours=20), recorded_by=triage)
    account_services.save_user(actor=first_admin, user=User.objects.get(pk=referrer.pk),
                               roles=[Role.REFERRER, Role.ANALYST],
                               reason="Joining the intelligence cell")

    # A triage officer: everything due, Red first, then the tabs.
    sign_in_as(page, live_server, triage)
    scanner.open("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your work")
    rows = page.locator("#work-queue tbody tr")
    # Two referrals, the plan item, the interview to offer, the case's first risk review.
    expect(rows).to_have_count(5)
    expect(rows.nth(0)).to_contain_text("Rory Late")
    expect(rows.nth(0)).to_contain_text("Overdue by 2 hours")
    expect(page.get_by_text("Overdue by 2 days")).to_be_visible()
    tabs = page.get_by_role("navigation", name="Your work by kind")
    expect(tabs.get_by_role("link", name="Overdue 2")).to_be_visible()
    scanner.scan("as a triage officer, all")
    click_and_wait(page, "link", "Overdue 2")
    expect(rows).to_have_count(2)
    scanner.scan("as a triage officer, overdue")
    click_and_wait(page, "link", "Return home interviews 1")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Anna Zed")
    scanner.scan("as a triage officer, one kind")
    scanner.open("/")
    page.locator("#work-queue").get_by_role("link", name=f"{red.reference}: Rory Late",
                                             exact=False).click()
    page.wait_for_load_state("load")
    assert scanner.path() == f"/referrals/{red.pk}/decide/"
    scanner.scan("opened from the work queue")

    # The administrator who asked sees nothing to decide; the second one does.
    sign_in_as(page, live_server, first_admin)
    scanner.open("/")
    expect(page.get_by_text("Nothing is waiting for you", exact=False)).to_be_visible()
    scanner.scan("as the administrator who asked for a change")
    sign_in_as(page, live_server, second_admin)
    scanner.open("/")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Joining the intelligence cell")
    scanner.scan("as the second administrator")

    # A referrer told an outcome; a senior leader asked to publish; a training lead.
    sign_in_as(page, live_server, referrer)
    scanner.open("/")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Maya Brook")
    expect(page.locator("main")).not_to_contain_text("Rory Late")
    scanner.scan("as a referrer with an outcome to read")
    sign_in_as(page, live_server, leader)
    scanner.open("/")
    expect(rows.first).to_contain_text("ready to publish")
    expect(page.locator("main").get_by_role("link", name="Performance dashboard")
           ).to_be_visible()
    scanner.scan("as a senior leader")
    sign_in_as(page, live_server, training)
    scanner.open("/")
    expect(page.get_by_text("Nothing is waiting for you", exact=False)).to_be_visible()
    scanner.scan("as a training lead")
    scanner.assert_scanned_every_page_listed()
