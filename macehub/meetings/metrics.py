"""The meetings measures: attendance by agency (the share of meetings each standing
member agency attended, present or through a deputy), actions completed on time (of the
actions that fell due in the period, the share done by their due date), the median
days from a child reaching High risk to their first discussion at a meeting, and the
share of the children newly at High risk discussed at all (those the median cannot hold).

Registered with ``@metric`` (``macehub.core.metrics``). Meetings are hub business: the
figures count meetings (``MEETING_VIEW`` governs them) and, for the time to discussion,
children's cases (``CASE_VIEW``). Filtered by agency: the attending agency, the agency an
action was given to, the lead agency of the child's case. Meetings have no area: an area
filter leaves attendance and actions whole-hub.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import DateField, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from macehub.access.actions import Action
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, RiskTierChange
from macehub.core.measures import Measure, dated, median_hours, name_label, span, within
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
from macehub.meetings.codes import ATTENDED, ActionStatus
from macehub.meetings.models import AgendaItem, Attendance, Meeting, MeetingAction
from macehub.people.measures import narrow

GROUP = "Tactical meetings"


def _attendance(filters: Filters) -> QuerySet[Any, Any]:
    """Each standing member agency's attendance at each meeting."""
    rows = Attendance.objects.filter(agency_id=F("meeting__series__standing_agencies__id"))
    if filters.agency_id is not None:
        rows = rows.filter(agency_id=filters.agency_id)
    return rows


ATTENDANCE = Measure(rows=_attendance, field="meeting__held_on",
                     splits={Breakdown.AGENCY: ("agency__name", name_label)},
                     hit=lambda: Q(status__in=ATTENDED))


@metric(
    code="meeting_attendance",
    name="Attendance at meetings by agency",
    definition=(
        "Of the meetings held in the period, the share each standing member agency of "
        "the meeting's series attended, present or through a deputy (apologies and "
        "absence count as not attended). The whole figure is over every standing "
        "member's place at every meeting."
    ),
    numerator="Places at meetings taken (present or deputy)",
    denominator="Standing members' places at meetings held in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    breakdowns=(Breakdown.AGENCY,),
    filters=("agency",),
    group=GROUP,
    trend=ATTENDANCE.trend,
    behind=[Behind(Action.MEETING_VIEW, Meeting, dated(_attendance, "meeting__held_on"),
                   path="meeting_id")],
)
def meeting_attendance(period: Period, filters: Filters) -> list[Figure]:
    return ATTENDANCE.figures(period, filters)


def _actions_fallen_due(filters: Filters) -> QuerySet[Any, Any]:
    """Actions whose due date has passed (dropped ones left out: nobody is to do them)."""
    rows = MeetingAction.objects.exclude(status=ActionStatus.DROPPED).filter(
        due_on__lt=timezone.localdate())
    if filters.agency_id is not None:
        rows = rows.filter(agency_id=filters.agency_id)
    return rows


ACTIONS_ON_TIME = Measure(
    rows=_actions_fallen_due, field="due_on",
    splits={Breakdown.AGENCY: ("agency__name", name_label)},
    hit=lambda: Q(status=ActionStatus.DONE, completed_on__lte=F("due_on")))


@metric(
    code="meeting_actions_on_time",
    name="Meeting actions completed on time",
    definition=(
        "Of the meeting actions due in the period (and whose due date has passed), the "
        "share done by their due date. An action still open, or done after its due "
        "date, counts as not on time; a dropped action is left out."
    ),
    numerator="Actions done by their due date",
    denominator="Actions due in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    breakdowns=(Breakdown.AGENCY,),
    filters=("agency",),
    group=GROUP,
    trend=ACTIONS_ON_TIME.trend,
    behind=[Behind(Action.MEETING_VIEW, Meeting, dated(_actions_fallen_due, "due_on"),
                   path="item__meeting_id")],
)
def meeting_actions_on_time(period: Period, filters: Filters) -> list[Figure]:
    return ACTIONS_ON_TIME.figures(period, filters)


def _high_risk(filters: Filters) -> QuerySet[Any, Any]:
    return narrow(RiskTierChange.objects.filter(to_tier=RiskTier.HIGH), filters,
                  person="case__child_id", agency="case__lead_agency_id")


