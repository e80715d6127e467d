"""More lists that fit the screen, in a real browser: the triage queue (long child and
agency names, the picked-up column filled), the referrals' decided and all tabs, the
intelligence report list and the intelligence review queue (both of its tabs), at 1280 px
and 1024 px wide with a full page of rows. At each width nothing may be cut off
(``assert_nothing_clipped``) and every state is scanned with axe-core against WCAG 2.2 AA
(``SCANNED_BY`` names the test that scans each page here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import Brag, RiskTier
from macehub.intelligence.codes import Priority, ReviewAction
from macehub.intelligence.tests.factories import make_report
from macehub.people.models import Person
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.browser import assert_nothing_clipped, sign_in_as
from macehub.testing.factories import make_agency, make_person, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, click_and_wait

pytestmark = pytest.mark.browser

REFERRALS = "test_referral_lists_fit"
INTELLIGENCE = "test_intelligence_lists_fit"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "referrals:queue": (REFERRALS,),
    "intelligence:report_list": (INTELLIGENCE,),
    "intelligence:review_queue": (INTELLIGENCE,),
}

WIDTHS = (1280, 1024)

# Long, real-looking names: the widest a list has to hold.
LONG_NAMES = (
    ("Oluwaseunfunmilayo", "Montgomery-Fitzwilliam"),
    ("Maximilian-Alexander", "Featherstonehaugh"),
    ("Anastasia", "Papadopoulou-Vandenberghe"),
    ("Christopher", "Wolstenholme"),
    # One long word: it has to break where it must rather than widen the table.
    ("Hubert", "Wolfeschlegelsteinhausenbergerdorff"),
)
LONG_AGENCIES = (
    ("northdale-academy-trust", AgencyKind.EDUCATION,
     "Northdale and Southmoor Villages Church of England Federated Academy Trust"),
    ("county-childrens-social-care", AgencyKind.CHILDRENS_SOCIAL_CARE,
     "County Council Children's Social Care Services "
     "(Northdale-Southmoor-Westerhampton-Easterbrook)"),
)
LONG_TEAM = ("Child Exploitation and Missing Persons Intelligence Development Unit "
             "(Northdale-Southmoor-Westerhampton-Easterbrook)")
SUMMARY = ("Girls are reported to be collected by car from the back of the takeaway on "
           "Featherstonehaugh Road in Northdale late on Friday and Saturday nights. "
           "Registration WX19ABCDEFGHIJKLMNOPQRSTUVWXYZ seen several times.")


def _at_each_width(page: Page, scanner: Scanner, state: str) -> None:
    """At 1280 and 1024 px: nothing cut off, each scanned with axe."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        assert_nothing_clipped(page)
        scanner.scan(f"{state}, {width} px")


def _long_named(user: User, family_name: str) -> User:
    user.last_name = family_name
    user.save()
    return user


def _children(hub_agency: Agency, count: int, offset: int = 0) -> list[Person]:
    children = []
    for number in range(offset, offset + count):
        given, family = LONG_NAMES[number % len(LONG_NAMES)]
        children.append(make_person(
            hub_agency, given_name=given, family_name=f"{family}{number}",
            date_of_birth=dt.date(2011, 1, 1) + dt.timedelta(days=number)))
    return children


