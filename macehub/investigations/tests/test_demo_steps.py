"""The demo's investigations: one for each confirmed group (its children and suspects),
others for children at risk; worked as the rules say (no review signed by the officer in
the case, no charging decision or closure without the review at that point, nothing
dated after the demo's day); the same for the same seed (by its ``fingerprint``, in
``demo/tests/test_demo_runs``), and removed by a reset."""

from __future__ import annotations

import pytest
from django.utils import timezone

from macehub.cases.models import AdvocateAllocation
from macehub.investigations.codes import (
    InvestigationStatus,
    JourneyStepKind,
    OutcomeCode,
    ReviewPoint,
)
from macehub.investigations.models import (
    AdvocateNote,
    Investigation,
    InvestigationVictim,
    JourneyStep,
    SupervisoryReview,
    SuspectRelease,
)
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return [(i.reference, i.title, i.status, i.outcome, i.reported_on, i.closed_at,
             sorted(i.victims.values_list("person__given_name", "person__family_name")),
             sorted(i.reviews.values_list("point", "due_at", "reviewed_at")))
            for i in Investigation.objects.order_by("reference")]


def test_the_demo_investigates_the_confirmed_groups_by_the_rules(
        small_demo_for_module: str) -> None:
    now = timezone.now()
    investigations = list(Investigation.objects.prefetch_related("victims", "suspects",
                                                                 "reviews"))
    assert investigations
    for group in Group.objects.filter(status=GroupStatus.CONFIRMED):
        victims = set(group.members.filter(part=MemberPart.VICTIM).values_list(
            "person_id", flat=True))
        suspects = set(group.members.filter(part=MemberPart.SUSPECT).values_list(
            "person_id", flat=True))
        (investigation,) = [i for i in investigations if group.reference in i.title]
        assert {v.person_id for v in investigation.victims.all()} == victims
        assert {s.person_id for s in investigation.suspects.all()} == suspects
    for investigation in investigations:
        reviews = list(investigation.reviews.all())
        assert investigation.created_at <= now
        assert all(r.reviewed_at is None or r.reviewed_at <= now for r in reviews)
        assert all(r.reviewer_id != investigation.officer_in_case_id
                   for r in reviews if r.reviewer_id)
        points = {r.point for r in reviews if r.reviewed_at}
        if investigation.status == InvestigationStatus.CLOSED:
            assert investigation.outcome and ReviewPoint.BEFORE_CLOSURE in points
            assert not [r for r in reviews if r.reviewed_at is None]
        if investigation.charging_requested_at is not None:
            assert ReviewPoint.BEFORE_CHARGE in points
        if investigation.officer_in_case_id is None:
            assert not reviews, "no review before allocation"
        else:
            assert ReviewPoint.ALLOCATION in {r.point for r in reviews}
    waiting = SupervisoryReview.objects.filter(reviewed_at__isnull=True)
    assert waiting.filter(due_at__lt=now).exists(), "some reviews are overdue"
    assert Investigation.objects.filter(status=InvestigationStatus.CLOSED).exists()
    releases = list(SuspectRelease.objects.select_related("suspect__investigation"))
    assert releases and all(r.suspect.investigation.closed_at is None for r in releases)
    assert all(r.starts_on < r.expires_on and r.starts_on <= timezone.localdate()
               for r in releases)
    assert all(bool(r.conditions) == (r.kind == "bail") for r in releases)



def test_each_child_victims_journey_is_told_as_it_happened(small_demo_for_module: str) -> None:
    today = timezone.localdate()
    victims = list(InvestigationVictim.objects.select_related("investigation"))
    assert victims and all(victim.entitlements.exists() for victim in victims)
    withdrew = [victim for victim in victims if victim.withdrew_on is not None]
    assert withdrew, "a withdrawal"
    for victim in withdrew:
        assert victim.withdrawal_reason
        assert victim.investigation.reported_on <= victim.withdrew_on <= today
    # The planted child the hub holds no case for, lost to outcome 16, withdrew.
    unknown = [victim for victim in victims if not AdvocateAllocation.objects.filter(
        case__child_id=victim.person_id).exists()
        and victim.investigation.outcome == OutcomeCode.VICTIM_DOES_NOT_SUPPORT]
    assert unknown and all(victim.withdrew_on for victim in unknown)
    steps = JourneyStep.objects.all()
    assert steps.filter(kind=JourneyStepKind.ABE_INTERVIEW, status="held").exists()
    assert not steps.filter(status__in=["held", "granted", "applied"], on__gt=today).exists()
    assert steps.filter(kind=JourneyStepKind.COURT_HEARING).exists()
    # An advocate's notes only where the service's advocate was the child's.
    for note in AdvocateNote.objects.select_related("victim"):
        assert AdvocateAllocation.objects.filter(case__child_id=note.victim.person_id).exists()