@dataclass
class _ToDiscussion:
    """One period's cases newly at High risk: the days each of those since discussed
    waited (``taken``), and how many moved in all (discussed or not)."""

    taken: list[dt.timedelta] = field(default_factory=list)
    moved: int = 0


def _to_discussion(months: Sequence[Period], filters: Filters) -> list[_ToDiscussion]:
    """For each period: each case's first move to High risk in that period, and, for
    one whose child has since been discussed at a meeting, the whole days from the day
    of the move to the first meeting on or after it whose agenda held an item about the
    child (one query, whatever the number of periods). A case that moved to High twice
    in the span counts in each period it moved in, as the period's own figure counts it."""
    if not months:
        return []
    first_discussed = (AgendaItem.objects.filter(
        person_id=OuterRef("case__child_id"), dropped=False,
        meeting__held_on__gte=OuterRef("changed_on"))
        .order_by("meeting__held_on").values("meeting__held_on")[:1])
    firsts: dict[tuple[int, int], tuple[dt.datetime, dt.date | None]] = {}
    for case_id, changed_at, discussed_on in (
            _high_risk(filters).filter(within(span(months), "changed_at"))
            .annotate(changed_on=TruncDate("changed_at"))
            .annotate(discussed_on=Subquery(first_discussed, output_field=DateField()))
            .order_by("changed_at", "pk").values_list("case_id", "changed_at",
                                                      "discussed_on")):
        number = next(n for n, month in enumerate(months)
                      if month.starts_at <= changed_at < month.ends_before)
        firsts.setdefault((number, case_id), (changed_at, discussed_on))
    found = [_ToDiscussion() for _ in months]
    for (number, _case_id), (changed_at, discussed_on) in firsts.items():
        found[number].moved += 1
        if discussed_on is not None:
            day = timezone.localdate(changed_at)
            found[number].taken.append(dt.timedelta(days=(discussed_on - day).days))
    return found


def _median_figure(found: _ToDiscussion) -> Figure:
    return Figure(TOTAL, "", "All", median_hours(found.taken, unit=Unit.MEDIAN_DAYS),
                  len(found.taken))


def _discussed_figure(found: _ToDiscussion) -> Figure:
    return Figure(TOTAL, "", "All", len(found.taken), found.moved)


def _to_discussion_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    return [_median_figure(found) for found in _to_discussion(months, filters)]


def _discussed_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    return [_discussed_figure(found) for found in _to_discussion(months, filters)]


@metric(
    code="meeting_high_risk_to_discussion",
    name="Median days from High risk to first discussion at a meeting",
    definition=(
        "For the children whose case moved to High risk in the period and who have "
        "since been discussed at a meeting (an agenda item about them), the median "
        "whole days from the day of the move to the first such meeting. Children not "
        "yet discussed are not in the median: 'Children newly at High risk discussed at "
        "a meeting' counts them."
    ),
    numerator="Median days from High risk to the first discussion",
    denominator="Children at High risk since discussed",
    unit=Unit.MEDIAN_DAYS,
    better=Better.LOWER,
    filters=("area", "agency"),
    group=GROUP,
    trend=_to_discussion_trend,
    behind=[Behind(Action.CASE_VIEW, Case, dated(_high_risk, "changed_at"),
                   path="case_id")],
)
def meeting_high_risk_to_discussion(period: Period, filters: Filters) -> list[Figure]:
    (found,) = _to_discussion([period], filters)
    return [_median_figure(found)]


@metric(
    code="meeting_high_risk_discussed",
    name="Children newly at High risk discussed at a meeting",
    definition=(
        "Of the children whose case moved to High risk in the period, the share "
        "discussed at a meeting (an agenda item about them) on or after the day of the "
        "move, up to now. The children not yet discussed are the rest: the median days "
        "to the first discussion leaves them out."
    ),
    numerator="Children newly at High risk since discussed at a meeting",
    denominator="Children whose case moved to High risk in the period",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    filters=("area", "agency"),
    group=GROUP,
    trend=_discussed_trend,
    behind=[Behind(Action.CASE_VIEW, Case, dated(_high_risk, "changed_at"),
                   path="case_id")],
)
def meeting_high_risk_discussed(period: Period, filters: Filters) -> list[Figure]:
    (found,) = _to_discussion([period], filters)
    return [_discussed_figure(found)]
