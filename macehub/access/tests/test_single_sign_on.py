"""Single sign-on against a real OpenID Connect provider: django-oidc-provider, run in a
second process for this module (``macehub.testing.oidc_provider``), signing its ID
tokens with its own key, with two clients: the hub-wide provider of the settings and a
council's own use the first, a police force's own the second. The hub is driven with
Django's test client; the provider's sign-in page with ``requests``, following each
redirect between the two by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import (
    Agency,
    ExternalIdentity,
    IdentityProvider,
    IdentityProviderDevice,
    User,
)
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import (
    make_agency,
    make_identity_provider,
    make_team,
    make_user,
)
from macehub.testing.oidc_provider.process import Provider, running_provider
from macehub.testing.oidc_provider.serve import password_for

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/single-sign-on/callback/"
COUNCIL = "northshire-council"

PEOPLE = {
    # Signs in with a password only: the hub asks for its own code.
    "sam.worker": {"org": COUNCIL, "groups": ["staff", "cse-team"], "amr": ["pwd"],
                   "email": "sam.worker@northshire.example", "given_name": "Sam",
                   "family_name": "Worker"},
    # The provider vouches for a second factor.
    "mo.factor": {"org": COUNCIL, "groups": ["staff"], "amr": ["pwd", "mfa"],
                  "email": "mo.factor@northshire.example", "given_name": "Mo",
                  "family_name": "Factor"},
    "ola.elsewhere": {"org": "southshire-council", "groups": [], "amr": ["pwd", "mfa"],
                      "email": "ola@southshire.example"},
    # Police staff: the force's provider names teams in its "roles" claim.
    "pat.officer": {"org": "county-police", "roles": ["cse-investigators"], "amr": ["pwd", "mfa"],
                    "email": "pat.officer@county-police.example", "given_name": "Pat",
                    "family_name": "Officer"},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    with running_provider(tmp_path_factory.mktemp("identity-provider"), PEOPLE,
                          CALLBACK) as running:
        yield running


@pytest.fixture
def hub(provider: Provider, settings: Any) -> Agency:
    """The hub configured for the provider, and the council that signs in with it."""
    for name, value in provider.hub_settings().items():
        setattr(settings, name, value)
    settings.OIDC_PROVIDER_NAME = "Northshire Council"
    settings.ROOT_URLCONF = "macehub.testing.single_sign_on_urls"
    council = make_agency(COUNCIL, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Northshire Council",
                          identity_provider_organisation=COUNCIL)
    make_team(council, "Front door", is_hub_team=False)
    cse_team = make_team(council, "Exploitation team", is_hub_team=False)
    cse_team.identity_provider_group = "cse-team"
    cse_team.save()
    return council


@pytest.fixture
def agencies_own(provider: Provider, monkeypatch: pytest.MonkeyPatch,
                 settings: Any) -> tuple[IdentityProvider, IdentityProvider]:
    """No hub-wide provider: the council's own (the provider's first client) and the
    force's own (its second), each with its secret in the environment."""
    settings.OIDC_ENABLED = False
    monkeypatch.setenv("NORTHSHIRE_COUNCIL_OIDC_SECRET", provider.client_secret)
    monkeypatch.setenv("COUNTY_POLICE_OIDC_SECRET", provider.second_client_secret)
    council = make_agency(COUNCIL, AgencyKind.CHILDRENS_SOCIAL_CARE, name="Northshire Council")
    police = make_agency("county-police", AgencyKind.POLICE, name="County Police")
    for agency, name, group in ((council, "Exploitation team", "cse-team"),
                                (police, "CSE investigations", "cse-investigators")):
        team = make_team(agency, name, is_hub_team=False)
        team.identity_provider_group = group
        team.save()
    return (
        make_identity_provider(council, COUNCIL, **provider.endpoints(),
                               client_id=provider.client_id, mfa_methods="mfa"),
        # The force trusts no amr value of its provider: the hub asks for its own code.
        make_identity_provider(police, "county-police", **provider.endpoints(),
                               client_id=provider.second_client_id, groups_claim="roles",
                               mfa_methods=""),
    )


def _sign_in(client: Client, provider: Provider, username: str, start_url: str = ""):
    """Start at the hub, sign in on the provider's own page, and come back."""
    start = client.get(start_url or reverse("accounts:oidc_start"))
    assert start.status_code == 302
    return client.get(_at_the_provider(provider, start["Location"], username))


