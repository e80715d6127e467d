"""The metric registry: every performance measure the hub reports, defined once.

A metric is its plain-English definition (what is counted, over what), its unit, which
direction is better, an optional target, the breakdowns it supports, and one compute
function that asks the database for the figures of a period. The app that holds the
records measures them: it adds its measures from its own ``metrics.py`` module with the
``@metric`` decorator (found by the registries' one discovery rule,
``macehub.core.registry``), building them from ``macehub.core.measures``. The
performance app (dashboard, published reports, targets) reads them from here and never
needs editing for them; it sits above every app that measures, and they never import it.

Compute functions return ``Figure`` rows: the whole-period total (breakdown ``total``)
and, for each supported breakdown, one row per category. Each row keeps its numerator
and denominator, so every rate can be shown with its base (DESIGN principle 4).

Figures are worked out exactly (counts, fractions of counts, medians of whole
microseconds) and rounded once, half up, to their unit's published places
(``PUBLISHED_PLACES``): the hub's one rounding rule, ``macehub.core.figures``.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet

from macehub.core.figures import exact_share, round_half_up
from macehub.core.registry import Registry
from macehub.days import day_starts

if TYPE_CHECKING:
    from macehub.access.actions import Action
    from macehub.accounts.models import User

TOTAL = "total"


class Unit(enum.StrEnum):
    COUNT = "count"
    PERCENTAGE = "percentage"
    MEDIAN_HOURS = "median_hours"
    MEDIAN_DAYS = "median_days"
    RATE = "rate"


# The units whose figure is a median (its denominator the number of cases it is the
# median of), not a count or a share of counts.
MEDIANS = frozenset({Unit.MEDIAN_HOURS, Unit.MEDIAN_DAYS})


# How many decimal places each kind of figure is published to. Every figure is rounded
# once, to these, by the hub's one rule (``macehub.core.figures.round_half_up``).
PUBLISHED_PLACES: dict[Unit, int] = {
    Unit.COUNT: 0,
    Unit.PERCENTAGE: 1,
    Unit.MEDIAN_HOURS: 1,
    Unit.MEDIAN_DAYS: 1,
    Unit.RATE: 2,
}


class Better(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"
    NEITHER = "neither"


class Breakdown(enum.StrEnum):
    """Ways a metric can be split. ``month`` is the trend, computed period by period."""

    MONTH = "month"
    AGENCY = "agency"
    SOURCE = "source"
    AREA = "area"
    BRAG = "brag"
    TIER = "tier"
    RECORDING = "recording"
    TACTIC = "tactic"
    TEAM = "team"


BREAKDOWN_LABELS = {
    Breakdown.MONTH: "Month",
    Breakdown.AGENCY: "Agency",
    Breakdown.SOURCE: "Referral source",
    Breakdown.AREA: "Area",
    Breakdown.BRAG: "BRAG rating",
    Breakdown.TIER: "Risk tier",
    Breakdown.RECORDING: "How it was recorded",
    Breakdown.TACTIC: "Disruption tactic",
    Breakdown.TEAM: "Team",
}


class UnknownMetric(LookupError):
    pass


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end`` inclusive, in the hub's time zone."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period cannot end before it starts")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(first, following - dt.timedelta(days=1))

    @property
    def starts_at(self) -> dt.datetime:
        return day_starts(self.start)

    @property
    def ends_before(self) -> dt.datetime:
        """The first moment after the period (an exclusive bound)."""
        return day_starts(self.end + dt.timedelta(days=1))

    def months(self) -> list[Period]:
        """The calendar months this period touches, each clipped to the period."""
        found = []
        year, month = self.start.year, self.start.month
        while dt.date(year, month, 1) <= self.end:
            whole = Period.month(year, month)
            found.append(Period(max(whole.start, self.start), min(whole.end, self.end)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    def label(self) -> str:
        whole = Period.month(self.start.year, self.start.month)
        if self == whole:
            return self.start.strftime("%B %Y")
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"

    def short_label(self) -> str:
        return self.start.strftime("%b %Y")


@dataclass(frozen=True)
class Filters:
    """Whole-hub figures unless narrowed to an area (code) or an agency (id)."""

    area_code: str = ""
    agency_id: int | None = None

    @property
    def is_whole_hub(self) -> bool:
        return not self.area_code and self.agency_id is None


@dataclass(frozen=True)
class Figure:
    """One computed value. For a count, ``numerator`` is the count and ``denominator``
    is None; for a percentage or rate both are counts; for a median, ``numerator`` is the
    median and ``denominator`` the number of cases it is the median of."""

    breakdown: str
    category: str
    label: str
    numerator: Decimal | int | None
    denominator: int | None = None

    def value(self, unit: Unit) -> Decimal | None:
        """The figure as published: a percentage or rate worked out exactly from its
        counts and rounded once (half up) to the unit's published places; a count as it
        is; a median as computed (already rounded so)."""
        if self.numerator is None:
            return None
        if unit is Unit.COUNT or unit in MEDIANS:
            return Decimal(self.numerator)
        share = exact_share(self.numerator, self.denominator or 0,
                            per=100 if unit is Unit.PERCENTAGE else 1)
        return None if share is None else round_half_up(share, PUBLISHED_PLACES[unit])


@dataclass(frozen=True)
class Behind:
    """Records behind a metric's figures, as the access policy governs them.

    ``rows(span, filters)`` are the rows the metric counts for any period within
    ``span`` (narrowed by the filters; a superset does no harm), and ``path`` leads from
    each to the record whose visibility decides whether the user may know it exists
    (``pk``, ``case_id``, ``report_id``...): a ``model`` governed by ``action``. A user
    who may take ``action`` on every such record sees the metric's figures exact; anyone
    else sees them with small numbers suppressed (``performance.selectors``).
    """

    action: Action
    model: type[Model]
    rows: Callable[[Period, Filters], QuerySet[Any, Any]]
    path: str = "pk"


# The rows a metric counts in one cell: (period, filters, breakdown, category, counted),
# where ``counted`` narrows a share to its counted rows (True), the rest (False) or all
# of them (None). Raises ``LookupError`` for a breakdown the metric cannot split so.
CellRowsFunc = Callable[[Period, Filters, str, str, "bool | None"], QuerySet[Any, Any]]


@dataclass(frozen=True)
class RecordList:
    """The records behind a breakdown cell, listed: the rows counted in the cell
    (``cell``) lead by ``behind.path`` to the records listed, a ``behind.model`` that
    the access policy governs by ``behind.action``, so each user sees only those they
    may open. ``describe`` gives a record's columns, under ``headers`` (the first is
    its reference, linked to ``url_name`` with the record's pk as ``url_kwarg``)."""

    behind: Behind
    cell: CellRowsFunc
    noun: str
    record_type: str
    url_name: str
    url_kwarg: str
    headers: tuple[str, ...]
    describe: Callable[[Any], tuple[str, ...]]
    select_related: tuple[str, ...] = ()
    order_by: tuple[str, ...] = ("-pk",)


