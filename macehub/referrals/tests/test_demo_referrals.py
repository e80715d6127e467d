"""The demo's referrals: a year from every source with a weekly rhythm, screened by the
real rules, mostly decided on time, some late, some still waiting, some opening MACE
cases; the same for the same seed (by its ``fingerprint``, in
``demo/tests/test_demo_runs``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind
from macehub.cases.codes import Brag
from macehub.cases.models import Case
from macehub.referrals.clocks import decision_clock, partner_check_clock
from macehub.referrals.codes import (
    CHILDRENS_SOCIAL_CARE_OUTCOMES,
    ExploitationModel,
    ImmediateStepKind,
    PartnerCheckResult,
    ReferralSource,
    ReferralStatus,
    TriageOutcome,
)
from macehub.referrals.demo_steps import KNOWN_CHILD_CONCERN
from macehub.referrals.models import PartnerCheck, Referral
from macehub.referrals.screening import ScreenedIndicator, screen_referral
from macehub.referrals.selectors import what_we_already_know
from macehub.testing.clock import on_demo_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo_for_module")]

AS_OF = dt.date(2026, 6, 1)
DEMO_SEED = 3  # the module's demo (small_demo_for_module)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield



def fingerprint() -> list[tuple[Any, ...]]:
    return [
        (r.reference, r.child.given_name, r.child.family_name, r.child.date_of_birth,
         r.referrer.username, r.received_at, r.status, r.outcome, r.brag, r.decided_at,
         tuple(r.indicators.order_by("code").values_list("code", flat=True)),
         r.case.reference if r.case else None)
        for r in Referral.objects.select_related("child", "referrer", "case").order_by(
            "reference")
    ]


def test_a_year_of_referrals_that_looks_like_a_hub_s_year() -> None:
    referrals = list(Referral.objects.exclude(concerns=KNOWN_CHILD_CONCERN)
                     .select_related("child").prefetch_related("indicators"))
    assert len(referrals) == 150
    assert {r.source for r in referrals} == set(ReferralSource.values)
    start = dt.datetime(2025, 6, 1, tzinfo=LONDON)
    end = dt.datetime(2026, 6, 1, tzinfo=LONDON)
    assert all(start <= r.received_at < end for r in referrals)
    weekend = sum(r.received_at.astimezone(LONDON).weekday() >= 5 for r in referrals)
    assert weekend / len(referrals) < 0.15  # two days of seven would be 29%
    school_in_august = [r for r in referrals if r.source == ReferralSource.SCHOOL
                        and r.received_at.astimezone(LONDON).month == 8]
    assert len(school_in_august) <= 2

    waiting = [r for r in referrals if r.status == ReferralStatus.AWAITING_TRIAGE]
    decided = [r for r in referrals if r.status == ReferralStatus.DECIDED]
    assert 3 <= len(waiting) <= 15
    late = [r for r in decided if not r.decided_within_time]
    assert 0.03 <= len(late) / len(decided) <= 0.3
    assert all(r.decided_at and r.decided_at < end for r in decided)
    assert len({r.outcome for r in decided}) == len(TriageOutcome)
    opened = [r for r in decided if r.outcome == TriageOutcome.OPEN_MACE_CASE]
    assert 0.08 <= len(opened) / len(referrals) <= 0.25
    assert all(r.case_id is not None for r in opened)


def test_each_stored_screening_is_what_the_rules_give_for_its_indicators() -> None:
    for referral in Referral.objects.select_related("child").prefetch_related("indicators"):
        day = referral.received_at.astimezone(LONDON).date()
        screening = screen_referral(
            indicators=[ScreenedIndicator(i.code, i.label, i.weight)
                        for i in referral.indicators.all()],
            child_age=referral.child.age_on(day), disclosure=bool(referral.disclosure),
            immediate_risk=bool(referral.immediate_risk),
            thresholds=settings.SCREENING_THRESHOLDS,
            missing_episodes=referral.missing_episodes or 0,
            sexual_activity=bool(referral.sexual_activity),
        )
        assert referral.screening_score == screening.score
        assert (referral.suggested_brag, referral.suggested_tier) == (
            screening.brag, screening.tier_value)
        assert referral.screening_reasons == screening.reasons_json()
        # The decision within one working day, whatever the rating; partner checks by
        # the rating triage gave (the suggestion while awaiting triage).
        assert referral.decision_due_at == decision_clock().due_at(referral.received_at)
        assert referral.partner_check_brag == (referral.brag or referral.suggested_brag)
        assert referral.partner_checks_due_at == partner_check_clock(
            referral.partner_check_brag).due_at(referral.received_at)
        if referral.override_reason:
            assert (referral.brag, referral.risk_tier) != (
                referral.suggested_brag, referral.suggested_tier)


def test_social_care_outcomes_are_recorded_by_children_s_social_care() -> None:
    statutory = Referral.objects.filter(outcome__in=CHILDRENS_SOCIAL_CARE_OUTCOMES)
    assert statutory.exists()
    assert set(statutory.values_list("decided_by__agency__kind", flat=True)) == {
        AgencyKind.CHILDRENS_SOCIAL_CARE}


def test_partner_checks_back_in_time_late_and_outstanding() -> None:
    checks = list(PartnerCheck.objects.select_related("referral", "returned_by__team"))
    outstanding = [c for c in checks if not c.is_returned]
    late = [c for c in checks if c.is_returned and not c.returned_in_time]
    in_time = [c for c in checks if c.returned_in_time]
    assert outstanding and late and in_time
    assert len(in_time) > len(late)
    for check in checks:
        assert check.requested_at >= check.referral.received_at
        assert check.due_at == partner_check_clock(check.brag).due_at(check.requested_at)
        if check.returned_by is not None:  # one of the asked agency's hub members
            assert check.returned_by.agency_id == check.agency_id
            assert check.returned_by.team is not None and check.returned_by.team.is_hub_team
    # Checks out when triage changed the rating follow the new rating's clock.
    assert any(c.brag != c.referral.suggested_brag for c in checks)
    assert {c.result for c in checks if c.is_returned} == set(PartnerCheckResult.values)


def test_an_under_13_referral_with_its_steps_recorded() -> None:
    prompting = [r for r in Referral.objects.prefetch_related("immediate_steps")
                 if r.prompts_immediate_steps]
    assert prompting
    for referral in prompting:
        assert referral.sexual_activity and referral.suggested_brag == Brag.RED
        kinds = {step.kind for step in referral.immediate_steps.all() if step.done}
        assert ImmediateStepKind.POLICE_NOTIFICATION in kinds
        if referral.decided_at is not None:
            assert ImmediateStepKind.STRATEGY_DISCUSSION in kinds


def _cases_with_their_opening_referral() -> list[tuple[Case, Referral]]:
    """Each case a referral opened, with that referral: the first received of those that
    point at the case (later ones joined it)."""
    pairs = []
    for case in Case.objects.filter(referrals__isnull=False).distinct().order_by("pk"):
        opening = case.referrals.order_by("received_at", "pk").first()
        assert opening is not None
        pairs.append((case, opening))
    return pairs


def test_cases_are_one_per_child_and_opened_when_decided() -> None:
    from_referrals = _cases_with_their_opening_referral()
    assert from_referrals
    for case, referral in from_referrals:
        # (The cases step, which runs next, adds the year's work and may move tiers on.)
        assert referral.outcome == TriageOutcome.OPEN_MACE_CASE
        assert case.child_id == referral.child_id and referral.case_id == case.pk
    open_per_child = Counter(Case.objects.filter(status="open").values_list("child_id",
                                                                            flat=True))
    assert max(open_per_child.values()) == 1


def test_the_demo_shows_each_exploitation_type_and_both_group_models() -> None:
    referrals = list(Referral.objects.all())
    types = Counter(t for r in referrals for t in r.exploitation_types)
    assert types["cse"] > types["cce"] > types["trafficking"] > 0
    assert any(r.exploitation_types == ["cce"] for r in referrals)  # criminal only
    models = Counter(r.exploitation_model for r in referrals)
    assert models[ExploitationModel.GROUP_BASED] > 0
    assert models[ExploitationModel.GANG_ASSOCIATED] > 0
    assert "group_gang" not in models
    for referral in referrals:  # a criminal-exploitation type follows what was seen
        criminal_seen = any(i.domain == "criminal" for i in referral.indicators.all())
        if criminal_seen or referral.exploitation_model == ExploitationModel.GANG_ASSOCIATED:
            assert "cce" in referral.exploitation_types
    cases = _cases_with_their_opening_referral()
    assert cases
    for case, referral in cases:  # a case takes its referral's types (the NRM step may add one)
        assert set(referral.exploitation_types) <= set(case.exploitation_types)


def test_the_demo_has_a_referral_awaiting_triage_about_a_child_the_hub_knows() -> None:
    referral = Referral.objects.get(concerns=KNOWN_CHILD_CONCERN)
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert referral.exploitation_types == ["cse", "cce"]
    triage = User.objects.get(username="triage.police")
    known = what_we_already_know(triage, referral)
    assert known.referrals and known.cases and known.missing_episodes
    assert known.intelligence
    assert all(not item.contents_withheld for item in known.cases)


def test_the_demo_has_referrals_that_joined_open_cases_and_one_picked_up() -> None:
    from macehub.cases.models import ReferralJoined

    joined = list(ReferralJoined.objects.select_related("case"))
    assert joined
    for row in joined:
        referral = Referral.objects.get(reference=row.referral_reference)
        assert referral.case_id == row.case_id and referral.outcome == TriageOutcome.OPEN_MACE_CASE
        assert row.joined_at >= row.case.opened_at
    waiting = [row for row in joined if not row.is_acknowledged]
    assert waiting and all(row.case.is_open for row in waiting)
    picked = Referral.objects.filter(picked_up_by__isnull=False).select_related("picked_up_by")
    assert [r.picked_up_by.username for r in picked] == ["triage.police"]
    assert picked[0].status == ReferralStatus.AWAITING_TRIAGE
