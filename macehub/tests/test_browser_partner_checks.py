"""Partner checks and the steps an under-13 referral prompts, in a real browser, as the
people who use them: a police triage officer asks the health trust to check a Red
referral; the trust's hub nurse finds it in "Partner checks for" their agency, looks,
and returns "nothing held"; the triage decision page shows it back. Then a referral of
sexual activity with a 12-year-old prompts telling the police and a strategy
discussion, each recorded.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.referrals.codes import ImmediateStepKind, PartnerCheckResult
from macehub.referrals.models import ImmediateStep, PartnerCheck
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_school_referrer,
    make_team,
    make_user,
)
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

ROUND_TRIP = "test_partner_check_round_trip"
UNDER_13 = "test_under_13_referral_prompts_the_police_and_a_strategy_discussion"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "referrals:detail": (ROUND_TRIP, UNDER_13),
    "referrals:decide": (ROUND_TRIP,),
    "referrals:request_checks": (ROUND_TRIP,),
    "referrals:partner_checks": (ROUND_TRIP,),
    "referrals:partner_check": (ROUND_TRIP,),
    "referrals:immediate_step": (UNDER_13,),
}


def _health_nurse() -> User:
    health = make_agency("county-health", AgencyKind.HEALTH, name="County Health Trust")
    team = make_team(health, "MACE Hub (Health)", is_hub_team=True)
    return make_user("nurse.hub", Role.TRIAGE, agency=health, team=team)


@pytest.mark.django_db(transaction=True)
def test_partner_check_round_trip(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    nurse = _health_nurse()
    referrer = make_school_referrer()
    assert referrer.agency is not None
    child = make_person(referrer.agency, given_name="Maya", family_name="Brook",
                        date_of_birth=dt.date(2011, 5, 17))
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"),
                             received_at=timezone.now() - dt.timedelta(minutes=20))

    # 1. Triage asks the health trust.
    sign_in_as(page, live_server, officer)
    scanner.open(f"/referrals/{referral.pk}/")
    expect(page.get_by_role("heading", name="Partner checks")).to_be_visible()
    expect(page.get_by_text("No partner checks asked for yet.")).to_be_visible()
    scanner.scan("no checks asked for yet")
    click_and_wait(page, "button", "Ask partner agencies to check")
    assert scanner.path() == f"/referrals/{referral.pk}/partner-checks/"
    scanner.scan("the agencies to ask")
    click_and_wait(page, "button", "Ask for checks")
    assert_errors_shown(page, "Select the agencies to ask")
    scanner.scan("nothing selected")
    page.get_by_role("group", name="Which agencies should check their records?").get_by_label(
        "County Health Trust").check()
    page.get_by_label("What would you like them to look for? (optional)").fill(
        "Any attendance at the sexual health clinic")
    click_and_wait(page, "button", "Ask for checks")
    assert scanner.path() == f"/referrals/{referral.pk}/decide/"
    checks = page.locator("#partner-checks ~ table")
    expect(checks).to_contain_text("County Health Trust")
    expect(checks).to_contain_text("Outstanding")
    scanner.scan("one check outstanding")

    # 2. The trust's hub nurse returns it: nothing held.
    sign_in_as(page, live_server, nurse)
    scanner.open("/referrals/partner-checks/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Partner checks for County Health Trust")
    expect(page.get_by_role("table")).to_contain_text("Maya Brook")
    scanner.scan("one check waiting")
    click_and_wait(page, "link", "Maya Brook")
    check = PartnerCheck.objects.get()
    assert scanner.path() == f"/referrals/partner-checks/{check.pk}/"
    expect(page.locator("main")).to_contain_text("17 May 2011")
    expect(page.locator("main")).to_contain_text("Any attendance at the sexual health clinic")
    scanner.scan("a check to return")
    click_and_wait(page, "button", "Return the check")
    assert_errors_shown(page, "Select whether your agency holds information")
    scanner.scan("nothing chosen")
    page.get_by_role("group", name="Does your agency hold information about this child?"
                     ).get_by_label("Nothing held").check()
    click_and_wait(page, "button", "Return the check")
    assert scanner.path() == "/referrals/partner-checks/"
    expect(page.get_by_text("No checks are waiting for your agency.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Returned recently")
    scanner.scan("the check returned")
    check.refresh_from_db()
    assert check.result == PartnerCheckResult.NOTHING_HELD and check.returned_by == nurse

    # 3. The triage decision page shows it back.
    sign_in_as(page, live_server, officer)
    scanner.open(f"/referrals/{referral.pk}/decide/")
    row = page.locator("#partner-checks ~ table tbody tr").filter(has_text="County Health Trust")
    expect(row).to_contain_text("Back")
    expect(row).to_contain_text("Nothing held")
    expect(row).not_to_contain_text("Returned late")
    scanner.scan("the check back")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_under_13_referral_prompts_the_police_and_a_strategy_discussion(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    referrer = make_school_referrer()
    assert referrer.agency is not None
    today = timezone.localdate()
    child = make_person(referrer.agency, given_name="Ruby", family_name="Lane",
                        date_of_birth=today.replace(year=today.year - 12) - dt.timedelta(days=30))
    referral = make_referral(child, referrer, sexual_activity=True,
                             received_at=timezone.now() - dt.timedelta(minutes=15))
    assert referral.prompts_immediate_steps

    sign_in_as(page, live_server, officer)
    scanner.open(f"/referrals/{referral.pk}/")
    expect(page.locator(".govuk-warning-text")).to_contain_text("rape in law")
    steps = page.locator("#immediate-steps")
    expect(steps).to_contain_text("Not recorded yet")
    scanner.scan("the prompts, nothing recorded")
    steps.get_by_role("link", name=re.compile("^Record police notified")).click()
    page.wait_for_load_state("load")
    assert scanner.path() == (
        f"/referrals/{referral.pk}/immediate-steps/{ImmediateStepKind.POLICE_NOTIFICATION}/")
    scanner.scan("the question")
    page.get_by_role("group", name="Has this been done?").get_by_label("No").check()
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter why it has not been done")
    scanner.scan("not done with no reason")
    page.get_by_role("group", name="Has this been done?").get_by_label("Yes").check()
    now = timezone.localtime()
    group = page.get_by_role("group", name="Date it was done")
    group.get_by_label("Day").fill(str(now.day))
    group.get_by_label("Month").fill(str(now.month))
    group.get_by_label("Year").fill(str(now.year))
    page.get_by_label("Time it was done").fill(f"{now:%H:%M}")
    page.get_by_label("Details, or why it has not been done").fill("Control room, log 123")
    click_and_wait(page, "button", "Save")
    assert scanner.path() == f"/referrals/{referral.pk}/"
    expect(page.locator("#immediate-steps")).to_contain_text("Done")
    scanner.scan("police told")
    step = ImmediateStep.objects.get()
    assert step.done and step.recorded_by == officer
    scanner.assert_scanned_every_page_listed()
