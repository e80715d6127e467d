"""Investigations in the REST API: the list and one investigation as the pages scope and
audit them (another force's is not found), in the OpenAPI schema. All names made up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.investigations import services
from macehub.testing.factories import (
    make_agency,
    make_person,
    make_team,
    make_user,
    signed_in_client,
)

pytestmark = pytest.mark.django_db


def test_the_list_and_one_investigation_as_the_pages_show_them(
        hub_agency: Agency, hub_team: Team) -> None:
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    child = make_person(hub_agency, given_name="Amber", family_name="Testcase")
    investigation = services.record_investigation(
        actor=investigator, title="Operation Rowan", reported_on=dt.date(2026, 1, 5),
        crime=services.CrimeDetails("71", None, "Bus station"), victim_pks=[child.pk])
    client = signed_in_client(investigator)
    listed = client.get(reverse("api:investigation_list")).json()
    assert listed["count"] == 1
    assert listed["results"][0]["reference"] == investigation.reference
    assert listed["results"][0]["officer_in_case"] is None
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, actor_id=investigator.pk,
                                     detail__list="investigations (API)").exists()
    assert client.get(reverse("api:investigation_list"),
                      {"status": "closed"}).json()["count"] == 0
    refused = client.get(reverse("api:investigation_list"), {"status": "lost"})
    assert refused.status_code == 400 and "status" in refused.json()

    detail = client.get(reverse("api:investigation_detail", args=[investigation.pk])).json()
    assert detail["crimes"] == [{"offence_code": "71",
                                 "offence": "71 Abuse of children through sexual exploitation",
                                 "committed_on": None, "location": "Bus station"}]
    assert detail["victims"] == [{"person_id": child.pk, "name": "Amber Testcase",
                                  "case_id": None,
                                  "journey_id": investigation.victims.get().pk,
                                  "withdrew_on": None}]
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     record_id=str(investigation.pk)).exists()

    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    outsider = signed_in_client(make_user("oscar.other", Role.INVESTIGATOR, agency=other,
                                          team=make_team(other, "Other team")))
    assert outsider.get(reverse("api:investigation_detail",
                                args=[investigation.pk])).status_code == 404
    assert outsider.get(reverse("api:investigation_list")).json()["count"] == 0
    referrer = signed_in_client(make_user("rita.referrer", Role.REFERRER, agency=hub_agency))
    assert referrer.get(reverse("api:investigation_list")).status_code == 403

    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()
    assert "/api/investigations/{investigation_pk}/" in schema