def _at_the_provider(provider: Provider, authorize_url: str, username: str) -> str:
    """Sign in on the provider's own page; the hub's callback address it sends back to."""
    assert authorize_url.startswith(f"{provider.base_url}/authorize")
    browser = requests.Session()
    at_provider = browser.get(authorize_url, allow_redirects=False)
    login_url = urljoin(provider.base_url, at_provider.headers["Location"])
    assert urlsplit(login_url).path == "/login/"
    browser.get(login_url)
    signed_in = browser.post(
        login_url, allow_redirects=False, headers={"Referer": login_url},
        data={"username": username, "password": password_for(username),
              "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
    )
    authorised = browser.get(urljoin(provider.base_url, signed_in.headers["Location"]),
                             allow_redirects=False)
    back = authorised.headers["Location"]
    assert back.startswith(CALLBACK), back
    return str(back.removeprefix("http://testserver"))


def test_first_sign_in_creates_a_user_without_roles_and_the_second_finds_them(
    hub: Agency, provider: Provider
) -> None:
    # A hub account with the same e-mail address is never taken over.
    local = make_user("sam.local", Role.ANALYST, agency=hub)
    local.email = PEOPLE["sam.worker"]["email"]
    local.save()
    client = Client()
    response = _sign_in(client, provider, "sam.worker")
    assert response.status_code == 302
    user = User.objects.get(external_identities__subject__isnull=False)
    assert user != local
    assert (user.username, user.first_name, user.last_name) == ("sam.worker@northshire.example",
                                                                 "Sam", "Worker")
    assert user.agency == hub
    assert user.team is not None and user.team.name == "Exploitation team"
    assert user.role_codes == frozenset()
    assert not user.has_usable_password()
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == f"{provider.base_url}"
    entry = AuditEvent.objects.filter(event_type=EventType.LOGIN).latest("id")
    assert entry.actor_id == user.pk
    assert entry.detail["method"] == "single sign-on"
    assert entry.detail["first_sign_in"] is True
    assert entry.detail["second_factor"] == "hub"
    # No roles yet: the hub refuses its pages until an administrator grants one.
    assert client.get(reverse("home"), follow=True).status_code == 403

    again = Client()
    _sign_in(again, provider, "sam.worker")
    assert User.objects.filter(external_identities__isnull=False).count() == 1
    assert int(again.session["_auth_user_id"]) == user.pk
    identity.refresh_from_db()
    assert identity.last_signed_in >= identity.first_signed_in


def test_an_unknown_organisation_is_refused_with_a_page_saying_so(
    hub: Agency, provider: Provider
) -> None:
    users_before = User.objects.count()
    response = _sign_in(Client(), provider, "ola.elsewhere")
    assert response.status_code == 403
    assert "Your organisation does not sign in to the hub this way" in response.content.decode()
    assert User.objects.count() == users_before
    entry = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("id")
    assert entry.actor_username == "ola.elsewhere" or entry.detail["subject"]
    assert entry.detail["refused"] == "unknown_organisation"
    assert entry.detail["organisation"] == "southshire-council"


def test_a_known_person_is_refused_when_switched_off_or_now_of_another_agency(
    hub: Agency, provider: Provider
) -> None:
    _sign_in(Client(), provider, "sam.worker")
    user = User.objects.get(email=PEOPLE["sam.worker"]["email"])
    user.agency = make_agency("county-police", AgencyKind.POLICE, name="County Police")
    user.team = None
    user.save()
    moved = _sign_in(Client(), provider, "sam.worker")
    assert moved.status_code == 403
    assert "Your account belongs to another agency" in moved.content.decode()
    user.agency, user.is_active = hub, False
    user.save()
    switched_off = _sign_in(Client(), provider, "sam.worker")
    assert switched_off.status_code == 403
    assert "Your account has been switched off" in switched_off.content.decode()
    refusals = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).order_by("id")
    assert [(entry.actor_username, entry.detail["refused"]) for entry in refusals] == [
        (user.username, "other_agency"), (user.username, "switched_off")]


def test_a_provider_that_refuses_the_code_ends_the_sign_in_as_failed(
    hub: Agency, provider: Provider, settings: Any
) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.base_url}/no-token-here"
    response = _sign_in(Client(), provider, "sam.worker")
    assert response.status_code == 400
    assert "Signing in did not finish" in response.content.decode()
    entry = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("id")
    assert entry.detail == {"method": "single sign-on", "refused": "provider_failed"}


def test_the_providers_second_factor_counts_only_when_it_asserts_one(
    hub: Agency, provider: Provider
) -> None:
    # Both have been signed in once and given a role by an administrator since.
    for username in ("mo.factor", "sam.worker"):
        _sign_in(Client(), provider, username)
        user = User.objects.get(email=PEOPLE[username]["email"])
        user.role_assignments.create(role=Role.SOCIAL_WORKER)

    vouched = Client()
    _sign_in(vouched, provider, "mo.factor")
    assert vouched.get(reverse("home")).status_code == 200
    assert IdentityProviderDevice.objects.filter(user__username__startswith="mo.").count() == 1

    password_only = Client()
    _sign_in(password_only, provider, "sam.worker")
    response = password_only.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_setup")
    assert not IdentityProviderDevice.objects.filter(
        user__username__startswith="sam.").exists()


def test_hub_accounts_still_sign_in_with_a_password_and_their_code(hub: Agency) -> None:
    make_user("ana.lyst", Role.ANALYST, agency=hub, password="correct-horse-battery-staple")
    client = Client()
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with Northshire Council" in page
    response = client.post(reverse("accounts:login"),
                           {"username": "ana.lyst", "password": "correct-horse-battery-staple"})
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("accounts:two_factor_setup")


