"""The networks measures (issue 14): groups identified and confirmed as group-based CSE,
the children linked to a confirmed group, and how long it takes from the first
intelligence that links a group to its confirmation.

Registered with ``@metric`` (``macehub.core.metrics``). In an area, a group counts when
one of its members lives there; by agency, the agency of the team that found it. Every
figure counts groups (or their children) the access policy governs through
``GROUP_VIEW``: anyone who may not see every group counted sees the figures with small
numbers suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import DurationField, ExpressionWrapper, F, QuerySet

from macehub.access.actions import Action
from macehub.core.measures import (
    Measure,
    dated,
    median_hours,
    median_hours_by_month,
    when_text,
    within,
)
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Figure,
    Filters,
    Period,
    RecordList,
    Unit,
    metric,
)
from macehub.networks.codes import GroupStatus, MemberPart
from macehub.networks.models import Group, GroupMember
from macehub.people.measures import narrow

GROUP = "Networks"
AREA_AND_AGENCY = (
    " In an area, a group counts when one of its members lives there; by agency, the "
    "agency of the team whose intelligence it was found in."
)


def _groups(filters: Filters) -> QuerySet[Any, Any]:
    groups = narrow(Group.objects.all(), Filters(agency_id=filters.agency_id), person="",
                    agency="proposing_team__agency_id")
    if filters.area_code:
        # By a subquery, not a join: a group with two members in the area counts once.
        living_there = narrow(GroupMember.objects.all(), Filters(area_code=filters.area_code),
                              person="person_id", agency=None)
        groups = groups.filter(pk__in=living_there.values("group_id"))
    return groups


def _confirmed(filters: Filters) -> QuerySet[Any, Any]:
    return _groups(filters).filter(status=GroupStatus.CONFIRMED)


def _children_of_confirmed(filters: Filters) -> QuerySet[Any, Any]:
    confirmed = _confirmed(filters).values("pk")
    return GroupMember.objects.filter(group__in=confirmed, part=MemberPart.VICTIM)


def _group_columns(group: Group) -> tuple[str, ...]:
    return (group.reference, group.get_status_display(), when_text(group.proposed_at),
            when_text(group.decided_at))


def _group_list(behind: Behind, measure: Measure) -> RecordList:
    return RecordList(
        behind=behind, cell=measure.cell, noun="groups", record_type="networks.group",
        url_name="networks:group_detail", url_kwarg="group_pk",
        headers=("Reference", "Status", "Proposed", "Decided"), describe=_group_columns,
        order_by=("-proposed_at",),
    )


PROPOSED = Measure(rows=_groups, field="proposed_at", splits={})
GROUPS_PROPOSED = Behind(Action.GROUP_VIEW, Group, dated(_groups, "proposed_at"))


@metric(
    code="groups_identified",
    name="Groups identified",
    definition=(
        "Groups that group detection proposed in the period as possible group-based child "
        "sexual exploitation: two or more people the intelligence names as suspects, "
        "linked around at least one child it names as a victim." + AREA_AND_AGENCY
    ),
    numerator="Groups proposed in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    group=GROUP,
    trend=PROPOSED.trend,
    behind=[GROUPS_PROPOSED],
    records=_group_list(GROUPS_PROPOSED, PROPOSED),
)
def groups_identified(period: Period, filters: Filters) -> list[Figure]:
    return PROPOSED.figures(period, filters)


CONFIRMED = Measure(rows=_confirmed, field="decided_at", splits={})
GROUPS_CONFIRMED = Behind(Action.GROUP_VIEW, Group, dated(_confirmed, "decided_at"))


@metric(
    code="groups_confirmed",
    name="Groups confirmed as group-based CSE",
    definition=(
        "Groups a supervisor confirmed in the period as group-based child sexual "
        "exploitation, on the evidence group detection listed." + AREA_AND_AGENCY
    ),
    numerator="Groups confirmed in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    group=GROUP,
    trend=CONFIRMED.trend,
    behind=[GROUPS_CONFIRMED],
    records=_group_list(GROUPS_CONFIRMED, CONFIRMED),
)
def groups_confirmed(period: Period, filters: Filters) -> list[Figure]:
    return CONFIRMED.figures(period, filters)


CHILDREN = Measure(rows=_children_of_confirmed, field="group__decided_at", splits={},
                   distinct="person_id")
CHILDREN_BEHIND = Behind(Action.GROUP_VIEW, Group,
                         dated(_children_of_confirmed, "group__decided_at"), path="group_id")


@metric(
    code="children_in_confirmed_groups",
    name="Children linked to a confirmed group",
    definition=(
        "Children named as victims in a group confirmed as group-based child sexual "
        "exploitation in the period, each counted once." + AREA_AND_AGENCY
    ),
    numerator="Children in groups confirmed in the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    group=GROUP,
    trend=CHILDREN.trend,
    behind=[CHILDREN_BEHIND],
)
def children_in_confirmed_groups(period: Period, filters: Filters) -> list[Figure]:
    return CHILDREN.figures(period, filters)


def _time_to_confirm(queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
    return queryset.filter(first_intelligence_at__isnull=False).order_by().annotate(
        took=ExpressionWrapper(F("decided_at") - F("first_intelligence_at"),
                               output_field=DurationField()))


def hours_to_confirm_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    return median_hours_by_month(_time_to_confirm(_confirmed(filters)), "decided_at", months)


@metric(
    code="group_hours_to_confirmation",
    name="Median time from first intelligence to confirming a group",
    definition=(
        "For the groups confirmed in the period, the median time, in hours, from the "
        "earliest intelligence report in the group's evidence being received to a "
        "supervisor confirming the group. Half were confirmed sooner, half later."
        + AREA_AND_AGENCY
    ),
    numerator="Median hours from the first linked intelligence to confirmation",
    denominator="Groups confirmed in the period",
    unit=Unit.MEDIAN_HOURS,
    better=Better.LOWER,
    group=GROUP,
    trend=hours_to_confirm_trend,
    behind=[GROUPS_CONFIRMED],
    records=_group_list(GROUPS_CONFIRMED, CONFIRMED),
)
def group_hours_to_confirmation(period: Period, filters: Filters) -> list[Figure]:
    rows = list(_time_to_confirm(_confirmed(filters).filter(
        within(period, "decided_at"))).values_list("took", flat=True))
    return [Figure(TOTAL, "", "All", median_hours(rows), len(rows))]
