"""The people API answers to the same policy as the pages and is audited the same way."""

from __future__ import annotations

import pytest
from django.test import Client

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_person, make_team, make_user, verified_login

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_401(client: Client) -> None:
    assert client.get("/api/people/?q=x").status_code == 401


def test_search_is_scoped_and_audited(hub_agency, partner_agency) -> None:
    team = make_team(partner_agency, "District team", is_hub_team=False)
    worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=team)
    own = make_person(partner_agency, given_name="Maya", family_name="Ford")
    make_person(hub_agency, given_name="Maya", family_name="Ford")
    client = Client()
    verified_login(client, worker)
    body = client.get("/api/people/", {"q": "Maya Ford"}).json()
    assert [row["person"]["id"] for row in body] == [own.pk]
    assert AuditEvent.objects.filter(event_type=EventType.SEARCH, actor_username="sw").exists()


def test_detail_hidden_record_is_404_and_visible_one_is_audited(hub_agency, partner_agency):
    team = make_team(partner_agency, "District team", is_hub_team=False)
    worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=team)
    own = make_person(partner_agency)
    hidden = make_person(hub_agency)
    client = Client()
    verified_login(client, worker)
    assert client.get(f"/api/people/{hidden.pk}/").status_code == 404
    response = client.get(f"/api/people/{own.pk}/")
    assert response.status_code == 200
    assert response.json()["ethnicity_state"] == "not_recorded"
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(own.pk)).exists()


def test_search_without_terms_is_a_clear_400(hub_user_factory) -> None:
    client = Client()
    verified_login(client, hub_user_factory("ana", Role.ANALYST))
    response = client.get("/api/people/")
    assert response.status_code == 400
    assert "at least one of" in response.json()["detail"]


def test_roles_without_people_access_are_refused(hub_user_factory) -> None:
    client = Client()
    verified_login(client, hub_user_factory("pcc", Role.SCRUTINY))
    assert client.get("/api/people/?q=x").status_code == 403


def test_openapi_schema_describes_the_people_endpoints(hub_user_factory) -> None:
    client = Client()
    verified_login(client, hub_user_factory("ana", Role.ANALYST))
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/people/{person_pk}/" in response.content.decode()
