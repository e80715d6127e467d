"""Partner systems' API clients: issued by an administrator with a token shown once and
kept as a hash, and that token opens the API as the client's service account (valid,
wrong, revoked, expired), never the pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from macehub.access.api_client_services import (
    issue_api_client,
    renew_api_client_token,
    revoke_api_client,
)
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


def test_a_renewed_token_works_at_once_and_the_old_one_only_for_its_overlap(
    partner_agency: Agency, hub_agency: Agency
) -> None:
    api_client, old_token = make_api_client("casesys", Role.REFERRER, agency=partner_agency)
    admin = make_user("admin.one", Role.ADMINISTRATOR, agency=hub_agency)
    web = Client()
    with pytest.raises(ValidationError) as refused:
        renew_api_client_token(actor=admin, client_pk=api_client.pk, valid_days=0,
                               overlap_days=8)
    assert set(refused.value.message_dict) == {"valid_days", "overlap_days"}

    renewed = renew_api_client_token(actor=admin, client_pk=api_client.pk, valid_days=30,
                                     overlap_days=2)
    new_token = renewed.token
    assert new_token != old_token
    client = ApiClient.objects.get(pk=api_client.pk)
    assert client.token_hash == token_hash(new_token)
    assert client.previous_token_hash == token_hash(old_token)
    assert client.previous_token_prefix == old_token[:10]
    assert client.expires_at - timezone.now() > dt.timedelta(days=29)
    assert client.previous_token_until - timezone.now() < dt.timedelta(days=2)
    changed = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                        record_type="accounts.apiclient").latest("pk")
    assert changed.detail["changes"]["token_prefix"] == {"old": old_token[:10],
                                                         "new": new_token[:10]}
    assert new_token not in str(changed.detail) and old_token not in str(changed.detail)

    # Both work during the overlap; the old one's use is noted for the administrator.
    assert web.get("/api/referrals/", **_bearer(new_token)).status_code == 200
    assert web.get("/api/referrals/", **_bearer(old_token)).status_code == 200
    client.refresh_from_db()
    assert client.previous_token_last_used_at is not None

    # After the overlap, the old one is refused and the refusal audited.
    with time_machine.travel(timezone.now() + dt.timedelta(days=2, minutes=1)):
        assert web.get("/api/referrals/", **_bearer(old_token)).status_code == 401
        assert web.get("/api/referrals/", **_bearer(new_token)).status_code == 200
    failure = AuditEvent.objects.filter(event_type=EventType.LOGIN_FAILURE).latest("pk")
    assert failure.detail["reason"] == "a token replaced by a newer one"

    # Renewing again with no overlap stops the token it replaces at once, and the one
    # before it too.
    again = renew_api_client_token(actor=admin, client_pk=api_client.pk, valid_days=30,
                                   overlap_days=0)
    for stopped in (old_token, new_token):
        assert web.get("/api/referrals/", **_bearer(stopped)).status_code == 401
    assert web.get("/api/referrals/", **_bearer(again.token)).status_code == 200

    # Revoking stops the client whatever token it holds.
    third = renew_api_client_token(actor=admin, client_pk=api_client.pk, valid_days=30,
                                   overlap_days=7)
    revoke_api_client(actor=admin, client_pk=api_client.pk)
    for stopped in (again.token, third.token):
        assert web.get("/api/referrals/", **_bearer(stopped)).status_code == 401
    with pytest.raises(ValidationError):
        renew_api_client_token(actor=admin, client_pk=api_client.pk, valid_days=30,
                               overlap_days=0)


def test_the_new_token_page_shows_the_token_once_and_keeps_what_was_typed(
    hub_agency: Agency, partner_agency: Agency, signed_in: Client
) -> None:
    api_client, old_token = make_api_client("casesys", Role.REFERRER, agency=partner_agency)
    web = signed_in(make_user("admin.one", Role.ADMINISTRATOR, agency=hub_agency))
    address = f"/accounts/admin/api-clients/{api_client.pk}/new-token/"
    detail = web.get(f"/accounts/admin/api-clients/{api_client.pk}/")
    assert address.encode() in detail.content

    refused = web.post(address, {"valid_days": "30", "overlap_days": "9"})
    assert refused.status_code == 200
    assert b"govuk-error-summary" in refused.content
    assert b"Enter a number of days from 0 to 7" in refused.content
    assert b'value="30"' in refused.content
    assert ApiClient.objects.get().token_hash == token_hash(old_token)

    answered = web.post(address, {"valid_days": "30", "overlap_days": "3"})
    token = answered.context["token"]
    assert answered["Cache-Control"] == "no-store"
    assert token.encode() in answered.content
    assert b"keeps working until" in answered.content
    assert ApiClient.objects.get().token_hash == token_hash(token)
    shown = web.get(f"/accounts/admin/api-clients/{api_client.pk}/")
    assert token.encode() not in shown.content
    assert b"Previous token works until" in shown.content

    # A person who does not administer accounts is refused.
    social_worker = signed_in(make_user("sw.one", Role.SOCIAL_WORKER, agency=hub_agency))
    assert social_worker.get(address).status_code == 403


@override_settings(API_CALLS_PER_MINUTE=3)
def test_a_partner_system_calling_faster_than_its_limit_is_told_to_wait(
    partner_agency: Agency, signed_in: Client
) -> None:
    _first, first_token = make_api_client("casesys", Role.REFERRER, agency=partner_agency)
    _second, second_token = make_api_client("schoolmis", Role.REFERRER,
                                            agency=partner_agency)
    caches["api_throttle"].clear()
    web = Client()
    answers = [web.get("/api/referrals/", **_bearer(first_token)).status_code
               for _call in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = web.get("/api/referrals/", **_bearer(first_token))
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "detail" in refused.json()
    # Each system has its own count, kept in the database that every worker shares.
    assert web.get("/api/referrals/", **_bearer(second_token)).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM macehub_api_throttle")
        assert cursor.fetchone()[0] == 2
    # A minute later the first may call again.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert web.get("/api/referrals/", **_bearer(first_token)).status_code == 200
    # People signed in to the hub are not counted against any limit.
    person = signed_in(make_user("ref.one", Role.REFERRER, agency=partner_agency))
    assert [person.get("/api/referrals/").status_code for _call in range(5)] == [200] * 5


def test_an_api_address_that_names_nothing_answers_in_json(signed_in: Client,
                                                            hub_agency: Agency) -> None:
    web = signed_in(make_user("sw.one", Role.SOCIAL_WORKER, agency=hub_agency))
    for address in ("/api/disruptions/4.5e-50/", "/api/no-such-thing/"):
        response = web.get(address)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}
    page = web.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
