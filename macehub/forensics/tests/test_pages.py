"""The digital forensics pages: what each shows to whom (the examiner sees the exhibit
and only what the examination needs of its investigation; another force's exhibit is
not found), the reads audited, the queue by time left with old exhibits marked and a
fixed number of queries, refused forms keeping what was typed, an edit conflict, and
the exhibits on the investigation's page, the person's page and the child's chronology.
All names are made up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.forensics import services
from macehub.forensics.models import Exhibit
from macehub.forensics.tests.factories import (
    Force,
    make_force,
    make_investigation,
    seize,
    suspect,
    victim,
)
from macehub.people.models import Person, PersonAllocation
from macehub.testing.factories import make_agency, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> Force:
    return make_force(hub_agency, hub_team)


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_examiner_sees_the_exhibit_and_only_what_the_examination_needs(
        force: Force) -> None:
    investigation = make_investigation(force)
    child, other_child = (v.person for v in investigation.victims.order_by("pk"))
    exhibit = seize(force, investigation)
    client = signed_in_client(force.examiner)
    response = client.get(reverse("forensics:detail", args=[exhibit.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (investigation.reference, investigation.title,
                  "71 Abuse of children through sexual exploitation", "Ivy Tester",
                  force.investigator.email, child.full_name, "6 May 2011"):
        assert shown in body, shown
    # Not the other victim, the suspect, the reviews, nor links to pages they may not open.
    for hidden in (other_child.full_name, suspect(investigation).full_name, "On allocation",
                   reverse("investigations:detail", args=[investigation.pk]),
                   reverse("people:detail", args=[child.pk])):
        assert hidden not in body, hidden
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_type="forensics.exhibit",
                                     record_id=str(exhibit.pk),
                                     actor_id=force.examiner.pk).exists()
    # Still nothing of the investigation or its people.
    for url in (reverse("investigations:detail", args=[investigation.pk]),
                reverse("people:detail", args=[child.pk]),
                reverse("forensics:record_device", args=[investigation.pk])):
        assert client.get(url).status_code == 404, url
    # A device seized from nobody named shows no one's name.
    witness = seize(force, investigation, owner="other")
    body = client.get(reverse("forensics:detail", args=[witness.pk])).content.decode()
    assert child.full_name not in body and other_child.full_name not in body
    # The investigator sees the links through.
    body = signed_in_client(force.investigator).get(
        reverse("forensics:detail", args=[exhibit.pk])).content.decode()
    assert reverse("investigations:detail", args=[investigation.pk]) in body
    assert reverse("people:detail", args=[child.pk]) in body


def test_who_may_open_and_change_an_exhibit(force: Force, hub_agency: Agency,
                                            hub_team: Team) -> None:
    exhibit = seize(force, make_investigation(force))
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    other_examiner = make_user("olga.other", Role.FORENSICS, agency=other,
                               team=make_team(other, "Other team"))
    triage_officer = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    detail = reverse("forensics:detail", args=[exhibit.pk])
    triage = reverse("forensics:record_triage", args=[exhibit.pk])
    assert signed_in_client(other_examiner).get(detail).status_code == 404
    assert signed_in_client(other_examiner).get(triage).status_code == 404
    assert signed_in_client(triage_officer).get(detail).status_code == 404
    assert signed_in_client(triage_officer).get(reverse("forensics:queue")).status_code == 403
    assert signed_in_client(force.investigator).get(triage).status_code == 403
    assert signed_in_client(force.examiner).get(triage).status_code == 200
    # Done, the step's page says so and offers no form; a post is refused.
    services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=1,
                           findings="Nothing", full_examination_needed=False)
    client = signed_in_client(force.examiner)
    body = client.get(triage).content.decode()
    assert "This exhibit is triaged – no full examination needed" in body
    assert 'name="findings"' not in body
    response = client.post(triage, {"findings": "Again", "full_examination_needed": "yes",
                                    "version": 2})
    assert response.status_code == 400
    assert "This device has been triaged already" in response.content.decode()


def test_the_queue_lists_least_time_left_first_with_age_and_old_exhibits(
        force: Force) -> None:
    client = signed_in_client(force.examiner)
    investigation = make_investigation(force)
    seize(force, investigation, priority="other")
    few = queries(client, reverse("forensics:queue"))
    later = seize(force, investigation, priority="other", hours_ago=1)
    soon = seize(force, investigation, priority="immediate_risk", hours_ago=47)
    overdue = seize(force, investigation, priority="immediate_risk", hours_ago=50)
    old = seize(force, investigation, priority="group_based", hours_ago=24 * 100)
    for number in range(1, 4):
        seize(force, make_investigation(force, number), priority="other")
    assert queries(client, reverse("forensics:queue")) == few
    body = client.get(reverse("forensics:queue")).content.decode()
    positions = [body.index(e.reference) for e in (old, overdue, soon, later)]
    assert positions == sorted(positions), "least time left (most overdue) first"
    assert body.count(">Old<") == 1 and "100 days" in body
    assert "Overdue by" in body
    # Filtered: a priority, and the examined.
    body = client.get(reverse("forensics:queue"), {"priority": "immediate_risk"}
                      ).content.decode()
    assert soon.reference in body and later.reference not in body
    services.record_triage(actor=force.examiner, exhibit_pk=later.pk, expected_version=1,
                           findings="Nothing", full_examination_needed=False)
    body = client.get(reverse("forensics:queue")).content.decode()
    assert later.reference not in body
    body = client.get(reverse("forensics:queue"), {"stage": "triaged_no_full"}).content.decode()
    assert later.reference in body and soon.reference not in body
    event = AuditEvent.objects.filter(event_type=EventType.VIEW,
                                      record_type="forensics.exhibit").latest("id")
    assert event.detail["shown"] == [later.pk]


def test_a_refused_seizure_keeps_what_was_typed(force: Force) -> None:
    investigation = make_investigation(force)
    client = signed_in_client(force.investigator)
    url = reverse("forensics:record_device", args=[investigation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "device_type": "mobile_phone", "description": "Pink iPhone 11",
        "seized_on_day": "31", "seized_on_month": "2", "seized_on_year": "2026",
        "seized_time": "25:00", "owner": "suspect",
        "seized_from": victim(investigation).pk, "priority": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and "<title>Error:" in body
    assert "must be a real date" in body and "must be a real time" in body
    assert "Select the priority" in body and "Select the legal authority" in body
    assert 'value="Pink iPhone 11"' in body
    assert not Exhibit.objects.exists()
    # The service's refusal goes beside its field, with the choices kept.
    seized = timezone.localtime() - dt.timedelta(hours=3)
    response = client.post(url, {
        "device_type": "mobile_phone", "description": "Pink iPhone 11",
        "seized_on_day": seized.day, "seized_on_month": seized.month,
        "seized_on_year": seized.year, "seized_time": f"{seized:%H:%M}", "owner": "suspect",
        "seized_from": victim(investigation).pk, "priority": "immediate_risk",
        "legal_authority": "pace_s19"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "They are a victim in this investigation" in body
    assert f'<option value="{victim(investigation).pk}" selected>' in body
    response = client.post(url, {
        "device_type": "mobile_phone", "description": "Pink iPhone 11",
        "seized_on_day": seized.day, "seized_on_month": seized.month,
        "seized_on_year": seized.year, "seized_time": f"{seized:%H:%M}", "owner": "victim",
        "seized_from": victim(investigation).pk, "priority": "immediate_risk",
        "legal_authority": "pace_s19"})
    exhibit = Exhibit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("forensics:detail", args=[exhibit.pk])


def test_a_stale_triage_says_what_changed_and_keeps_the_findings(force: Force) -> None:
    exhibit = seize(force, make_investigation(force))
    client = signed_in_client(force.examiner)
    url = reverse("forensics:record_triage", args=[exhibit.pk])
    assert client.get(url).status_code == 200
    services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=1,
                           findings="First look", full_examination_needed=True)
    response = client.post(url, {"findings": "My findings", "full_examination_needed": "no",
                                 "version": 1})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Someone else changed this exhibit" in body and "My findings" in body
    exhibit.refresh_from_db()
    assert exhibit.triage_findings == "First look"


def test_exhibits_on_the_investigation_person_pages_and_chronology(
        force: Force, hub_agency: Agency, hub_team: Team) -> None:
    from macehub.forensics.chronology import devices_of_the_childs_investigations

    investigation = make_investigation(force)
    child = victim(investigation)
    exhibit = seize(force, investigation)
    services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=1,
                           findings="Contacts", full_examination_needed=False)
    client = signed_in_client(force.investigator)
    page = client.get(reverse("investigations:detail", args=[investigation.pk])
                      ).content.decode()
    assert "Devices seized" in page and exhibit.reference in page
    assert reverse("forensics:record_device", args=[investigation.pk]) in page
    page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert 'id="exhibits"' in page and exhibit.reference in page
    analyst = make_user("ana.analyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    page = signed_in_client(analyst).get(
        reverse("investigations:detail", args=[investigation.pk])).content.decode()
    assert exhibit.reference in page
    assert reverse("forensics:record_device", args=[investigation.pk]) not in page
    titles = [e.title for e in devices_of_the_childs_investigations(force.investigator,
                                                                     child)]
    named = f"exhibit {exhibit.reference}, investigation {investigation.reference}"
    assert titles == [f"Device seized ({named})", f"Device triaged ({named})"]
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    assert devices_of_the_childs_investigations(triage, child) == []
    page = signed_in_client(triage).get(reverse("people:detail", args=[child.pk]))
    assert page.status_code == 200 and 'id="exhibits"' not in page.content.decode()


def test_a_restricted_childs_identity_is_withheld_from_the_examiner(force: Force) -> None:
    investigation = make_investigation(force)
    child = victim(investigation)
    exhibit = seize(force, investigation)
    Person.objects.filter(pk=child.pk).update(is_restricted=True)
    PersonAllocation.objects.create(person=child, user=force.investigator)
    page = reverse("forensics:detail", args=[exhibit.pk])
    body = signed_in_client(force.examiner).get(page).content.decode()
    assert child.full_name not in body and "6 May 2011" not in body
    assert "A restricted record: ask the officer in the case" in body
    api = signed_in_client(force.examiner).get(reverse("api:exhibit_detail",
                                                       args=[exhibit.pk])).json()
    assert api["seized_from"] is None and api["seized_from_withheld"] is True
    # The officer allocated to the child still sees who it was.
    body = signed_in_client(force.investigator).get(page).content.decode()
    assert child.full_name in body
