"""Triage safety, in a real browser, as the people who do it: the triage queue puts the
most urgent first (a Red referral, then an under-13, and a Green one 18 days overdue
last); one triage officer picks a referral up, a colleague sees who has it and takes it
over only after confirming, then releases it. A referral that joins a child's open case
shows as new on the case, with triage's rating against the case's tier, and the key
worker reviews it and keeps the tier with a reason.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here, a POST-only action with the page it leads to).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.codes import Brag, JoinedReferralReview, RiskTier
from macehub.cases.models import ReferralJoined
from macehub.cases.services import open_case, set_key_worker
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.services import TriageDecision, record_triage_decision
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import (
    make_person,
    make_school_referrer,
    make_user,
)
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

QUEUE = "test_the_queue_puts_the_most_urgent_first_and_a_referral_is_picked_up_once"
JOINED = "test_a_referral_joining_an_open_case_prompts_a_review_of_the_tier"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "referrals:queue": (QUEUE,),
    "referrals:detail": (QUEUE,),
    "referrals:pick_up": (QUEUE,),  # POST only: the referral it returns to is scanned
    "referrals:take_over": (QUEUE,),
    "referrals:release": (QUEUE,),  # POST only: the referral it returns to is scanned
    "cases:detail": (JOINED,),
    "cases:keep_tier": (JOINED,),
}


def _referral(referrer: User, given_name: str, born: dt.date, *, codes: tuple[str, ...],
              received: dt.timedelta) -> Referral:
    assert referrer.agency is not None
    child = make_person(referrer.agency, given_name=given_name, family_name="Test",
                        date_of_birth=born)
    return make_referral(child, referrer, indicator_codes=codes,
                         received_at=timezone.now() - received)


@pytest.mark.django_db(transaction=True)
def test_the_queue_puts_the_most_urgent_first_and_a_referral_is_picked_up_once(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    colleague = make_user("col.league", Role.TRIAGE, agency=hub_agency, team=hub_team)
    referrer = make_school_referrer()
    today = timezone.localdate()
    green = _referral(referrer, "Gina", today.replace(year=today.year - 15),
                      codes=("GROOMING_GIFTS",), received=dt.timedelta(days=18))
    under_13 = _referral(referrer, "Ulla", today.replace(year=today.year - 12),
                         codes=(), received=dt.timedelta(minutes=30))
    red = _referral(referrer, "Rosa", today.replace(year=today.year - 14),
                    codes=("HEALTH_STI", "GROOMING_VEHICLES"),
                    received=dt.timedelta(minutes=10))
    assert (green.suggested_brag, red.suggested_brag) == (Brag.GREEN, Brag.RED)

    # 1. The queue: Red first, then the under-13, and the overdue Green last.
    sign_in_as(page, live_server, officer)
    scanner.open("/referrals/queue/")
    table = page.get_by_role("table")
    expect(table.locator("caption")).to_contain_text(
        "most urgent first: Red, then under-13s and immediate risk, then by time left")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(red.reference)
    expect(rows.nth(1)).to_contain_text(under_13.reference)
    expect(rows.nth(1)).to_contain_text("Under 13")
    expect(rows.nth(1)).to_contain_text("Age 12")
    expect(rows.nth(2)).to_contain_text(green.reference)
    expect(rows.nth(2)).to_contain_text("Overdue by")
    expect(rows.nth(0)).to_contain_text("Nobody yet")
    scanner.scan("three referrals, nobody has picked one up")

    # 2. The officer picks up the Red referral.
    click_and_wait(page, "link", red.reference)
    assert scanner.path() == f"/referrals/{red.pk}/"
    expect(page.locator("#picked-up")).to_contain_text("Nobody has picked up this referral yet")
    scanner.scan("nobody has it")
    click_and_wait(page, "button", "Pick up")
    assert scanner.path() == f"/referrals/{red.pk}/"
    expect(page.locator("#picked-up")).to_contain_text("Picked up by you at")
    scanner.scan("picked up by me", page_of="referrals:pick_up")

    # 3. A colleague sees who has it, and takes it over only after confirming.
    sign_in_as(page, live_server, colleague)
    scanner.open("/referrals/queue/")
    expect(page.get_by_role("table").locator("tbody tr").nth(0)).to_contain_text(
        officer.display_name)
    scanner.scan("one picked up")
    scanner.open(f"/referrals/{red.pk}/")
    expect(page.locator("#picked-up")).to_contain_text(f"Picked up by {officer.display_name}")
    expect(page.locator("#picked-up").get_by_role("button", name="Pick up")).to_have_count(0)
    scanner.scan("someone else has it")
    page.locator("#picked-up").get_by_role("link").click()
    page.wait_for_load_state("load")
    assert scanner.path() == f"/referrals/{red.pk}/take-over/"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Take over referral {red.reference}?")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        f"{officer.display_name} picked up this referral at")
    scanner.scan("asked to confirm")
    red.refresh_from_db()
    assert red.picked_up_by == officer  # nothing changes until confirmed
    click_and_wait(page, "button", "Take over")
    assert scanner.path() == f"/referrals/{red.pk}/"
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You have taken over {red.reference} from {officer.display_name}")
    expect(page.locator("#picked-up")).to_contain_text("Picked up by you at")
    scanner.scan("taken over", page_of="referrals:take_over")
    red.refresh_from_db()
    assert red.picked_up_by == colleague

    # 4. The colleague releases it.
    click_and_wait(page, "button", "Release")
    expect(page.locator("#picked-up")).to_contain_text("Nobody has picked up this referral yet")
    scanner.scan("released", page_of="referrals:release")
    red.refresh_from_db()
    assert red.picked_up_by is None
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_a_referral_joining_an_open_case_prompts_a_review_of_the_tier(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    key_worker = make_user("key.worker", Role.SOCIAL_WORKER, agency=hub_agency, team=hub_team)
    referrer = make_school_referrer()
    today = timezone.localdate()
    referral = _referral(referrer, "Hana", today.replace(year=today.year - 15),
                         codes=("HEALTH_STI", "GROOMING_VEHICLES"),
                         received=dt.timedelta(minutes=40))
    case = open_case(actor=officer, child=referral.child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Earlier referral: at significant risk")
    set_key_worker(actor=officer, case_pk=case.pk, expected_version=case.version,
                   key_worker=key_worker)
    # Triage rates the new referral Red and High: it joins the open case.
    result = record_triage_decision(
        actor=officer, referral_pk=referral.pk, expected_version=referral.version,
        decision=TriageDecision(brag=Brag.RED, risk_tier=RiskTier.HIGH,
                                outcome=TriageOutcome.OPEN_MACE_CASE,
                                outcome_reason="Being exploited now.",
                                decided_at=timezone.now()),
    )
    assert result.case_was_already_open

    sign_in_as(page, live_server, key_worker)
    scanner.open(f"/cases/{case.pk}/")
    banner = page.locator(".app-referral-joined")
    expect(banner.get_by_role("heading", name="New referral joined")).to_be_visible()
    expect(banner).to_contain_text(f"Referral {referral.reference} from Northtown Academy")
    expect(banner).to_contain_text("Triage rated it Red, high risk. The case is medium risk.")
    expect(banner.get_by_role("button", name="Change the tier")).to_be_visible()
    scanner.scan("a new referral joined")

    # Keeping the tier with no reason is refused, on the form page, keeping nothing lost.
    banner.get_by_role("button", name="Reviewed – keep the tier").click()
    page.wait_for_load_state("load")
    joined = ReferralJoined.objects.get()
    assert scanner.path() == f"/cases/{case.pk}/referrals-joined/{joined.pk}/keep-tier/"
    assert_errors_shown(page, "Enter why the risk tier stays as it is")
    scanner.scan("no reason given")
    page.get_by_label("Why does the risk tier stay as it is?").fill(
        "The plan already treats her as at significant risk; reviewed with the supervisor.")
    click_and_wait(page, "button", "Reviewed – keep the tier")
    assert scanner.path() == f"/cases/{case.pk}/"
    expect(page.locator(".app-referral-joined")).to_have_count(0)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"You reviewed the risk tier after referral {referral.reference}: it stays medium.")
    scanner.scan("the tier reviewed and kept")
    joined.refresh_from_db()
    assert joined.outcome == JoinedReferralReview.TIER_KEPT
    assert joined.acknowledged_by == key_worker
    scanner.assert_scanned_every_page_listed()
