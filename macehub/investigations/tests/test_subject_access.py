"""What the investigations app hands a subject access request about a child victim's
journey: the steps and the Victims' Code rights offered (disclosed, the interviewer and
intermediary named for the third-party check) and the advocates' notes (withheld by
default, naming the service), for that child and no other, in a fixed number of
queries (the advocate's contacts on the child's case are withheld the same way:
``cases/tests/test_subject_access.py``); and an investigation's lines of enquiry,
supervisory reviews and charging decisions, withheld while it is open and, once closed,
each note disclosed to whichever of the victim and the suspect it is about. All names
are made up."""

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
    ChargingDecision,
    EntitlementResponse,
    InvestigationStatus,
    JourneyStepKind,
    JourneyStepStatus,
    PreTrialTherapy,
)
from macehub.investigations.models import (
    AdvocateNote,
    ChargingDecisionRecord,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    JourneyStep,
    LineOfEnquiry,
    SupervisoryReview,
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
    with django_assert_num_queries(12):  # one per kind of record, however many
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



def test_enquiries_reviews_and_charging_decisions_withheld_open_then_by_whose_they_are(
    users: StandardUsers, hub_agency: Agency, django_assert_num_queries: Any
) -> None:
    officer, supervisor = users[Role.INVESTIGATOR], users[Role.SUPERVISOR]
    now = timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    dean = make_person(hub_agency, given_name="Dean", family_name="Madeup")
    investigation = Investigation.objects.create(
        reference="INV-2026-000002", title="Operation Hazel", owning_agency=hub_agency,
        reported_on=dt.date(2026, 2, 1), created_by=officer, created_at=now)
    InvestigationVictim.objects.create(investigation=investigation, person=child)
    InvestigationSuspect.objects.create(investigation=investigation, person=dean)
    reviews = []
    for number in (1, 2):
        LineOfEnquiry.objects.create(
            investigation=investigation, description=f"Cell site for Dean ({number})",
            owner=officer, status="done", result=f"Placed at the flat ({number})",
            recorded_by=officer, recorded_at=now)
        reviews.append(SupervisoryReview.objects.create(
            investigation=investigation, point="periodic", due_at=now, reviewed_at=now,
            reviewer=supervisor, victim_safeguarding=f"Poppy moved to safety ({number})",
            lines_of_enquiry="Phones next", suspect_management=f"Dean on bail ({number})",
            evidence_and_disclosure="Schedule started"))
    ChargingDecisionRecord.objects.create(
        investigation=investigation, decision=ChargingDecision.ACTION_PLAN,
        decided_by="cps", decided_on=dt.date(2026, 4, 1), note="Download both phones",
        recorded_by=officer, recorded_at=now)
    source = SUBJECT_SOURCES.get("investigations")

    def held(person_pk: int) -> dict[tuple[str, str], tuple[str, str]]:
        """(heading's first word and reference's last, field) to (text, withheld as)."""
        return {(item.heading.split()[0] + item.reference.split()[-1], entry.name):
                (entry.text, entry.withhold) for item in source.items(person_pk)
                for entry in item.fields}

    with django_assert_num_queries(12):  # one per kind of record, however many
        items = source.items(child.pk)
    assert sorted(item.heading for item in items) == [
        "Charging decision in an investigation naming the person",
        "Investigation naming the person as a victim",
        "Line of enquiry in an investigation naming the person",
        "Line of enquiry in an investigation naming the person",
        "Supervisory review of an investigation naming the person",
        "Supervisory review of an investigation naming the person"]
    assert {tuple(item.others_named) for item in items} == {("Dean Madeup",)}
    crime = RedactionReason.CRIME
    for who in (child, dean):  # open: the plan, its progress and the action plan withheld
        withheld = {key for key, (_, reason) in held(who.pk).items() if reason}
        assert {reason for key, (_, reason) in held(who.pk).items() if reason} == {crime}
        assert {name for _, name in withheld} == {
            "description", "result", "victim_safeguarding", "lines_of_enquiry",
            "suspect_management", "evidence_and_disclosure", "decision", "note"}
        assert len(withheld) == 2 * 2 + 4 * 2 + 2

    investigation.status = InvestigationStatus.CLOSED
    investigation.save()
    nfa = ChargingDecisionRecord.objects.create(
        investigation=investigation, decision=ChargingDecision.NFA_EVIDENTIAL,
        decided_by="cps", decided_on=dt.date(2026, 6, 1), note="Identification too weak",
        recorded_by=officer, recorded_at=now)
    third = RedactionReason.THIRD_PARTY
    as_victim, as_suspect = held(child.pk), held(dean.pk)
    review = f"Supervisory{reviews[0].pk}"
    decision = f"Charging{nfa.pk}"
    assert as_victim[review, "victim_safeguarding"][1] == ""
    assert as_victim[review, "suspect_management"][1] == third
    assert as_victim[decision, "decision"] == ("No further action – evidential test not met",
                                               "")
    assert as_victim[decision, "note"] == ("Identification too weak", third)
    assert as_suspect[review, "victim_safeguarding"][1] == third
    assert as_suspect[review, "suspect_management"][1] == ""
    assert as_suspect[decision, "note"] == ("Identification too weak", "")
    for found, withheld_only in ((as_victim, {"suspect_management", "note"}),
                                 (as_suspect, {"victim_safeguarding"})):
        # The rest is disclosed once closed, the enquiries' results among it.
        assert {key[1] for key, (_, reason) in found.items() if reason} == withheld_only
        assert sorted(text for key, (text, _) in found.items() if key[1] == "result") == [
            "Placed at the flat (1)", "Placed at the flat (2)"]
    nobody = make_person(hub_agency, given_name="Nobody")
    assert source.items(nobody.pk) == []
