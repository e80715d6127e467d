"""The inspection tracker's measures: recommendations completed on time, and actions
overdue at the period's end.

Registered with ``@metric`` (``macehub.core.metrics``). A recommendation (or area for
improvement) falls due on the latest due date of its actions; it was completed on time
when the force first marked it completed or evidenced on or before that day (London
time). A recommendation with no actions never falls due. An action is overdue at a day's
end when it was recorded by then, its due date was before that day, and it was neither
done nor dropped by that day (its date done after it, or still open). By agency, the
action's agency. Both count the tracker, read through ``INSPECTION_VIEW``: anyone who may
not read the tracker sees the figures with small numbers suppressed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accountability.codes import CLOSED_STATUSES, ActionStatus
from macehub.accountability.models import ImprovementAction, Recommendation, StatusChange
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Figure,
    Filters,
    Period,
    Unit,
    metric,
)

GROUP = "Inspection recommendations"


def _recommendations() -> QuerySet[Any, Any]:
    """Recommendations with the day they fall due and the day they were first closed."""
    last_due = ImprovementAction.objects.filter(recommendation=OuterRef("pk")).order_by(
        "-due_on").values("due_on")[:1]
    first_closed = StatusChange.objects.filter(
        recommendation=OuterRef("pk"), to_status__in=CLOSED_STATUSES).annotate(
        on=TruncDate("changed_at", tzinfo=timezone.get_current_timezone())).order_by(
        "changed_at").values("on")[:1]
    return Recommendation.objects.annotate(due_on=Subquery(last_due),
                                           closed_on=Subquery(first_closed))


def _due_in(period: Period) -> Q:
    return Q(due_on__gte=period.start, due_on__lte=period.end)


def _on_time() -> Q:
    return Q(closed_on__isnull=False, closed_on__lte=F("due_on"))


def _recommendations_trend(months: Sequence[Period], _filters: Filters) -> list[Figure]:
    if not months:
        return []
    found = _recommendations().aggregate(**{
        key: value for i, month in enumerate(months) for key, value in (
            (f"d{i}", Count("pk", filter=_due_in(month))),
            (f"n{i}", Count("pk", filter=_due_in(month) & _on_time())))})
    return [Figure(TOTAL, "", "All", found[f"n{i}"], found[f"d{i}"])
            for i in range(len(months))]


@metric(
    code="recommendations_completed_on_time",
    name="Inspection recommendations completed on time",
    definition=(
        "Of the inspection recommendations and areas for improvement that fell due in the "
        "period (on the latest due date of their actions), the share the force marked "
        "completed or evidenced by that day. The whole hub: it is not broken down by "
        "area or agency."
    ),
    numerator="Recommendations due in the period completed or evidenced by their due date",
    denominator="Recommendations due in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    filters=(),
    group=GROUP,
    trend=_recommendations_trend,
    behind=[Behind(Action.INSPECTION_VIEW, Recommendation,
                   lambda span, _filters: _recommendations().filter(_due_in(span)))],
)
def recommendations_completed_on_time(period: Period, filters: Filters) -> list[Figure]:
    return _recommendations_trend([period], filters)


def period_end_day(period: Period) -> dt.date:
    """The day a period's position is taken on: its last day, or today if sooner."""
    return min(period.end, timezone.localdate())


def _overdue_on(day: dt.date) -> Q:
    recorded_by = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min,
                                      tzinfo=timezone.get_current_timezone())
    return (Q(created_at__lt=recorded_by, due_on__lt=day)
            & (Q(status=ActionStatus.OPEN) | Q(done_on__gt=day)))


def _actions(filters: Filters) -> QuerySet[Any, Any]:
    rows = ImprovementAction.objects.all()
    if filters.agency_id is not None:
        rows = rows.filter(agency_id=filters.agency_id)
    return rows


def _overdue_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    if not months:
        return []
    found = _actions(filters).aggregate(**{
        f"m{i}": Count("pk", filter=_overdue_on(period_end_day(month)))
        for i, month in enumerate(months)})
    return [Figure(TOTAL, "", "All", found[f"m{i}"]) for i in range(len(months))]


@metric(
    code="inspection_actions_overdue",
    name="Inspection actions overdue",
    definition=(
        "Actions on inspection recommendations overdue at the end of the period (or "
        "today, for the period so far): due before that day and neither done nor dropped "
        "by it. By agency, the action's agency."
    ),
    numerator="Actions overdue at the end of the period",
    unit=Unit.COUNT,
    better=Better.LOWER,
    filters=("agency",),
    group=GROUP,
    trend=_overdue_trend,
    behind=[Behind(Action.INSPECTION_VIEW, Recommendation,
                   lambda span, filters: _actions(filters).filter(due_on__lt=span.end),
                   path="recommendation_id")],
)
def inspection_actions_overdue(period: Period, filters: Filters) -> list[Figure]:
    return _overdue_trend([period], filters)
