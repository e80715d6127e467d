"""Partner systems' API clients in a real browser: an administrator opens the list (none
yet), adds a client (refused first with nothing entered), copies the token shown once,
opens the client, whose page does not show it again, issues a new token (refused first
with an overlap too long) while the old one keeps working, and revokes it. Then the
agencies' own identity providers: an administrator adds one (refused first with nothing
entered), sees it listed as not usable while its secret is missing, and deactivates it.

Every page on the way, error states included, is scanned with axe-core against WCAG 2.2
AA (``Scanner`` from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans
each page here). All agencies are made up.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from macehub.accounts.models import Agency, ApiClient, IdentityProvider, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.browser import sign_in_as
from macehub.testing.factories import make_agency, make_user
from macehub.tests.test_browser_pages import Scanner, assert_errors_shown, click_and_wait

pytestmark = pytest.mark.browser

CLIENTS = "test_an_administrator_issues_and_revokes_a_partner_systems_client"
PROVIDERS = "test_an_administrator_adds_and_deactivates_an_agencys_identity_provider"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "accounts:api_client_list": (CLIENTS,),
    "accounts:api_client_create": (CLIENTS,),
    "accounts:api_client_detail": (CLIENTS,),
    "accounts:api_client_renew_token": (CLIENTS,),
    "accounts:identity_provider_list": (PROVIDERS,),
    "accounts:identity_provider_create": (PROVIDERS,),
    "accounts:identity_provider_edit": (PROVIDERS,),
}


@pytest.mark.django_db(transaction=True)
def test_an_administrator_issues_and_revokes_a_partner_systems_client(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency, hub_team: Team
) -> None:
    admin = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency)
    make_agency("northtown-academy", AgencyKind.EDUCATION, name="Northtown Academy")
    main = page.locator("main")

    sign_in_as(page, live_server, admin)
    scanner.open("/accounts/admin/api-clients/")
    expect(main).to_contain_text("No partner system has a client yet.")
    scanner.scan("none yet")
    click_and_wait(page, "button", "Add an API client")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter the partner system's name",
                        "Select the agency that runs the system", "Select at least one role")
    scanner.scan("nothing entered")

    page.get_by_label("Partner system's name").fill("Northtown Academy MIS")
    page.get_by_label("Agency", exact=True).select_option(label="Northtown Academy")
    page.get_by_label("Referrer").check()
    click_and_wait(page, "button", "Save")
    client = ApiClient.objects.get()
    token = page.locator("#api-token").inner_text()
    assert token.startswith("mh_")
    scanner.scan("issued, with its token")

    # The token opens the API as the client.
    api = Client().get("/api/referrals/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 200

    click_and_wait(page, "link", "See the client")
    assert scanner.path() == f"/accounts/admin/api-clients/{client.pk}/"
    expect(main).to_contain_text("api.northtown-academy-mis")
    expect(main).not_to_contain_text(token)
    scanner.scan("in use")

    click_and_wait(page, "link", "Issue a new token for Northtown Academy MIS")
    scanner.scan("new token form")
    page.get_by_label("Days the current token keeps working").fill("10")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Enter a number of days from 0 to 7")
    scanner.scan("new token, overlap too long")
    page.get_by_label("Days the current token keeps working").fill("2")
    click_and_wait(page, "button", "Save")
    new_token = page.locator("#api-token").inner_text()
    assert new_token.startswith("mh_") and new_token != token
    expect(main).to_contain_text("keeps working until")
    scanner.scan("new token shown once")
    for works in (token, new_token):
        assert Client().get("/api/referrals/",
                            HTTP_AUTHORIZATION=f"Bearer {works}").status_code == 200
    click_and_wait(page, "link", "See the client")
    expect(main).to_contain_text("Previous token works until")
    expect(main).not_to_contain_text(new_token)
    scanner.scan("in use, previous token in its overlap")

    click_and_wait(page, "button", "Revoke the token")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "its token has been revoked")
    expect(main).to_contain_text("Revoked by")
    scanner.scan("revoked")
    for stopped in (token, new_token):
        assert Client().get("/api/referrals/",
                            HTTP_AUTHORIZATION=f"Bearer {stopped}").status_code == 401

    click_and_wait(page, "link", "API clients", within="body")
    expect(main).to_contain_text("Revoked")
    scanner.scan("one revoked")


@pytest.mark.django_db(transaction=True)
def test_an_administrator_adds_and_deactivates_an_agencys_identity_provider(
    page: Page, live_server: Any, scanner: Scanner, hub_agency: Agency
) -> None:
    admin = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency)
    make_agency("northshire-council", AgencyKind.CHILDRENS_SOCIAL_CARE,
                name="Northshire Council")
    main = page.locator("main")

    sign_in_as(page, live_server, admin)
    scanner.open("/accounts/admin/identity-providers/")
    expect(main).to_contain_text("No agency has its own identity provider yet.")
    scanner.scan("none yet")
    click_and_wait(page, "button", "Add an identity provider")
    scanner.scan("empty")
    click_and_wait(page, "button", "Save")
    assert_errors_shown(page, "Select the agency this provider signs people into",
                        "Enter the name on the sign-in button", "Enter the client ID")
    scanner.scan("nothing entered")

    base = "https://login.identity.example/northshire/v2.0"
    page.get_by_label("Agency", exact=True).select_option(label="Northshire Council")
    for label, value in (
        ("Name on the sign-in button", "Northshire Council"),
        ("Short name in the sign-in address", "northshire-council"),
        ("Issuer", base), ("Authorization endpoint", f"{base}/authorize"),
        ("Token endpoint", f"{base}/token"), ("User info endpoint", f"{base}/userinfo"),
        ("Signing keys (JWKS) endpoint", f"{base}/keys"), ("Client ID", "mace-hub"),
        ("Environment variable holding the client secret", "NORTHSHIRE_OIDC_SECRET"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    click_and_wait(page, "button", "Save")
    expect(main).to_contain_text("Not usable: its client secret is missing from "
                                 "NORTHSHIRE_OIDC_SECRET")
    scanner.scan("one, its secret missing")

    click_and_wait(page, "link", "Northshire Council")
    expect(main).to_contain_text("Not offered at sign-in")
    scanner.scan("its secret missing")
    page.get_by_label("Offered at sign-in").uncheck()
    click_and_wait(page, "button", "Save")
    expect(main).to_contain_text("Inactive")
    assert not IdentityProvider.objects.get().is_active
