"""The digital forensics measures: seized devices triaged within their priority's time,
the median time from seizure to the full examination's report, and the backlog at the
end of each month (its size, its oldest exhibit, and how many are older than the
old-exhibit limit: the dashboard's alert).

Registered with ``@metric`` (``macehub.core.metrics``). In an area, an exhibit counts
when one of its investigation's child victims lives there; by agency, the force whose
investigation it is. Every figure counts exhibits the access policy governs through
``EXHIBIT_VIEW``: anyone who may not see every exhibit counted sees the figures with
small numbers suppressed.

The backlog is taken at the end of the period (or now, for a period not yet over): an
exhibit is in it once seized and until triage says no full examination is needed or
the full examination's report is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet
from django.utils import timezone

from macehub.access.actions import Action
from macehub.core.measures import Measure, dated, median_hours, median_hours_by_month, within
from macehub.core.metrics import TOTAL, Behind, Better, Figure, Filters, Period, Unit, metric
from macehub.forensics.models import Exhibit
from macehub.investigations.metrics import investigations_in_scope

GROUP = "Digital forensics"
AREA_AND_AGENCY = (
    " In an area, an exhibit counts when one of its investigation's child victims lives "
    "there; by agency, the force whose investigation it is."
)


def _exhibits(filters: Filters) -> QuerySet[Any, Any]:
    if filters.is_whole_hub:
        return Exhibit.objects.all()
    return Exhibit.objects.filter(
        investigation__in=investigations_in_scope(filters).values("pk"))


# --- triage within its time ------------------------------------------------------------


def _triage_fallen_due(filters: Filters) -> QuerySet[Any, Any]:
    """Devices triaged, or waiting past their triage time (one still in its time is
    left out until it is triaged or late)."""
    return _exhibits(filters).filter(Q(triaged_at__isnull=False)
                                     | Q(triage_due_at__lt=timezone.now()))


TRIAGE = Measure(rows=_triage_fallen_due, field="triage_due_at", splits={},
                 hit=lambda: Q(triaged_at__lte=F("triage_due_at")))
TRIAGE_BEHIND = Behind(Action.EXHIBIT_VIEW, Exhibit, dated(_triage_fallen_due,
                                                            "triage_due_at"))


@metric(
    code="forensic_triage_in_time",
    name="Seized devices triaged in time",
    definition=(
        "Of the seized devices whose triage fell due in the period, the share triaged "
        "by the time their priority set (a child at immediate risk, group-based child "
        "sexual exploitation, other; counted from seizure). A device not yet triaged "
        "counts, as late, once its time is up." + AREA_AND_AGENCY
    ),
    numerator="Devices triaged in time",
    denominator="Devices whose triage fell due in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    group=GROUP,
    trend=TRIAGE.trend,
    behind=[TRIAGE_BEHIND],
)
def forensic_triage_in_time(period: Period, filters: Filters) -> list[Figure]:
    return TRIAGE.figures(period, filters)


# --- turnaround ------------------------------------------------------------------------


def _reported(filters: Filters) -> QuerySet[Any, Any]:
    return _exhibits(filters).filter(full_report_at__isnull=False).order_by().annotate(
        took=ExpressionWrapper(F("full_report_at") - F("seized_at"),
                               output_field=DurationField()))


def _turnaround_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    return median_hours_by_month(_reported(filters), "full_report_at", months,
                                 unit=Unit.MEDIAN_DAYS)


@metric(
    code="forensic_turnaround",
    name="Median time from seizure to the full examination report",
    definition=(
        "For the seized devices whose full examination report was recorded in the "
        "period, the median time, in days, from seizure to the report. Half took less, "
        "half longer." + AREA_AND_AGENCY
    ),
    numerator="Median days from seizure to the full examination report",
    denominator="Full examination reports recorded in the period",
    unit=Unit.MEDIAN_DAYS,
    better=Better.LOWER,
    group=GROUP,
    trend=_turnaround_trend,
    behind=[Behind(Action.EXHIBIT_VIEW, Exhibit, dated(_reported, "full_report_at"))],
)
def forensic_turnaround(period: Period, filters: Filters) -> list[Figure]:
    taken = list(_reported(filters).filter(within(period, "full_report_at"))
                 .values_list("took", flat=True))
    return [Figure(TOTAL, "", "All", median_hours(taken, unit=Unit.MEDIAN_DAYS), len(taken))]


# --- the backlog at the end of the period -------------------------------------------


def waiting_at(moment: dt.datetime) -> Q:
    """Devices seized before ``moment`` and still waiting for the unit then: not yet
    triaged, or triaged as needing a full examination whose report was not yet
    recorded."""
    return Q(seized_at__lt=moment) & (
        Q(triaged_at__isnull=True) | Q(triaged_at__gte=moment)
        | (Q(full_examination_needed=True)
           & (Q(full_report_at__isnull=True) | Q(full_report_at__gte=moment))))


def _old_at(moment: dt.datetime) -> Q:
    return waiting_at(moment) & Q(
        seized_at__lt=moment - dt.timedelta(days=settings.FORENSICS_OLD_EXHIBIT_DAYS))


def period_end(period: Period) -> dt.datetime:
    """The moment a period's backlog is taken at: its end, or now if that is sooner."""
    return min(period.ends_before, timezone.now())


