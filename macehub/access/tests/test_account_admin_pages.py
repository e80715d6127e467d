"""Administering agencies, teams and users: validation, roles, audit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, IdentityProvider, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_team, make_user, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(users):
    return users.client(Role.ADMINISTRATOR)


def test_adding_a_user_with_several_roles(admin_client, partner_agency) -> None:
    # Roles that read no one's records apply at once (others wait for a second
    # administrator: test_role_changes).
    team = make_team(partner_agency, "Learning", is_hub_team=False)
    response = admin_client.post(reverse("accounts:user_create"), {
        "username": "new.worker", "first_name": "New", "last_name": "Worker",
        "email": "new.worker@example.invalid", "agency": partner_agency.pk, "team": team.pk,
        "is_active": "on", "roles": [Role.REFERRER, Role.TRAINING_LEAD],
        "password": "a-long-synthetic-passphrase",
    })
    assert response.status_code == 302
    user = User.objects.get(username="new.worker")
    assert user.role_codes == {"referrer", "training_lead"}
    assert user.check_password("a-long-synthetic-passphrase")
    event = AuditEvent.objects.get(event_type=EventType.CREATE, record_type="accounts.user")
    assert event.detail["changes"]["roles"]["new"] == ["referrer", "training_lead"]


def test_team_must_belong_to_the_users_agency(admin_client, hub_agency, partner_agency) -> None:
    other_team = make_team(partner_agency, "Elsewhere", is_hub_team=False)
    response = admin_client.post(reverse("accounts:user_create"), {
        "username": "mismatch", "email": "m@example.invalid", "agency": hub_agency.pk,
        "team": other_team.pk, "roles": [Role.TRIAGE], "password": "a-long-synthetic-passphrase",
    })
    html = response.content.decode()
    assert "Select a team that belongs to the user&#x27;s agency" in html
    assert 'value="mismatch"' in html
    assert not User.objects.filter(username="mismatch").exists()


def test_changing_roles_is_audited_with_old_and_new(admin_client, hub_user_factory, hub_agency):
    worker = hub_user_factory("worker", Role.SUPERVISOR)
    response = admin_client.post(reverse("accounts:user_edit", args=[worker.pk]), {
        "username": "worker", "email": "w@example.invalid", "agency": hub_agency.pk,
        "team": worker.team_id, "is_active": "on", "roles": [Role.SENIOR_LEADER],
    })
    assert response.status_code == 302
    worker = User.objects.get(pk=worker.pk)
    assert worker.role_codes == {"senior_leader"}
    event = AuditEvent.objects.get(event_type=EventType.CHANGE, record_type="accounts.user")
    assert event.detail["changes"]["roles"] == {"old": ["supervisor"], "new": ["senior_leader"]}


def test_agencies_and_teams_can_be_added(admin_client) -> None:
    admin_client.post(reverse("accounts:agency_create"), {
        "name": "Northshire Education", "code": "northshire-education", "kind": "education",
        "is_active": "on",
    })
    agency = Agency.objects.get(code="northshire-education")
    admin_client.post(reverse("accounts:team_create"), {
        "agency": agency.pk, "name": "School safeguarding", "is_active": "on",
    })
    assert Team.objects.filter(agency=agency, name="School safeguarding").exists()


def test_duplicate_agency_name_is_refused(admin_client, hub_agency) -> None:
    response = admin_client.post(reverse("accounts:agency_create"), {
        "name": hub_agency.name, "code": "another-code", "kind": "police",
    })
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert Agency.objects.filter(name=hub_agency.name).count() == 1


def test_single_sign_on_mapping_is_set_on_agencies_and_teams(admin_client, hub_agency) -> None:
    admin_client.post(reverse("accounts:agency_edit", args=[hub_agency.pk]), {
        "name": hub_agency.name, "code": hub_agency.code, "kind": hub_agency.kind,
        "is_active": "on", "identity_provider_organisation": "county-police",
    })
    hub_agency.refresh_from_db()
    assert hub_agency.identity_provider_organisation == "county-police"
    # Joining a hub team is approved by a second administrator, never by a group.
    response = admin_client.post(reverse("accounts:team_create"), {
        "agency": hub_agency.pk, "name": "Hub analysts", "is_hub_team": "on",
        "is_active": "on", "identity_provider_group": "analysts",
    })
    assert "A hub team cannot have an identity provider group" in response.content.decode()
    assert not Team.objects.filter(name="Hub analysts").exists()


def test_an_agencys_identity_provider_is_added_changed_and_deactivated(
    users, partner_agency, monkeypatch
) -> None:
    admin_client = users.client(Role.ADMINISTRATOR)
    other_admin = Client()
    verified_login(other_admin, make_user("second.admin", Role.ADMINISTRATOR,
                                          agency=users[Role.ADMINISTRATOR].agency))
    base = "https://login.identity.example/northshire/v2.0"
    typed = {
        "agency": partner_agency.pk, "name": "Northshire Council", "slug": "northshire",
        "issuer": base, "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
        "jwks_endpoint": "http://login.identity.example/keys", "client_id": "mace-hub",
        "client_secret_variable": "northshire secret", "groups_claim": "groups",
        "mfa_methods": "mfa", "is_active": "on",
    }
    # Refused with what is wrong, keeping what was typed: a plain-HTTP endpoint, and a
    # secret's variable that is not a variable's name.
    refused = admin_client.post(reverse("accounts:identity_provider_create"), typed)
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "Enter an address that starts with https://" in html
    assert "Enter the name of an environment variable" in html
    assert 'value="Northshire Council"' in html
    # Nor may it name any variable but a provider's secret: the hub's own secrets would go
    # to a token endpoint the administrator chose.
    for hub_secret in ("SECRET_KEY", "DATABASE_URL", "MACEHUB_OIDC_CLIENT_SECRET"):
        typed.update(jwks_endpoint=f"{base}/keys", client_secret_variable=hub_secret)
        refused = admin_client.post(reverse("accounts:identity_provider_create"), typed)
        assert refused.status_code == 400, hub_secret
        assert "ending _OIDC_SECRET" in refused.content.decode()
    assert not IdentityProvider.objects.exists()
    typed.update(client_secret_variable="NORTHSHIRE_OIDC_SECRET")
    assert admin_client.post(reverse("accounts:identity_provider_create"),
                             typed).status_code == 302
    provider = IdentityProvider.objects.get()
    assert (provider.agency, provider.version) == (partner_agency, 1)
    created = AuditEvent.objects.get(event_type=EventType.CREATE,
                                     record_type="accounts.identityprovider")
    assert created.detail["changes"]["client_secret_variable"]["new"] == (
        "NORTHSHIRE_OIDC_SECRET")

    # Its secret is not in the environment: listed as not usable, not offered.
    listing = admin_client.get(reverse("accounts:identity_provider_list")).content.decode()
    assert "Not usable: its client secret is missing from NORTHSHIRE_OIDC_SECRET" in listing
    monkeypatch.setenv("NORTHSHIRE_OIDC_SECRET", "synthetic-secret")
    listing = admin_client.get(reverse("accounts:identity_provider_list")).content.decode()
    assert "Offered at sign-in" in listing

    # Two administrators open it; the second to save is told what the first changed.
    edit = reverse("accounts:identity_provider_edit", args=[provider.pk])
    assert other_admin.get(edit).status_code == 200
    assert admin_client.post(edit, {**typed, "version": 1, "mfa_methods": ""}).status_code == 302
    late = other_admin.post(edit, {**typed, "version": 1, "name": "Northshire CC"})
    assert late.status_code == 400
    assert "Someone else changed this identity provider" in late.content.decode()
    assert 'value="Northshire CC"' in late.content.decode()
    provider.refresh_from_db()
    assert (provider.name, provider.mfa_methods, provider.version) == (
        "Northshire Council", "", 2)

    # Deactivated: audited, and no longer offered at sign-in.
    deactivated = {name: value for name, value in typed.items() if name != "is_active"}
    assert admin_client.post(edit, {**deactivated, "version": 2,
                                    "mfa_methods": ""}).status_code == 302
    changed = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                        record_type="accounts.identityprovider").latest("id")
    assert changed.detail["changes"] == {"is_active": {"old": True, "new": False}}
    assert changed.detail["version"] == 3
    assert "Sign in with" not in admin_client.get(reverse("accounts:login")).content.decode()
