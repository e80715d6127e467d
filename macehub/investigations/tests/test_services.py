"""Investigations as the services keep them: recorded for the force with its first crime,
victims linked to their open cases; allocated with a review due within the allocation
time; reviews signed by someone other than the officer in the case, each scheduling the
next; no charging decision and no closure without the review at that point; every change
audited, and a stale version refused. All names are made up."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.models import Case
from macehub.core.versioning import EditConflict
from macehub.investigations import services
from macehub.investigations.codes import (
    ChargingDecision,
    ChargingDecisionMaker,
    InvestigationStatus,
    OutcomeCode,
    ReviewPoint,
)
from macehub.investigations.models import Investigation, SupervisoryReview
from macehub.people.models import Person
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db

MONDAY_NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
FINDINGS = services.ReviewFindings(
    victim_safeguarding="Both children seen this week; advocate allocated.",
    lines_of_enquiry="Phone download outstanding; taxi records requested.",
    suspect_management="Suspect on bail, conditions not to contact the children.",
    evidence_and_disclosure="ABE interview recorded; disclosure schedule started.",
    next_review_on=None,
)


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                             team=hub_team)
    supervisor = make_user("sid.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    child = make_person(hub_agency, given_name="Amber", family_name="Testcase")
    suspect = make_person(hub_agency, given_name="Dean", family_name="Madeup",
                          date_of_birth=dt.date(1988, 5, 1), sex="male")
    return {"investigator": investigator, "supervisor": supervisor, "child": child,
            "suspect": suspect, "agency": hub_agency}


def record(force: dict[str, Any], **overrides: Any) -> Investigation:
    fields: dict[str, Any] = {
        "title": "Operation Birch", "reported_on": dt.date(2026, 2, 27),
        "crime": services.CrimeDetails("71", dt.date(2026, 2, 20), "Station car park"),
        "victim_pks": [force["child"].pk], "suspect_pks": [force["suspect"].pk],
    }
    fields.update(overrides)
    return services.record_investigation(actor=force["investigator"], **fields)


def allocated(force: dict[str, Any]) -> Investigation:
    investigation = record(force)
    return services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                             expected_version=investigation.version,
                             officer_pk=force["investigator"].pk,
                             supervisor_pk=force["supervisor"].pk)


def charged(force: dict[str, Any], sent: Investigation) -> Investigation:
    """The CPS authorises a charge on a file sent for a charging decision."""
    services.record_charging_decision(
        actor=force["investigator"], investigation_pk=sent.pk, expected_version=sent.version,
        decision=ChargingDecision.CHARGE, decided_by=ChargingDecisionMaker.CPS,
        decided_on=timezone.localdate())
    sent.refresh_from_db()
    return sent


def waiting(investigation: Investigation, point: str) -> SupervisoryReview:
    return investigation.reviews.get(point=point, reviewed_at__isnull=True)


@time_machine.travel(MONDAY_NOON, tick=False)
def test_an_investigation_is_recorded_for_the_force_with_its_victims_cases(
        force: dict[str, Any]) -> None:
    case = Case.objects.create(
        reference="CASE-2026-000001", child=force["child"], opened_at=timezone.now(),
        opened_by=force["supervisor"], lead_agency=force["agency"], risk_tier="high")
    investigation = record(force)
    assert investigation.reference.startswith("INV-2026-")
    assert investigation.owning_agency == force["agency"]
    assert investigation.status == InvestigationStatus.OPEN
    victim = investigation.victims.get()
    assert (victim.person, victim.case) == (force["child"], case)
    assert investigation.suspects.get().person == force["suspect"]
    assert investigation.crimes.get().offence_code == "71"
    assert not investigation.reviews.exists(), "no review is due before allocation"
    event = AuditEvent.objects.get(event_type=EventType.CREATE,
                                   record_id=str(investigation.pk))
    assert event.detail["victims"] == [force["child"].pk]


@time_machine.travel(MONDAY_NOON, tick=False)
def test_recording_refuses_what_is_wrong_and_saves_nothing(force: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as refused:
        record(force, title=" ", reported_on=dt.date(2026, 3, 9),
               crime=services.CrimeDetails("99Z"))
    assert set(refused.value.message_dict) == {"title", "reported_on", "offence_code"}
    with pytest.raises(ValidationError, match="both a victim and a suspect"):
        record(force, suspect_pks=[force["child"].pk])
    assert not Investigation.objects.exists()


def test_only_police_staff_record_and_a_person_they_may_not_see_is_not_found(
        force: dict[str, Any], partner_agency: Agency) -> None:
    council = make_user("sue.socialworker", Role.SOCIAL_WORKER, agency=partner_agency,
                        team=make_team(partner_agency, "Children's team"))
    with pytest.raises(PermissionDenied):
        services.record_investigation(
            actor=council, title="Op", reported_on=dt.date(2026, 2, 27),
            crime=services.CrimeDetails("71"))
    hidden = make_person(partner_agency, given_name="Hidden", family_name="Record",
                         is_restricted=True)
    with pytest.raises(Http404):
        record(force, victim_pks=[hidden.pk])
    assert not Investigation.objects.exists()


@time_machine.travel(MONDAY_NOON, tick=False)
def test_allocation_brings_a_review_due_within_the_allocation_time(
        force: dict[str, Any], settings: Any) -> None:
    settings.INVESTIGATION_ALLOCATION_REVIEW_HOURS = 24
    investigation = allocated(force)
    assert investigation.officer_in_case == force["investigator"]
    review = waiting(investigation, ReviewPoint.ALLOCATION)
    assert review.due_at == MONDAY_NOON + dt.timedelta(hours=24)
    # Reallocated before that review: still one review waiting, due from the new time.
    with time_machine.travel(MONDAY_NOON + dt.timedelta(hours=3), tick=False):
        services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                          expected_version=investigation.version,
                          officer_pk=force["investigator"].pk,
                          supervisor_pk=force["supervisor"].pk)
    assert waiting(investigation, ReviewPoint.ALLOCATION).due_at == (
        MONDAY_NOON + dt.timedelta(hours=27))
    assert investigation.reviews.count() == 1


def test_allocation_refuses_one_person_in_both_parts_or_someone_outside_the_force(
        force: dict[str, Any], partner_agency: Agency) -> None:
    investigation = record(force)
    outsider = make_user("out.sider", Role.SUPERVISOR, agency=partner_agency)
    for officer, supervisor, field in (
            (force["supervisor"], force["supervisor"], "supervisor"),
            (force["investigator"], outsider, "supervisor"),
            (force["investigator"], force["investigator"], "supervisor"),
            (outsider, force["supervisor"], "officer")):
        with pytest.raises(ValidationError) as refused:
            services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                              expected_version=investigation.version,
                              officer_pk=officer.pk, supervisor_pk=supervisor.pk)
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):  # an investigator sees it, may not allocate it
        services.allocate(actor=force["investigator"], investigation_pk=investigation.pk,
                          expected_version=investigation.version,
                          officer_pk=force["investigator"].pk,
                          supervisor_pk=force["supervisor"].pk)
    investigation.refresh_from_db()
    assert investigation.officer_in_case is None and not investigation.reviews.exists()


def test_a_stale_version_is_refused(force: dict[str, Any]) -> None:
    investigation = record(force)
    services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                      expected_version=investigation.version,
                      officer_pk=force["investigator"].pk,
                      supervisor_pk=force["supervisor"].pk)
    with pytest.raises(EditConflict) as conflict:
        services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                          expected_version=1, officer_pk=force["supervisor"].pk,
                          supervisor_pk=make_user("sal.second", Role.SUPERVISOR,
                                                  agency=force["agency"]).pk)
    assert "Officer in the case" in conflict.value.their_changes
    investigation.refresh_from_db()
    assert investigation.officer_in_case == force["investigator"]


@time_machine.travel(MONDAY_NOON, tick=False)
def test_a_review_is_signed_by_another_and_schedules_the_next(
        force: dict[str, Any], settings: Any) -> None:
    settings.INVESTIGATION_REVIEW_INTERVAL_DAYS = 28
    investigation = allocated(force)
    review = waiting(investigation, ReviewPoint.ALLOCATION)
    # The officer in the case who is also a supervisor may not sign their own.
    force["investigator"].role_assignments.create(role=Role.SUPERVISOR)
    officer = User.objects.get(pk=force["investigator"].pk)
    with pytest.raises(PermissionDenied):
        services.sign_review(actor=officer, investigation_pk=investigation.pk,
                             review_pk=review.pk, findings=FINDINGS)
    with pytest.raises(ValidationError) as refused:
        services.sign_review(
            actor=force["supervisor"], investigation_pk=investigation.pk, review_pk=review.pk,
            findings=services.ReviewFindings("", " ", "", "", dt.date(2026, 5, 1)))
    assert set(refused.value.message_dict) == {
        "victim_safeguarding", "lines_of_enquiry", "suspect_management",
        "evidence_and_disclosure", "next_review_on"}
    services.sign_review(actor=force["supervisor"], investigation_pk=investigation.pk,
                         review_pk=review.pk, findings=FINDINGS)
    review.refresh_from_db()
    assert review.reviewer == force["supervisor"] and review.reviewed_at == MONDAY_NOON
    assert review.next_review_on == dt.date(2026, 3, 30)
    following = waiting(investigation, ReviewPoint.PERIODIC)
    assert following.due_at == dt.datetime(2026, 3, 31, 0, 0, tzinfo=dt.UTC) - dt.timedelta(
        hours=1)  # the end of 30 March, London time (British Summer Time from the 29th)
    # Signed again earlier than the interval: the next is due on the date set, and only
    # one regular review is ever waiting.
    services.sign_review(actor=force["supervisor"], investigation_pk=investigation.pk,
                         review_pk=following.pk,
                         findings=replace(FINDINGS, next_review_on=dt.date(2026, 3, 9)))
    assert investigation.reviews.filter(reviewed_at__isnull=True).count() == 1
    assert waiting(investigation, ReviewPoint.PERIODIC).due_at == dt.datetime(
        2026, 3, 10, 0, 0, tzinfo=dt.UTC)  # the end of 9 March (GMT)
    signed = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                       record_id=str(investigation.pk),
                                       detail__has_key="review_signed")
    assert signed.count() == 2


def test_no_charging_decision_or_closure_without_the_review_at_that_point(
        force: dict[str, Any]) -> None:
    investigation = allocated(force)
    officer, supervisor = force["investigator"], force["supervisor"]
    with pytest.raises(ValidationError, match="review before charge"):
        services.send_for_charging_decision(actor=officer, investigation_pk=investigation.pk,
                                            expected_version=investigation.version)
    asked = services.ask_for_review(actor=officer, investigation_pk=investigation.pk,
                                    point=ReviewPoint.BEFORE_CHARGE)
    assert services.ask_for_review(actor=officer, investigation_pk=investigation.pk,
                                   point=ReviewPoint.BEFORE_CHARGE) == asked
    with pytest.raises(ValidationError, match="review before charge"):
        services.send_for_charging_decision(actor=officer, investigation_pk=investigation.pk,
                                            expected_version=investigation.version)
    services.sign_review(actor=supervisor, investigation_pk=investigation.pk,
                         review_pk=asked.pk, findings=FINDINGS)
    investigation.refresh_from_db()
    sent = services.send_for_charging_decision(
        actor=officer, investigation_pk=investigation.pk,
        expected_version=investigation.version)
    assert sent.status == InvestigationStatus.CHARGING_DECISION
    sent = charged(force, sent)

    outcome = {"expected_version": sent.version, "outcome": OutcomeCode.CHARGE_SUMMONS,
               "outcome_on": timezone.localdate()}
    with pytest.raises(ValidationError, match="review before closure"):
        services.record_outcome(actor=officer, investigation_pk=investigation.pk, **outcome)
    closing = services.ask_for_review(actor=officer, investigation_pk=investigation.pk,
                                      point=ReviewPoint.BEFORE_CLOSURE)
    services.sign_review(actor=supervisor, investigation_pk=investigation.pk,
                         review_pk=closing.pk, findings=FINDINGS)
    with pytest.raises(ValidationError) as refused:
        services.record_outcome(actor=officer, investigation_pk=investigation.pk,
                                **{**outcome, "outcome": "19", "outcome_on": None})
    assert set(refused.value.message_dict) == {"outcome", "outcome_on"}
    closed = services.record_outcome(actor=officer, investigation_pk=investigation.pk,
                                     **outcome)
    assert closed.status == InvestigationStatus.CLOSED and closed.outcome == "1"
    assert not closed.reviews.filter(reviewed_at__isnull=True).exists(), (
        "a closed investigation has no review waiting")
    # Closed, it is read as it was closed: nobody changes it.
    with pytest.raises(PermissionDenied):
        services.add_crime(actor=officer, investigation_pk=closed.pk,
                           crime=services.CrimeDetails("71"))


def test_crimes_people_and_lines_of_enquiry_are_added_and_finished(
        force: dict[str, Any], hub_agency: Agency) -> None:
    investigation = allocated(force)
    officer = force["investigator"]
    services.add_crime(actor=officer, investigation_pk=investigation.pk,
                       crime=services.CrimeDetails("88A", None, "Online"))
    second = make_person(hub_agency, given_name="Bella", family_name="Testcase")
    services.add_person(actor=officer, investigation_pk=investigation.pk,
                        person_pk=second.pk, part="victim")
    with pytest.raises(ValidationError, match="already named"):
        services.add_person(actor=officer, investigation_pk=investigation.pk,
                            person_pk=force["suspect"].pk, part="victim")
    enquiry = services.add_line_of_enquiry(
        actor=officer, investigation_pk=investigation.pk,
        description="Download the child's phone", owner_pk=officer.pk,
        due_on=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError) as refused:
        services.finish_line_of_enquiry(actor=officer, investigation_pk=investigation.pk,
                                        enquiry_pk=enquiry.pk, status="done", result=" ")
    assert "result" in refused.value.message_dict
    services.finish_line_of_enquiry(actor=officer, investigation_pk=investigation.pk,
                                    enquiry_pk=enquiry.pk, status="done",
                                    result="Messages from the suspect found")
    enquiry.refresh_from_db()
    assert enquiry.status == "done" and enquiry.finished_at is not None
    assert sorted(investigation.crimes.values_list("offence_code", flat=True)) == ["71", "88A"]
    assert set(investigation.victims.values_list("person", flat=True)) == {
        force["child"].pk, second.pk}
    changes = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                        record_id=str(investigation.pk))
    assert {key for event in changes for key in event.detail} >= {
        "crime_added", "victim_added", "line_of_enquiry_added", "line_of_enquiry_finished"}


def test_a_force_sees_only_its_own_investigations_and_none_naming_a_hidden_person(
        force: dict[str, Any], partner_agency: Agency) -> None:
    from macehub.investigations.selectors import investigations_for

    investigation = record(force)
    other_force = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    elsewhere = make_user("oscar.other", Role.INVESTIGATOR, agency=other_force,
                          team=make_team(other_force, "Other team"))
    governance = make_user("ian.ig", Role.INFORMATION_GOVERNANCE, agency=partner_agency)
    analyst = make_user("ana.analyst", Role.ANALYST, agency=force["agency"])
    assert list(investigations_for(force["investigator"])) == [investigation]
    assert list(investigations_for(analyst)) == [investigation]
    assert list(investigations_for(governance)) == [investigation]
    assert not investigations_for(elsewhere).exists()
    # A suspect's record restricted to those allocated to it: the investigation naming
    # them is not named to the rest of the force either.
    Person.objects.filter(pk=force["suspect"].pk).update(is_restricted=True)
    assert not investigations_for(force["investigator"]).exists()
    assert list(investigations_for(governance)) == [investigation]


@time_machine.travel(MONDAY_NOON, tick=False)
def test_bail_carries_conditions_and_a_new_release_ends_the_one_before(
        force: dict[str, Any]) -> None:
    investigation = allocated(force)
    suspect = investigation.suspects.get()
    release = {"actor": force["investigator"], "investigation_pk": investigation.pk,
               "suspect_pk": suspect.pk}
    with pytest.raises(ValidationError) as refused:
        services.record_release(**release, kind="rui", conditions="Not to contact Amber",
                                starts_on=dt.date(2026, 3, 9), expires_on=dt.date(2026, 3, 1))
    assert set(refused.value.message_dict) == {"conditions", "starts_on", "expires_on"}
    with pytest.raises(ValidationError, match="expire after"):
        services.record_release(**release, kind="bail", starts_on=dt.date(2026, 3, 1),
                                expires_on=dt.date(2026, 3, 1))
    bail = services.record_release(**release, kind="bail",
                                   conditions="Not to contact Amber Testcase",
                                   starts_on=dt.date(2026, 2, 28), expires_on=dt.date(2026, 5, 28))
    rui = services.record_release(**release, kind="rui", starts_on=dt.date(2026, 3, 2),
                                  expires_on=dt.date(2026, 6, 2))
    bail.refresh_from_db()
    assert bail.ended_on == dt.date(2026, 3, 2) and rui.ended_on is None
    with pytest.raises(ValidationError, match="from the date of release"):
        services.end_release(actor=force["investigator"], investigation_pk=investigation.pk,
                             release_pk=rui.pk, ended_on=dt.date(2026, 3, 1))
    services.end_release(actor=force["investigator"], investigation_pk=investigation.pk,
                         release_pk=rui.pk, ended_on=dt.date(2026, 3, 2))
    with pytest.raises(ValidationError, match="already ended"):
        services.end_release(actor=force["investigator"], investigation_pk=investigation.pk,
                             release_pk=rui.pk, ended_on=dt.date(2026, 3, 2))
    recorded = AuditEvent.objects.filter(record_id=str(investigation.pk),
                                         detail__has_key="release_recorded")
    assert [event.detail["ended"] for event in recorded.order_by("id")] == [[], [bail.pk]]


def _sent_for_charge(force: dict[str, Any]) -> Investigation:
    investigation = allocated(force)
    officer, supervisor = force["investigator"], force["supervisor"]
    asked = services.ask_for_review(actor=officer, investigation_pk=investigation.pk,
                                    point=ReviewPoint.BEFORE_CHARGE)
    services.sign_review(actor=supervisor, investigation_pk=investigation.pk,
                         review_pk=asked.pk, findings=FINDINGS)
    investigation.refresh_from_db()
    return services.send_for_charging_decision(
        actor=officer, investigation_pk=investigation.pk,
        expected_version=investigation.version)


@time_machine.travel(MONDAY_NOON, tick=False)
def test_an_action_plan_sends_the_file_back_and_a_new_review_comes_before_it_goes_again(
        force: dict[str, Any]) -> None:
    sent = _sent_for_charge(force)
    officer, supervisor = force["investigator"], force["supervisor"]
    decision = {"actor": officer, "investigation_pk": sent.pk,
                "expected_version": sent.version, "decided_by": ChargingDecisionMaker.CPS,
                "decided_on": timezone.localdate()}
    with pytest.raises(ValidationError) as refused:
        services.record_charging_decision(**{**decision, "decision": "maybe",
                                             "decided_by": "", "decided_on": None})
    assert set(refused.value.message_dict) == {"decision", "decided_by", "decided_on"}
    with pytest.raises(ValidationError, match="action plan asks for"):
        services.record_charging_decision(**decision, decision=ChargingDecision.ACTION_PLAN)
    with pytest.raises(ValidationError, match="from the day the file was sent"):
        services.record_charging_decision(
            **{**decision, "decided_on": dt.date(2026, 3, 1)},
            decision=ChargingDecision.ACTION_PLAN, note="Download the second phone.")
    services.record_charging_decision(**decision, decision=ChargingDecision.ACTION_PLAN,
                                      note="Download the second phone.")
    sent.refresh_from_db()
    assert sent.status == InvestigationStatus.OPEN
    audited = AuditEvent.objects.get(record_id=str(sent.pk),
                                     detail__charging_decision="action_plan")
    assert audited.detail["decided_by"] == "cps"
    # Not waiting for a decision now: none can be recorded.
    with pytest.raises(ValidationError, match="not waiting for a charging decision"):
        services.record_charging_decision(**{**decision, "expected_version": sent.version},
                                          decision=ChargingDecision.CHARGE)
    # The review before the first sending does not cover the second.
    with pytest.raises(ValidationError, match="review before charge"):
        services.send_for_charging_decision(actor=officer, investigation_pk=sent.pk,
                                            expected_version=sent.version)
    with time_machine.travel(MONDAY_NOON + dt.timedelta(days=3), tick=False):
        asked = services.ask_for_review(actor=officer, investigation_pk=sent.pk,
                                        point=ReviewPoint.BEFORE_CHARGE)
        services.sign_review(actor=supervisor, investigation_pk=sent.pk, review_pk=asked.pk,
                             findings=FINDINGS)
        sent.refresh_from_db()
        again = services.send_for_charging_decision(actor=officer, investigation_pk=sent.pk,
                                                    expected_version=sent.version)
    assert again.status == InvestigationStatus.CHARGING_DECISION


@time_machine.travel(MONDAY_NOON, tick=False)
def test_a_charge_is_recorded_only_after_a_charging_decision_authorised_it(
        force: dict[str, Any]) -> None:
    sent = _sent_for_charge(force)
    officer, supervisor = force["investigator"], force["supervisor"]
    closing = services.ask_for_review(actor=officer, investigation_pk=sent.pk,
                                      point=ReviewPoint.BEFORE_CLOSURE)
    services.sign_review(actor=supervisor, investigation_pk=sent.pk, review_pk=closing.pk,
                         findings=FINDINGS)
    sent.refresh_from_db()
    outcome = {"actor": officer, "investigation_pk": sent.pk,
               "outcome": OutcomeCode.CHARGE_SUMMONS, "outcome_on": timezone.localdate()}
    with pytest.raises(ValidationError, match="charging decision that authorised"):
        services.record_outcome(**outcome, expected_version=sent.version)
    services.record_charging_decision(
        actor=officer, investigation_pk=sent.pk, expected_version=sent.version,
        decision=ChargingDecision.NFA_EVIDENTIAL, decided_by=ChargingDecisionMaker.CPS,
        decided_on=timezone.localdate(), note="Not enough to identify the driver.")
    sent.refresh_from_db()
    with pytest.raises(ValidationError, match="charging decision that authorised"):
        services.record_outcome(**outcome, expected_version=sent.version)
    # Outcome 15 (evidential difficulties) needs no authorised charge.
    closed = services.record_outcome(**{**outcome, "outcome": OutcomeCode.EVIDENTIAL_DIFFICULTIES},
                                     expected_version=sent.version)
    assert closed.outcome == "15"
