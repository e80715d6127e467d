"""The demo's inspection tracker, as of the tests' fixed demo day: recommendations 1 to
9 and areas for improvement with actions (some done, some overdue, one dropped), no
recommendation closed without evidence, one statement published naming no one, and the
supervision recommendation's planted improvement: its linked measures, overdue actions
and supervisory reviews on time, are better in the last whole quarter than in the first."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from django.utils import timezone

from macehub.accountability.codes import CLOSED_STATUSES
from macehub.accountability.demo_steps import OVERDUE_MEASURE, SUPERVISION_MEASURE, TITLE
from macehub.accountability.models import (
    ImprovementAction,
    Inspection,
    ProgressStatement,
    Recommendation,
)
from macehub.accountability.services import closure_refusal
from macehub.accounts.models import User
from macehub.core.metrics import get_metric
from macehub.forms import last_full_month
from macehub.performance.selectors import trend_periods

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return list(ImprovementAction.objects.order_by(
        "recommendation__kind", "recommendation__number", "due_on", "description")
        .values_list("recommendation__number", "description", "owner__username", "due_on",
                     "status", "done_on"))


def test_the_demo_tracks_the_inspection(small_demo_for_module: str) -> None:
    today = timezone.localdate()
    inspection = Inspection.objects.get(title=TITLE)
    findings = list(inspection.recommendations.all())
    numbers = sorted(f.number for f in findings if f.kind == "recommendation")
    assert numbers == list(range(1, 10))
    assert Counter(f.kind for f in findings)["area_for_improvement"] == 3
    actions = list(ImprovementAction.objects.all())
    statuses = Counter(a.status for a in actions)
    assert statuses["done"] and statuses["dropped"] == 1
    assert any(a.status == "open" and a.due_on < today for a in actions), "overdue"
    assert any(a.status == "open" and a.due_on >= today for a in actions), "not yet due"
    assert all(a.done_on is None or a.done_on <= today for a in actions)
    assert len({a.agency_id for a in actions}) >= 3
    closed = [f for f in findings if f.status in CLOSED_STATUSES]
    assert closed and Counter(f.status for f in findings)["in_progress"]
    for finding in closed:
        assert closure_refusal(finding, finding.status) is None, finding
    assert Counter(f.assessment for f in findings)["achieved"]
    statement = ProgressStatement.objects.get()
    assert statement.published_at <= timezone.now()
    assert statement.figures_month == last_full_month(today).start
    frozen = json.dumps(statement.content)
    for user in User.objects.all():
        assert user.username not in frozen and user.display_name not in frozen


def test_the_supervision_recommendations_measure_improves(small_demo_for_module: str) -> None:
    supervision = Recommendation.objects.get(kind="recommendation", theme="supervision")
    linked = set(supervision.metric_links.values_list("metric_code", flat=True))
    assert linked == {SUPERVISION_MEASURE, OVERDUE_MEASURE}
    measure = get_metric(OVERDUE_MEASURE)
    trend = [f.numerator or 0 for f in measure.trend(
        trend_periods(last_full_month(timezone.localdate())))]
    first, last = sum(trend[:3]), sum(trend[-3:])
    assert last < first, trend
    assert first >= 3 * 8, "every briefing overdue at the first quarter's month ends"
    # Reviews on time: the investigations demo plants fewer late reviews as the year goes.
    reviews = get_metric(SUPERVISION_MEASURE).trend(
        trend_periods(last_full_month(timezone.localdate())))
    on_time = [(f.numerator or 0, f.denominator or 0) for f in reviews]
    first_quarter, last_quarter = on_time[:3], on_time[-3:]
    first_share = sum(n for n, _ in first_quarter) / sum(d for _, d in first_quarter)
    last_share = sum(n for n, _ in last_quarter) / sum(d for _, d in last_quarter)
    assert last_share > first_share + 0.1, on_time
