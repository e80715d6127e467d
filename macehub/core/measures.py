"""The building blocks of performance measures: counts and shares computed in the
database, split by a field or by area, for a period or month by month in one query.

A count or share metric is best written as a ``Measure``: its rows (narrowed by the
dashboard's filters), the date that places a row in a period and, for a share, which
rows are the numerator. One definition then gives both a period's figures (the total and
each breakdown) and a trend (one query, its rows grouped by month).

A split is a field with a labeller, or a ``GroupedSplit`` that groups the rows itself:
the breakdown by area (``macehub.people.measures.ByArea``, with the narrowing of rows to
an area or an agency, ``narrow``) is one, kept with the people and areas it reads so that
this module needs nothing above the core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from macehub.core.figures import exact_hours, exact_median, round_half_up
from macehub.core.metrics import (
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

# (category, label, aggregates) for each category of a split.
Grouped = list[tuple[str, str, dict[str, Any]]]


class GroupedSplit(Protocol):
    """A split that groups the rows itself (rather than by one of their fields)."""

    def grouped(self, queryset: QuerySet[Any, Any], measure: Mapping[str, Any]) -> Grouped:
        """(category, label, aggregates) for each category."""
        ...

    def in_category(self, queryset: QuerySet[Any, Any], category: str) -> QuerySet[Any, Any]:
        """The rows ``grouped`` puts in ``category``."""
        ...


Splitter = Split | GroupedSplit


def choice_label(choices: Mapping[str, str], blank: str = "Not recorded") -> Labeller:
    def label(key: Any) -> str:
        return str(choices.get(key, key)) if key else blank

    return label


def name_label(key: Any) -> str:
    return str(key) if key else "Not recorded"


# --- periods -------------------------------------------------------------------------


def within(period: Period, field: str) -> Q:
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


def span(months: Sequence[Period]) -> Period:
    return Period(months[0].start, months[-1].end)


# --- generic aggregates --------------------------------------------------------------


def _grouped(
    queryset: QuerySet[Any, Any], split: Splitter, measure: Mapping[str, Any]
) -> Grouped:
    """(category, label, aggregates) for each category of the split."""
    if not isinstance(split, tuple):
        return split.grouped(queryset, measure)
    field, label = split
    rows = queryset.order_by().values(field).annotate(**measure).order_by(field)
    return [(str(row[field] or ""), label(row[field]), row) for row in rows]


def in_category(queryset: QuerySet[Any, Any], split: Splitter, category: str
                ) -> QuerySet[Any, Any]:
    """The rows ``_grouped`` puts in ``category`` ("" is not recorded)."""
    if not isinstance(split, tuple):
        return split.in_category(queryset, category)
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
    """The whole-period count (or share, given ``hit``) of each month, in one query.

    The rows are grouped by their month, counted once per group: not one filtered
    aggregate per month, which for a count of distinct people had the database sort the
    whole span's rows twice for each month."""
    if not months:
        return []
    unique = distinct != "pk"
    measure: dict[str, Count] = {"den": Count(distinct, distinct=unique)}
    if hit is not None:
        measure["num"] = Count(distinct, distinct=unique, filter=hit)
    month_of = Case(*(When(within(month, field), then=Value(i))
                      for i, month in enumerate(months)), output_field=IntegerField())
    found = {
        row["month_index"]: row
        for row in queryset.filter(within(span(months), field)).order_by()
        .annotate(month_index=month_of).values("month_index").annotate(**measure)
        .order_by()
    }
    empty = dict.fromkeys(measure, 0)
    counted = [found.get(i, empty) for i in range(len(months))]
    if hit is None:
        return [Figure(TOTAL, "", "All", row["den"]) for row in counted]
    return [Figure(TOTAL, "", "All", row["num"], row["den"]) for row in counted]


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


def median_hours(durations: list[dt.timedelta], *, unit: Unit = Unit.MEDIAN_HOURS
                 ) -> Decimal | None:
    """The median duration in hours (in days for ``Unit.MEDIAN_DAYS``), worked out
    exactly and rounded once by the hub's rule (``macehub.core.figures``) to the published
    precision: in floating point a median of exactly 12.15 hours is 12.1499... and would
    be published as 12.1."""
    # Sorted as durations (whole microseconds, compared exactly and fast), and only the
    # middle one or two made exact fractions: sorting tens of thousands of fractions took
    # seconds of a national dashboard's trend.
    ordered = sorted(durations)
    if not ordered:
        return None
    middle = len(ordered) // 2
    centre = ordered[middle - 1:middle + 1] if len(ordered) % 2 == 0 else [ordered[middle]]
    median = exact_median(exact_hours(d) for d in centre)
    if median is None:
        return None
    if unit is Unit.MEDIAN_DAYS:
        median /= 24
    return round_half_up(median, PUBLISHED_PLACES[unit])


def median_hours_by_month(queryset: QuerySet[Any, Any], field: str, months: Sequence[Period],
                          *, took: str = "took", unit: Unit = Unit.MEDIAN_HOURS
                          ) -> list[Figure]:
    """A median measure's trend: for each month, the median of ``took`` (a duration
    annotated on ``queryset``, in hours or in days by ``unit``) over the rows whose
    ``field`` falls in it, in one query."""
    if not months:
        return []
    which = Case(*(When(within(month, field), then=Value(number))
                   for number, month in enumerate(months)), output_field=IntegerField())
    rows = queryset.filter(within(span(months), field)).annotate(month=which).values_list(
        "month", took)
    by_month: dict[int, list[dt.timedelta]] = {}
    for number, duration in rows:
        by_month.setdefault(number, []).append(duration)
    return [Figure(TOTAL, "", "All", median_hours(by_month.get(number, []), unit=unit),
                   len(by_month.get(number, []))) for number in range(len(months))]


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


# --- drill-down ----------------------------------------------------------------------
# A figure links to the list of the records behind it: the list page narrowed to the
# period's dates and to the figure's area and agency, through the list's own filter form
# (so the list shows only what the access policy lets the user see). No link for a user
# whose role may not open that list.


def date_query(name: str, day: dt.date) -> dict[str, int]:
    """A date as the lists' GOV.UK date inputs take it: day, month and year."""
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def dates_query(name: str, period: Period) -> dict[str, int]:
    """The period as a list's ``<name>_from`` and ``<name>_to`` dates."""
    return date_query(f"{name}_from", period.start) | date_query(f"{name}_to", period.end)


def list_url(url_name: str, query: Mapping[str, Any], filters: Filters, *, agency: str
             ) -> str:
    """The list at ``url_name`` with ``query``, the area and the agency (the list's
    ``agency`` parameter)."""
    params = dict(query)
    if filters.area_code:
        params["area"] = filters.area_code
    if filters.agency_id is not None:
        params[agency] = filters.agency_id
    return f"{reverse(url_name)}?{urlencode(params)}"


def when_text(moment: dt.datetime | None) -> str:
    """A moment as a record list's column shows it (London time)."""
    return "" if moment is None else f"{timezone.localtime(moment):%-d %b %Y %H:%M}"


# --- the records behind the figures --------------------------------------------------
# For the access policy: a user who may open every record a metric counts (over the
# period and its trend) sees its figures exact; anyone else, small numbers suppressed.

RowsFunc = Callable[[Filters], QuerySet[Any, Any]]


def dated(rows: RowsFunc, field: str) -> Callable[[Period, Filters], QuerySet[Any, Any]]:
    """The rows dated (by ``field``) within a span."""
    return lambda span, filters: rows(filters).filter(within(span, field))
