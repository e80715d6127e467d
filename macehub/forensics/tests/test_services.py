"""Recording a seized device and its examination: triage due by its priority's clock
from seizure (the settings in force when it was recorded), validation of whose device it
is, the stages in order, edit conflicts detected, every change audited. All names are
made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import override_settings
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.versioning import EditConflict
from macehub.forensics import services
from macehub.forensics.codes import ExhibitStage
from macehub.forensics.models import Exhibit
from macehub.forensics.tests.factories import (
    Force,
    make_force,
    make_investigation,
    seize,
    suspect,
    victim,
)
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> Force:
    return make_force(hub_agency, hub_team)


@pytest.mark.parametrize(("priority", "hours"), [
    ("immediate_risk", 48), ("group_based", 120), ("other", 336)])
def test_triage_is_due_by_the_prioritys_clock_from_seizure(
        force: Force, priority: str, hours: int) -> None:
    investigation = make_investigation(force)
    exhibit = seize(force, investigation, priority=priority, hours_ago=5)
    assert exhibit.triage_due_at == exhibit.seized_at + dt.timedelta(hours=hours)
    assert exhibit.stage == ExhibitStage.WAITING_TRIAGE
    assert exhibit.reference.startswith(f"EXH-{timezone.now().year}-")


def test_a_change_of_setting_does_not_move_an_exhibit_already_recorded(force: Force) -> None:
    investigation = make_investigation(force)
    before = seize(force, investigation, priority="immediate_risk")
    with override_settings(FORENSICS_TRIAGE_HOURS_IMMEDIATE_RISK=24,
                           FORENSICS_FULL_EXAMINATION_DAYS=14):
        after = seize(force, investigation, priority="immediate_risk")
        assert after.triage_due_at == after.seized_at + dt.timedelta(hours=24)
        triaged = services.record_triage(
            actor=force.examiner, exhibit_pk=after.pk, expected_version=after.version,
            findings="Messages with the suspect", full_examination_needed=True)
        assert triaged.full_examination_due_at == triaged.triaged_at + dt.timedelta(days=14)
    before.refresh_from_db()
    assert before.triage_due_at == before.seized_at + dt.timedelta(hours=48)


def test_whose_device_must_match_the_person_it_was_seized_from(force: Force) -> None:
    investigation = make_investigation(force)
    outsider = make_person(force.agency, given_name="Norah", family_name="Notnamed")
    base: dict[str, Any] = {"device_type": "mobile_phone", "description": "iPhone 12",
                            "seized_at": timezone.now(), "priority": "other",
                            "legal_authority": "consent"}
    cases = [
        (services.SeizedDevice(owner="victim", seized_from_pk=outsider.pk, **base),
         "seized_from"),
        (services.SeizedDevice(owner="suspect", seized_from_pk=victim(investigation).pk,
                               **base), "owner"),
        (services.SeizedDevice(owner="other", seized_from_pk=suspect(investigation).pk,
                               **base), "seized_from"),
    ]
    for device, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.record_seized_device(actor=force.investigator,
                                          investigation_pk=investigation.pk, device=device)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.record_seized_device(
            actor=force.investigator, investigation_pk=investigation.pk,
            device=services.SeizedDevice(
                device_type="", description=" ", owner="", priority="", legal_authority="",
                seized_at=timezone.now() + dt.timedelta(days=1)))
    assert set(refused.value.message_dict) == {
        "device_type", "description", "seized_at", "owner", "priority", "legal_authority"}
    assert not Exhibit.objects.exists()
    # A witness's device, nobody named; a suspect's, named.
    assert seize(force, investigation, owner="other").seized_from is None
    assert seize(force, investigation, owner="suspect",
                 person=suspect(investigation)).seized_from == suspect(investigation)


def test_only_the_investigations_officers_record_a_device_and_only_on_an_open_one(
        force: Force, hub_agency: Agency) -> None:
    investigation = make_investigation(force)
    with pytest.raises(Http404):  # the examiner may not know the investigation exists
        seize(Force(force.agency, force.examiner, force.supervisor, force.examiner),
              investigation)
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    outsider = make_user("oscar.other", Role.INVESTIGATOR, agency=other,
                         team=make_team(other, "Other team"))
    with pytest.raises(Http404):
        seize(Force(other, outsider, outsider, outsider), investigation)
    type(investigation).objects.filter(pk=investigation.pk).update(status="closed")
    with pytest.raises(PermissionDenied):
        seize(force, investigation)


def test_triage_then_full_examination_then_return_each_audited(force: Force) -> None:
    exhibit = seize(force, make_investigation(force))
    with pytest.raises(PermissionDenied):  # the investigator does not examine
        services.record_triage(actor=force.investigator, exhibit_pk=exhibit.pk,
                               expected_version=1, findings="x", full_examination_needed=True)
    with pytest.raises(ValidationError) as refused:
        services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk,
                               expected_version=1, findings=" ", full_examination_needed=None)
    assert set(refused.value.message_dict) == {"findings", "full_examination_needed"}
    triaged = services.record_triage(
        actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=1,
        findings="Contacts with the suspect", full_examination_needed=True)
    assert triaged.stage == ExhibitStage.WAITING_FULL and triaged.version == 2
    assert triaged.full_examination_due_at == triaged.triaged_at + dt.timedelta(days=28)
    with pytest.raises(ValidationError):  # not yet examined
        services.record_after_examination(actor=force.examiner, exhibit_pk=exhibit.pk,
                                          expected_version=2, outcome="returned",
                                          on=timezone.localdate(), returned_to="Mother")
    with pytest.raises(ValidationError) as refused:
        services.record_full_examination(
            actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=2,
            report_on=timezone.localdate() - dt.timedelta(days=30), summary="")
    assert set(refused.value.message_dict) == {"report_on", "summary"}
    done = services.record_full_examination(
        actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=2,
        report_on=timezone.localdate(), summary="Messages arranging meetings")
    assert done.stage == ExhibitStage.FULL_DONE and done.examiner == force.examiner
    with pytest.raises(ValidationError) as refused:
        services.record_after_examination(actor=force.examiner, exhibit_pk=exhibit.pk,
                                          expected_version=3, outcome="retained",
                                          on=timezone.localdate(), reason="")
    assert "reason" in refused.value.message_dict
    kept = services.record_after_examination(
        actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=3, outcome="retained",
        on=timezone.localdate(), reason="Evidence at trial")
    returned = services.record_after_examination(
        actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=kept.version,
        outcome="returned", on=timezone.localdate(), returned_to="Poppy's mother")
    assert returned.stage == ExhibitStage.RETURNED and returned.retained_on is not None
    events = list(AuditEvent.objects.filter(record_type="forensics.exhibit",
                                            record_id=str(exhibit.pk)).order_by("id"))
    assert [e.event_type for e in events] == [EventType.CREATE] + [EventType.CHANGE] * 4
    assert events[1].detail["changes"]["stage"] == {
        "old": "Waiting for triage", "new": "Waiting for full examination"}
    assert events[1].actor_id == force.examiner.pk


def test_no_full_examination_needed_and_a_stale_triage_is_refused(force: Force) -> None:
    exhibit = seize(force, make_investigation(force))
    services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=1,
                           findings="Nothing of evidential value", full_examination_needed=False)
    with pytest.raises(EditConflict):
        services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk,
                               expected_version=1, findings="Again",
                               full_examination_needed=True)
    exhibit.refresh_from_db()
    assert exhibit.stage == ExhibitStage.TRIAGED_NO_FULL
    assert exhibit.full_examination_due_at is None
    with pytest.raises(ValidationError):
        services.record_triage(actor=force.examiner, exhibit_pk=exhibit.pk,
                               expected_version=exhibit.version, findings="Again",
                               full_examination_needed=True)
    disposed = services.record_after_examination(
        actor=force.examiner, exhibit_pk=exhibit.pk, expected_version=exhibit.version,
        outcome="disposed", on=timezone.localdate())
    assert disposed.stage == ExhibitStage.DISPOSED


def test_another_forces_examiner_does_not_know_the_exhibit(force: Force) -> None:
    exhibit = seize(force, make_investigation(force))
    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    examiner = make_user("olga.other", Role.FORENSICS, agency=other,
                         team=make_team(other, "Other team"))
    with pytest.raises(Http404):
        services.record_triage(actor=examiner, exhibit_pk=exhibit.pk, expected_version=1,
                               findings="x", full_examination_needed=False)


def test_a_description_too_long_is_refused_not_cut_short(force: Force) -> None:
    investigation = make_investigation(force)
    with pytest.raises(ValidationError, match="200 characters or fewer"):
        services.record_seized_device(
            actor=force.investigator, investigation_pk=investigation.pk,
            device=services.SeizedDevice(
                device_type="mobile_phone", description="Black phone " * 30,
                seized_at=timezone.now(), owner="other", priority="other",
                legal_authority="pace_s19"))
    assert not Exhibit.objects.exists()