def _started_with(agency_provider: IdentityProvider) -> str:
    return reverse("accounts:oidc_provider_start", args=[agency_provider.slug])


def test_each_agencys_provider_signs_people_into_its_own_agency_and_no_other(
    agencies_own: tuple[IdentityProvider, IdentityProvider], provider: Provider
) -> None:
    council_provider, police_provider = agencies_own
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Sign in with Northshire Council" in page and "Sign in with County Police" in page
    assert _started_with(police_provider) in page

    # Each provider signs its own staff into its own agency, the team from its own
    # groups claim, the second factor as far as that agency trusts it.
    _sign_in(Client(), provider, "sam.worker", _started_with(council_provider))
    _sign_in(Client(), provider, "pat.officer", _started_with(police_provider))
    sam = User.objects.get(email=PEOPLE["sam.worker"]["email"])
    pat = User.objects.get(email=PEOPLE["pat.officer"]["email"])
    assert (sam.agency, sam.team.name if sam.team else None) == (
        council_provider.agency, "Exploitation team")
    assert (pat.agency, pat.team.name if pat.team else None) == (
        police_provider.agency, "CSE investigations")
    signed_in = AuditEvent.objects.filter(event_type=EventType.LOGIN).order_by("id")
    assert [(entry.actor_id, entry.detail["provider"], entry.detail["second_factor"])
            for entry in signed_in] == [(sam.pk, COUNCIL, "hub"),
                                        (pat.pk, "county-police", "hub")]

    # The force's provider says Mo is the council's: Mo becomes police staff, never the
    # council's; what the claim said is kept in the audit entry.
    _sign_in(Client(), provider, "mo.factor", _started_with(police_provider))
    mo = User.objects.get(email=PEOPLE["mo.factor"]["email"])
    assert mo.agency == police_provider.agency and mo.team is None
    entry = AuditEvent.objects.filter(event_type=EventType.LOGIN).latest("id")
    assert (entry.actor_id, entry.detail["provider"], entry.detail["organisation"]) == (
        mo.pk, "county-police", COUNCIL)

    # Nor does the force's provider sign the council's Sam in, to any agency.
    refused = _sign_in(Client(), provider, "sam.worker", _started_with(police_provider))
    assert refused.status_code == 403
    assert "Your account belongs to another agency" in refused.content.decode()
    failure = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("id")
    assert (failure.actor_username, failure.detail["provider"], failure.detail["refused"]) == (
        sam.username, "county-police", "other_agency")
    assert ExternalIdentity.objects.filter(user=sam).count() == 1
    assert User.objects.filter(agency=council_provider.agency).count() == 1

    # A token from another issuer than the provider's is refused.
    council_provider.issuer = "https://login.identity.example/another-tenant/v2.0"
    council_provider.save()
    other = _sign_in(Client(), provider, "sam.worker", _started_with(council_provider))
    assert other.status_code == 403
    assert AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest(
        "id").detail["refused"] == "other_issuer"


def test_a_provider_inactive_or_without_its_secret_is_neither_offered_nor_started(
    agencies_own: tuple[IdentityProvider, IdentityProvider], provider: Provider,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    council_provider, police_provider = agencies_own
    # Started while usable, switched off before the person came back: refused.
    client = Client()
    start = client.get(_started_with(council_provider))
    IdentityProvider.objects.filter(pk=council_provider.pk).update(is_active=False)
    late = client.get(_at_the_provider(provider, start["Location"], "sam.worker"))
    assert late.status_code == 400
    assert "Signing in did not finish" in late.content.decode()
    failure = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("id")
    assert failure.detail == {"method": "single sign-on", "provider": COUNCIL,
                              "refused": "provider_unavailable"}
    assert not User.objects.filter(email=PEOPLE["sam.worker"]["email"]).exists()

    # The force's secret is missing (its file points nowhere): not offered, and neither
    # provider's start is found, nor one no agency has.
    monkeypatch.delenv("COUNTY_POLICE_OIDC_SECRET")
    monkeypatch.setenv("COUNTY_POLICE_OIDC_SECRET_FILE", str(tmp_path / "not-there"))
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "If your organisation signs you in" not in page
    assert "Sign in with" not in page
    for slug in (COUNCIL, "county-police", "no-such-provider"):
        assert Client().get(reverse("accounts:oidc_provider_start",
                                    args=[slug])).status_code == 404, slug

    # Given as a file, the secret is found again and the force's staff sign in.
    (tmp_path / "secret").write_text(provider.second_client_secret + "\n")
    monkeypatch.setenv("COUNTY_POLICE_OIDC_SECRET_FILE", str(tmp_path / "secret"))
    council_provider.refresh_from_db()
    assert (police_provider.is_usable, council_provider.is_usable) == (True, False)
    assert _sign_in(Client(), provider, "pat.officer",
                    _started_with(police_provider)).status_code == 302
