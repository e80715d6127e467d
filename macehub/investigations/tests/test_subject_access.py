"""What the investigations app hands a subject access request about a child victim's
journey: the steps and the Victims' Code rights offered (disclosed, the interviewer and
intermediary named for the third-party check) and the advocates' notes (withheld by
default, naming the service), for that child and no other, in a fixed number of
queries (the advocate's contacts on the child's case are withheld the same way:
``cases/tests/test_subject_access.py``). All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.investigations.codes import (
    EntitlementResponse,
    JourneyStepKind,
    JourneyStepStatus,
    PreTrialTherapy,
)
from macehub.investigations.models import (
    AdvocateNote,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    SuspectRelease,
    VictimEntitlement,
)
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

NOTE = "She told me she is frightened of going to court"
WHY = ("Confidential to the advocacy service (County Children's Services): ask the "
       "service, and check the child asks or agrees, before disclosing")


def test_the_journey_and_the_advocates_notes_for_the_child_only(
    users: StandardUsers, hub_agency: Agency, partner_agency: Agency,
    django_assert_num_queries: Any
) -> None:
    officer, advocate = users[Role.INVESTIGATOR], users[Role.VICTIM_ADVOCATE]
    now = timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    other = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    investigation = Investigation.objects.create(
        reference="INV-2026-000001", title="Operation Birch", owning_agency=hub_agency,
        reported_on=dt.date(2026, 2, 1), created_by=officer, created_at=now)
    victim = InvestigationVictim.objects.create(
        investigation=investigation, person=child, pre_trial_therapy=PreTrialTherapy.STARTED)
    others_victim = InvestigationVictim.objects.create(investigation=investigation,
                                                       person=other)
    for who, on in ((victim, dt.date(2026, 3, 2)), (others_victim, dt.date(2026, 3, 3))):
        JourneyStep.objects.create(
            victim=who, kind=JourneyStepKind.ABE_INTERVIEW, on=on,
            status=JourneyStepStatus.HELD, place="Rose suite", who="DC Example",
            intermediary="Ivy Intermediary", recorded_by=officer, recorded_at=now)
        AdvocateNote.objects.create(victim=who, text=f"{NOTE} ({who.person.given_name})",
                                    advocacy_service=partner_agency, written_by=advocate,
                                    written_at=now)
    JourneyStep.objects.create(victim=victim, kind=JourneyStepKind.COURT_HEARING,
                               what="trial", on=dt.date(2026, 9, 1),
                               status=JourneyStepStatus.PLANNED, who="Northshire Crown Court",
                               recorded_by=officer, recorded_at=now)
    VictimEntitlement.objects.create(victim=victim, right="4", offered_on=dt.date(2026, 2, 2),
                                     response=EntitlementResponse.TAKEN_UP,
                                     recorded_by=officer, recorded_at=now)

    journeys, advocacy = SUBJECT_SOURCES.get("journeys"), SUBJECT_SOURCES.get("advocacy")
    with django_assert_num_queries(1):
        steps = journeys.items(child.pk)
    with django_assert_num_queries(1):
        notes = advocacy.items(child.pk)
    assert sorted(step.heading for step in steps) == [
        "The child's journey: Achieving Best Evidence interview",
        "The child's journey: Trial"]
    interview = next(step for step in steps if step.date == dt.date(2026, 3, 2))
    assert interview.others_named == ["DC Example", "Ivy Intermediary"]
    hearing = next(step for step in steps if step.date == dt.date(2026, 9, 1))
    assert hearing.others_named == []
    assert not any(entry.withhold for step in steps for entry in step.fields)

    [note] = notes
    [text] = [entry for entry in note.fields if entry.name == "text"]
    assert text.text == f"{NOTE} (Poppy)"
    assert (text.withhold, text.why) == (RedactionReason.SERIOUS_HARM, WHY)

    dean = make_person(hub_agency, given_name="Dean", family_name="Madeup")
    SuspectRelease.objects.create(
        suspect=InvestigationSuspect.objects.create(investigation=investigation, person=dean),
        kind="bail", conditions="Not to contact the children", starts_on=dt.date(2026, 2, 3),
        expires_on=dt.date(2026, 5, 3), recorded_by=officer, recorded_at=now)
    investigations = SUBJECT_SOURCES.get("investigations")
    with django_assert_num_queries(9):  # one per kind of record, however many
        [held] = investigations.items(child.pk)
    fields = {entry.name: entry.text for entry in held.fields}
    assert fields["therapy"] == "Started"
    assert fields["rights"].endswith("Taken up (offered 2 February 2026)")
    assert "releases" not in fields
    [as_suspect] = investigations.items(dean.pk)
    assert {entry.name: entry.text for entry in as_suspect.fields}["releases"] == (
        "Pre-charge bail from 3 February 2026 to 3 May 2026: Not to contact the children")

    assert [step.date for step in journeys.items(other.pk)] == [dt.date(2026, 3, 3)]
    assert [entry.text for item in advocacy.items(other.pk) for entry in item.fields
            if entry.name == "text"] == [f"{NOTE} (Rosa)"]
    nobody = make_person(hub_agency, given_name="Nobody")
    assert journeys.items(nobody.pk) == [] and advocacy.items(nobody.pk) == []