def _backlog_rows(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    """Every device that may be in the backlog at the end of a period within ``span``."""
    return _exhibits(filters).filter(seized_at__lt=period_end(span))


BACKLOG_BEHIND = Behind(Action.EXHIBIT_VIEW, Exhibit, _backlog_rows)


def _at_each_end(months: Sequence[Period], filters: Filters,
                 aggregate: Callable[[dt.datetime], Any]) -> list[Any]:
    """``aggregate(end)`` at the end of each of ``months``, in one query."""
    if not months:
        return []
    found = _exhibits(filters).aggregate(**{
        f"m{number}": aggregate(period_end(month)) for number, month in enumerate(months)})
    return [found[f"m{number}"] for number in range(len(months))]


def _backlog_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    counted = _at_each_end(months, filters,
                           lambda end: Count("pk", filter=waiting_at(end)))
    return [Figure(TOTAL, "", "All", count) for count in counted]


def _oldest_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    oldest = _at_each_end(months, filters,
                          lambda end: Min("seized_at", filter=waiting_at(end)))
    return [Figure(TOTAL, "", "All", 0 if seized is None else (period_end(month) - seized).days)
            for month, seized in zip(months, oldest, strict=True)]


def _old_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    counted = _at_each_end(months, filters, lambda end: Count("pk", filter=_old_at(end)))
    return [Figure(TOTAL, "", "All", count) for count in counted]


@metric(
    code="forensic_backlog",
    name="Devices waiting for examination at the end of the month",
    definition=(
        "The seized devices waiting for the digital forensics unit at the end of the "
        "period (or now, for a period not yet over): not yet triaged, or triaged as "
        "needing a full examination whose report is not yet recorded." + AREA_AND_AGENCY
    ),
    numerator="Devices waiting",
    unit=Unit.COUNT,
    better=Better.LOWER,
    group=GROUP,
    trend=_backlog_trend,
    behind=[BACKLOG_BEHIND],
)
def forensic_backlog(period: Period, filters: Filters) -> list[Figure]:
    return _backlog_trend([period], filters)


@metric(
    code="forensic_oldest_waiting_days",
    name="Days the oldest device waiting has waited",
    definition=(
        "Of the devices waiting for the digital forensics unit at the end of the period "
        "(or now, for a period not yet over), how many whole days since the oldest was "
        "seized; 0 when nothing is waiting." + AREA_AND_AGENCY
    ),
    numerator="Whole days since the oldest waiting device was seized",
    unit=Unit.COUNT,
    better=Better.LOWER,
    group=GROUP,
    trend=_oldest_trend,
    behind=[BACKLOG_BEHIND],
)
def forensic_oldest_waiting_days(period: Period, filters: Filters) -> list[Figure]:
    return _oldest_trend([period], filters)


@metric(
    code="forensic_old_exhibits",
    name="Old exhibits: devices waiting longer than the limit",
    definition=(
        "Of the devices waiting for the digital forensics unit at the end of the period "
        "(or now, for a period not yet over), those seized longer ago than the "
        "old-exhibit limit (MACEHUB_FORENSICS_OLD_EXHIBIT_DAYS, 90 days unless set "
        "otherwise). Each one is a device whose evidence may be going unexamined."
        + AREA_AND_AGENCY
    ),
    numerator="Devices waiting longer than the limit",
    unit=Unit.COUNT,
    better=Better.LOWER,
    target=0,
    group=GROUP,
    trend=_old_trend,
    behind=[BACKLOG_BEHIND],
)
def forensic_old_exhibits(period: Period, filters: Filters) -> list[Figure]:
    return _old_trend([period], filters)
