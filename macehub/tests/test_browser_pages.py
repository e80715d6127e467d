"""Every page of the hub in a real browser, in the states users see it: each is scanned
with axe-core against WCAG 2.2 AA, and loads its assets and scripts without errors under
the content security policy.

Pages are visited in journeys, one sign-in per role per test, so the module stays fast.
``SCANNED_BY`` names the test that scans each of the project's URLs; a scan fails if it
is not listed there, and ``test_every_page_is_scanned_in_a_browser`` fails when a URL is
routed that no test here scans.

Set MACEHUB_SCREENSHOTS=<folder> to keep a screenshot of each page scanned.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Locator, Page, expect

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.services import make_checkpoint
from macehub.people.codes import AliasKind, AreaKind, IdentifierKind
from macehub.people.models import (
    Area,
    AreaPopulation,
    AreaPopulationByAge,
    EthnicGroup,
    Person,
    PersonAddress,
    PersonAlias,
    PersonIdentifier,
)
from macehub.people.selectors import record_person_viewed
from macehub.people.services import PersonDetails, update_person_details
from macehub.testing.browser import (
    PageMonitor,
    assert_accessible,
    browser_login,
    fresh_totp_token,
)
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.browser

JOURNEY = "test_triage_officer_finds_a_person_by_a_misspelt_name"
RECORDING = "test_recording_and_changing_a_person"
GOVERNANCE = "test_information_governance_pages"
AREAS_AND_ERRORS = "test_area_pages_and_error_pages"
ADMINISTRATION = "test_administration_pages"
TWO_FACTOR_SETUP = "test_signing_in_and_setting_up_two_factor"
# In test_browser_referrals_cases.py: risk assessments, reviews due and statutory status.
RISK_AND_STATUS = "test_risk_assessment_reviews_and_statutory_status"
# In test_browser_matches.py: possible duplicate records, reviewed and decided.
MATCH_REVIEW = "test_reviewing_a_possible_duplicate"
MERGING = "test_merging_and_unmerging_a_duplicate"
# In test_browser_groups.py: a group proposed by an analyst, confirmed by a supervisor.
GROUPS = "test_proposing_and_confirming_a_group"
# In test_browser_link_lists.py: a partner's list linked from the page.
LINK_LISTS = "test_linking_a_partners_list"

# The tests that scan each page, by URL name; "handler403" and "handler404" are the error
# pages. A POST-only action is listed with the test that scans the page it leads to.
SCANNED_BY: dict[str, tuple[str, ...]] = {
    "home": (JOURNEY, GOVERNANCE, AREAS_AND_ERRORS, ADMINISTRATION, TWO_FACTOR_SETUP),
    "accounts:login": (JOURNEY, TWO_FACTOR_SETUP),
    "accounts:logout": (JOURNEY,),  # POST only: the signed-out sign-in page is scanned
    "accounts:password_change": (ADMINISTRATION,),
    "accounts:two_factor_setup": (TWO_FACTOR_SETUP,),
    "accounts:two_factor_verify": (JOURNEY,),
    "accounts:admin_home": (ADMINISTRATION,),
    "accounts:agency_list": (ADMINISTRATION,),
    "accounts:agency_create": (ADMINISTRATION,),
    "accounts:agency_edit": (ADMINISTRATION,),
    "accounts:team_list": (ADMINISTRATION,),
    "accounts:team_create": (ADMINISTRATION,),
    "accounts:team_edit": (ADMINISTRATION,),
    "accounts:user_list": (ADMINISTRATION,),
    "accounts:user_create": (ADMINISTRATION,),
    "accounts:user_edit": (ADMINISTRATION,),
    "people:search": (JOURNEY, RECORDING),
    "people:create": (RECORDING,),
    "people:detail": (JOURNEY, RECORDING, GOVERNANCE, RISK_AND_STATUS, "test_working_on_a_case",
                      MERGING, GROUPS),
    "people:statutory_status": (RISK_AND_STATUS,),
    "people:edit": (RECORDING,),
    "people:access_log": (GOVERNANCE,),
    "people:match_queue": (MATCH_REVIEW,),
    # POST only: a matching run, followed on its job's page (scanned), which leads back
    "people:find_matches": (MATCH_REVIEW,),
    "audit:requested_job": (MATCH_REVIEW,),
    "people:match_review": (MATCH_REVIEW, MERGING),
    "people:merge_pair": (MERGING,),  # a merge refused: the review page with its errors
    "people:merge_detail": (MERGING,),
    "people:link_lists": (LINK_LISTS,),
    "people:link_job": (LINK_LISTS,),
    "people:link_job_pairs": (LINK_LISTS,),  # downloaded
    "networks:group_list": (GROUPS,),
    "networks:group_propose": (GROUPS,),  # POST only: the list it returns to is scanned
    "networks:group_detail": (GROUPS,),
    "people:area_list": (AREAS_AND_ERRORS,),
    "people:area_detail": (AREAS_AND_ERRORS,),
    "audit:log": (GOVERNANCE,),
    "audit:verify": (GOVERNANCE,),  # POST only: its result page is scanned
    "audit:jobs": (GOVERNANCE,),
    # Referrals and cases: the tests are in test_browser_referrals_cases.py.
    "referrals:start": ("test_referral_to_triage_to_case_to_chronology", "test_working_on_a_case"),
    "referrals:choose_child": (
        "test_referral_to_triage_to_case_to_chronology",
        "test_working_on_a_case",
    ),
    "referrals:new_child": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:concern": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:indicators": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:check": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:cancel": ("test_working_on_a_case",),  # POST only: the start page it returns to
    "referrals:confirmation": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:mine": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:mine_detail": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:queue": ("test_referral_to_triage_to_case_to_chronology", "test_working_on_a_case"),
    "referrals:detail": ("test_referral_to_triage_to_case_to_chronology",),
    "referrals:decide": ("test_referral_to_triage_to_case_to_chronology",
                         "test_working_on_a_case"),
    "cases:list": ("test_working_on_a_case", "test_restricted_case_and_access_log"),
    "cases:detail": (
        "test_referral_to_triage_to_case_to_chronology",
        "test_working_on_a_case",
        "test_restricted_case_and_access_log",
        "test_closure_asked_for_and_approved",
        RISK_AND_STATUS,
    ),
    "cases:chronology": ("test_referral_to_triage_to_case_to_chronology",
                        "test_advocacy_notes_stay_with_the_service"),
    "cases:plan": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:contacts": ("test_referral_to_triage_to_case_to_chronology",
                      "test_advocacy_notes_stay_with_the_service"),
    "cases:missing": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:outcomes": ("test_working_on_a_case",),
    "cases:workers": ("test_working_on_a_case",),
    "cases:open_restricted": ("test_restricted_case_and_access_log",),
    "cases:access_log": ("test_restricted_case_and_access_log",),
    "cases:change_tier": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:change_exploitation_types": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:add_nrm_referral": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:edit_nrm_referral": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:change_key_worker": ("test_working_on_a_case",),
    "cases:change_lead_agency": ("test_working_on_a_case",),
    "cases:restrict": ("test_working_on_a_case",),
    "cases:close": ("test_working_on_a_case", "test_closure_asked_for_and_approved"),
    "cases:allocate": ("test_working_on_a_case",),
    "cases:unallocate": ("test_working_on_a_case",),
    "cases:share": ("test_working_on_a_case",),
    "cases:unshare": ("test_working_on_a_case",),
    "cases:change_advocate": ("test_working_on_a_case",),
    "cases:add_plan_item": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:edit_plan_item": ("test_working_on_a_case",),
    "cases:complete_plan_item": ("test_working_on_a_case",),
    "cases:add_contact": ("test_referral_to_triage_to_case_to_chronology",
                         "test_advocacy_notes_stay_with_the_service"),
    "cases:add_missing_episode": ("test_referral_to_triage_to_case_to_chronology",),
    "cases:edit_missing_episode": ("test_working_on_a_case",),
    "cases:child_add_missing_episode": ("test_working_on_a_case",),
    "cases:missing_episode_list": ("test_working_on_a_case",),
    "cases:child_edit_missing_episode": ("test_working_on_a_case",),
    "cases:add_outcome": ("test_working_on_a_case",),
    # Asking for and deciding approvals: test_browser_case_decisions.py.
    "cases:decide": ("test_closure_asked_for_and_approved",),
    "cases:end_advocacy": ("test_closure_asked_for_and_approved",),
    "cases:risk_assessments": (RISK_AND_STATUS,),
    "cases:add_risk_assessment": (RISK_AND_STATUS,),
    "cases:risk_reviews": (RISK_AND_STATUS,),
    "handler403": (AREAS_AND_ERRORS,),
    "handler404": (AREAS_AND_ERRORS,),
}
ERROR_PAGES = ("handler403", "handler404", "handler503")
# URL namespaces that answer with JSON, not pages: nothing for axe to scan.
JSON_NAMESPACES = ("api:",)

PERSON_GIVEN_NAME, PERSON_FAMILY_NAME = "Mohammed", "Khan"


# --- Scanning -------------------------------------------------------------------------


@dataclass
class Scanner:
    """Visits and scans pages for one test, checking each against the ``SCANNED_BY`` of
    the module the test is in (this module's unless told)."""

    page: Page
    monitor: PageMonitor
    base_url: str
    test_name: str
    scanned: list[str] = field(default_factory=list)
    trail: list[str] = field(default_factory=list)
    scanned_by: dict[str, tuple[str, ...]] = field(default_factory=lambda: SCANNED_BY)

    def __post_init__(self) -> None:
        # What happened, page by page, to explain a failed scan: the monitor says what
        # went wrong but not on which page.
        page, trail = self.page, self.trail
        page.on("framenavigated", lambda frame: frame == page.main_frame
                and trail.append(f"page {frame.url}"))
        page.on("response", lambda response: response.status >= 400
                and trail.append(f"  {response.status} {response.url}"))
        page.on("requestfailed", lambda request: trail.append(
            f"  failed ({request.failure}) {request.url}"))
        page.on("console", lambda message: trail.append(
            f"  console {message.type}: {message.text} at {message.location.get('url')}"))
        page.on("pageerror", lambda error: trail.append(f"  script error: {error}"))

    def open(self, path: str, *, status: int = 200) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None, path
        assert response.status == status, f"{path} answered {response.status}, not {status}"

    def scan(self, state: str, *, page_of: str | None = None) -> None:
        """Scan the page as it is now. ``page_of`` names the URL (or error page) the page
        stands for when it is not the one in the address bar."""
        url_name = page_of or resolve(urlsplit(self.page.url).path).view_name
        assert self.test_name in self.scanned_by.get(url_name, ()), (
            f"{self.test_name} scans {url_name} ({state}): add it to SCANNED_BY"
        )
        self.page.wait_for_load_state("load")
        try:
            assert_accessible(self.page)
            self.monitor.assert_clean()
        except AssertionError as error:
            raise AssertionError(
                f"{url_name} ({state}): {error}\nWhat the browser did:\n"
                + "\n".join(self.trail[-40:])
            ) from None
        self.scanned.append(f"{url_name}: {state}")
        folder = os.environ.get("MACEHUB_SCREENSHOTS")
        if folder:
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{self.test_name}-{len(self.scanned):02d}"
                          f"-{url_name}-{state}")
            Path(folder).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def assert_scanned_every_page_listed(self) -> None:
        """``scanned_by`` names this test only for pages it really scanned."""
        scanned = {entry.split(": ", 1)[0] for entry in self.scanned}
        listed = {name for name, tests in self.scanned_by.items() if self.test_name in tests}
        assert listed <= scanned, (
            f"SCANNED_BY lists pages {self.test_name} does not scan: {sorted(listed - scanned)}"
        )

    def download(self, link: Locator, content_type: str) -> bytes:
        """Fetch what a download link points at, signed in as the page is, and check it
        is the right kind of file."""
        href = link.evaluate("(a) => a.href")  # absolute, however it is written
        url_name = resolve(urlsplit(href).path).view_name
        assert self.test_name in self.scanned_by.get(url_name, ()), (
            f"{self.test_name} downloads {url_name}: add it to SCANNED_BY"
        )
        assert link.get_attribute("download") is not None, f"{href} should be a download"
        response = self.page.request.get(href)
        assert response.status == 200, f"{href} answered {response.status}"
        assert response.headers["content-type"].startswith(content_type), response.headers
        assert response.headers.get("content-disposition", "").startswith("attachment;")
        self.scanned.append(f"{url_name}: downloaded")
        return response.body()