ComputeFunc = Callable[[Period, Filters], list[Figure]]
# The whole-period figure of each month, in one go (one query where it can be).
TrendFunc = Callable[[Sequence[Period], Filters], list[Figure]]
DrillDownFunc = Callable[["User", Period, Filters], "str | None"]


@dataclass(frozen=True)
class Metric:
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: Unit
    better: Better
    compute: ComputeFunc
    breakdowns: tuple[Breakdown, ...] = ()
    target: Decimal | None = None
    filters: frozenset[str] = field(default_factory=lambda: frozenset({"area", "agency"}))
    drill_down: DrillDownFunc | None = None
    group: str = ""
    trend_compute: TrendFunc | None = None
    population: str = ""
    drill_down_label: str = "See the records"
    # What records lie behind the figures (see ``Behind``). A metric that does not say
    # is shown to everyone with small numbers suppressed.
    behind: tuple[Behind, ...] = ()
    # The drill-down leads to a list the access policy scopes (it shows each user only
    # what they may see). Otherwise it leads to more aggregates, offered only to users
    # who see the figures exact: suppressed figures must not link to the same counts
    # unsuppressed.
    drill_down_lists_records: bool = True
    # The records behind each cell of the breakdowns (and the total), listed.
    records: RecordList | None = None

    def figures(self, period: Period, filters: Filters | None = None) -> list[Figure]:
        return self.compute(period, filters or Filters())

    def trend(self, months: Sequence[Period], filters: Filters | None = None) -> list[Figure]:
        """The whole-period figure for each of ``months``, in their order (breakdown
        ``month``, category ``YYYY-MM``). Metrics without a trend function of their own
        are computed month by month."""
        filters = filters or Filters()
        if self.trend_compute is not None:
            found = self.trend_compute(months, filters)
        else:
            found = [self.total(self.compute(month, filters)) for month in months]
        return [
            Figure(Breakdown.MONTH, month.start.strftime("%Y-%m"), month.short_label(),
                   figure.numerator, figure.denominator)
            for month, figure in zip(months, found, strict=True)
        ]

    def texts(self) -> dict[str, str]:
        """What a reader needs to read the figures: stored with a published report."""
        return {"definition": self.definition, "numerator": self.numerator,
                "denominator": self.denominator}

    def total(self, figures: Iterable[Figure]) -> Figure:
        for figure in figures:
            if figure.breakdown == TOTAL:
                return figure
        raise ValueError(f"{self.code} returned no total")

    def meets_target(self, value: Decimal | None) -> bool | None:
        if self.target is None or value is None or self.better is Better.NEITHER:
            return None
        return value >= self.target if self.better is Better.HIGHER else value <= self.target


