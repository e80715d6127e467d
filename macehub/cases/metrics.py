"""The safeguarding measures the hub reports (DOMAIN.md, "Performance measures"):
children at risk by tier, missing episodes, return home interviews offered in time and
changes of victim advocate.

Registered with ``@metric`` (``macehub.core.metrics``) and built from
``macehub.core.measures``: counts and shares computed in the database, trends in one query
per metric.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation, MissingEpisode, RiskTierChange
from macehub.cases.models import Case as SafeguardingCase
from macehub.cases.selectors import MissingWhen
from macehub.core.measures import (
    Measure,
    Splitter,
    choice_label,
    counts,
    date_query,
    dated,
    dates_query,
    done_within,
    list_url,
    name_label,
)
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Breakdown,
    DrillDownFunc,
    Figure,
    Filters,
    Period,
    Unit,
    metric,
)
from macehub.people.measures import ByArea, narrow
from macehub.people.models import Person

if TYPE_CHECKING:
    from macehub.accounts.models import User

TIER_LABELS = {key: str(label).split(" – ")[0] for key, label in RiskTier.choices}


def return_interview_hours() -> int:
    return int(getattr(settings, "RETURN_INTERVIEW_HOURS", 72))


def _open_cases(user: User, period: Period, filters: Filters) -> str | None:
    """Cases open at the end of the period, whether or not they have closed since."""
    if not allows(user, Action.CASE_LIST):
        return None
    return list_url("cases:list", {"status": "all", **date_query("open_on", period.end)},
                    filters, agency="lead_agency")


def _episodes_missing(missing: str) -> DrillDownFunc:
    """Missing episodes (with or without a case) that began (or ended) in the period;
    the agency is the lead agency of the case each was recorded with."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.MISSING_EPISODE_LIST):
            return None
        return list_url("cases:missing_episode_list",
                        {"missing": missing, **dates_query("missing", period)},
                        filters, agency="lead_agency")

    return drill_down


_went_missing = _episodes_missing(MissingWhen.WENT_MISSING)
_came_back = _episodes_missing(MissingWhen.CAME_BACK)


def _open_at(moment: dt.datetime) -> Q:
    """Cases open at ``moment``: opened before it and not closed by then."""
    return Q(opened_at__lt=moment) & (Q(closed_at__isnull=True) | Q(closed_at__gte=moment))


def _cases(filters: Filters) -> QuerySet[Any, Any]:
    return narrow(SafeguardingCase.objects.all(), filters, person="child_id",
                   agency="lead_agency_id")


def tier_at(moment: dt.datetime) -> Coalesce:
    """The risk tier a case held at ``moment``: its last tier change before then (the
    case's tier now if its history holds none)."""
    latest = (RiskTierChange.objects.filter(case=OuterRef("pk"), changed_at__lt=moment)
              .order_by("-changed_at", "-pk").values("to_tier")[:1])
    return Coalesce(Subquery(latest, output_field=CharField()), F("risk_tier"))


def _open_during(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    """Cases open at some moment of the span (the figures count those open at the end of
    the period, and of each month of the trend)."""
    return _cases(filters).filter(Q(opened_at__lt=span.ends_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=span.starts_at)))


def children_at_risk_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    if not months:
        return []
    open_some_time = Q(opened_at__lt=months[-1].ends_before) & (
        Q(closed_at__isnull=True) | Q(closed_at__gte=months[0].ends_before))
    row = _cases(filters).filter(open_some_time).aggregate(**{
        f"n{i}": Count("child_id", distinct=True, filter=_open_at(month.ends_before))
        for i, month in enumerate(months)
    })
    return [Figure(TOTAL, "", "All", row[f"n{i}"]) for i in range(len(months))]