def click_and_wait(page: Page, role: str, name: str, *, within: str = "main") -> None:
    """Click the link or button (in the main content, unless told) that loads a new
    page, and wait for the page."""
    with page.expect_navigation():
        page.locator(within).get_by_role(
            role, name=name, exact=True  # type: ignore[arg-type]
        ).first.click()


def error_summary_has_focus(page: Page) -> bool:
    return bool(page.evaluate(
        "() => document.activeElement.classList.contains('govuk-error-summary')"
    ))


def assert_errors_shown(page: Page, *messages: str) -> None:
    """The GOV.UK error pattern: "Error:" in the title, a focused error summary listing
    each message as a link, and each message beside its field."""
    assert page.title().startswith("Error: "), page.title()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    assert error_summary_has_focus(page), "the error summary should take focus"
    for message in messages:
        expect(summary.get_by_role("link", name=message, exact=True)).to_be_visible()
        expect(
            page.locator(".govuk-error-message").filter(has_text=message)
        ).to_be_visible()


def user_with_password(username: str, *roles: Role, agency: Agency, team: Team | None
                       ) -> tuple[User, str]:
    password = secrets.token_urlsafe(16)
    user = make_user(username, *roles, agency=agency, team=team, password=password)
    return user, password


def wrong_totp_token(device: TOTPDevice) -> str:
    """A six-digit code the device would refuse at any time step it accepts now."""
    valid = {
        totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        for offset in range(-3, 4)
    }
    candidate = 123456
    while candidate in valid:
        candidate += 1
    return f"{candidate:06d}"