# A code is one metric's for good (published months keep their figures under it): a
# second registration under a code taken is refused.
METRICS: Registry[Metric] = Registry("metric", module_name="metrics")

# The dashboard's sections, in this order; a group not named here follows them, in the
# order its metrics were registered.
GROUP_ORDER = ("Referrals", "Safeguarding", "Intelligence", "Data quality")


def metric(
    *,
    code: str,
    name: str,
    definition: str,
    numerator: str,
    unit: Unit,
    better: Better,
    denominator: str = "",
    breakdowns: Iterable[Breakdown] = (),
    target: Decimal | float | int | None = None,
    filters: Iterable[str] = ("area", "agency"),
    drill_down: DrillDownFunc | None = None,
    group: str = "",
    trend: TrendFunc | None = None,
    population: str = "",
    drill_down_label: str = "See the records",
    behind: Iterable[Behind] = (),
    drill_down_lists_records: bool = True,
    records: RecordList | None = None,
) -> Callable[[ComputeFunc], ComputeFunc]:
    """Register a compute function as a metric (``code`` must be new).

    ``trend`` computes the whole-period figure of many months at once (otherwise the
    dashboard's trend calls ``compute`` month by month). ``population`` names what the
    denominator counts: metrics with the same population publish the same denominators,
    category by category, so they are suppressed together. ``drill_down`` gives, for a
    user, the link to what lies behind a figure (None if they may not see it), shown as
    ``drill_down_label``. ``behind`` says which records the figures count, for the
    access policy (``Behind``); ``drill_down_lists_records`` is False when the
    drill-down leads to more aggregates rather than a list scoped to the user.
    ``records`` lists the records behind each breakdown cell (``RecordList``).
    """

    def register(compute: ComputeFunc) -> ComputeFunc:
        METRICS.register(code, Metric(
            code=code, name=name, definition=definition, numerator=numerator,
            denominator=denominator, unit=unit, better=better, compute=compute,
            breakdowns=tuple(breakdowns),
            target=None if target is None else Decimal(str(target)),
            filters=frozenset(filters), drill_down=drill_down, group=group,
            trend_compute=trend, population=population, drill_down_label=drill_down_label,
            behind=tuple(behind), drill_down_lists_records=drill_down_lists_records,
            records=records,
        ))
        return compute

    return register


def unregister(code: str) -> None:
    """Remove a metric (tests register throwaway ones)."""
    METRICS.unregister(code)


def get_metric(code: str) -> Metric:
    try:
        return METRICS.get(code)
    except KeyError as exc:
        raise UnknownMetric(code) from exc


def all_metrics() -> list[Metric]:
    """Every metric, group by group (``GROUP_ORDER``), each group in the order its
    metrics were registered."""
    found = METRICS.values()
    groups = list(GROUP_ORDER) + [m.group for m in found if m.group not in GROUP_ORDER]
    return sorted(found, key=lambda m: groups.index(m.group))


def as_json(figure: Figure) -> dict[str, Any]:
    return {
        "breakdown": figure.breakdown, "category": figure.category, "label": figure.label,
        "numerator": None if figure.numerator is None else str(figure.numerator),
        "denominator": figure.denominator,
    }
