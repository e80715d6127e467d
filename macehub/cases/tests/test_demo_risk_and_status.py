"""The demo's risk assessments and statutory statuses: assessments at each tier's cadence
with some reviews overdue, some cases never assessed and some judgements different from
the tier; each statutory status, looked-after children with placements and a child who
needs an interpreter; the same for the same seed (by its ``fingerprint``, in
``demo/tests/test_demo_runs``), and removed by a reset."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db.models import F

from macehub.accounts.models import User
from macehub.cases import selectors
from macehub.cases.models import Case, RiskAssessment
from macehub.cases.reviews import assessment_domains
from macehub.people.models import Person
from macehub.testing.clock import on_demo_day

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("small_demo_for_module")]

AS_OF = dt.date(2026, 6, 1)
AS_OF_EVENING = dt.datetime.combine(AS_OF, dt.time(17), tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield



def fingerprint() -> list[tuple[Any, ...]]:
    assessments = list(RiskAssessment.objects.order_by(
        "case__reference", "assessed_on", "recorded_at").values_list(
        "case__reference", "assessed_on", "judgement", "case_tier", "next_review_on",
        "assessed_by__username"))
    statuses = list(Person.objects.exclude(statutory_status_recorded_at=None).order_by(
        "family_name", "given_name", "date_of_birth").values_list(
        "given_name", "family_name", "child_in_need", "child_protection_plan", "looked_after",
        "placement_type", "placing_authority", "care_leaver", "first_language",
        "interpreter_needed"))
    return [*assessments, *statuses]


def test_the_demo_shows_assessments_reviews_due_and_each_statutory_status() -> None:
    assessments = RiskAssessment.objects.select_related("case")
    assert assessments.count() >= 20
    assert not assessments.filter(assessed_on__gt=AS_OF).exists()
    for assessment in assessments.prefetch_related("ratings"):
        assert assessment.assessed_on >= assessment.case.opened_at.date() - dt.timedelta(days=1)
        assert [r.domain for r in assessment.ratings.all()] == [
            code for code, _ in assessment_domains()]
        assert all(r.note for r in assessment.ratings.all() if r.rating in ("medium", "high"))
    assert assessments.exclude(judgement=F("case_tier")).exists()
    # Reviews due, seen by a hub supervisor: overdue ones, never-assessed ones, and cases
    # whose review is not yet due are left off.
    supervisor = User.objects.filter(role_assignments__role="supervisor",
                                     team__is_hub_team=True).order_by("username").first()
    assert supervisor is not None
    due = selectors.risk_reviews_due(supervisor, AS_OF_EVENING)
    assert any(row.never_assessed for row in due)
    assert any(row.is_overdue and not row.never_assessed for row in due)
    open_cases = Case.objects.filter(status="open").count()
    assert 0 < len(due) < open_cases
    # Each statutory status, placements for the looked after, an interpreter needed.
    recorded = Person.objects.exclude(statutory_status_recorded_at=None)
    for status in ("child_in_need", "child_protection_plan", "looked_after", "care_leaver"):
        assert recorded.filter(**{status: True}).exists(), status
    looked_after = recorded.filter(looked_after=True)
    assert not looked_after.filter(placement_type="").exists()
    assert not looked_after.filter(placing_authority="").exists()
    assert recorded.filter(interpreter_needed=True).exclude(first_language="").exists()
    assert Person.objects.filter(cases__isnull=False, statutory_status_recorded_at=None).exists()
