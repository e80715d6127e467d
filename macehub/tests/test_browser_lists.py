"""Lists that fit the screen, in a real browser: the case list (with "My cases"), the
missing episode list and the person search results, at 1280 px and 1024 px wide, with
long names and a full page of rows, with the filter panel shown and hidden. At each width
nothing may be cut off (``assert_nothing_clipped``) and every state is scanned with
axe-core against WCAG 2.2 AA (``SCANNED_BY`` names the test that scans each page here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases import services
from macehub.cases.codes import ContactKind, RiskTier
from macehub.cases.models import Case, Contact, MissingEpisode, PlanItem
from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress
from macehub.testing.browser import (
    assert_nothing_clipped,
    clipped_content,
    sign_in_as,
)
from macehub.testing.factories import make_agency, make_person, make_user
from macehub.tests.test_browser_pages import Scanner, click_and_wait

pytestmark = pytest.mark.browser

CASE_LIST = "test_case_list_fits_and_opens_on_my_cases"
EPISODES = "test_missing_episode_list_fits"
SEARCH = "test_person_search_results_fit_and_show_area_and_open_case"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "cases:list": (CASE_LIST,),
    "cases:missing_episode_list": (EPISODES,),
    "people:search": (SEARCH,),
}

WIDTHS = (1280, 1024)

# Long, real-looking names: the widest a list has to hold.
LONG_NAMES = (
    ("Oluwaseunfunmilayo", "Montgomery-Fitzwilliam"),
    ("Maximilian-Alexander", "Featherstonehaugh"),
    ("Anastasia", "Papadopoulou-Vandenberghe"),
    ("Christopher", "Wolstenholme"),
)


def _at_each_width(page: Page, scanner: Scanner, state: str) -> None:
    """At 1280 and 1024 px: nothing cut off, with the filter panel shown (as the page
    opens) and hidden, and each scanned with axe."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scanner.page.reload()
        toggle = page.locator(".moj-action-bar__filter button")
        if toggle.count():
            expect(toggle).to_have_text("Hide filter")
            expect(page.locator(".moj-filter")).to_be_visible()
        assert_nothing_clipped(page)
        scanner.scan(f"{state}, {width} px")
        if toggle.count():
            toggle.click()
            expect(toggle).to_have_text("Show filter")
            expect(page.locator(".moj-filter")).to_be_hidden()
            # The list then takes the whole width of the page's column (960 px).
            content = page.locator(".moj-filter-layout__content")
            assert content.evaluate("element => element.clientWidth") >= 900
            assert_nothing_clipped(page)
            scanner.scan(f"{state}, {width} px, filter hidden")


@pytest.fixture
def area(db: Any) -> Area:
    return Area.objects.create(code="E07999901", name="Northdale and Southmoor Villages",
                               kind=AreaKind.DISTRICT)


@pytest.fixture
def key_worker(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("kay.worker", Role.TRIAGE, agency=hub_agency, team=hub_team)


@pytest.fixture
def many_cases(hub_agency: Agency, hub_team: Team, key_worker: User, area: Area
               ) -> list[Case]:
    """Thirty open cases (more than a page), long names, each with a contact, a plan item
    overdue, a missing episode whose return home interview is overdue; the key worker
    holds the first six."""
    opener = make_user("open.er", Role.TRIAGE, agency=hub_agency, team=hub_team)
    social_care = make_agency("county-childrens-social-care", AgencyKind.CHILDRENS_SOCIAL_CARE,
                              name="County Council Children's Social Care Services")
    now = timezone.now()
    cases = []
    for number in range(30):
        given, family = LONG_NAMES[number % len(LONG_NAMES)]
        child = make_person(hub_agency, given_name=given, family_name=f"{family}{number}",
                            date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=number))
        PersonAddress.objects.create(person=child, line_1="1 Test Row", town="Town",
                                     postcode="XA1 1AA", area=area, is_current=True)
        case = services.open_case(
            actor=opener, child=child, risk_tier=(RiskTier.HIGH, RiskTier.MEDIUM)[number % 2],
            lead_agency=social_care if number % 3 else hub_agency, reason="Test",
            key_worker=key_worker if number < 6 else opener)
        Contact.objects.create(case=case, occurred_at=now - dt.timedelta(days=number + 1),
                               kind=ContactKind.PHONE, with_whom="mother", summary="Call",
                               recorded_by=opener)
        PlanItem.objects.create(case=case, action="Visit school", owner=opener,
                                owner_agency=hub_agency,
                                due_on=timezone.localdate() - dt.timedelta(days=3),
                                created_at=now - dt.timedelta(days=10), created_by=opener)
        MissingEpisode.objects.create(case=case, child=child,
                                      went_missing_at=now - dt.timedelta(hours=100 + number),
                                      returned_at=now - dt.timedelta(hours=90),
                                      recorded_by=opener)
        cases.append(case)
    return cases