def wait_until_verification_allowed(device: TOTPDevice, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while True:
        device.refresh_from_db()
        if device.verify_is_allowed()[0]:
            return
        assert time.monotonic() < deadline, "the device stayed throttled"
        time.sleep(0.1)


# --- Data ----------------------------------------------------------------------------


def person_with_history(agency: Agency) -> Person:
    """Mohammed Khan, with an identifier, an alias and an address to show."""
    person = make_person(
        agency, given_name=PERSON_GIVEN_NAME, family_name=PERSON_FAMILY_NAME,
        date_of_birth=dt.date(2010, 6, 2), sex="male",
        self_defined_ethnicity=EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED).first(),
        nationality="GB",
    )
    PersonIdentifier.objects.create(person=person, kind=IdentifierKind.NHS_NUMBER,
                                    value="9434765919")
    PersonAlias.objects.create(person=person, kind=AliasKind.NICKNAME, given_name="Mo",
                               family_name="Khan")
    PersonAddress.objects.create(person=person, line_1="1 Example Street", town="Exampleton",
                                 postcode="LE1 6ZZ")
    return person


def areas_with_populations() -> Area:
    """A fictional county with a district in it, each with census populations (in six
    ethnic groups, across two families) that add up to its total."""
    groups = list(EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)
                  .order_by("sort_order")[:6])
    county = Area.objects.create(code="E10999901", name="Fictional County",
                                 kind=AreaKind.COUNTY)
    district = Area.objects.create(code="E07999901", name="Fictional Borough",
                                   kind=AreaKind.DISTRICT, parent=county)
    for area, scale in ((county, 3), (district, 1)):
        populations = [100 * scale * (n + 1) for n in range(len(groups))]
        AreaPopulation.objects.bulk_create(
            AreaPopulation(area=area, ethnic_group=group, population=population)
            for group, population in zip(groups, populations, strict=True)
        )
        area.census_total = sum(populations)
        area.save(update_fields=["census_total"])
    # The county's children and adults (a quarter children), the rates' denominators.
    AreaPopulationByAge.objects.bulk_create(
        AreaPopulationByAge(area=county, ethnic_group=group, age_group=age_group,
                            population=300 * (n + 1) // (4 if age_group == "0-17" else 1))
        for n, group in enumerate(groups) for age_group in ("0-17", "18+")
    )
    return county


# --- The journeys --------------------------------------------------------------------


def test_triage_officer_finds_a_person_by_a_misspelt_name(
    page: Page, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    """Issue #2: sign in (two-factor step included), find a person by a misspelt name,
    open their record; every page on the way passes axe, and the view is audited."""
    person = person_with_history(hub_agency)
    make_person(hub_agency, given_name="Jordan", family_name="Example")  # must not match
    user, password = user_with_password("riley.triage", Role.TRIAGE, agency=hub_agency,
                                        team=hub_team)
    device = TOTPDevice.objects.create(user=user, name="Work phone", confirmed=True)

    scanner.open("/")
    assert scanner.path() == "/accounts/login/"
    scanner.scan("signed out, sent to sign in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    click_and_wait(page, "button", "Sign in")

    assert scanner.path() == "/accounts/two-factor/verify/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    scanner.scan("asking for the security code")
    page.get_by_label("Security code").fill(fresh_totp_token(device))
    click_and_wait(page, "button", "Continue")

    assert scanner.path() == "/"
    expect(page.get_by_text("Signed in as Riley Tester, County Police.")).to_be_visible()
    scanner.scan("as a triage officer")
    click_and_wait(page, "link", "Find a person")

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a person")
    expect(page.locator("#results-heading")).to_have_count(0)
    scanner.scan("nothing searched for yet")
    page.get_by_label("Name or alias").fill("Muhammad Khan")
    click_and_wait(page, "button", "Search")

    expect(page.locator("#results-heading")).to_have_text("1 person found")
    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="Mohammed Khan")).to_be_visible()
    expect(results).to_contain_text("2 June 2010")
    expect(results).to_contain_text("name is similar")
    expect(results).not_to_contain_text("Jordan")
    scanner.scan("with a result")
    click_and_wait(page, "link", "Mohammed Khan")

    assert scanner.path() == f"/people/{person.pk}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Mohammed Khan")
    details = page.locator(".govuk-summary-list").first
    for key, value in (("Name", "Mohammed Khan"), ("Date of birth", "2 June 2010"),
                       ("Sex", "Male")):
        row = details.locator(".govuk-summary-list__row").filter(has_text=key).first
        expect(row.locator(".govuk-summary-list__value")).to_have_text(value)
    expect(page.get_by_text(re.compile(r"^943 ?476 ?5919$"))).to_be_visible()
    expect(page.get_by_text("Mo Khan (nickname or street name)")).to_be_visible()
    expect(page.get_by_role("button", name="Change details")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Last changed"))).to_have_text(
        re.compile(r"Last changed \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)\.$")
    )
    scanner.scan("as a triage officer")

    viewed = AuditEvent.objects.filter(
        event_type=EventType.VIEW, record_type="people.person", record_id=str(person.pk)
    )
    assert [event.actor_username for event in viewed] == [user.username]

    click_and_wait(page, "button", "Sign out", within="header")
    assert scanner.path() == "/accounts/login/"
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    scanner.scan("after signing out", page_of="accounts:logout")


