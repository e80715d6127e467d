"""Next actions on a case's overview: each kind appears when there is something to do,
links to where it is done (or, for a viewer who may not do it, to where it is shown),
and is gone when it is done; overdue items come first."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.cases import selectors
from macehub.cases.codes import DecisionKind, RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseDecisionRequest,
    MissingEpisode,
    PlanItem,
    RiskAssessment,
)
from macehub.cases.next_actions import (
    NextAction,
    NextActionContext,
    next_actions,
    registered_kinds,
)
from macehub.cases.services import keep_tier_after_referral, record_referral_joined
from macehub.cases.tests.conftest import ago, client_for, days_from_today

pytestmark = pytest.mark.django_db


def _actions(user: User, case: Case, *, can_change: bool = True, can_record: bool = True,
             can_assess_risk: bool = True) -> list[NextAction]:
    full = selectors.case_for(user, case.pk, full=True)
    return next_actions(NextActionContext(
        overview=selectors.case_overview(user, full),
        pending=selectors.pending_decisions(user, full),
        referrals_joined=selectors.referrals_joined_to_review(user, full),
        can_change=can_change, can_record=can_record, can_assess_risk=can_assess_risk,
    ))


def _settled(case: Case, triage: User, advocate: User, supervisor: User) -> None:
    """Nothing to do: a key worker, an advocate, and a risk assessment in date."""
    Case.objects.filter(pk=case.pk).update(key_worker=supervisor)
    AdvocateAllocation.objects.create(case=case, advocate=advocate,
                                      started_on=timezone.localdate())
    RiskAssessment.objects.create(
        case=case, assessed_on=timezone.localdate(), assessed_by=triage,
        judgement=RiskTier.MEDIUM, case_tier=RiskTier.MEDIUM, summary="Stable",
        next_review_on=days_from_today(20))


def _kinds(actions: list[NextAction]) -> list[str]:
    return [action.kind for action in actions]


def test_the_kinds_are_registered() -> None:
    assert set(registered_kinds()) >= {"key_worker", "advocate", "return_interview",
                                       "risk_review", "plan_items", "decision",
                                       "referral_joined"}


def test_nothing_to_do(case, triage, advocate, supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    assert _actions(triage, case) == []
    html = client_for(triage).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Next actions" in html and "Nothing needs doing now." in html


def test_no_key_worker(case, triage, advocate, supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    Case.objects.filter(pk=case.pk).update(key_worker=None)
    [action] = _actions(triage, case)
    assert (action.kind, action.text) == ("key_worker", "Name a key worker")
    assert action.href == reverse("cases:change_key_worker", args=[case.pk])
    [shown] = _actions(triage, case, can_change=False)
    assert shown.href == reverse("cases:workers", args=[case.pk])


def test_no_advocate(case, triage, advocate, supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    AdvocateAllocation.objects.filter(case=case).update(ended_on=timezone.localdate())
    [action] = _actions(triage, case)
    assert (action.kind, action.text) == ("advocate", "Allocate a victim advocate")
    assert action.href == reverse("cases:change_advocate", args=[case.pk])


def test_a_return_home_interview_to_offer_due_then_overdue(case, triage, advocate,
                                                           supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    episode = MissingEpisode.objects.create(
        child=case.child, case=case, went_missing_at=ago(hours=30), returned_at=ago(hours=10),
        recorded_by=triage)
    [action] = _actions(triage, case)
    assert action.kind == "return_interview" and not action.overdue
    assert action.text.startswith("Offer a return home interview")
    assert action.href == reverse("cases:edit_missing_episode", args=[case.pk, episode.pk])
    assert action.due_on == timezone.localdate(episode.return_interview_due_at)
    MissingEpisode.objects.filter(pk=episode.pk).update(went_missing_at=ago(days=10),
                                                        returned_at=ago(days=9))
    [late] = _actions(triage, case)
    assert late.overdue
    # Offered: nothing left to do.
    MissingEpisode.objects.filter(pk=episode.pk).update(interview_offered_at=ago(days=8))
    assert _actions(triage, case) == []


def test_risk_review_due_and_overdue(case, triage, advocate, supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    RiskAssessment.objects.filter(case=case).update(assessed_on=days_from_today(-5),
                                                    next_review_on=timezone.localdate())
    [due] = _actions(triage, case)
    assert (due.kind, due.overdue, due.due_on) == ("risk_review", False, timezone.localdate())
    assert due.href == reverse("cases:add_risk_assessment", args=[case.pk])
    RiskAssessment.objects.filter(case=case).update(
        assessed_on=days_from_today(-30), next_review_on=days_from_today(-3))
    [overdue] = _actions(triage, case, can_assess_risk=False)
    assert overdue.overdue and overdue.due_on == days_from_today(-3)
    assert overdue.href == reverse("cases:risk_assessments", args=[case.pk])


def test_a_new_case_needs_its_first_risk_assessment(case, triage) -> None:
    review = next(a for a in _actions(triage, case) if a.kind == "risk_review")
    assert review.text == "Review the risk: first assessment due"


def test_plan_items_overdue(case, triage, advocate, supervisor, hub_agency: Agency) -> None:
    _settled(case, triage, advocate, supervisor)
    for days in (-5, -2, 3):
        PlanItem.objects.create(case=case, action=f"Action {days}", owner=triage,
                                owner_agency=hub_agency, due_on=days_from_today(days),
                                created_at=ago(days=10), created_by=triage)
    [action] = _actions(triage, case)
    assert (action.kind, action.text, action.overdue) == ("plan_items", "2 plan items overdue",
                                                         True)
    assert action.due_on == days_from_today(-5)
    assert action.href == reverse("cases:plan", args=[case.pk])


def test_a_decision_waiting(case, triage, advocate, supervisor) -> None:
    _settled(case, triage, advocate, supervisor)
    request = CaseDecisionRequest.objects.create(
        case=case, kind=DecisionKind.CLOSE, closure_reason="risk_reduced", reason="Safe now",
        case_version=case.version, requested_by=triage, requested_at=ago(hours=2))
    [asked] = _actions(triage, case)
    assert asked.kind == "decision" and asked.text.startswith("Waiting for a decision: Close")
    assert asked.href == f"#pending-decision-{request.pk}"
    [decide] = _actions(supervisor, case)
    assert decide.text.startswith("Decide: Close the case")
    assert decide.href == reverse("cases:decide", args=[request.pk])


def test_overdue_first_then_soonest_and_shown_on_the_overview(case, triage, hub_agency
                                                              ) -> None:
    PlanItem.objects.create(case=case, action="Late", owner=triage, owner_agency=hub_agency,
                            due_on=days_from_today(-1), created_at=ago(days=3),
                            created_by=triage)
    actions = _actions(triage, case)
    assert _kinds(actions)[0] == "plan_items"
    assert set(_kinds(actions)) == {"plan_items", "key_worker", "advocate", "risk_review"}
    html = client_for(triage).get(reverse("cases:detail", args=[case.pk])).content.decode()
    top = html.split('id="next-actions"', 1)[1].split("</div>", 1)[0]
    assert "1 plan item overdue" in top and "Name a key worker" in top
    assert "Allocate a victim advocate" in top and "Overdue" in top


def test_a_closed_case_has_no_staffing_actions(case, triage) -> None:
    Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now(),
                                           closure_reason="risk_reduced")
    assert _actions(triage, case) == []


def test_a_new_referral_joined(case, triage, advocate, supervisor, hub_agency: Agency) -> None:
    """Triage rated a new referral High while the case is Medium: the overview asks for
    the tier to be reviewed, linking to the prompt, until the key worker has done so."""
    _settled(case, triage, advocate, supervisor)
    joined = record_referral_joined(
        actor=triage, case=case, referral_reference="MACE-2026-00099",
        referring_agency=hub_agency, joined_at=ago(days=1), risk_tier=RiskTier.HIGH)
    [action] = _actions(supervisor, case)
    assert action.kind == "referral_joined"
    assert action.text == ("Review the risk tier: referral MACE-2026-00099 from "
                           f"{hub_agency.name} joined the case")
    assert action.href == f"#referral-joined-{joined.pk}"
    html = client_for(supervisor).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'id="referral-joined-{joined.pk}"' in html
    keep_tier_after_referral(actor=supervisor, joined_pk=joined.pk,
                             expected_version=joined.version, reason="Already planned for")
    assert _actions(supervisor, case) == []
