"""The building blocks of performance measures: counts and shares computed in the
database, split by a field or by area, for a period or month by month in one query.

A count or share metric is best written as a ``Measure``: its rows (narrowed by the
dashboard's filters), the date that places a row in a period and, for a share, which
rows are the numerator. One definition then gives both a period's figures (the total and
each breakdown) and a trend (one query with a filtered aggregate per month).

Breakdowns by area (``ByArea``) count each record in the district of the person's current
address (a record whose person has no address in a district is "Area not known"): the
database counts by the address's own area, and the few areas found are rolled up to
districts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from macehub.core.figures import exact_hours, exact_median, round_half_up
from macehub.people.areas import people_living_in
from macehub.people.codes import AreaKind
from macehub.people.models import Area, PersonAddress
from macehub.performance.registry import (
    PUBLISHED_PLACES,
    TOTAL,
    Breakdown,
    Figure,
    Filters,
    Period,
    Unit,
)

Labeller = Callable[[Any], str]
Split = tuple[str, Labeller]

AREA_NOT_KNOWN = "Area not known"


@dataclass(frozen=True)
class ByArea:
    """Split by the district of a person's current address; ``person`` is the path from
    the counted rows to the person's id (``child_id``, ``case__child_id``...)."""

    person: str


Splitter = Split | ByArea


def choice_label(choices: Mapping[str, str], blank: str = "Not recorded") -> Labeller:
    def label(key: Any) -> str:
        return str(choices.get(key, key)) if key else blank

    return label


def name_label(key: Any) -> str:
    return str(key) if key else "Not recorded"


# --- filters -------------------------------------------------------------------------


def narrow(
    queryset: QuerySet[Any, Any], filters: Filters, *, person: str, agency: str | None
) -> QuerySet[Any, Any]:
    if filters.area_code:
        queryset = queryset.filter(**{f"{person}__in": people_living_in(filters.area_code)})
    if filters.agency_id is not None and agency:
        queryset = queryset.filter(**{agency: filters.agency_id})
    return queryset


