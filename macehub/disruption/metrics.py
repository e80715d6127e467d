"""The disruption register's measures: disruptions granted or served (by tactic and lead
agency), breaches, and confirmed groups with a disruption active at the period's end (on
the group, or on one of its suspects).

Registered with ``@metric`` (``macehub.core.metrics``). By agency, the disruption's lead
agency; in an area, a disruption counts when one of the children it protects lives
there. Every figure counts disruptions the access policy governs through
``DISRUPTION_VIEW`` (groups through ``GROUP_VIEW``): anyone who may not see every record
counted sees the figures with small numbers suppressed.

Active at a moment: granted or served on or before that day, and not expired by then
(no expiry date, or one after it); a refused, ended or still planned disruption never
counts (the register keeps no date for ending: an ended one is left out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from macehub.access.actions import Action
from macehub.core.measures import name_label
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Breakdown,
    Figure,
    Filters,
    Period,
    Unit,
    metric,
)
from macehub.disruption.codes import DisruptionStatus
from macehub.disruption.models import Breach, Disruption, DisruptionChild
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group, GroupMember
from macehub.people.measures import narrow

GROUP = "Disruption"
BY_AGENCY = (" By agency, the disruption's lead agency; in an area, a disruption counts "
             "when one of the children it protects lives there.")
STARTED = [DisruptionStatus.GRANTED, DisruptionStatus.SERVED, DisruptionStatus.BREACHED,
           DisruptionStatus.EXPIRED]


def _disruptions(filters: Filters) -> QuerySet[Any, Any]:
    rows = Disruption.objects.all()
    if filters.agency_id is not None:
        rows = rows.filter(lead_agency_id=filters.agency_id)
    if filters.area_code:
        # By a subquery, not a join: two children in the area count the disruption once.
        living_there = narrow(DisruptionChild.objects.all(),
                              Filters(area_code=filters.area_code), person="person_id",
                              agency=None)
        rows = rows.filter(pk__in=living_there.values("disruption_id"))
    return rows


def _on_days(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def _started(filters: Filters) -> QuerySet[Any, Any]:
    return _disruptions(filters).filter(status__in=STARTED, started_on__isnull=False)


def _count_by_month(rows: QuerySet[Any, Any], field: str, months: Sequence[Period]
                    ) -> list[Figure]:
    if not months:
        return []
    found = rows.aggregate(**{f"m{i}": Count("pk", filter=_on_days(field, month))
                              for i, month in enumerate(months)})
    return [Figure(TOTAL, "", "All", found[f"m{i}"]) for i in range(len(months))]


def _started_behind(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    return _started(filters).filter(_on_days("started_on", span))


@metric(
    code="disruptions_started",
    name="Disruptions granted or served",
    definition=(
        "Disruptions (notices, orders, licensing and housing action) granted or served "
        "in the period, by tactic and by lead agency. A disruption since breached or "
        "expired still counts in the period it started." + BY_AGENCY
    ),
    numerator="Disruptions granted or served in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.TACTIC, Breakdown.AGENCY),
    group=GROUP,
    trend=lambda months, filters: _count_by_month(_started(filters), "started_on", months),
    behind=[Behind(Action.DISRUPTION_VIEW, Disruption, _started_behind)],
)
def disruptions_started(period: Period, filters: Filters) -> list[Figure]:
    rows = _started(filters).filter(_on_days("started_on", period))
    figures = [Figure(TOTAL, "", "All", rows.count())]
    for breakdown, field in ((Breakdown.TACTIC, "tactic__name"),
                             (Breakdown.AGENCY, "lead_agency__name")):
        for row in rows.order_by().values(field).annotate(n=Count("pk")).order_by(field):
            figures.append(Figure(breakdown, str(row[field]), name_label(row[field]),
                                  row["n"]))
    return figures


def _breaches(filters: Filters) -> QuerySet[Any, Any]:
    if filters.is_whole_hub:
        return Breach.objects.all()
    return Breach.objects.filter(disruption__in=_disruptions(filters).values("pk"))


@metric(
    code="disruption_breaches",
    name="Breaches of disruptions",
    definition=(
        "Breaches of disruptions (a condition of an order broken, a notice ignored) that "
        "happened in the period, each breach counted." + BY_AGENCY
    ),
    numerator="Breaches in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    group=GROUP,
    trend=lambda months, filters: _count_by_month(_breaches(filters), "occurred_on", months),
    behind=[Behind(Action.DISRUPTION_VIEW, Disruption,
                   lambda span, filters: _breaches(filters).filter(
                       _on_days("occurred_on", span)), path="disruption_id")],
)
def disruption_breaches(period: Period, filters: Filters) -> list[Figure]:
    return [Figure(TOTAL, "", "All", _breaches(filters).filter(
        _on_days("occurred_on", period)).count())]


def period_end_day(period: Period) -> dt.date:
    """The day a period's position is taken on: its last day, or today if sooner."""
    return min(period.end, timezone.localdate())


def _active_on(day: dt.date, filters: Filters) -> QuerySet[Any, Any]:
    return _started(filters).filter(started_on__lte=day).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day))


def _groups_active(day: dt.date, filters: Filters) -> Q:
    """Confirmed groups (confirmed by the end of ``day``) with a disruption active on
    that day on the group or on one of its suspects."""
    active = _active_on(day, filters)
    suspects = GroupMember.objects.filter(
        part="suspect", person_id__in=active.filter(target_person__isnull=False)
        .values("target_person_id")).values("group_id")
    confirmed_by = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min,
                                       tzinfo=timezone.get_current_timezone())
    return (Q(status=GroupStatus.CONFIRMED, decided_at__lt=confirmed_by)
            & (Q(pk__in=active.filter(target_group__isnull=False).values("target_group_id"))
               | Q(pk__in=suspects)))


@metric(
    code="groups_with_active_disruption",
    name="Confirmed groups with an active disruption",
    definition=(
        "Groups confirmed as group-based child sexual exploitation by the end of the "
        "period with a disruption active at its end (granted or served by then and not "
        "expired) on the group or on one of its suspected offenders." + BY_AGENCY
    ),
    numerator="Confirmed groups with an active disruption at the end of the period",
    unit=Unit.COUNT,
    better=Better.HIGHER,
    group=GROUP,
    trend=lambda months, filters: [
        Figure(TOTAL, "", "All", n) for n in _groups_trend(months, filters)],
    behind=[Behind(Action.GROUP_VIEW, Group,
                   lambda span, filters: Group.objects.filter(_groups_active(
                       period_end_day(span), filters))),
            Behind(Action.DISRUPTION_VIEW, Disruption,
                   lambda span, filters: _active_on(period_end_day(span), filters))],
)
def groups_with_active_disruption(period: Period, filters: Filters) -> list[Figure]:
    return [Figure(TOTAL, "", "All", Group.objects.filter(
        _groups_active(period_end_day(period), filters)).count())]


def _groups_trend(months: Sequence[Period], filters: Filters) -> list[int]:
    if not months:
        return []
    found = Group.objects.aggregate(**{
        f"m{i}": Count("pk", filter=_groups_active(period_end_day(month), filters))
        for i, month in enumerate(months)})
    return [found[f"m{i}"] for i in range(len(months))]
