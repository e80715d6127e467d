"""Single sign-on in a real browser, against a real OpenID Connect provider run in a
second process (``macehub.testing.oidc_provider``): the sign-in page offers the
council's accounts (the hub-wide provider of the settings) and the police force's (the
force's own provider, kept as data); a council worker whose provider vouches for a
second factor signs in on the provider's own page and, new to the hub and holding no
role yet, is told they have no access; once an administrator has given them a role
they reach their home page; someone from an organisation the hub does not know is
refused with a page saying why; a police officer signs in with the force's own provider
into the force.

The hub's pages on the way are scanned with axe-core against WCAG 2.2 AA (``Scanner``
from ``test_browser_pages``; ``SCANNED_BY`` names the test that scans each page here).
The provider's page is the provider's, not the hub's, and is not scanned. All
organisations and people are made up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind, Role
from macehub.testing.factories import make_agency, make_identity_provider, make_team
from macehub.testing.oidc_provider.process import Provider, running_provider
from macehub.testing.oidc_provider.serve import password_for
from macehub.tests.test_browser_pages import Scanner, click_and_wait

pytestmark = pytest.mark.browser

SIGN_IN = "test_signing_in_with_an_agencys_identity_provider"
CALLBACK_PATH = "/accounts/single-sign-on/callback/"

SCANNED_BY: dict[str, tuple[str, ...]] = {
    "accounts:login": (SIGN_IN,),
    # Only ever redirects, to the provider: the pages either side of it are scanned.
    "accounts:oidc_start": (SIGN_IN,),
    "accounts:oidc_provider_start": (SIGN_IN,),
    "accounts:oidc_callback": (SIGN_IN,),
    "home": (SIGN_IN,),
    "handler403": (SIGN_IN,),
}

PEOPLE = {
    "mo.factor": {"org": "northshire-council", "groups": ["cse-team"], "amr": ["pwd", "mfa"],
                  "email": "mo.factor@northshire.example", "given_name": "Mo",
                  "family_name": "Factor"},
    "ola.elsewhere": {"org": "southshire-council", "amr": ["pwd", "mfa"],
                      "email": "ola@southshire.example"},
    "pat.officer": {"org": "county-police", "amr": ["pwd", "mfa"],
                    "email": "pat.officer@county-police.example"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server: Any) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("identity-provider"), PEOPLE,
                          live_server.url.rstrip("/") + CALLBACK_PATH) as running:
        yield running


def _sign_in_at_the_provider(page: Page, scanner: Scanner, username: str,
                             provider_name: str = "Northshire Council") -> None:
    page.context.clear_cookies()
    scanner.open("/accounts/login/")
    click_and_wait(page, "button", f"Sign in with {provider_name}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password_for(username))
    click_and_wait(page, "button", "Sign in")


@pytest.mark.django_db(transaction=True)
def test_signing_in_with_an_agencys_identity_provider(
    page: Page, live_server: Any, scanner: Scanner, settings: Any, provider: Provider,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in provider.hub_settings().items():
        setattr(settings, name, value)
    settings.OIDC_PROVIDER_NAME = "Northshire Council"
    settings.ROOT_URLCONF = "macehub.testing.single_sign_on_urls"
    council = make_agency("northshire-council", AgencyKind.CHILDRENS_SOCIAL_CARE,
                          name="Northshire Council",
                          identity_provider_organisation="northshire-council")
    team = make_team(council, "Exploitation team", is_hub_team=False)
    team.identity_provider_group = "cse-team"
    team.save()
    police = make_agency("county-police", AgencyKind.POLICE, name="County Police")
    monkeypatch.setenv("COUNTY_POLICE_OIDC_SECRET", provider.second_client_secret)
    make_identity_provider(police, "county-police", **provider.endpoints(),
                           client_id=provider.second_client_id)
    main = page.locator("main")

    # 1. The sign-in page offers the council's and the force's accounts beside the hub's.
    scanner.open("/accounts/login/")
    expect(main).to_contain_text("If your organisation signs you in")
    expect(main.get_by_role("button", name="Sign in with County Police")).to_be_visible()
    scanner.scan("offering single sign-on")

    # 2. A council worker, new to the hub: an account without roles, no access yet.
    _sign_in_at_the_provider(page, scanner, "mo.factor")
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    scanner.scan("signed in, no role yet", page_of="handler403")
    worker = User.objects.get(email="mo.factor@northshire.example")
    assert (worker.agency, worker.team) == (council, team)

    # 3. Given a role by an administrator, the next sign-in reaches their home page,
    # the provider's second factor standing for the hub's.
    worker.role_assignments.create(role=Role.SOCIAL_WORKER)
    _sign_in_at_the_provider(page, scanner, "mo.factor")
    assert scanner.path() == "/"
    expect(page.locator("header")).to_contain_text("Mo Factor")
    scanner.scan("signed in with the provider's second factor")

    # 4. An organisation the hub does not know is refused, with a page saying so.
    _sign_in_at_the_provider(page, scanner, "ola.elsewhere")
    assert scanner.path() == CALLBACK_PATH
    expect(page.locator("h1")).to_have_text(
        "Your organisation does not sign in to the hub this way")
    scanner.scan("an unknown organisation refused")

    # 5. A police officer, with the force's own provider: into the force, no role yet.
    _sign_in_at_the_provider(page, scanner, "pat.officer", "County Police")
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    assert User.objects.get(email="pat.officer@county-police.example").agency == police
