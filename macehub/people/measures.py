"""The parts of performance measures that know where people live: the breakdown by area
(``ByArea``) and the narrowing of a measure's rows to an area or an agency (``narrow``).

They sit with the people and areas they read, so that the measures' generic building
blocks (``macehub.core.measures``) need nothing above the core, and the apps that
measure (cases, referrals, intelligence) take both from below them.

It also registers the data-quality metrics of what is recorded about people (ethnicity
and nationality) for any app whose records bring people in (``recording_metrics``).

``ByArea`` counts each record in the district of the person's current address (a record
whose person has no address in a district is "Area not known"): the database counts by
the address's own area, and the few areas found are rolled up to districts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.core.measures import Grouped, Measure, date_query, within
from macehub.core.metrics import (
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
from macehub.people.areas import people_living_in
from macehub.people.codes import NATIONALITY_NOT_STATED, AreaKind
from macehub.people.identity import current_addresses
from macehub.people.models import Area, EthnicGroup

if TYPE_CHECKING:
    from macehub.accounts.models import User

AREA_NOT_KNOWN = "Area not known"


def narrow(
    queryset: QuerySet[Any, Any], filters: Filters, *, person: str, agency: str | None
) -> QuerySet[Any, Any]:
    """The rows of the filters' area (by the person at ``person``, a path to their id)
    and agency (at ``agency``, a path to its id; not narrowed without one)."""
    if filters.area_code:
        queryset = queryset.filter(**{f"{person}__in": people_living_in(filters.area_code)})
    if filters.agency_id is not None and agency:
        queryset = queryset.filter(**{agency: filters.agency_id})
    return queryset


def current_area(person: str) -> Subquery:
    """The area of the person's current address (the latest, if they have several)."""
    return Subquery(current_addresses(person).values("area_id")[:1],
                    output_field=IntegerField())


def districts_of(area_ids: set[int]) -> dict[int, tuple[str, str]]:
    """For each area, the (code, name) of the district it is in (or is); areas outside
    any district are left out. One query per level of the area tree."""
    found: dict[int, tuple[str, str]] = {}
    pending = {area_id: area_id for area_id in area_ids}
    for _ in range(len(AreaKind.choices)):
        if not pending:
            break
        rows = {
            pk: (parent_id, kind, code, name)
            for pk, parent_id, kind, code, name in Area.objects.filter(
                pk__in=set(pending.values())
            ).values_list("pk", "parent_id", "kind", "code", "name")
        }
        following = {}
        for start, current in pending.items():
            parent_id, kind, code, name = rows[current]
            if kind == AreaKind.DISTRICT:
                found[start] = (code, name)
            elif parent_id is not None:
                following[start] = parent_id
        pending = following
    return found


@dataclass(frozen=True)
class ByArea:
    """Split by the district of a person's current address; ``person`` is the path from
    the counted rows to the person's id (``child_id``, ``case__child_id``...)."""

    person: str

    def grouped(self, queryset: QuerySet[Any, Any], measure: Mapping[str, Any]) -> Grouped:
        rows = list(
            queryset.order_by().annotate(home_area=current_area(self.person))
            .values("home_area").annotate(**measure).order_by("home_area")
        )
        districts = districts_of({row["home_area"] for row in rows if row["home_area"]})
        summed: dict[str, tuple[str, dict[str, Any]]] = {}
        for row in rows:
            code, name = districts.get(row["home_area"], ("", AREA_NOT_KNOWN))
            _, values = summed.setdefault(code, (name, dict.fromkeys(measure, 0)))
            for key in measure:
                values[key] += row[key]
        ordered = sorted(summed.items(), key=lambda item: (item[0] == "", item[1][0]))
        return [(code, name, values) for code, (name, values) in ordered]

    def in_category(self, queryset: QuerySet[Any, Any], category: str) -> QuerySet[Any, Any]:
        """The rows of one district ("" is the area not known)."""
        if category:
            return queryset.filter(**{f"{self.person}__in": people_living_in(category)})
        districts = Area.objects.filter(kind=AreaKind.DISTRICT).values_list("code", flat=True)
        for code in districts:
            queryset = queryset.exclude(**{f"{self.person}__in": people_living_in(code)})
        return queryset