def test_searching_with_nothing_entered_says_what_to_enter(
    page: Page, page_monitor: PageMonitor, live_server: Any, hub_user_factory: Any
) -> None:
    browser_login(page, live_server, hub_user_factory("riley.triage", Role.TRIAGE))
    page.goto(f"{live_server.url}/people/")
    click_and_wait(page, "button", "Search")
    assert urlsplit(page.url).query  # the form was submitted, with every box empty
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a name, a date of birth or an identifier to search for"
    )
    assert_accessible(page)
    page_monitor.assert_clean()


def test_recording_and_changing_a_person(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    investigator = make_user("ira.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    colleague = make_user("sam.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    browser_login(page, live_server, investigator)

    # A search the form refuses: a date of birth that does not exist.
    scanner.open("/people/")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("30")
    born.get_by_label("Month").fill("2")
    born.get_by_label("Year").fill("2011")
    click_and_wait(page, "button", "Search")
    assert_errors_shown(page, "Date of birth must be a real date")
    scanner.scan("with a validation error")
    click_and_wait(page, "link", "Record a new person")

    # Recording a new person: empty, then with mistakes, then corrected.
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a new person")
    scanner.scan("empty")
    page.get_by_label("First name", exact=True).fill("Aisha")
    page.get_by_label("Last name", exact=True).fill("Begum")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("31")
    born.get_by_label("Month").fill("2")
    born.get_by_label("Year").fill("2012")
    page.get_by_label("Identifier type").select_option(label="NHS number")
    page.get_by_label("Identifier", exact=True).fill("943 476 5918")
    click_and_wait(page, "button", "Record person")

    date_error = "Date of birth must be a real date"
    nhs_error = "This NHS number's check digit is wrong – check it for typing errors"
    assert_errors_shown(page, date_error, nhs_error)
    expect(page.get_by_label("Identifier", exact=True)).to_have_value("943 476 5918")
    expect(page.get_by_label("Identifier", exact=True)).to_have_class(
        re.compile(r"\bgovuk-input--error\b")
    )
    assert not Person.objects.filter(given_name="Aisha").exists()
    scanner.scan("with an impossible date and a wrong NHS number check digit")
    page.locator(".govuk-error-summary").get_by_role("link", name=nhs_error).click()
    expect(page.get_by_label("Identifier", exact=True)).to_be_focused()
    page.locator(".govuk-error-summary").get_by_role("link", name=date_error).click()
    expect(born.get_by_label("Day")).to_be_focused()

    born.get_by_label("Day").fill("28")
    page.get_by_label("Identifier", exact=True).fill("943 476 5919")
    click_and_wait(page, "button", "Record person")
    person = Person.objects.get(given_name="Aisha", family_name="Begum")
    assert scanner.path() == f"/people/{person.pk}/"
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Aisha Begum has been recorded.")
    expect(banner).to_be_focused()
    scanner.scan("just recorded, with a success banner")

    # Changing their details: the form, a mistake, then someone else saving first.
    click_and_wait(page, "button", "Change details")
    assert scanner.path() == f"/people/{person.pk}/change/"
    expect(page.get_by_label("First name", exact=True)).to_have_value("Aisha")
    scanner.scan("the form")
    page.get_by_label("First name", exact=True).fill("")
    click_and_wait(page, "button", "Save changes")
    assert_errors_shown(page, "Enter the person's first name, or 'Unknown'")
    scanner.scan("with a missing first name")

    page.get_by_label("First name", exact=True).fill("Aisha")
    page.get_by_label("Middle names").fill("Noor")
    person.refresh_from_db()
    update_person_details(
        actor=colleague, person_pk=person.pk, expected_version=person.version,
        details=PersonDetails(given_name="Aisha", family_name="Begum-Ali",
                              date_of_birth=person.date_of_birth),
    )
    click_and_wait(page, "button", "Save changes")
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Someone else changed this record while you were editing it."
    )
    their_changes = page.locator("#their-changes")
    expect(their_changes).to_contain_text("Begum-Ali")
    expect(page.get_by_label("Middle names")).to_have_value("Noor")
    person.refresh_from_db()
    assert (person.middle_names, person.family_name) == ("", "Begum-Ali")
    scanner.scan("after someone else changed the record")

    click_and_wait(page, "button", "Save changes")
    assert scanner.path() == f"/people/{person.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The person's details have been changed."
    )
    person.refresh_from_db()
    assert person.middle_names == "Noor"


