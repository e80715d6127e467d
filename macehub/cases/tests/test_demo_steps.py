"""The cases demo step: a year's work on each case, the same for the same seed (by its
``fingerprint``, in ``demo/tests/test_demo_runs``), working after the referrals step or
alone, and removed again by a reset."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.cases import selectors
from macehub.cases.codes import (
    RISK_TIER_RANK,
    CaseStatus,
    DecisionKind,
    DecisionStatus,
    InterviewOfferer,
    MissingEpisodeState,
    PlanItemStatus,
)
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseDecisionRequest,
    CaseOutcome,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    RiskTierChange,
)
from macehub.testing.clock import on_demo_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo_for_module")]

AS_OF = dt.date(2026, 6, 1)
AS_OF_EVENING = dt.datetime.combine(AS_OF, dt.time(17), tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield



def fingerprint() -> list[tuple[Any, ...]]:
    """What the step decided, case by case, leaving out ids and database clocks."""
    rows = []
    for case in Case.objects.select_related("child", "key_worker").order_by("reference"):
        rows.append((
            case.reference, case.child.given_name, case.child.family_name, case.risk_tier,
            case.status, case.closure_reason, case.closed_at, case.opened_at,
            case.key_worker.username if case.key_worker else None, case.is_restricted,
            list(case.tier_history.order_by("changed_at", "id").values_list(
                "from_tier", "to_tier", "changed_at", "reason")),
            list(case.plan_items.order_by("created_at", "action").values_list(
                "action", "owner__username", "due_on", "status", "completed_on")),
            list(case.contacts.order_by("occurred_at", "id").values_list(
                "occurred_at", "kind", "with_whom")),
            list(case.missing_episodes.order_by("went_missing_at").values_list(
                "went_missing_at", "returned_at", "return_interview_at")),
            list(case.advocacy.order_by("started_on", "id").values_list(
                "advocate__username", "started_on", "ended_on", "end_reason")),
            list(case.outcomes.order_by("recorded_at", "kind").values_list("kind", "recorded_on")),
        ))
    return rows


def test_the_step_fills_every_case_with_a_years_work() -> None:
    cases = Case.objects.count()
    assert cases >= 10
    assert not Case.objects.filter(plan_items__isnull=True).exists()
    assert Counter(Case.objects.values_list("status", flat=True))[CaseStatus.CLOSED] >= 1
    assert RiskTierChange.objects.exclude(from_tier="").exists()
    # Tier history ends at the case's tier, and starts with the opening.
    for case in Case.objects.prefetch_related("tier_history"):
        history = list(case.tier_history.all())
        assert history[0].from_tier == "" and history[-1].to_tier == case.risk_tier
    # Continuity: some children had their advocate changed.
    per_case = Counter(AdvocateAllocation.objects.values("case").annotate(n=Count("id"))
                       .values_list("n", flat=True))
    assert any(n > 1 for n in per_case)
    # Some plan items overdue; return home interviews offered in time, late, or never;
    # declined, and held with an outcome; offered by independent people and others.
    assert selectors.overdue_plan_items(AS_OF).exists()
    episodes = list(MissingEpisode.objects.all())
    states = Counter(episode.state(AS_OF_EVENING) for episode in episodes)
    assert any(e.interview_offered_in_time is False for e in episodes)
    assert any(e.interview_offered_in_time for e in episodes)
    assert states[MissingEpisodeState.OFFER_OVERDUE] >= 1
    assert states[MissingEpisodeState.OFFER_DUE] >= 1
    assert states[MissingEpisodeState.DECLINED] >= 1
    assert states[MissingEpisodeState.HELD] >= 1
    assert all(e.interview_outcome for e in episodes if e.return_interview_at)
    assert {e.interview_offerer for e in episodes if e.interview_offered_at} == {
        InterviewOfferer.INDEPENDENT, InterviewOfferer.NOT_INDEPENDENT}
    assert all(e.interview_offered_by for e in episodes if e.interview_offered_at)
    # Children without a case went missing too: the episodes are theirs.
    without_case = [e for e in episodes if e.case_id is None]
    assert len(without_case) >= 3
    assert not Case.objects.filter(child_id__in=[e.child_id for e in without_case]).exists()
    assert all(e.child_id == e.case.child_id for e in episodes if e.case_id is not None)
    assert Contact.objects.exists() and CaseOutcome.objects.exists()
    # Children's social workers hold cases as key workers.
    assert Case.objects.filter(key_worker__role_assignments__role=Role.SOCIAL_WORKER).exists()
    # Advocates' contacts are confidential to their service; nobody else's are.
    advocates = Contact.objects.filter(recorded_by__role_assignments__role=Role.VICTIM_ADVOCATE)
    assert advocates.exists()
    assert not advocates.filter(advocacy_service__isnull=True).exists()
    assert all(contact.advocacy_service == contact.recorded_by.agency
               for contact in advocates.select_related("recorded_by", "advocacy_service"))
    assert not Contact.objects.exclude(pk__in=advocates.values("pk")).filter(
        advocacy_service__isnull=False).exists()
    # Nothing in the future of the reference date; closed cases have nothing left open.
    assert not Contact.objects.filter(occurred_at__gt=AS_OF_EVENING).exists()
    assert not PlanItem.objects.filter(case__status=CaseStatus.CLOSED,
                                       status=PlanItemStatus.OPEN).exists()
    # Advocacy goes on after some closures; where it ended, it ended with its own reason.
    assert AdvocateAllocation.objects.filter(case__status=CaseStatus.CLOSED,
                                             ended_on__isnull=True).exists()
    assert not AdvocateAllocation.objects.filter(ended_on__isnull=False, end_reason="").exists()
    assert not AdvocateAllocation.objects.filter(ended_on__gt=AS_OF).exists()
    # "Did not engage" closes nothing.
    assert not Case.objects.filter(closure_reason="no_engagement").exists()
    assert not Case.objects.filter(status=CaseStatus.CLOSED, closure_reason_words="").exists()


def test_every_closure_and_lowering_was_approved_and_some_wait() -> None:
    requests = CaseDecisionRequest.objects.all()
    # Each closure was asked for by one person and approved by the one who closed it.
    for case in Case.objects.filter(status=CaseStatus.CLOSED):
        [asked] = requests.filter(case=case, kind=DecisionKind.CLOSE,
                                  status=DecisionStatus.APPROVED)
        assert asked.decided_by_id == case.closed_by_id != asked.requested_by_id
        assert asked.requested_at <= asked.decided_at == case.closed_at
    lowerings = [change for change in RiskTierChange.objects.exclude(from_tier="")
                 if RISK_TIER_RANK[change.to_tier] < RISK_TIER_RANK[change.from_tier]]
    assert lowerings
    assert requests.filter(kind=DecisionKind.LOWER_TIER,
                           status=DecisionStatus.APPROVED).count() == len(lowerings)
    counts = Counter(requests.values_list("kind", "status"))
    assert counts[(DecisionKind.CLOSE, DecisionStatus.REJECTED)] == 1
    assert counts[(DecisionKind.CLOSE, DecisionStatus.PENDING)] == 1
    assert counts[(DecisionKind.LOWER_TIER, DecisionStatus.PENDING)] == 1
    waiting = requests.filter(status=DecisionStatus.PENDING)
    assert not waiting.filter(case__status=CaseStatus.CLOSED).exists()
    # The demo supervisor has them in their queue (never their own).
    supervisor = User.objects.get(username="supervisor.police")
    assert set(selectors.decision_requests_awaiting(supervisor)) == set(waiting)


def test_the_demo_has_nrm_referrals_with_each_kind_of_decision() -> None:
    nrms = list(NrmReferral.objects.select_related("case").order_by("pk"))
    assert len(nrms) >= 3
    assert all("trafficking" in nrm.case.exploitation_types for nrm in nrms)
    decided = [(n.reasonable_grounds, n.conclusive_grounds) for n in nrms]
    assert ("positive", "positive") in decided
    assert ("positive", "") in decided and ("negative", "") in decided
    for nrm in nrms:
        assert nrm.referred_on >= timezone.localdate(nrm.case.opened_at)
        if nrm.reasonable_grounds_on:
            assert nrm.reasonable_grounds_on >= nrm.referred_on
        if nrm.conclusive_grounds_on:
            assert nrm.reasonable_grounds_on is not None
            assert nrm.conclusive_grounds_on >= nrm.reasonable_grounds_on
