"""The warning when someone is given specialist work without the training for it: the
officer in the case of an investigation, a case's key worker and an ABE interviewer.
Each service refuses until the allocating user acknowledges the missing courses with a
reason, and then audits them; a person with the training is allocated as before. Each
page shows the GOV.UK warning naming the courses and keeps what the user typed. All
names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case
from macehub.cases.services import open_case, set_key_worker
from macehub.investigations import journey, services
from macehub.investigations.codes import JourneyStepKind, JourneyStepStatus
from macehub.investigations.models import Investigation, JourneyStep
from macehub.people.models import Person
from macehub.testing.factories import make_person, make_user, signed_in_client
from macehub.training.checks import MissingTraining, missing_training
from macehub.training.codes import Allocation
from macehub.training.tests.factories import trained

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 3, 3, 11, 0, tzinfo=dt.UTC)
LAST_YEAR = dt.date(2025, 3, 3)


@pytest.fixture
def force(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    trained_officer = make_user("tom.trained", Role.INVESTIGATOR, agency=hub_agency,
                                team=hub_team)
    untrained = make_user("una.untrained", Role.INVESTIGATOR, agency=hub_agency,
                          team=hub_team)
    supervisor = make_user("sid.supervisor", Role.SUPERVISOR, agency=hub_agency,
                           team=hub_team)
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    trained(trained_officer, "cse_specialist_investigation", LAST_YEAR)
    trained(trained_officer, "abe_interviewing", LAST_YEAR)
    trained(trained_officer, "cse_frontline", LAST_YEAR)
    # An expired course is not held.
    trained(untrained, "cse_frontline", dt.date(2022, 1, 1), dt.date(2024, 1, 1))
    child = make_person(hub_agency, given_name="Amber", family_name="Testcase")
    suspect = make_person(hub_agency, given_name="Dean", family_name="Madeup",
                          date_of_birth=dt.date(1988, 5, 1), sex="male")
    return {"trained": trained_officer, "untrained": untrained, "supervisor": supervisor,
            "triage": triage, "child": child, "suspect": suspect, "agency": hub_agency}


def _investigation(force: dict[str, Any]) -> Investigation:
    return services.record_investigation(
        actor=force["trained"], title="Operation Birch", reported_on=dt.date(2026, 2, 27),
        crime=services.CrimeDetails("71"), victim_pks=[force["child"].pk],
        suspect_pks=[force["suspect"].pk])


def _audited(record: Any) -> AuditEvent:
    return AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                     record_id=str(record.pk)).latest("pk")


@time_machine.travel(TUESDAY, tick=False)
def test_missing_training_lists_the_qualifying_courses_not_held_today(
        force: dict[str, Any], partner_agency: Agency) -> None:
    assert missing_training(force["trained"], Allocation.OFFICER_IN_CASE) == []
    assert [course.code for course in missing_training(
        force["untrained"], Allocation.OFFICER_IN_CASE)] == ["cse_specialist_investigation"]
    assert [course.code for course in missing_training(
        force["untrained"], Allocation.KEY_WORKER)] == ["cse_frontline"]
    # Held on a day in the past is not held before it was completed.
    assert missing_training(force["trained"], Allocation.ABE_INTERVIEWER,
                            on=dt.date(2025, 1, 1))
    # An agency whose training the hub does not hold is not checked.
    stranger = make_user("sam.social", Role.SOCIAL_WORKER, agency=partner_agency)
    assert missing_training(stranger, Allocation.KEY_WORKER) == []


@time_machine.travel(TUESDAY, tick=False)
def test_the_officer_in_the_case_needs_the_specialist_course_or_an_acknowledgement(
        force: dict[str, Any]) -> None:
    investigation = _investigation(force)
    with pytest.raises(MissingTraining) as refused:
        services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                          expected_version=1, officer_pk=force["untrained"].pk,
                          supervisor_pk=force["supervisor"].pk)
    assert refused.value.field == "acknowledged_missing_training"
    assert [course.title for course in refused.value.courses] == [
        "Specialist CSE investigation"]
    with pytest.raises(MissingTraining) as refused:
        services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                          expected_version=1, officer_pk=force["untrained"].pk,
                          supervisor_pk=force["supervisor"].pk,
                          acknowledged_missing_training=True, missing_training_reason=" ")
    assert refused.value.field == "missing_training_reason"
    investigation.refresh_from_db()
    assert investigation.officer_in_case is None and investigation.version == 1

    services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                      expected_version=1, officer_pk=force["untrained"].pk,
                      supervisor_pk=force["supervisor"].pk,
                      acknowledged_missing_training=True,
                      missing_training_reason="Only officer on duty; course booked")
    event = _audited(investigation)
    assert event.detail["missing_training"] == ["cse_specialist_investigation"]
    assert event.detail["missing_training_reason"] == "Only officer on duty; course booked"

    services.allocate(actor=force["supervisor"], investigation_pk=investigation.pk,
                      expected_version=2, officer_pk=force["trained"].pk,
                      supervisor_pk=force["supervisor"].pk)
    assert "missing_training" not in _audited(investigation).detail


@time_machine.travel(TUESDAY, tick=False)
def test_the_allocation_page_warns_names_the_course_and_keeps_the_choice(
        force: dict[str, Any]) -> None:
    investigation = _investigation(force)
    client = signed_in_client(force["supervisor"])
    url = reverse("investigations:allocate", args=[investigation.pk])
    first = client.get(url).content.decode()
    assert "acknowledged_missing_training" not in first
    chosen = {"officer": force["untrained"].pk, "supervisor": force["supervisor"].pk,
              "version": 1}
    response = client.post(url, chosen)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-warning-text" in body and "Specialist CSE investigation" in body
    assert 'name="acknowledged_missing_training"' in body
    assert f'<option value="{force["untrained"].pk}" selected>' in body
    response = client.post(url, {**chosen, "acknowledged_missing_training": "on",
                                 "missing_training_reason": ""})
    assert response.status_code == 400
    assert "Enter why you are going ahead" in response.content.decode()
    response = client.post(url, {**chosen, "acknowledged_missing_training": "on",
                                 "missing_training_reason": "Course booked for next week"})
    assert response.status_code == 302
    investigation.refresh_from_db()
    assert investigation.officer_in_case == force["untrained"]
    assert _audited(investigation).detail["missing_training_reason"] == (
        "Course booked for next week")

    response = client.post(url, {"officer": force["trained"].pk,
                                 "supervisor": force["supervisor"].pk, "version": 2})
    assert response.status_code == 302


def _case(force: dict[str, Any]) -> Case:
    return open_case(actor=force["triage"], child=force["child"], risk_tier=RiskTier.HIGH,
                     lead_agency=force["agency"], reason="Referral screened as high risk")


@time_machine.travel(TUESDAY, tick=False)
def test_a_key_worker_needs_the_frontline_course_or_an_acknowledgement(
        force: dict[str, Any]) -> None:
    case = _case(force)
    with pytest.raises(MissingTraining) as refused:
        set_key_worker(actor=force["triage"], case_pk=case.pk, expected_version=1,
                       key_worker=force["untrained"])
    assert [course.code for course in refused.value.courses] == ["cse_frontline"]
    set_key_worker(actor=force["triage"], case_pk=case.pk, expected_version=1,
                   key_worker=force["untrained"], acknowledged_missing_training=True,
                   missing_training_reason="Knows the child well")
    event = _audited(case)
    assert event.detail["missing_training"] == ["cse_frontline"]
    assert event.detail["missing_training_reason"] == "Knows the child well"
    set_key_worker(actor=force["triage"], case_pk=case.pk, expected_version=2,
                   key_worker=force["trained"])
    assert "missing_training" not in _audited(case).detail


@time_machine.travel(TUESDAY, tick=False)
def test_the_key_worker_page_warns_and_keeps_the_choice(force: dict[str, Any]) -> None:
    case = _case(force)
    client = signed_in_client(force["triage"])
    url = reverse("cases:change_key_worker", args=[case.pk])
    assert "missing_training_reason" not in client.get(url).content.decode()
    response = client.post(url, {"key_worker": force["untrained"].pk, "version": 1})
    assert response.status_code in {200, 400}
    body = response.content.decode()
    assert "govuk-warning-text" in body and "Child exploitation: frontline practice" in body
    assert f'value="{force["untrained"].pk}" selected' in body
    response = client.post(url, {"key_worker": force["untrained"].pk, "version": 1,
                                 "acknowledged_missing_training": "on",
                                 "missing_training_reason": "Knows the child well"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.key_worker == force["untrained"]


def _victim(force: dict[str, Any]) -> tuple[Any, Person]:
    investigation = _investigation(force)
    return investigation.victims.get(), force["child"]


def _interview(interviewer_pk: int | None) -> journey.Step:
    return journey.Step(kind=JourneyStepKind.ABE_INTERVIEW, on=dt.date(2026, 3, 10),
                        status=JourneyStepStatus.PLANNED, place="Suite 1",
                        interviewing_officer_pk=interviewer_pk)


@time_machine.travel(TUESDAY, tick=False)
def test_an_abe_interviewer_needs_the_abe_course_or_an_acknowledgement(
        force: dict[str, Any]) -> None:
    victim, _child = _victim(force)
    with pytest.raises(MissingTraining) as refused:
        journey.record_step(actor=force["trained"], victim_pk=victim.pk,
                            step=_interview(force["untrained"].pk))
    assert [course.code for course in refused.value.courses] == ["abe_interviewing"]
    assert not JourneyStep.objects.exists()
    step = journey.record_step(actor=force["trained"], victim_pk=victim.pk,
                               step=_interview(force["untrained"].pk),
                               acknowledged_missing_training=True,
                               missing_training_reason="Trained interviewer off sick")
    assert step.interviewing_officer == force["untrained"]
    event = _audited(victim.investigation)
    assert event.detail["missing_training"] == ["abe_interviewing"]
    assert event.detail["interviewing_officer"] == force["untrained"].pk
    step = journey.record_step(actor=force["trained"], victim_pk=victim.pk,
                               step=_interview(force["trained"].pk))
    assert "missing_training" not in _audited(victim.investigation).detail


@time_machine.travel(TUESDAY, tick=False)
def test_the_interview_page_warns_and_keeps_what_was_typed(force: dict[str, Any]) -> None:
    victim, _child = _victim(force)
    client = signed_in_client(force["trained"])
    url = reverse("investigations:record_step", args=[victim.pk, "abe_interview"])
    assert "missing_training_reason" not in client.get(url).content.decode()
    typed = {"on_day": "10", "on_month": "3", "on_year": "2026", "status": "planned",
             "interviewing_officer": force["untrained"].pk, "place": "Suite 1",
             "arrangements": "Quiet room, breaks offered"}
    response = client.post(url, typed)
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-warning-text" in body and "Achieving Best Evidence interviewing" in body
    assert 'value="Suite 1"' in body and "Quiet room, breaks offered" in body
    response = client.post(url, {**typed, "acknowledged_missing_training": "on",
                                 "missing_training_reason": "Trained interviewer off sick"})
    assert response.status_code == 302
    assert JourneyStep.objects.get().interviewing_officer == force["untrained"]
    journey_page = client.get(reverse("investigations:victim_journey", args=[victim.pk]))
    assert (f"Interviewing officer: {force['untrained'].display_name}"
            in journey_page.content.decode())
