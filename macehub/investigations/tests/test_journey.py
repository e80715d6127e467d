"""A child victim's journey as the services and pages keep it: the officer in the case
and the child's current advocate record it; the advocate reads the child's journey and
nothing else of the investigation, and loses it when their allocation ends; the
advocate's notes are read by their own advocacy service only (and information
governance), never by the police; dates are checked against the day reported, a
withdrawal needs its reason, and a stale version is refused. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation
from macehub.cases.services import open_case
from macehub.core.versioning import EditConflict
from macehub.investigations import journey, services
from macehub.investigations.codes import (
    EntitlementResponse,
    JourneyStepKind,
    JourneyStepStatus,
    PreTrialTherapy,
    SpecialMeasure,
    WithdrawalReason,
)
from macehub.investigations.models import InvestigationVictim
from macehub.testing.factories import make_agency, make_person, make_user, signed_in_client

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 3, 3, 11, 0, tzinfo=dt.UTC)
REPORTED = dt.date(2026, 2, 27)


@pytest.fixture
def world(hub_agency: Agency, hub_team: Team) -> dict[str, Any]:
    advocacy = make_agency("young-voices", AgencyKind.VOLUNTARY_SECTOR,
                           name="Young Voices Advocacy")
    other_service = make_agency("second-voice", AgencyKind.VOLUNTARY_SECTOR,
                                name="Second Voice")
    officer = make_user("ivy.investigator", Role.INVESTIGATOR, agency=hub_agency,
                        team=hub_team)
    triage = make_user("tia.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    advocate = make_user("ava.advocate", Role.VICTIM_ADVOCATE, agency=advocacy)
    colleague = make_user("cal.colleague", Role.VICTIM_ADVOCATE, agency=advocacy)
    other = make_user("olu.other", Role.VICTIM_ADVOCATE, agency=other_service)
    governance = make_user("iggy.governance", Role.INFORMATION_GOVERNANCE, agency=hub_agency,
                           team=hub_team)
    child = make_person(hub_agency, given_name="Amber", family_name="Testcase")
    second_child = make_person(hub_agency, given_name="Bella", family_name="Madeup")
    suspect = make_person(hub_agency, given_name="Dean", family_name="Suspectname",
                          date_of_birth=dt.date(1988, 5, 1), sex="male")
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Sample")
    allocation = AdvocateAllocation.objects.create(
        case=case, advocate=advocate, allocated_by=triage,
        started_on=dt.date(2026, 2, 1))
    investigation = services.record_investigation(
        actor=officer, title="Operation Birch", reported_on=REPORTED,
        crime=services.CrimeDetails("71"), victim_pks=[child.pk, second_child.pk],
        suspect_pks=[suspect.pk])
    victim = investigation.victims.get(person=child)
    return {"officer": officer, "advocate": advocate, "colleague": colleague,
            "other": other, "governance": governance, "victim": victim, "case": case,
            "allocation": allocation, "triage": triage, "investigation": investigation}


def _step(**fields: Any) -> journey.Step:
    defaults: dict[str, Any] = {"kind": JourneyStepKind.ABE_INTERVIEW,
                                "on": dt.date(2026, 3, 2), "status": JourneyStepStatus.HELD,
                                "who": "DC Example, ABE trained", "place": "Rose suite"}
    return journey.Step(**{**defaults, **fields})


@time_machine.travel(TUESDAY, tick=False)
def test_the_childs_advocate_reads_and_records_the_journey_and_nothing_else(
        world: dict[str, Any]) -> None:
    victim, advocate = world["victim"], world["advocate"]
    client = signed_in_client(advocate)
    page = client.get(reverse("investigations:victim_journey", args=[victim.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Amber Testcase" in body and "Operation Birch" in body
    # Not the investigation's suspects, other victims or the investigation's own page.
    assert "Suspectname" not in body and "Bella" not in body
    assert client.get(reverse("investigations:detail",
                              args=[world["investigation"].pk])).status_code == 404
    other_victim = world["investigation"].victims.exclude(pk=victim.pk).get()
    assert client.get(reverse("investigations:victim_journey",
                              args=[other_victim.pk])).status_code == 404
    journey.record_entitlement(actor=advocate, victim_pk=victim.pk, right="4",
                               offered_on=dt.date(2026, 3, 1),
                               response=EntitlementResponse.TAKEN_UP)
    # Another advocate of the same service, not the child's, does not know the journey.
    with pytest.raises(Http404):
        journey.victim_for(world["colleague"], victim.pk)
    # The allocation ends: so does the advocate's reading.
    AdvocateAllocation.objects.filter(pk=world["allocation"].pk).update(
        ended_on=dt.date(2026, 3, 3))
    assert client.get(reverse("investigations:victim_journey",
                              args=[victim.pk])).status_code == 404


@time_machine.travel(TUESDAY, tick=False)
def test_the_advocates_notes_are_their_services_alone(world: dict[str, Any]) -> None:
    victim, advocate = world["victim"], world["advocate"]
    journey.write_advocate_note(actor=advocate, victim_pk=victim.pk,
                                text="Amber told me she is frightened of the car.")
    audited = AuditEvent.objects.filter(detail__has_key="advocate_note").get()
    assert "frightened" not in str(audited.detail), "the audit names the note, not its words"
    url = reverse("investigations:victim_journey", args=[victim.pk])
    assert "frightened of the car" in signed_in_client(advocate).get(url).content.decode()
    officer_page = signed_in_client(world["officer"]).get(url).content.decode()
    assert "frightened of the car" not in officer_page
    assert "Advocate&#x27;s notes" not in officer_page
    assert signed_in_client(world["officer"]).get(reverse(
        "investigations:write_advocate_note", args=[victim.pk])).status_code == 403
    assert "frightened of the car" in signed_in_client(world["governance"]).get(
        url).content.decode()
    # The child gets an advocate from another service: the first service's notes stay
    # with it.
    AdvocateAllocation.objects.filter(pk=world["allocation"].pk).update(
        ended_on=dt.date(2026, 3, 3))
    AdvocateAllocation.objects.create(case=world["case"], advocate=world["other"],
                                      allocated_by=world["triage"],
                                      started_on=dt.date(2026, 3, 3))
    page = signed_in_client(world["other"]).get(url)
    assert page.status_code == 200
    assert "frightened of the car" not in page.content.decode()
    assert not journey.advocate_notes_readable(world["other"], victim).exists()


@time_machine.travel(TUESDAY, tick=False)
def test_rights_needs_and_steps_are_checked_against_the_day_reported(
        world: dict[str, Any]) -> None:
    victim, officer = world["victim"], world["officer"]
    with pytest.raises(ValidationError) as refused:
        journey.record_entitlement(actor=officer, victim_pk=victim.pk, right="13",
                                   offered_on=dt.date(2026, 2, 1), response="maybe")
    assert set(refused.value.message_dict) == {"right", "offered_on", "response"}
    first = journey.record_entitlement(actor=officer, victim_pk=victim.pk, right="7",
                                       offered_on=dt.date(2026, 3, 1),
                                       response=EntitlementResponse.WAITING)
    again = journey.record_entitlement(actor=officer, victim_pk=victim.pk, right="7",
                                       offered_on=dt.date(2026, 3, 2),
                                       response=EntitlementResponse.DECLINED)
    assert again.pk == first.pk and victim.entitlements.get().response == "declined"

    with pytest.raises(ValidationError) as refused:
        journey.record_needs(actor=officer, victim_pk=victim.pk, expected_version=1,
                             needs=journey.Needs(dt.date(2026, 3, 1), "", "sometimes"))
    assert set(refused.value.message_dict) == {"needs_assessment", "pre_trial_therapy"}
    saved = journey.record_needs(actor=officer, victim_pk=victim.pk, expected_version=1,
                                 needs=journey.Needs(dt.date(2026, 3, 1),
                                                     "Needs a registered intermediary.",
                                                     PreTrialTherapy.OFFERED))
    assert saved.version == 2
    with pytest.raises(EditConflict):
        journey.record_needs(actor=officer, victim_pk=victim.pk, expected_version=1,
                             needs=journey.Needs(None, "", PreTrialTherapy.STARTED))

    # A planned interview may be next week; one held may not be.
    journey.record_step(actor=officer, victim_pk=victim.pk, step=_step(
        on=dt.date(2026, 3, 10), status=JourneyStepStatus.PLANNED))
    with pytest.raises(ValidationError, match="today or in the past"):
        journey.record_step(actor=officer, victim_pk=victim.pk,
                            step=_step(on=dt.date(2026, 3, 10)))
    with pytest.raises(ValidationError) as refused:
        journey.record_step(actor=officer, victim_pk=victim.pk, step=_step(
            kind=JourneyStepKind.SPECIAL_MEASURE, status=JourneyStepStatus.HELD,
            on=dt.date(2026, 2, 20)))
    assert set(refused.value.message_dict) == {"status", "what", "on"}
    measure = journey.record_step(actor=officer, victim_pk=victim.pk, step=_step(
        kind=JourneyStepKind.SPECIAL_MEASURE, status=JourneyStepStatus.GRANTED,
        what=SpecialMeasure.RECORDED_CROSS_EXAMINATION, who="", place=""))
    assert journey.step_what(measure) == SpecialMeasure.RECORDED_CROSS_EXAMINATION.label
    with pytest.raises(ValidationError, match="who interviews"):
        journey.record_step(actor=officer, victim_pk=victim.pk, step=_step(who=" "))


@time_machine.travel(TUESDAY, tick=False)
def test_a_withdrawal_is_recorded_once_with_its_reason(world: dict[str, Any]) -> None:
    victim, advocate = world["victim"], world["advocate"]
    with pytest.raises(ValidationError) as refused:
        journey.record_withdrawal(actor=advocate, victim_pk=victim.pk, expected_version=1,
                                  withdrew_on=None, reason="")
    assert set(refused.value.message_dict) == {"withdrew_on", "reason"}
    with pytest.raises(ValidationError, match="Enter the reason"):
        journey.record_withdrawal(actor=advocate, victim_pk=victim.pk, expected_version=1,
                                  withdrew_on=dt.date(2026, 3, 2),
                                  reason=WithdrawalReason.OTHER)
    withdrawn = journey.record_withdrawal(
        actor=advocate, victim_pk=victim.pk, expected_version=1,
        withdrew_on=dt.date(2026, 3, 2), reason=WithdrawalReason.FEAR,
        note="Frightened of being seen going to the station.")
    assert withdrawn.withdrawal_reason == "fear"
    with pytest.raises(ValidationError, match="already recorded"):
        journey.record_withdrawal(actor=advocate, victim_pk=victim.pk,
                                  expected_version=withdrawn.version,
                                  withdrew_on=dt.date(2026, 3, 3),
                                  reason=WithdrawalReason.DELAY)
    # The investigation's page marks it; the officer sees why.
    body = signed_in_client(world["officer"]).get(reverse(
        "investigations:victim_journey", args=[victim.pk])).content.decode()
    assert "The child withdrew their support." in body
    assert WithdrawalReason.FEAR.label in body


@time_machine.travel(TUESDAY, tick=False)
def test_a_refused_step_keeps_what_was_typed_and_the_page_reads_a_fixed_number_of_queries(
        world: dict[str, Any]) -> None:
    victim, officer = world["victim"], world["officer"]
    client = signed_in_client(officer)
    url = reverse("investigations:record_step", args=[victim.pk, "court_hearing"])
    response = client.post(url, {"what": "trial", "status": "held", "who": "Crown Court",
                                 "arrangements": "Pre-trial visit done"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "govuk-error-summary" in body and 'value="Crown Court"' in body
    assert client.get(reverse("investigations:record_step",
                              args=[victim.pk, "unknown"])).status_code == 404

    page = reverse("investigations:victim_journey", args=[victim.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page).status_code == 200
        return len(captured)

    before = queries()
    for number in range(3):
        journey.record_step(actor=officer, victim_pk=victim.pk, step=_step(
            kind=JourneyStepKind.COURT_HEARING, what="ptph", who=f"Court {number}",
            status=JourneyStepStatus.PLANNED, on=timezone.localdate()))
        journey.record_entitlement(actor=officer, victim_pk=victim.pk, right=str(number + 1),
                                   offered_on=REPORTED, response=EntitlementResponse.TAKEN_UP)
    assert queries() == before
    assert InvestigationVictim.objects.get(pk=victim.pk).steps.count() == 3


@time_machine.travel(TUESDAY, tick=False)
def test_the_childs_record_and_chronology_show_the_journey_to_their_advocate(
        world: dict[str, Any]) -> None:
    from macehub.investigations.chronology import (
        investigations_of_the_child,
        journeys_of_the_child,
    )

    victim, advocate = world["victim"], world["advocate"]
    journey.record_step(actor=world["officer"], victim_pk=victim.pk, step=_step())
    journey.record_step(actor=world["officer"], victim_pk=victim.pk, step=_step(
        kind=JourneyStepKind.COURT_HEARING, what="trial", status=JourneyStepStatus.PLANNED,
        on=dt.date(2026, 9, 1)))
    journey.record_withdrawal(actor=advocate, victim_pk=victim.pk, expected_version=1,
                              withdrew_on=dt.date(2026, 3, 3),
                              reason=WithdrawalReason.COURT)
    titles = [entry.title for entry in journeys_of_the_child(advocate, victim.person)]
    reference = world["investigation"].reference
    assert titles == [f"Achieving Best Evidence interview: held ({reference})",
                      f"Withdrew support for investigation {reference}"]
    assert investigations_of_the_child(advocate, victim.person) == [], (
        "the advocate reads the journey, not the investigation")
    page = signed_in_client(advocate).get(reverse("people:detail", args=[victim.person_id]))
    assert reverse("investigations:victim_journey", args=[victim.pk]) in page.content.decode()
    assert journeys_of_the_child(world["colleague"], victim.person) == []


@time_machine.travel(TUESDAY, tick=False)
def test_the_api_gives_the_childs_advocate_the_journey_without_the_notes(
        world: dict[str, Any]) -> None:
    victim, advocate = world["victim"], world["advocate"]
    journey.record_step(actor=world["officer"], victim_pk=victim.pk, step=_step())
    journey.write_advocate_note(actor=advocate, victim_pk=victim.pk, text="Private words.")
    url = reverse("api:victim_journey", args=[victim.pk])
    answer = signed_in_client(advocate).get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body["investigation_reference"] == world["investigation"].reference
    assert [step["kind"] for step in body["steps"]] == ["abe_interview"]
    assert "Private words" not in answer.content.decode()
    assert AuditEvent.objects.filter(record_id=str(victim.pk),
                                     detail__page="victim journey (API)").exists()
    assert signed_in_client(world["colleague"]).get(url).status_code == 404
    investigation = signed_in_client(world["officer"]).get(reverse(
        "api:investigation_detail", args=[world["investigation"].pk])).json()
    assert victim.pk in [v["journey_id"] for v in investigation["victims"]]


@time_machine.travel(TUESDAY, tick=False)
def test_a_child_victim_left_without_an_advocate_waits_in_the_officers_queue(
        world: dict[str, Any]) -> None:
    from macehub.investigations.tests.test_work_queue import queue

    def waiting() -> list[str]:
        return [item.title for item in queue(world["officer"],
                                             "investigation_victims_without_advocate")]

    supervisor = make_user("sid.supervisor", Role.SUPERVISOR,
                           agency=world["investigation"].owning_agency)
    investigation = services.allocate(
        actor=supervisor, investigation_pk=world["investigation"].pk,
        expected_version=world["investigation"].version,
        officer_pk=world["officer"].pk, supervisor_pk=supervisor.pk)
    # Amber has an advocate; Bella (no case) has none.
    assert waiting() == [f"{investigation.reference}: Bella Madeup"]
    AdvocateAllocation.objects.filter(pk=world["allocation"].pk).update(
        ended_on=dt.date(2026, 3, 2))
    assert waiting() == [f"{investigation.reference}: Amber Testcase",
                         f"{investigation.reference}: Bella Madeup"]


@time_machine.travel(TUESDAY, tick=False)
def test_ending_the_advocacy_warns_of_what_is_still_going_on_for_the_child(
        world: dict[str, Any]) -> None:
    victim, advocate = world["victim"], world["advocate"]
    url = reverse("cases:end_advocacy", args=[world["case"].pk])
    reference = world["investigation"].reference
    page = signed_in_client(advocate).get(url).content.decode()
    assert f"Investigation {reference}, in which the child is a victim, is still open" in page
    journey.record_step(actor=world["officer"], victim_pk=victim.pk, step=_step(
        kind=JourneyStepKind.COURT_HEARING, what="trial", status=JourneyStepStatus.PLANNED,
        on=dt.date(2026, 9, 1)))
    page = signed_in_client(advocate).get(url).content.decode()
    assert f"A court hearing in investigation {reference} is planned for 1 September 2026" in page
    # A triage officer may not know of the police investigation: nothing is named.
    page = signed_in_client(world["triage"]).get(url).content.decode()
    assert reference not in page and "may still need their advocate" not in page