@metric(
    code="children_at_risk",
    name="Children at risk, by risk tier",
    definition=(
        "Children with an open MACE case at the end of the period (opened before it ended "
        "and not closed by then), by the risk tier their case held at the end of the "
        "period. The area is the district of the child's current address."
    ),
    numerator="Children with an open case at the end of the period",
    unit=Unit.COUNT,
    better=Better.NEITHER,
    breakdowns=(Breakdown.TIER, Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_open_cases,
    group="Safeguarding",
    trend=children_at_risk_trend,
    behind=[Behind(Action.CASE_VIEW, SafeguardingCase, _open_during)],
)
def children_at_risk(period: Period, filters: Filters) -> list[Figure]:
    open_then = _cases(filters).filter(_open_at(period.ends_before)).annotate(
        tier_then=tier_at(period.ends_before)
    )
    return counts(
        open_then,
        {
            Breakdown.TIER: ("tier_then", choice_label(TIER_LABELS)),
            Breakdown.AGENCY: ("lead_agency__name", name_label),
            Breakdown.AREA: ByArea("child_id"),
        },
        distinct="child_id",
    )


def _episodes(filters: Filters) -> QuerySet[Any, Any]:
    """Every child's missing episodes, with or without a case (the agency is the lead
    agency of the case an episode was recorded with)."""
    return narrow(MissingEpisode.objects.all(), filters, person="child_id",
                   agency="case__lead_agency_id")


NO_CASE = "No MACE case"


def _case_agency_label(key: Any) -> str:
    return str(key) if key else NO_CASE


EPISODE_SPLITS: Mapping[Breakdown, Splitter] = {
    Breakdown.AGENCY: ("case__lead_agency__name", _case_agency_label),
    Breakdown.AREA: ByArea("child_id"),
}


def _episodes_behind(field: str) -> list[Behind]:
    """An episode is the child's: the child's record governs it, and the case it was
    recorded with, if any."""
    rows = dated(_episodes, field)
    return [
        Behind(Action.PERSON_VIEW, Person, rows, path="child_id"),
        Behind(Action.CASE_VIEW, SafeguardingCase,
               lambda span, filters: rows(span, filters).filter(case__isnull=False),
               path="case_id"),
    ]

EPISODES = Measure(rows=_episodes, field="went_missing_at", splits=EPISODE_SPLITS)


@metric(
    code="missing_episodes",
    name="Missing episodes",
    definition=(
        "Times a child known to the hub went missing from home or care in the period, "
        "with or without a MACE case. The agency is the lead agency of the case the "
        "episode was recorded with. The area is the district of the child's current "
        "address."
    ),
    numerator="Missing episodes that began in the period",
    unit=Unit.COUNT,
    better=Better.LOWER,
    breakdowns=(Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_went_missing,
    group="Safeguarding",
    trend=EPISODES.trend,
    behind=_episodes_behind("went_missing_at"),
)
def missing_episodes(period: Period, filters: Filters) -> list[Figure]:
    return EPISODES.figures(period, filters)


RETURN_INTERVIEWS = done_within(
    _episodes, started="returned_at", done="interview_offered_at",
    allowed=lambda: dt.timedelta(hours=return_interview_hours()), splits=EPISODE_SPLITS,
)


@metric(
    code="return_interviews_in_time",
    name="Return home interviews offered within 72 hours",
    definition=(
        "Of the children who came back from a missing episode in the period (with or "
        "without a MACE case), the share offered a return home interview within 72 hours "
        "of coming back, whether they then accepted or declined it. Returns less than 72 "
        "hours ago without an offer yet are still in time and not counted. The area is "
        "the district of the child's current address."
    ),
    numerator="Returns with an interview offered within 72 hours",
    denominator="Returns in the period whose 72 hours have passed, or with an offer",
    unit=Unit.PERCENTAGE,
    better=Better.HIGHER,
    target=90,
    breakdowns=(Breakdown.AGENCY, Breakdown.AREA),
    drill_down=_came_back,
    group="Safeguarding",
    trend=RETURN_INTERVIEWS.trend,
    behind=_episodes_behind("returned_at"),
)
def return_interviews_in_time(period: Period, filters: Filters) -> list[Figure]:
    return RETURN_INTERVIEWS.figures(period, filters)


def _allocations(filters: Filters) -> QuerySet[Any, Any]:
    """Advocate allocations, each marked with whether it replaced an earlier one."""
    earlier = AdvocateAllocation.objects.filter(case=OuterRef("case")).filter(
        Q(started_on__lt=OuterRef("started_on"))
        | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    return narrow(
        AdvocateAllocation.objects.all(), filters,
        person="case__child_id", agency="case__lead_agency_id",
    ).annotate(is_change=Exists(earlier))


def _advocate_measure(period: Period) -> dict[str, Count]:
    started = Q(started_on__gte=period.start, started_on__lte=period.end)
    overlapping = Q(started_on__lte=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
    return {"changes": Count("pk", filter=started & Q(is_change=True)),
            "children": Count("case__child_id", distinct=True, filter=overlapping)}


def _allocated_during(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    return _allocations(filters).filter(
        Q(started_on__lte=span.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=span.start)))


def advocate_changes_trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
    measure: dict[str, Count] = {}
    for i, month in enumerate(months):
        measure |= {f"{key}{i}": value for key, value in _advocate_measure(month).items()}
    row = _allocations(filters).aggregate(**measure) if months else {}
    return [Figure(TOTAL, "", "All", row[f"changes{i}"], row[f"children{i}"])
            for i in range(len(months))]


@metric(
    code="advocate_changes_per_child",
    name="Changes of victim advocate per child",
    definition=(
        "How often a child's victim advocate changed: new advocates allocated in the "
        "period to a case that already had one, per child with an advocate at any time "
        "in the period. Lower means more continuity."
    ),
    numerator="Advocate allocations in the period that replaced an earlier advocate",
    denominator="Children with a victim advocate at some time in the period",
    unit=Unit.RATE,
    better=Better.LOWER,
    drill_down=_open_cases,
    group="Safeguarding",
    trend=advocate_changes_trend,
    behind=[Behind(Action.CASE_VIEW, SafeguardingCase, _allocated_during, path="case_id")],
)
def advocate_changes_per_child(period: Period, filters: Filters) -> list[Figure]:
    row = _allocations(filters).aggregate(**_advocate_measure(period))
    return [Figure(TOTAL, "", "All", row["changes"], row["children"])]
