"""Exhibits in the REST API: scoped and audited as the pages are; the examiner gets the
exhibit and what the examination needs of its investigation, nothing more."""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.forensics.tests.factories import Force, make_force, make_investigation, seize
from macehub.testing.factories import make_agency, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> Force:
    return make_force(hub_agency, hub_team)


def test_the_list_and_one_exhibit_scoped_and_audited(force: Force) -> None:
    investigation = make_investigation(force)
    exhibit = seize(force, investigation)
    waiting_long = seize(force, investigation, priority="other", hours_ago=400)
    client = signed_in_client(force.examiner)
    listed = client.get(reverse("api:exhibit_list")).json()
    assert [row["reference"] for row in listed["results"]] == [waiting_long.reference,
                                                              exhibit.reference]
    assert client.get(reverse("api:exhibit_list"), {"stage": "nonsense"}).status_code == 400
    assert client.get(reverse("api:exhibit_list"), {"priority": "other"}).json()["count"] == 1
    detail = client.get(reverse("api:exhibit_detail", args=[exhibit.pk])).json()
    assert detail["investigation"]["reference"] == investigation.reference
    assert detail["investigation"]["offences"] == [
        "71 Abuse of children through sexual exploitation"]
    assert detail["seized_from"] == {"name": "Poppy0 Testcase", "date_of_birth": "2011-05-06"}
    assert set(detail["investigation"]) == {"id", "reference", "title", "offences",
                                            "officer_in_case", "officer_in_case_email"}
    assert "Rosa0" not in str(detail) and "Dean0" not in str(detail)
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(exhibit.pk),
                                     record_type="forensics.exhibit",
                                     detail__page="exhibit (API)").exists()
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     detail__list="exhibits (API)").exists()


def test_others_are_refused_or_not_told(force: Force) -> None:
    exhibit = seize(force, make_investigation(force))
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    examiner = make_user("olga.other", Role.FORENSICS, agency=other,
                         team=make_team(other, "Other team"))
    client = signed_in_client(examiner)
    assert client.get(reverse("api:exhibit_list")).json()["count"] == 0
    assert client.get(reverse("api:exhibit_detail", args=[exhibit.pk])).status_code == 404
    referrer = make_user("rita.referrer", Role.REFERRER, agency=force.agency)
    assert signed_in_client(referrer).get(reverse("api:exhibit_list")).status_code == 403