def _recording_by_agency(population: str) -> DrillDownFunc:
    """No list of people by what is recorded about them: the data-quality page shows the
    same people's recording agency by agency and month (aggregates only)."""

    def drill_down(user: User, period: Period, filters: Filters) -> str | None:
        if not allows(user, Action.EQUALITY_VIEW):
            return None
        query = {"population": population, **date_query("start", period.start),
                 **date_query("end", period.end)}
        return f"{reverse('equality:completeness')}?{urlencode(query)}"

    return drill_down



# --- recording of ethnicity and nationality ------------------------------------------

RECORDED, NOT_STATED, NOT_RECORDED = "recorded", "not_stated", "not_recorded"
RECORDING_LABELS = {RECORDED: "Recorded", NOT_STATED: "Not stated (declined)",
                    NOT_RECORDED: "Not recorded"}


@dataclass(frozen=True)
class Group:
    """The people a recording metric is about, as the rows that bring them in: each row
    names a person (``person``, a path to their id) and a date (``field``)."""

    rows: Callable[[Filters], QuerySet[Any, Any]]
    person: str
    field: str
    described: str
    # The same people as a population of the disproportionality and data-quality pages.
    equality_population: str
    # The records that bring them in, and the people themselves.
    behind: tuple[Behind, ...] = ()
    # What the people are called on the page, when not their code's word: the code
    # stays, so months already published keep their figures under it.
    called: str = ""


def _recording_state(not_recorded: Q, not_stated: Q) -> Case:
    return Case(
        When(not_recorded, then=Value(NOT_RECORDED)),
        When(not_stated, then=Value(NOT_STATED)),
        default=Value(RECORDED),
        output_field=CharField(),
    )


def _recording_metric(
    *, who: str, group: Group, what: str,
    not_recorded: Callable[[str], Q], not_stated: Callable[[str], Q],
) -> None:
    called = group.called or who
    Who = called[0].upper() + called[1:]
    person = group.person.removesuffix("_id") + "__"
    # One row per (row, recording state) would double count people: count distinct ids.
    state = _recording_state(not_recorded(person), not_stated(person))

    def rows(filters: Filters) -> QuerySet[Any, Any]:
        return group.rows(filters).annotate(recording=state)

    shared = Measure(rows=rows, field=group.field, splits={},
                     hit=lambda: Q(recording=RECORDED), distinct=group.person)

    @metric(
        code=f"{who}_{what}_recorded",
        name=f"{Who} with {what} recorded",
        definition=(
            f"Of the {called} the hub dealt with in the period ({group.described}), the "
            f"share whose {what} is recorded. 'Not stated' (asked and declined) "
            "and 'not recorded' (never asked) are shown separately, never dropped."
        ),
        numerator=f"{Who} with a recorded {what}",
        denominator=f"{Who} in the period",
        unit=Unit.PERCENTAGE,
        better=Better.HIGHER,
        target=90,
        breakdowns=(Breakdown.RECORDING,),
        group="Data quality",
        trend=shared.trend,
        population=who,
        drill_down=_recording_by_agency(group.equality_population),
        drill_down_label="See recording by agency and month",
        drill_down_lists_records=False,
        behind=group.behind,
    )
    def compute(period: Period, filters: Filters) -> list[Figure]:
        figures = shared.figures(period, filters)
        denominator = figures[0].denominator
        found = {
            row["recording"]: row["n"]
            for row in rows(filters).filter(within(period, group.field)).order_by()
            .values("recording").annotate(n=Count(group.person, distinct=True))
        }
        figures += [
            Figure(Breakdown.RECORDING, key, label, found.get(key, 0), denominator)
            for key, label in RECORDING_LABELS.items()
        ]
        return figures


def recording_metrics(*, who: str, group: Group) -> None:
    """Register the metrics of ethnicity and then nationality recorded for the people
    ``group`` brings in (codes ``<who>_ethnicity_recorded`` and
    ``<who>_nationality_recorded``)."""
    _recording_metric(
        who=who, group=group, what="ethnicity",
        not_recorded=lambda p: Q(**{f"{p}self_defined_ethnicity__isnull": True}),
        not_stated=lambda p: Q(**{f"{p}self_defined_ethnicity_id": EthnicGroup.NOT_STATED}),
    )
    _recording_metric(
        who=who, group=group, what="nationality",
        not_recorded=lambda p: Q(**{f"{p}nationality": ""}),
        not_stated=lambda p: Q(**{f"{p}nationality": NATIONALITY_NOT_STATED}),
    )