def test_information_governance_pages(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    person = person_with_history(hub_agency)
    triage = make_user("riley.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    record_person_viewed(user=triage, person=person)
    officer = make_user("ingrid.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency)
    browser_login(page, live_server, officer)

    scanner.open("/")
    expect(page.get_by_role("link", name="Audit log").first).to_be_visible()
    scanner.scan("as information governance")

    scanner.open(f"/people/{person.pk}/")
    expect(page.get_by_role("button", name="Change details")).to_have_count(0)
    scanner.scan("as information governance, with a link to the access log")
    click_and_wait(page, "link", "Who has viewed or changed this record")
    assert scanner.path() == f"/people/{person.pk}/access-log/"
    rows = page.get_by_role("table").locator("tbody tr")
    # Newest first: this access log, this officer's view of the record, then the
    # triage officer's view (reading the access log is itself audited).
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("ingrid.governance")
    expect(rows.nth(2)).to_contain_text("riley.triage")
    scanner.scan("three views recorded")

    scanner.open("/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    scanner.scan("unfiltered")
    filters = page.locator("form[method=get]")
    start = filters.get_by_role("group", name="From")
    start.get_by_label("Day").fill("10")
    start.get_by_label("Month").fill("3")
    start.get_by_label("Year").fill("2025")
    end = filters.get_by_role("group", name="To")
    end.get_by_label("Day").fill("1")
    end.get_by_label("Month").fill("3")
    end.get_by_label("Year").fill("2025")
    click_and_wait(page, "button", "Apply filters")
    assert_errors_shown(page, "The end date must be the same as or after the start date")
    scanner.scan("with the end date before the start date")

    click_and_wait(page, "button", "Check the log has not been tampered with")
    assert scanner.path() == "/audit/verify/"
    expect(page.locator(".govuk-panel")).to_contain_text("The audit log is intact")
    expect(page.locator(".govuk-inset-text")).to_contain_text("No checkpoint has been made")
    scanner.scan("the log is intact")

    make_checkpoint(actor=officer)
    scanner.open("/audit/")
    click_and_wait(page, "button", "Check the log has not been tampered with")
    expect(page.locator(".govuk-panel")).to_contain_text("the log extends its last checkpoint")
    expect(page.locator(".govuk-summary-list")).to_contain_text("The log extends it")
    scanner.scan("the log extends its last checkpoint")

    moment = timezone.now()
    DBTaskResult.objects.create(
        status="FAILED", args_kwargs={"args": [1], "kwargs": {}},
        task_path="macehub.people.list_linking.run_link_job", backend_name="default",
        run_after=moment, started_at=moment, finished_at=moment,
        exception_class_path="builtins.ValueError", traceback="")
    scanner.open("/audit/jobs/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Background jobs")
    expect(page.get_by_role("table")).to_contain_text("Stopped by ValueError")
    scanner.scan("a failed job")


def test_area_pages_and_error_pages(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency
) -> None:
    county = areas_with_populations()
    scrutiny = make_user("sol.scrutiny", Role.SCRUTINY, agency=hub_agency)
    browser_login(page, live_server, scrutiny)

    scanner.open("/")
    scanner.scan("as a scrutiny officer")
    click_and_wait(page, "link", "Areas and census populations")
    assert scanner.path() == "/people/areas/"
    expect(page.get_by_role("link", name="Fictional Borough")).to_be_visible()
    scanner.scan("two areas")
    click_and_wait(page, "link", "Fictional County")
    assert scanner.path() == f"/people/areas/{county.code}/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Fictional County")
    expect(page.get_by_role("table").first).to_contain_text("Usual residents by ethnic group")
    expect(page.get_by_role("table").nth(1)).to_contain_text("Children aged 0 to 17")
    scanner.scan("with its populations and the areas in it")

    scanner.open("/people/", status=403)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to see this page"
    )
    scanner.scan("a scrutiny officer opening the people search", page_of="handler403")

    scanner.open("/people/999999/", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    scanner.scan("a person who does not exist", page_of="handler404")


def test_administration_pages(
    page: Page, scanner: Scanner, live_server: Any, hub_agency: Agency, hub_team: Team
) -> None:
    admin, password = user_with_password("ada.admin", Role.ADMINISTRATOR, agency=hub_agency,
                                         team=hub_team)
    browser_login(page, live_server, admin, password=password)

    scanner.open("/")
    scanner.scan("as an administrator")
    click_and_wait(page, "link", "Manage agencies, teams and users")
    expect(page.get_by_role("heading", level=1)).to_have_text("Administration")
    scanner.scan("the counts")

    # Agencies.
    click_and_wait(page, "link", "Agencies")
    expect(page.get_by_role("link", name="County Police")).to_be_visible()
    scanner.scan("one agency")
    click_and_wait(page, "button", "Add an agency")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-message")).not_to_have_count(0)
    scanner.scan("saved with nothing entered")
    scanner.open("/accounts/admin/agencies/")
    click_and_wait(page, "link", "County Police")
    expect(page.get_by_label("Name")).to_have_value("County Police")
    scanner.scan("County Police")

    # Teams.
    scanner.open("/accounts/admin/teams/")
    scanner.scan("one team")
    click_and_wait(page, "button", "Add a team")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page)
    scanner.scan("saved with nothing entered")
    scanner.open("/accounts/admin/teams/")
    click_and_wait(page, "link", "MACE Hub")
    scanner.scan("the hub team")

    # Users.
    scanner.open("/accounts/admin/users/")
    expect(page.get_by_role("link", name="ada.admin")).to_be_visible()
    scanner.scan("one user")
    click_and_wait(page, "button", "Add a user")
    scanner.scan("empty")
    page.get_by_label("Username").fill("new.user")
    page.get_by_label("Initial password").fill("short")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select at least one role", "Enter the user's email address",
                        "Select the user's agency")
    scanner.scan("with missing details and a short password")
    scanner.open("/accounts/admin/users/")
    click_and_wait(page, "link", "ada.admin")
    expect(page.get_by_label("Username")).to_have_value("ada.admin")
    expect(page.get_by_label("Administrator")).to_be_checked()
    scanner.scan("the administrator's own account")

    # Their own password.
    scanner.open("/accounts/password/")
    scanner.scan("empty")
    page.get_by_label("Old password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("a-new-passphrase-for-tests")
    page.get_by_label("New password confirmation").fill("a-new-passphrase-for-tests")
    click_and_wait(page, "button", "Change password")
    assert_errors_shown(page)
    scanner.scan("with the wrong old password")


def test_signing_in_and_setting_up_two_factor(
    page: Page, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    """A new user with no authenticator app yet: a mistyped password, then enrolment."""
    user, password = user_with_password("rowan.referrer", Role.REFERRER, agency=hub_agency,
                                        team=hub_team)

    scanner.open("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password + "x")
    click_and_wait(page, "button", "Sign in")
    assert_errors_shown(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    scanner.scan("with a wrong password")
    page.get_by_label("Password").fill(password)
    click_and_wait(page, "button", "Sign in")

    assert scanner.path() == "/accounts/two-factor/setup/"
    qr_code = page.locator("img.macehub-qr-code")
    expect(qr_code).to_be_visible()
    alt = qr_code.get_attribute("alt") or ""
    assert "QR code" in alt, alt
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0",
                         qr_code.element_handle())
    scanner.scan("a new device's QR code")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Security code").fill(wrong_totp_token(device))
    click_and_wait(page, "button", "Continue")
    assert_errors_shown(page, "The security code is wrong or has expired – try the new one")
    scanner.scan("with a wrong code")

    wait_until_verification_allowed(device)  # django-otp's pause after a failure
    page.get_by_label("Security code").fill(fresh_totp_token(device))
    click_and_wait(page, "button", "Continue")
    assert scanner.path() == "/"
    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Two-factor authentication is set up.")
    expect(page.get_by_text("Nothing is waiting for you", exact=False)).to_be_visible()
    scanner.scan("as a referrer, just enrolled")
    device.refresh_from_db()
    assert device.confirmed


# --- Coverage --------------------------------------------------------------------------


def _url_names(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"Every URL needs a name: {entry.pattern}"
            yield f"{namespace}{entry.name}", entry.callback


def _browser_test_modules() -> list[Any]:
    return [
        importlib.import_module(f"{__package__}.{path.stem}")
        for path in sorted(Path(__file__).parent.glob("test_browser_*.py"))
    ]


def _scanned_by_every_module(modules: list[Any]) -> dict[str, set[str]]:
    """Every browser test module's ``SCANNED_BY``, merged: URL name -> test names."""
    merged: dict[str, set[str]] = {}
    for module in modules:
        for name, tests in getattr(module, "SCANNED_BY", {}).items():
            merged.setdefault(name, set()).update(tests)
    return merged


def test_every_page_is_scanned_in_a_browser() -> None:
    """A page routed without an axe scan fails this test: add a scan to a browser test
    and name it in that module's ``SCANNED_BY``."""
    from rest_framework.views import APIView

    modules = _browser_test_modules()
    scanned_by = _scanned_by_every_module(modules)
    # Every URL the hub can route: single sign-on's too, routed only when configured.
    routes = dict(_url_names(get_resolver("macehub.testing.single_sign_on_urls").url_patterns))
    unscanned, not_json = [], []
    for name, callback in routes.items():
        if name.startswith(JSON_NAMESPACES):
            view_class = getattr(callback, "cls", None)
            if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
                not_json.append(name)
        elif not scanned_by.get(name):
            unscanned.append(name)
    assert not unscanned, f"Pages no browser test scans: {sorted(unscanned)}"
    assert not not_json, f"Not API views, so they need a scan: {sorted(not_json)}"

    stale = set(scanned_by) - set(routes) - set(ERROR_PAGES)
    assert not stale, f"SCANNED_BY names URLs that no longer exist: {sorted(stale)}"
    for name, tests in scanned_by.items():
        for test in tests:
            assert any(callable(getattr(m, test, None)) for m in modules), (
                f"{name}: no test called {test}"
            )