def within(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


def span(months: Sequence[Period]) -> Period:
    return Period(months[0].start, months[-1].end)


# --- areas ---------------------------------------------------------------------------


def current_area(person: str) -> Subquery:
    """The area of the person's current address (the latest, if they have several)."""
    return Subquery(
        PersonAddress.objects.filter(person_id=OuterRef(person), is_current=True)
        .order_by(F("lived_from").desc(nulls_last=True), "-pk")
        .values("area_id")[:1],
        output_field=IntegerField(),
    )


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


# --- generic aggregates --------------------------------------------------------------


Grouped = list[tuple[str, str, dict[str, Any]]]


def _grouped(
    queryset: QuerySet[Any, Any], split: Splitter, measure: Mapping[str, Any]
) -> Grouped:
    """(category, label, aggregates) for each category of the split."""
    if isinstance(split, ByArea):
        return _grouped_by_area(queryset, split, measure)
    field, label = split
    rows = queryset.order_by().values(field).annotate(**measure).order_by(field)
    return [(str(row[field] or ""), label(row[field]), row) for row in rows]


def _grouped_by_area(
    queryset: QuerySet[Any, Any], split: ByArea, measure: Mapping[str, Any]
) -> Grouped:
    rows = list(
        queryset.order_by().annotate(home_area=current_area(split.person))
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


def in_category(queryset: QuerySet[Any, Any], split: Splitter, category: str
                ) -> QuerySet[Any, Any]:
    """The rows ``_grouped`` puts in ``category`` ("" is not recorded, or the area not
    known)."""
    if isinstance(split, ByArea):
        if category:
            return queryset.filter(**{f"{split.person}__in": people_living_in(category)})
        districts = Area.objects.filter(kind=AreaKind.DISTRICT).values_list("code", flat=True)
        for code in districts:
            queryset = queryset.exclude(**{f"{split.person}__in": people_living_in(code)})
        return queryset
    field, _ = split
    if category:
        return queryset.filter(**{field: category})
    return queryset.filter(Q(**{f"{field}__isnull": True}) | Q(**{field: ""}))


def counts(
    queryset: QuerySet[Any, Any], splits: Mapping[Breakdown, Splitter], *, distinct: str = "pk"
) -> list[Figure]:
    """A count for the whole period, then one per category of each breakdown."""
    counter = Count(distinct, distinct=distinct != "pk")
    total = queryset.aggregate(n=counter)["n"]
    figures = [Figure(TOTAL, "", "All", total)]
    for breakdown, split in splits.items():
        figures += [
            Figure(breakdown, category, label, row["n"])
            for category, label, row in _grouped(queryset, split, {"n": counter})
        ]
    return figures


def shares(
    queryset: QuerySet[Any, Any], hit: Q, splits: Mapping[Breakdown, Splitter],
    *, distinct: str = "pk",
) -> list[Figure]:
    """Of the records in ``queryset`` (the denominator), how many match ``hit``."""
    unique = distinct != "pk"
    measure = {"num": Count(distinct, distinct=unique, filter=hit),
               "den": Count(distinct, distinct=unique)}
    total = queryset.aggregate(**measure)
    figures = [Figure(TOTAL, "", "All", total["num"], total["den"])]
    for breakdown, split in splits.items():
        figures += [
            Figure(breakdown, category, label, row["num"], row["den"])
            for category, label, row in _grouped(queryset, split, measure)
        ]
    return figures


def monthly(
    queryset: QuerySet[Any, Any], field: str, months: Sequence[Period], *,
    hit: Q | None = None, distinct: str = "pk",
) -> list[Figure]:
    """The whole-period count (or share, given ``hit``) of each month, in one query."""
    if not months:
        return []
    unique = distinct != "pk"
    measure: dict[str, Count] = {}
    for i, month in enumerate(months):
        measure[f"den{i}"] = Count(distinct, distinct=unique, filter=within(month, field))
        if hit is not None:
            measure[f"num{i}"] = Count(distinct, distinct=unique,
                                       filter=within(month, field) & hit)
    row = queryset.filter(within(span(months), field)).aggregate(**measure)
    if hit is None:
        return [Figure(TOTAL, "", "All", row[f"den{i}"]) for i in range(len(months))]
    return [Figure(TOTAL, "", "All", row[f"num{i}"], row[f"den{i}"])
            for i in range(len(months))]


@dataclass(frozen=True)
class Measure:
    """What a count or share metric counts: its rows (narrowed by the filters), the
    date that places a row in a period and, for a share, which rows are the numerator.
    One definition gives both a period's figures and a trend."""

    rows: Callable[[Filters], QuerySet[Any, Any]]
    field: str
    splits: Mapping[Breakdown, Splitter]
    hit: Callable[[], Q] | None = None
    distinct: str = "pk"

    def figures(self, period: Period, filters: Filters) -> list[Figure]:
        queryset = self.rows(filters).filter(within(period, self.field))
        if self.hit is None:
            return counts(queryset, self.splits, distinct=self.distinct)
        return shares(queryset, self.hit(), self.splits, distinct=self.distinct)

    def cell(
        self, period: Period, filters: Filters, breakdown: str, category: str,
        counted: bool | None,
    ) -> QuerySet[Any, Any]:
        """The rows counted in one cell of the period's figures (``TOTAL`` for all of
        them); of a share, only its counted rows (``counted`` True) or the rest (False).
        """
        queryset = self.rows(filters).filter(within(period, self.field))
        if breakdown != TOTAL:
            try:
                split = self.splits[Breakdown(breakdown)]
            except (KeyError, ValueError) as exc:
                raise LookupError(breakdown) from exc
            queryset = in_category(queryset, split, category)
        if counted is not None and self.hit is not None:
            queryset = queryset.filter(self.hit()) if counted else queryset.exclude(self.hit())
        return queryset

    def trend(self, months: Sequence[Period], filters: Filters) -> list[Figure]:
        return monthly(self.rows(filters), self.field, months,
                       hit=None if self.hit is None else self.hit(), distinct=self.distinct)


def median_hours(durations: list[dt.timedelta]) -> Decimal | None:
    """The median duration in hours, worked out exactly and rounded once by the hub's
    rule (``macehub.core.figures``) to the published precision: in floating point a
    median of exactly 12.15 hours is 12.1499... and would be published as 12.1."""
    median = exact_median(exact_hours(d) for d in durations)
    if median is None:
        return None
    return round_half_up(median, PUBLISHED_PLACES[Unit.MEDIAN_HOURS])


def done_within(
    rows: Callable[[Filters], QuerySet[Any, Any]], *, started: str, done: str,
    allowed: Callable[[], dt.timedelta], splits: Mapping[Breakdown, Splitter],
) -> Measure:
    """The share of rows whose ``done`` time came within ``allowed`` of ``started``.

    Rows still open count once their time is up (late whatever happens next); rows
    still inside their time are left out until they are done or late.
    """

    def due(filters: Filters) -> QuerySet[Any, Any]:
        return rows(filters).filter(
            Q(**{f"{done}__isnull": False})
            | Q(**{f"{started}__lt": timezone.now() - allowed()})
        )

    return Measure(rows=due, field=started, splits=splits,
                   hit=lambda: Q(**{f"{done}__lte": F(started) + allowed()}))
