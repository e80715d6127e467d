"""Partner systems' API clients: issued by an administrator with a token shown once and
kept as a hash, and that token opens the API as the client's service account (valid,
wrong, revoked, expired), never the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from macehub.access.api_client_services import issue_api_client, revoke_api_client
from macehub.accounts.api_tokens import token_hash
from macehub.accounts.models import Agency, ApiClient
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_api_client, make_team, make_user

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_an_administrator_issues_a_client_whose_token_is_kept_only_as_a_hash(
    hub_agency: Agency, partner_agency: Agency
) -> None:
    admin = make_user("admin.one", Role.ADMINISTRATOR, agency=hub_agency)
    issued = issue_api_client(actor=admin, name="Children's case system",
                              agency=partner_agency, roles=[Role.REFERRER], valid_days=30)
    client = ApiClient.objects.get()
    assert issued.token.startswith("mh_") and issued.request is None
    assert issued.token not in {client.token_hash, client.token_prefix}
    assert client.token_hash == token_hash(issued.token)
    account = client.service_account
    assert account.username == "api.childrens-case-system"
    assert account.agency == partner_agency and account.role_codes == {Role.REFERRER}
    assert not account.has_usable_password()  # it cannot sign in to the pages
    assert client.expires_at - client.created_at == dt.timedelta(days=30)
    created = AuditEvent.objects.get(event_type=EventType.CREATE,
                                     record_type="accounts.apiclient")
    assert created.actor_username == "admin.one"
    assert issued.token not in str(created.detail)

    # A role that reads intelligence waits for a second administrator, as for a person.
    waiting = issue_api_client(actor=admin, name="Force intelligence feed", agency=hub_agency,
                               roles=[Role.ANALYST], valid_days=30, reason="Feed")
    assert waiting.request is not None and waiting.client.service_account.role_codes == set()


def test_the_token_opens_the_api_as_the_client_until_revoked_or_expired(
    partner_agency: Agency, hub_agency: Agency
) -> None:
    team = make_team(partner_agency, "Front door", is_hub_team=False)
    api_client, token = make_api_client("casesys", Role.REFERRER, agency=partner_agency,
                                        team=team)
    web = Client()

    # Valid: no session and no two-factor, the service account's own access.
    response = web.get("/api/referrals/", **_bearer(token))
    assert response.status_code == 200, response.content
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None
    listed = AuditEvent.objects.filter(event_type=EventType.VIEW).latest("pk")
    assert listed.actor_username == "api.casesys"
    # What the service account may not do is refused, as for a person with its roles.
    assert web.get("/api/intelligence/reports/", **_bearer(token)).status_code == 403

    # Wrong, or not a bearer token at all: 401, naming the scheme.
    wrong = web.get("/api/referrals/", **_bearer(token + "x"))
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    assert web.get("/api/referrals/", HTTP_AUTHORIZATION="Bearer ").status_code == 401

    # The pages are for people: a token is no session, so they ask for a sign-in.
    page = web.get("/referrals/mine/", **_bearer(token))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]

    # Expired.
    ApiClient.objects.filter(pk=api_client.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert web.get("/api/referrals/", **_bearer(token)).status_code == 401
    failure = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("pk")
    assert failure.actor_username == "api.casesys" and failure.detail["reason"] == "expired"

    # Revoked (with time left).
    ApiClient.objects.filter(pk=api_client.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1))
    assert web.get("/api/referrals/", **_bearer(token)).status_code == 200
    admin = make_user("admin.one", Role.ADMINISTRATOR, agency=hub_agency)
    revoke_api_client(actor=admin, client_pk=api_client.pk)
    assert web.get("/api/referrals/", **_bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(event_type=EventType.CHANGE, actor_username="admin.one",
                                     record_id=str(api_client.pk)).exists()


def test_administration_pages_issue_show_once_and_revoke(
    hub_agency: Agency, partner_agency: Agency, signed_in: Client
) -> None:
    admin = make_user("admin.one", Role.ADMINISTRATOR, agency=hub_agency)
    web = signed_in(admin)
    refused = web.post("/accounts/admin/api-clients/new/", {"name": "", "valid_days": "0"})
    assert refused.status_code == 200
    assert b"govuk-error-summary" in refused.content
    assert b"Enter the partner system" in refused.content

    response = web.post("/accounts/admin/api-clients/new/", {
        "name": "School MIS", "agency": partner_agency.pk, "roles": [Role.REFERRER],
        "valid_days": "90",
    })
    assert response.status_code == 200
    client = ApiClient.objects.get()
    token = response.context["token"]
    assert token.encode() in response.content and client.token_hash == token_hash(token)
    assert response["Cache-Control"] == "no-store"

    detail = web.get(f"/accounts/admin/api-clients/{client.pk}/")
    assert token.encode() not in detail.content  # shown once, never again
    web.post(f"/accounts/admin/api-clients/{client.pk}/")
    client.refresh_from_db()
    assert client.revoked_at is not None and client.revoked_by == admin