@pytest.mark.django_db(transaction=True)
def test_referral_lists_fit(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    officer = _long_named(make_user("maximilian.triage", Role.TRIAGE, agency=hub_agency,
                                    team=hub_team), "Montgomery-Fitzwilliam")
    colleague = _long_named(make_user("anastasia.triage", Role.TRIAGE, agency=hub_agency,
                                      team=hub_team), "Featherstonehaugh-Wolstenholme")
    referrers = []
    for code, kind, name in LONG_AGENCIES:
        agency = make_agency(code, kind, name=name)
        team = make_team(agency, "Safeguarding", is_hub_team=False)
        referrers.append(make_user(f"{code.split('-')[0]}.referrer", Role.REFERRER,
                                   agency=agency, team=team))
    now = timezone.now()
    # Thirty awaiting triage (more than a page), most picked up by someone.
    for number, child in enumerate(_children(hub_agency, 30)):
        picker = (officer, colleague, None)[number % 3]
        make_referral(child, referrers[number % 2],
                      received_at=now - dt.timedelta(hours=2 + number),
                      immediate_risk=number % 4 == 0,
                      picked_up_by=picker,
                      picked_up_at=now - dt.timedelta(minutes=30) if picker else None)
    # Thirty decided, some late.
    for number, child in enumerate(_children(hub_agency, 30, offset=30)):
        received = now - dt.timedelta(days=3, hours=number)
        referral = make_referral(child, referrers[number % 2], received_at=received)
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.DECIDED, brag=(Brag.RED, Brag.AMBER)[number % 2],
            risk_tier=RiskTier.MEDIUM, outcome=list(TriageOutcome)[number % 6],
            outcome_reason="Test", decided_by=colleague,
            decided_at=received + dt.timedelta(hours=1 if number % 3 else 40))

    sign_in_as(page, live_server, officer)
    scanner.open("/referrals/queue/")
    expect(page.locator("caption")).to_contain_text("30 referrals awaiting triage")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(25)
    # Picked up by the officer ("You"), by a colleague with a long name, or nobody.
    picked_up = page.locator("tbody td:last-child")
    colleague_name = "Anastasia Featherstonehaugh-Wolstenholme"
    expect(picked_up.filter(has_text=colleague_name)).not_to_have_count(0)
    expect(picked_up.filter(has_text="You")).not_to_have_count(0)
    expect(picked_up.filter(has_text="Nobody yet")).not_to_have_count(0)
    expect(page.locator("tbody")).to_contain_text(LONG_AGENCIES[0][2])
    expect(page.locator("tbody")).to_contain_text("Oluwaseunfunmilayo Montgomery-Fitzwilliam")
    _at_each_width(page, scanner, "awaiting triage, a full page")

    click_and_wait(page, "link", "Decided")
    expect(page.locator("caption")).to_contain_text("30 decided referrals")
    expect(page.locator("tbody tr")).to_have_count(25)
    expect(page.locator("tbody")).to_contain_text(LONG_AGENCIES[1][2])
    _at_each_width(page, scanner, "decided, a full page")

    click_and_wait(page, "link", "All referrals")
    expect(page.locator("caption")).to_contain_text("60 referrals")
    expect(page.locator("tbody tr")).to_have_count(25)
    expect(page.locator("tbody")).to_contain_text("Awaiting triage")
    _at_each_width(page, scanner, "all referrals, a full page")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_intelligence_lists_fit(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team,
    partner_agency: Agency,
) -> None:
    hub_team.name = LONG_TEAM
    hub_team.save()
    author = make_user("ana.author", Role.ANALYST, agency=hub_agency, team=hub_team)
    reviewer = make_user("rev.iewer", Role.ANALYST, agency=hub_agency, team=hub_team)
    now = timezone.now()
    for number in range(30):
        reviewed = number % 2 == 0
        report = make_report(
            hub_team, author, reviewed=reviewed, sanitised_text=SUMMARY,
            handling_code="C" if number % 3 == 0 else "P",
            received_at=now - dt.timedelta(days=2, hours=number),
            priority=(Priority.HIGH, Priority.LOW)[number % 2])
        if reviewed:
            type(report).objects.filter(pk=report.pk).update(
                reviewed_by=reviewer, reviewed_at=now - dt.timedelta(days=1),
                review_action=list(ReviewAction)[number % len(ReviewAction)])

    sign_in_as(page, live_server, reviewer)
    scanner.open("/intelligence/")
    expect(page.locator("caption")).to_contain_text("30 reports")
    expect(page.locator("tbody tr")).to_have_count(25)
    expect(page.locator("tbody")).to_contain_text(LONG_TEAM)
    _at_each_width(page, scanner, "report list, a full page")

    scanner.open("/intelligence/review/")
    expect(page.locator("caption")).to_contain_text("15 reports awaiting review")
    expect(page.locator("tbody")).to_contain_text(LONG_TEAM)
    _at_each_width(page, scanner, "awaiting review")

    click_and_wait(page, "link", "Reviewed")
    expect(page.locator("caption")).to_contain_text("15 reviewed reports")
    _at_each_width(page, scanner, "reviewed")
    scanner.assert_scanned_every_page_listed()
