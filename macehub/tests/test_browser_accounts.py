"""Changes of access in a real browser (issue 10): one administrator gives a partner
referrer the analyst role, which waits on the user's page; a second administrator finds it
in their queue, approves it after a first try with nothing filled in, and is refused a
request the user has changed since; information governance reads the requests and
decides nothing. Every page on the way, error states included, is scanned with axe-core
against WCAG 2.2 AA and loads without asset, console or script errors (``Scanner`` from
``test_browser_pages``). ``SCANNED_BY`` names the test here that scans each page.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from macehub.access import account_services as services
from macehub.accounts.models import Agency, RoleChangeRequest, Team, User
from macehub.accounts.roles import AgencyKind, Role, RoleChangeStatus
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_team, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

TWO_ADMINISTRATORS = "test_a_change_of_access_needs_a_second_administrator"
GOVERNANCE = "test_information_governance_reads_the_changes_of_access"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "accounts:user_edit": (TWO_ADMINISTRATORS,),
    "accounts:role_change_list": (TWO_ADMINISTRATORS, GOVERNANCE),
    "accounts:role_change_detail": (TWO_ADMINISTRATORS, GOVERNANCE),
    "accounts:role_change_decide": (TWO_ADMINISTRATORS,),
}

REASON = "Joining the intelligence cell from Monday"


@pytest.fixture
def information_team(hub_agency: Agency) -> Team:
    return make_team(hub_agency, "Information Management", is_hub_team=False)


@pytest.fixture
def administrators(hub_agency: Agency, information_team: Team) -> tuple[User, User]:
    return (
        make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=information_team),
        make_user("bo.admin", Role.ADMINISTRATOR, agency=hub_agency, team=information_team),
    )


@pytest.fixture
def partner_team() -> Team:
    agency = make_agency("county-childrens-services", AgencyKind.CHILDRENS_SOCIAL_CARE,
                         name="County Children's Services")
    return make_team(agency, "District Social Work", is_hub_team=False)


def partner_referrer(username: str, team: Team) -> User:
    return make_user(username, Role.REFERRER, agency=team.agency, team=team)


def ask(actor: User, user: User, *roles: Role) -> RoleChangeRequest:
    account = User.objects.get(pk=user.pk)
    request = services.save_user(actor=actor, user=account, roles=roles, reason=REASON).request
    assert request is not None
    return request


def test_a_change_of_access_needs_a_second_administrator(
    page: Page, scanner: Scanner, live_server: Any, administrators: tuple[User, User],
    partner_team: Team,
) -> None:
    first, second = administrators
    worker = partner_referrer("pat.worker", partner_team)
    other = partner_referrer("kim.worker", partner_team)

    # The first administrator asks.
    sign_in_as(page, live_server, first)
    scanner.open(f"/accounts/admin/users/{worker.pk}/")
    expect(page.get_by_label("Referrer")).to_be_checked()
    scanner.scan("a partner referrer")
    page.get_by_label("Analyst").check()
    click_and_wait(page, "button", "Save")
    assert_errors_shown(
        page,
        "Enter why the user needs this access – the administrator who approves it will read it",
    )
    expect(page.get_by_label("Analyst")).to_be_checked()
    scanner.scan("giving the analyst role without a reason")
    page.get_by_label("Why does the user need this access?").fill(REASON)
    click_and_wait(page, "button", "Save")
    assert scanner.path() == f"/accounts/admin/users/{worker.pk}/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "waiting for a second administrator"
    )
    card = page.locator(".govuk-summary-card")
    expect(card).to_contain_text("Change of access waiting for approval")
    expect(card).to_contain_text("Referrer, Analyst")
    expect(card.get_by_role("link", name="Approve or reject", exact=False)).to_have_count(0)
    expect(page.get_by_label("Analyst")).not_to_be_checked()  # nothing applied yet
    scanner.scan("with a change of access waiting")

    scanner.open("/accounts/admin/role-changes/")
    expect(page.get_by_role("link", name="Approve or reject", exact=False)).to_have_count(0)
    scanner.scan("the requester's own request waiting")

    # Meanwhile another request, overtaken by a change made straight after it.
    overtaken = ask(first, other, Role.REFERRER, Role.INFORMATION_GOVERNANCE)
    services.save_user(actor=first, user=User.objects.get(pk=other.pk),
                       roles=[Role.REFERRER, Role.TRAINING_LEAD])

    # The second administrator decides.
    sign_in_as(page, live_server, second)
    scanner.open("/accounts/admin/role-changes/")
    expect(page.get_by_role("link", name="Approve or reject", exact=False)).to_have_count(2)
    scanner.scan("two waiting")
    click_and_wait(page, "link", f"pat.worker (request {worker.role_change_requests.get().pk})")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change of access for pat.worker"
    )
    scanner.scan("waiting")
    click_and_wait(page, "button", "Approve or reject")
    scanner.scan("nothing chosen yet")
    click_and_wait(page, "button", "Save decision")
    assert_errors_shown(page, "Select whether you approve or reject the change",
                        "Enter a comment on your decision")
    scanner.scan("saved with nothing chosen")
    page.get_by_label("Approve – apply the change now").check()
    page.get_by_label("Comment").fill("Checked with the hub manager")
    click_and_wait(page, "button", "Save decision")
    assert scanner.path() == "/accounts/admin/role-changes/"
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "approved and applied"
    )
    assert User.objects.get(pk=worker.pk).role_codes == {"referrer", "analyst"}
    scanner.scan("one approved, one waiting")

    scanner.open(f"/accounts/admin/role-changes/{overtaken.pk}/decide/")
    page.get_by_label("Approve – apply the change now").check()
    page.get_by_label("Comment").fill("Agreed")
    click_and_wait(page, "button", "Save decision")
    assert_errors_shown(
        page,
        "This user's access has changed since the request was made, so approving it would "
        "undo that change. Reject it, and ask for the change again if it is still needed.",
    )
    expect(page.locator("#changed-since")).to_contain_text("Referrer, Training lead")
    scanner.scan("a request the user has changed since")
    page.get_by_label("Reject – change nothing").check()
    click_and_wait(page, "button", "Save decision")
    assert RoleChangeRequest.objects.get(pk=overtaken.pk).status == RoleChangeStatus.REJECTED
    assert User.objects.get(pk=other.pk).role_codes == {"referrer", "training_lead"}

    click_and_wait(page, "link", f"pat.worker (request {worker.role_change_requests.get().pk})")
    expect(page.locator("main")).to_contain_text("Checked with the hub manager")
    scanner.scan("approved")
    scanner.assert_scanned_every_page_listed()


def test_information_governance_reads_the_changes_of_access(
    page: Page, scanner: Scanner, live_server: Any, administrators: tuple[User, User],
    partner_team: Team, hub_agency: Agency, information_team: Team,
) -> None:
    first, second = administrators
    approved = ask(first, partner_referrer("pat.worker", partner_team),
                   Role.REFERRER, Role.ANALYST)
    services.approve_role_change(actor=second, request_pk=approved.pk, comment="Checked")
    ask(second, partner_referrer("kim.worker", partner_team), Role.REFERRER, Role.TRIAGE)
    governance = make_user("ingrid.governance", Role.INFORMATION_GOVERNANCE,
                           agency=hub_agency, team=information_team)

    sign_in_as(page, live_server, governance)
    click_and_wait(page, "link", "Changes of access", within="nav[aria-label=Menu]")
    assert scanner.path() == "/accounts/admin/role-changes/"
    expect(page.get_by_role("table").first).to_contain_text("kim.worker")
    expect(page.get_by_role("table").nth(1)).to_contain_text("Approved")
    expect(page.get_by_role("link", name="Approve or reject", exact=False)).to_have_count(0)
    scanner.scan("as information governance, one waiting and one approved")
    click_and_wait(page, "link", f"pat.worker (request {approved.pk})")
    expect(page.locator("main")).to_contain_text("Bo Tester")  # who decided
    expect(page.locator("main")).to_contain_text("Checked")
    expect(page.get_by_role("button", name="Approve or reject")).to_have_count(0)
    scanner.scan("as information governance, approved")
    scanner.assert_scanned_every_page_listed()