@pytest.mark.django_db(transaction=True)
def test_case_list_fits_and_opens_on_my_cases(
    page: Page, live_server: Any, scanner: Scanner, key_worker: User, many_cases: list[Case]
) -> None:
    sign_in_as(page, live_server, key_worker)
    scanner.open("/cases/")
    # A key worker lands on their own cases.
    tabs = page.get_by_role("navigation", name="Whose cases")
    expect(tabs.get_by_role("link", name="My cases")).to_have_attribute("aria-current", "page")
    expect(page.locator("caption")).to_have_text("6 cases")
    _at_each_width(page, scanner, "my cases")

    # All cases: a full page of long names.
    click_and_wait(page, "link", "All cases")
    expect(page.locator("caption")).to_have_text("30 cases")
    expect(page.locator("tbody tr")).to_have_count(25)
    _at_each_width(page, scanner, "all cases")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_missing_episode_list_fits(
    page: Page, live_server: Any, scanner: Scanner, key_worker: User, many_cases: list[Case],
    hub_agency: Agency,
) -> None:
    # An episode without a case, still missing, beside the thirty with a case.
    child = make_person(hub_agency, given_name="Oluwaseunfunmilayo",
                        family_name="Papadopoulou-Vandenberghe")
    MissingEpisode.objects.create(child=child, recorded_by=key_worker,
                                  went_missing_at=timezone.now() - dt.timedelta(hours=5))
    sign_in_as(page, live_server, key_worker)
    scanner.open("/cases/missing-episodes/")
    expect(page.locator("caption")).to_have_text("31 missing episodes")
    first = page.locator("tbody tr").first
    expect(first).to_contain_text("Oluwaseunfunmilayo Papadopoulou-Vandenberghe")
    expect(first).to_contain_text("Not back yet")
    expect(first).to_contain_text("No case")
    _at_each_width(page, scanner, "a full page")
    scanner.assert_scanned_every_page_listed()


@pytest.mark.django_db(transaction=True)
def test_person_search_results_fit_and_show_area_and_open_case(
    page: Page, live_server: Any, scanner: Scanner, key_worker: User, many_cases: list[Case],
    hub_agency: Agency,
) -> None:
    # A second child of the same name, with no case and no address: the results tell
    # them apart without opening each.
    make_person(hub_agency, given_name="Christopher", family_name="Wolstenholme3",
                date_of_birth=dt.date(2012, 6, 1))
    sign_in_as(page, live_server, key_worker)
    scanner.open("/people/")
    page.get_by_label("Name or alias").fill("Christopher Wolstenholme3")
    click_and_wait(page, "button", "Search")
    rows = page.locator("tbody tr").filter(has_text="Christopher Wolstenholme3")
    expect(rows).to_have_count(2)
    with_case = rows.filter(has_text="4 January 2010")
    expect(with_case).to_contain_text("Open case")
    expect(with_case).to_contain_text("Northdale and Southmoor Villages")
    without = rows.filter(has_text="1 June 2012")
    expect(without).not_to_contain_text("Open case")
    expect(without).to_contain_text("Not recorded")
    _at_each_width(page, scanner, "two of the same name")

    # Many results with long names.
    scanner.open("/people/?q=Montgomery-Fitzwilliam")
    expect(page.locator("tbody tr").first).to_contain_text("Open case")
    assert page.locator("tbody tr").count() >= 8
    _at_each_width(page, scanner, "many results")
    scanner.assert_scanned_every_page_listed()


# --- The check itself ------------------------------------------------------------------

_WIDE = "<td>" + "W" * 400 + "</td>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A table wider than its scrolling box: cut, with no cue to scroll.
        (f'<div style="overflow-x:auto;width:300px"><table><tr>{_WIDE}</tr></table></div>',
         ["wide in a 300px box", "(overflow auto) cuts its content: 6"]),
        # Text cut by a box that hides its overflow.
        ('<p style="overflow:hidden;width:100px;white-space:nowrap">' + "x" * 300 + "</p>",
         ["p (\"", "(overflow hidden) cuts its content"]),
        # The page itself wider than the window.
        ('<div style="width:3000px">wide</div>', ["the page scrolls sideways"]),
        # Fits; and text hidden on purpose (for screen readers) is not counted.
        ('<table><tr><td>Short</td></tr></table>'
         '<span class="govuk-visually-hidden" style="position:absolute;width:1px;height:1px;'
         'overflow:hidden;clip:rect(0 0 0 0)">' + "hidden " * 50 + "</span>", []),
    ],
)
def test_the_clipping_check_finds_what_is_cut(page: Page, body: str, expected: list[str]
                                              ) -> None:
    page.set_viewport_size({"width": 1024, "height": 600})
    page.set_content(f"<!DOCTYPE html><html><body style='margin:0'>{body}</body></html>")
    found = clipped_content(page)
    for words in expected:
        assert any(words in item for item in found), (words, found)
    if expected:
        with pytest.raises(AssertionError, match="Content is cut off at 1024px"):
            assert_nothing_clipped(page)
    else:
        assert found == []
        assert_nothing_clipped(page)
