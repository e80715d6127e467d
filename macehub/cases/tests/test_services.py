"""Case services: each change is checked, saved in one transaction and audited; bad input
gets a clear error and nothing partial is saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import selectors, services
from macehub.cases.codes import (
    CaseStatus,
    ClosureReason,
    ContactKind,
    InterviewOfferer,
    InterviewResponse,
    OutcomeKind,
    PlanItemStatus,
    RiskTier,
)
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseOutcome,
    CaseShare,
    Contact,
    MissingEpisode,
    PlanItem,
    RiskTierChange,
)
from macehub.cases.tests.conftest import ago, close_with_approval, days_from_today
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def changes_audited(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(
        event_type=EventType.CHANGE, record_type="cases.case", record_id=str(case.pk)
    ).order_by("id"))


# --- Risk tier ---------------------------------------------------------------------


def test_changing_the_risk_tier_keeps_history_raises_the_version_and_audits(case, supervisor):
    change = services.change_risk_tier(
        actor=supervisor, case_pk=case.pk, expected_version=1, risk_tier=RiskTier.HIGH,
        reason="Found in a car with two adults at 2am",
    )
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.HIGH and case.version == 2
    assert (change.from_tier, change.to_tier, change.changed_by) == ("medium", "high", supervisor)
    assert [h.to_tier for h in case.tier_history.all()] == ["medium", "high"]
    [event] = changes_audited(case)
    assert event.actor_username == supervisor.username
    assert event.detail["changes"]["risk_tier"] == {"old": "medium", "new": "high"}
    assert event.detail["reason"] == "Found in a car with two adults at 2am"
    assert event.detail["version"] == 2


def test_risk_tier_needs_a_reason_and_a_different_tier(case, supervisor):
    with pytest.raises(ValidationError) as excinfo:
        services.change_risk_tier(actor=supervisor, case_pk=case.pk, expected_version=1,
                                  risk_tier=RiskTier.MEDIUM, reason="  ")
    errors = errors_of(excinfo)
    assert "already medium risk" in errors["risk_tier"][0]
    assert errors["reason"] == ["Enter why the risk tier is changing"]
    case.refresh_from_db()
    assert case.version == 1 and case.tier_history.count() == 1
    assert not changes_audited(case)


def test_risk_tier_is_refused_to_roles_without_case_change(case, advocate, outsider):
    with pytest.raises(PermissionDenied):  # may see the case, may not change it
        services.change_risk_tier(actor=advocate, case_pk=case.pk, expected_version=1,
                                  risk_tier=RiskTier.HIGH, reason="x")
    with pytest.raises(Http404):  # may not know it exists
        services.change_risk_tier(actor=outsider, case_pk=case.pk, expected_version=1,
                                  risk_tier=RiskTier.HIGH, reason="x")


# --- Key worker, lead agency, allocations, sharing ----------------------------------


def test_key_worker_and_lead_agency(case, triage, partner_worker, partner_agency, hub_agency):
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                            key_worker=partner_worker)
    services.set_lead_agency(actor=triage, case_pk=case.pk, expected_version=2,
                             lead_agency=partner_agency)
    case.refresh_from_db()
    assert (case.key_worker, case.lead_agency, case.version) == (partner_worker, partner_agency, 3)
    first, second = changes_audited(case)
    assert first.detail["changes"] == {"key_worker": {"old": None, "new": partner_worker.pk}}
    assert second.detail["changes"]["lead_agency"] == {"old": hub_agency.pk,
                                                       "new": partner_agency.pk}


def test_key_worker_must_work_on_cases(case, triage, hub_agency, hub_team):
    referrer = make_user("ref.errer", Role.REFERRER, agency=hub_agency, team=hub_team)
    with pytest.raises(ValidationError) as excinfo:
        services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                                key_worker=referrer)
    assert "does not work on cases" in errors_of(excinfo)["key_worker"][0]
    case.refresh_from_db()
    assert case.key_worker is None and case.version == 1


def test_allocating_and_removing_a_worker(case, triage, partner_worker):
    allocation = services.allocate_worker(actor=triage, case_pk=case.pk, user=partner_worker)
    with pytest.raises(ValidationError, match="already allocated"):
        services.allocate_worker(actor=triage, case_pk=case.pk, user=partner_worker)
    services.unallocate_worker(actor=triage, allocation_pk=allocation.pk)
    assert not CaseAllocation.objects.exists()
    allocated, removed = changes_audited(case)
    assert allocated.detail["allocated"]["username"] == partner_worker.username
    assert removed.detail["unallocated"]["user"] == partner_worker.pk


def test_sharing_with_an_agency(case, triage, partner_agency, hub_agency):
    with pytest.raises(ValidationError) as excinfo:
        services.share_case(actor=triage, case_pk=case.pk, agency=hub_agency, reason="")
    assert "leads the case" in errors_of(excinfo)["agency"][0]
    assert errors_of(excinfo)["reason"] == ["Enter why the case is being shared"]
    share = services.share_case(actor=triage, case_pk=case.pk, agency=partner_agency,
                                reason="Social care hold the child protection plan")
    assert share.shared_by == triage
    services.stop_sharing_case(actor=triage, share_pk=share.pk)
    assert not CaseShare.objects.exists()
    assert len(changes_audited(case)) == 2


# --- Victim advocates and continuity -------------------------------------------------


def test_changing_advocate_ends_the_current_one_and_counts_the_change(
    case, triage, advocate, hub_agency, hub_team
):
    other = make_user("second.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    start = timezone.localdate() - dt.timedelta(days=20)
    first = services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                                     starts_on=start)
    assert selectors.advocate_changes(triage, case) == 0
    with pytest.raises(ValidationError) as excinfo:
        services.change_advocate(actor=triage, case_pk=case.pk, advocate=other,
                                 starts_on=timezone.localdate(), end_reason="")
    assert "Enter why" in errors_of(excinfo)["end_reason"][0]
    second = services.change_advocate(
        actor=triage, case_pk=case.pk, advocate=other, starts_on=timezone.localdate(),
        end_reason="Advocate left the service",
    )
    first.refresh_from_db()
    assert first.ended_on == timezone.localdate()
    assert first.end_reason == "Advocate left the service"
    assert second.ended_on is None and second.allocated_by == triage
    assert selectors.advocate_changes(triage, case) == 1
    event = changes_audited(case)[-1]
    assert event.detail["advocate"]["old"] == advocate.pk
    assert event.detail["advocate"]["new"] == other.pk


def test_advocate_continuity_counts_across_the_childs_cases(
    case, triage, supervisor, advocate, hub_agency, hub_team
):
    other = make_user("second.advocate", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate())
    close_with_approval(case, requested_by=triage, approved_by=supervisor)
    reopened = services.open_case(actor=triage, child=case.child, risk_tier=RiskTier.HIGH,
                                  lead_agency=hub_agency, reason="New referral")
    services.change_advocate(actor=triage, case_pk=reopened.pk, advocate=other,
                             starts_on=timezone.localdate())
    assert selectors.advocate_changes(triage, case) == 1


def test_advocate_must_be_a_victim_advocate_and_not_start_in_the_future(case, triage):
    with pytest.raises(ValidationError) as excinfo:
        services.change_advocate(actor=triage, case_pk=case.pk, advocate=triage,
                                 starts_on=days_from_today(3))
    errors = errors_of(excinfo)
    assert errors["advocate"] == [f"{triage.display_name} is not a victim advocate"]
    assert errors["starts_on"] == ["The date the advocate starts must be today or in the past"]
    assert not AdvocateAllocation.objects.exists()


# --- Plan items ---------------------------------------------------------------------


def test_a_plan_item_with_no_owner_is_refused_and_nothing_is_saved(case, triage):
    with pytest.raises(ValidationError) as excinfo:
        services.add_plan_item(actor=triage, case_pk=case.pk, action="Home visit", owner=None,
                               due_on=days_from_today(7))
    assert errors_of(excinfo) == {
        "owner": ["Select who owns this action: every plan item needs a named owner"]
    }
    assert not PlanItem.objects.exists()
    assert not changes_audited(case)


def test_plan_item_checks_every_field(case, triage, outsider):
    with pytest.raises(ValidationError) as excinfo:
        services.add_plan_item(actor=triage, case_pk=case.pk, action="", owner=outsider,
                               due_on=days_from_today(-1))
    errors = errors_of(excinfo)
    assert errors["action"] == ["Enter the action"]
    assert "cannot see this case" in errors["owner"][0]
    assert errors["due_on"] == ["The date the action is due must be today or in the future"]
    assert not PlanItem.objects.exists()


def test_adding_changing_and_finishing_a_plan_item(case, triage, advocate, hub_agency):
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Safety plan visit",
                                  owner=advocate, due_on=days_from_today(7))
    assert item.owner_agency == hub_agency and item.status == PlanItemStatus.OPEN
    services.update_plan_item(actor=triage, plan_item_pk=item.pk, action="Safety plan visit",
                              owner=advocate, due_on=days_from_today(14))
    with pytest.raises(ValidationError) as excinfo:
        services.complete_plan_item(actor=advocate, plan_item_pk=item.pk,
                                    completed_on=days_from_today(2))
    assert errors_of(excinfo)["completed_on"] == ["The date must be today or in the past"]
    with pytest.raises(ValidationError) as excinfo:
        services.complete_plan_item(actor=advocate, plan_item_pk=item.pk,
                                    completed_on=timezone.localdate(),
                                    status=PlanItemStatus.CANCELLED)
    assert errors_of(excinfo)["note"] == ["Enter why the action was cancelled"]
    services.complete_plan_item(actor=advocate, plan_item_pk=item.pk,
                                completed_on=timezone.localdate())
    item.refresh_from_db()
    assert item.status == PlanItemStatus.DONE and item.completed_by == advocate
    added, changed, done = changes_audited(case)
    assert added.detail["added"] and added.detail["plan_item"] == item.pk
    assert set(changed.detail["changes"]) == {"due_on"}
    assert done.detail["changes"]["status"] == {"old": "open", "new": "done"}
    with pytest.raises(ValidationError, match="already done"):
        services.complete_plan_item(actor=advocate, plan_item_pk=item.pk,
                                    completed_on=timezone.localdate())


def test_plan_items_of_a_case_the_user_may_not_see_are_not_found(case, triage, outsider):
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit", owner=triage,
                                  due_on=days_from_today(3))
    with pytest.raises(Http404):
        services.complete_plan_item(actor=outsider, plan_item_pk=item.pk,
                                    completed_on=timezone.localdate())


# --- Contacts, outcomes --------------------------------------------------------------


def test_recording_a_contact(case, advocate):
    with pytest.raises(ValidationError) as excinfo:
        services.record_contact(actor=advocate, case_pk=case.pk,
                                occurred_at=timezone.now() + dt.timedelta(hours=2),
                                kind="nonsense", with_whom="", summary="")
    errors = errors_of(excinfo)
    assert errors["occurred_at"] == ["The date and time of the contact must be in the past"]
    assert errors["kind"] == ["Select the kind of contact"]
    assert set(errors) == {"occurred_at", "kind", "with_whom", "summary", "child_seen"}
    assert not Contact.objects.exists()
    contact = services.record_contact(actor=advocate, case_pk=case.pk, occurred_at=ago(hours=3),
                                      kind=ContactKind.HOME_VISIT, with_whom="the child",
                                      summary="Talked about school", child_seen="yes",
                                      child_seen_alone="no")
    assert contact.recorded_by == advocate
    assert changes_audited(case)[0].detail["contact"] == contact.pk


def test_recording_an_outcome(case, advocate):
    with pytest.raises(ValidationError) as excinfo:
        services.record_outcome(actor=advocate, case_pk=case.pk, kind=OutcomeKind.OTHER,
                                recorded_on=days_from_today(1))
    assert set(errors_of(excinfo)) == {"note", "recorded_on"}
    outcome = services.record_outcome(actor=advocate, case_pk=case.pk,
                                      kind=OutcomeKind.EDUCATION_RETURNED,
                                      recorded_on=timezone.localdate())
    assert CaseOutcome.objects.get() == outcome


# --- Missing episodes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("went", "returned", "interview", "field", "message"),
    [
        ({"hours": -5}, None, None, "went_missing_at",
         "The date and time the child went missing must be in the past"),
        ({"hours": 10}, {"hours": 20}, None, "returned_at",
         "The date and time the child returned must be after they went missing"),
        ({"hours": 30}, {"hours": 20}, {"hours": 25}, "interview_offered_at",
         "The interview must be offered after the child returned"),
        ({"hours": 30}, None, {"hours": 5}, "interview_offered_at",
         "Enter when the child returned before recording the offer of an interview"),
        ({"hours": 30}, {"hours": 20}, {"hours": -1}, "interview_offered_at",
         "The date and time the interview was offered must be in the past"),
    ],
    ids=["missing-in-future", "return-before-missing", "offer-before-return",
         "offer-without-return", "offer-in-future"],
)
def test_missing_episode_times_are_checked(case, advocate, went, returned, interview, field,
                                           message):
    def moment(delta):
        return ago(**delta) if delta else None

    with pytest.raises(ValidationError) as excinfo:
        services.record_missing_episode(
            actor=advocate, case_pk=case.pk, went_missing_at=moment(went),
            returned_at=moment(returned),
            interview=services.ReturnInterview(
                offered_at=moment(interview), offered_by="A. Worker",
                offerer=InterviewOfferer.INDEPENDENT),
        )
    assert errors_of(excinfo)[field] == [message]
    assert not MissingEpisode.objects.exists()
    assert not changes_audited(case)


def test_a_child_still_missing_must_return_before_another_episode(case, advocate):
    episode = services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                              went_missing_at=ago(hours=30))
    with pytest.raises(ValidationError, match="already recorded as missing"):
        services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                        went_missing_at=ago(hours=2))
    services.update_missing_episode(
        actor=advocate, episode_pk=episode.pk, went_missing_at=episode.went_missing_at,
        returned_at=ago(hours=20), notes="Found at a friend's",
        interview=services.ReturnInterview(
            offered_at=ago(hours=2), offered_by="Sam Reed", offered_by_agency="Safe Return",
            offerer=InterviewOfferer.INDEPENDENT, response=InterviewResponse.ACCEPTED,
            held_at=ago(hours=1), outcome="Spoke about the older friends"),
    )
    episode.refresh_from_db()
    assert episode.interview_offered_in_time is True
    second = services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                             went_missing_at=ago(hours=0.5))
    assert second.returned_at is None
    update = changes_audited(case)[1]
    assert set(update.detail["changes"]) == {
        "returned_at", "interview_offered_at", "interview_offered_by",
        "interview_offered_by_agency", "interview_offerer", "interview_response",
        "return_interview_at", "interview_outcome", "notes"}


# --- Closing ---------------------------------------------------------------------------


def test_closing_needs_a_reason_and_confirmation_for_open_plan_items(
    case, triage, supervisor, advocate
):
    item = services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit", owner=triage,
                                  due_on=days_from_today(3))
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=advocate,
                             starts_on=timezone.localdate())
    with pytest.raises(ValidationError) as excinfo:
        services.request_case_closure(actor=triage, case_pk=case.pk, expected_version=1,
                                      closure_reason="")
    errors = errors_of(excinfo)
    assert errors["closure_reason"] == ["Select why the case is closing"]
    assert errors["cancel_open_plan_items"] == [
        "There is 1 open plan item: complete it first, or confirm it should be cancelled"
    ]
    assert not case.decision_requests.exists()
    close_with_approval(case, requested_by=triage, approved_by=supervisor,
                        closure_reason=ClosureReason.STEPPED_DOWN, note="Early help",
                        cancel_open_plan_items=True)
    item.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_by == supervisor
    assert case.version == 2 and case.closure_note == "Early help"
    assert case.closure_reason_text == "Stepped down to another service"
    assert item.status == PlanItemStatus.CANCELLED
    event = changes_audited(case)[-1]
    assert event.detail["changes"]["status"] == {"old": "open", "new": "closed"}
    assert event.detail["cancelled_plan_items"] == [item.pk]
    assert event.detail["decision_request"]["status"] == "approved"


def test_a_case_is_not_closed_while_the_child_is_missing(case, triage, advocate):
    services.record_missing_episode(actor=advocate, case_pk=case.pk,
                                    went_missing_at=ago(hours=3))
    with pytest.raises(ValidationError) as excinfo:
        services.request_case_closure(actor=triage, case_pk=case.pk, expected_version=1,
                                      closure_reason=ClosureReason.RISK_REDUCED)
    assert "record their return before closing" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_a_closed_case_takes_no_more_work(case, triage, supervisor):
    close_with_approval(case, requested_by=triage, approved_by=supervisor)
    with pytest.raises(ValidationError, match="is closed"):
        services.record_contact(actor=triage, case_pk=case.pk, occurred_at=ago(hours=1),
                                kind=ContactKind.PHONE, with_whom="mother", summary="Call",
                                child_seen="not_applicable")


# --- Restriction ------------------------------------------------------------------------


def test_restricting_and_lifting(case, supervisor, triage):
    with pytest.raises(PermissionDenied):
        services.set_restricted(actor=triage, case_pk=case.pk, expected_version=1,
                                restricted=True, reason="x")
    with pytest.raises(ValidationError) as excinfo:
        services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                                restricted=True, reason="")
    assert errors_of(excinfo)["reason"] == ["Enter why the case is being restricted"]
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="A relative works in the hub")
    case.refresh_from_db()
    assert case.is_restricted and case.restriction_reason == "A relative works in the hub"
    with pytest.raises(ValidationError, match="already restricted"):
        services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=2,
                                restricted=True, reason="again")
    with pytest.raises(ValidationError, match="needs a supervisor's or the MACE chair's"):
        services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=2,
                                restricted=False, reason="Relative has left the hub")
    case.refresh_from_db()
    assert case.is_restricted and case.version == 2


def test_opening_a_second_case_for_a_child_is_refused(case, triage, hub_agency):
    with pytest.raises(services.CaseAlreadyOpen):
        services.open_case(actor=triage, child=case.child, risk_tier=RiskTier.LOW,
                           lead_agency=hub_agency, reason="again")
    assert Case.objects.count() == 1
    assert RiskTierChange.objects.count() == 1
