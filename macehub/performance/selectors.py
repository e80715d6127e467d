"""Reading performance figures: the live dashboard, a metric's page, and published
reports with their restatements and (for anything leaving the hub) small numbers hidden.

Everything here is aggregates; drill-down links to records are offered only when the
access policy lets the user see those records.

**Figures about records a user may not see.** A count can say that a record exists: "1
of 1" intelligence reports reviewed in time, for one ward on one day, tells a senior
leader that a handling-code C report exists there, which the access policy says they may
not know. So a metric's live figures are exact only for a user who may open every record
behind them (``sees_every_record``: the policy's scope of the metric's records, over the
period and its trend, is the whole of them). Anyone else sees them as a published report
shows them outside the hub: counts under ``MACEHUB_SUPPRESSION_THRESHOLD`` hidden, with
secondary suppression across the whole page (``hiding.hidden_live``), and the page says
why. Drill-down links to lists stay (a list shows each user only what they may see);
links to further aggregates are offered only with exact figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import SafeString

from macehub.access.policy import allows, scope
from macehub.accounts.models import Agency, User
from macehub.core.figures import format_figure, round_half_up
from macehub.core.metrics import (
    BREAKDOWN_LABELS,
    MEDIANS,
    PUBLISHED_PLACES,
    TOTAL,
    Better,
    Breakdown,
    Figure,
    Filters,
    Metric,
    Period,
    RecordList,
    Unit,
    UnknownMetric,
    all_metrics,
    get_metric,
)
from macehub.people.models import Area
from macehub.performance.forms import filter_query
from macehub.performance.hiding import Hidden, LiveEntry, hidden_live, hidden_report
from macehub.performance.live_figures import worked_out
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.performance.services import suppression_threshold
from macehub.ui.charts import bar_chart

TREND_MONTHS = 12
HIDDEN_TEXT = "[c]"  # ONS's mark for a figure withheld to protect confidentiality


def metric_or_404(code: str) -> Metric:
    try:
        return get_metric(code)
    except UnknownMetric as exc:
        raise Http404("No such metric") from exc


def format_value(unit: Unit | str, value: Decimal | None) -> str:
    """A figure (or a target) as published: rounded by the hub's one rule to its unit's
    places (a no-op for a figure already rounded so), with its unit."""
    if value is None:
        return "–"
    unit = Unit(unit)
    text = format_figure(value, PUBLISHED_PLACES[unit], grouped=unit is Unit.COUNT)
    if unit is Unit.PERCENTAGE:
        return f"{text}%"
    if unit is Unit.MEDIAN_HOURS:
        return f"{text} hours"
    if unit is Unit.MEDIAN_DAYS:
        return f"{text} days"
    return text


@dataclass
class Row:
    label: str
    value: str
    numerator: str
    denominator: str
    raw: Decimal | None = None
    hidden: bool = False
    # Links to the records behind the figure: (text, address).
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class MetricPanel:
    metric: Metric
    total: Row
    meets_target: bool | None
    breakdowns: list[tuple[str, list[Row]]]
    trend: list[tuple[str, Row]]
    chart: SafeString
    drill_down: str | None
    filtered: list[str] = field(default_factory=list)
    # Small numbers are suppressed: the user may not open every record behind the
    # figures. ``hidden`` counts the figures shown as [c].
    suppressed: bool = False
    hidden: int = 0
    threshold: int = 0
    # The dashboard's filters, kept by the links from the panel.
    query: str = ""
    # When the figures were worked out (they are shared for a few minutes: live_figures).
    worked_out_at: dt.datetime | None = None


def _row(metric_unit: Unit, figure: Figure, hide: Hidden | None = None) -> Row:
    value = figure.value(metric_unit)
    hide = hide or Hidden()
    return Row(
        label=figure.label,
        value=HIDDEN_TEXT if hide.value else format_value(metric_unit, value),
        numerator=HIDDEN_TEXT if hide.numerator else (
            _count(figure.numerator) if metric_unit not in MEDIANS
            else format_value(metric_unit, value)),
        denominator=HIDDEN_TEXT if hide.denominator else (
            "" if figure.denominator is None else f"{figure.denominator:,}"),
        raw=None if hide.value else value,
        hidden=hide.value,
    )


def _count(value: Decimal | int | None) -> str:
    return "–" if value is None else f"{int(value):,}"


def trend_periods(period: Period, months: int = TREND_MONTHS) -> list[Period]:
    """The ``months`` calendar months ending with the one ``period`` ends in."""
    year, month = period.end.year, period.end.month
    found = []
    for _ in range(months):
        found.append(Period.month(year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


# Answers already worked out for one page, by (action, path, the rows' SQL): metrics
# often count the same records (the referrals received; the victims' ethnicity and their
# nationality), and each such check asks the policy about a whole table's worth of them.
Answered = dict[tuple[str, str, str], bool]


def sees_every_record(
    user: User, metric: Metric, span: Period, filters: Filters,
    *, answered: Answered | None = None,
) -> bool:
    """May the user open every record behind the metric's figures for any period within
    ``span`` (narrowed by ``filters``)? One query per kind of record, and none for a
    check ``answered`` already holds (for the same user); a metric that does not say
    what lies behind it is never seen exact."""
    if not metric.behind:
        return False
    for behind in metric.behind:
        rows = behind.rows(span, filters)
        key = (str(behind.action), behind.path, str(rows.query))
        if answered is not None and key in answered:
            seen = answered[key]
        else:
            # Asked row by row (is this row's record among those the user may open?),
            # so the cost follows the rows of the span, not the size of the table behind
            # them: "not in every record the user may open" had the database list all
            # of those first (every person in the country, at national scale). A row
            # leading to no record (a submission not yet written up) is not seen.
            opens = scope(user, behind.action,
                          behind.model._default_manager.filter(pk=OuterRef(behind.path)))
            seen = not rows.filter(~Exists(opens)).exists()
            if answered is not None:
                answered[key] = seen
        if not seen:
            return False
    return True


def sees_every_record_of_report(user: User, report: MonthlyReport) -> bool:
    """May the user open every record behind every figure of this published month (and
    of its restatements, counted over the same month)? Otherwise they read it with small
    numbers hidden, as the live dashboard shows them."""
    period = Period.month(report.month.year, report.month.month)
    codes = set(report.figures.values_list("metric_code", flat=True))
    answered: Answered = {}
    for code in sorted(codes):
        try:
            metric = get_metric(code)
        except UnknownMetric:
            return False
        if not sees_every_record(user, metric, period, Filters(), answered=answered):
            return False
    return True


@dataclass
class _Computed:
    """A metric's live figures for one user, before anything is hidden."""

    metric: Metric
    applied: Filters
    figures: list[Figure]
    trend: list[Figure]
    exact: bool
    worked_out_at: dt.datetime


def _whole_months(period: Period, months: list[Period]) -> set[str]:
    """The trend's months (``YYYY-MM``) that make up the period exactly, if it is made of
    whole calendar months; otherwise none."""
    inside = [m for m in months if period.start <= m.start and m.end <= period.end]
    if not inside or inside[0].start != period.start or inside[-1].end != period.end:
        return set()
    return {m.start.strftime("%Y-%m") for m in inside}


def _panels(
    user: User, metrics: list[Metric], period: Period, filters: Filters, *, with_trend: bool
) -> list[MetricPanel]:
    """The panels of ``metrics`` for the user: exact where they may open every record
    behind a metric, otherwise with small numbers hidden across all of them at once (the
    metrics of a population share their bases, so they are suppressed together)."""
    months = trend_periods(period) if with_trend else []
    span = Period(min([period.start, *(m.start for m in months)]),
                  max([period.end, *(m.end for m in months)]))
    computed = []
    answered: Answered = {}
    for metric in metrics:
        applied = _applicable(metric, filters)
        worked = worked_out(metric, period, applied, months)
        computed.append(_Computed(
            metric=metric, applied=applied, figures=worked.figures, trend=worked.trend,
            exact=sees_every_record(user, metric, span, applied, answered=answered),
            worked_out_at=worked.at,
        ))
    folded = _whole_months(period, months)
    threshold = suppression_threshold()
    hidden = hidden_live([
        LiveEntry(c.metric.code, c.metric.unit, c.metric.population, c.figures, c.trend,
                  folded)
        for c in computed if not c.exact
    ], threshold)
    return [_panel(user, c, period, filters, hidden.get(c.metric.code), threshold)
            for c in computed]


def _panel(
    user: User, computed: _Computed, period: Period, filters: Filters,
    hidden: tuple[dict[tuple[str, str], Hidden], dict[str, Hidden]] | None, threshold: int,
) -> MetricPanel:
    metric, applied = computed.metric, computed.applied
    hidden_figures, hidden_months = hidden or ({}, {})
    total = metric.total(computed.figures)
    query = filter_query(period, filters)
    listed = metric.records is not None and allows(user, metric.records.behind.action)
    groups: dict[str, list[Row]] = {}
    for figure in computed.figures:
        if figure.breakdown != TOTAL:
            label = BREAKDOWN_LABELS.get(Breakdown(figure.breakdown), figure.breakdown)
            row = _row(metric.unit, figure,
                       hidden_figures.get((figure.breakdown, figure.category)))
            if listed:
                row.links = cell_links(metric, query, figure.breakdown, figure.category)
            groups.setdefault(label, []).append(row)
    trend = [(figure.label, _row(metric.unit, figure, hidden_months.get(figure.category)))
             for figure in computed.trend]
    total_row = _row(metric.unit, total, hidden_figures.get((TOTAL, total.category)))
    rows = [total_row, *(row for _, group in groups.items() for row in group),
            *(row for _, row in trend)]
    drill_down = metric.drill_down(user, period, applied) if metric.drill_down else None
    if not computed.exact and not metric.drill_down_lists_records:
        drill_down = None
    chart = bar_chart(
        chart_id=f"chart-{metric.code}",
        title=f"{metric.name}: the last {len(trend)} months",
        description="; ".join(f"{label}: {row.value}" for label, row in trend)
        + (f". Target {format_value(metric.unit, metric.target)}." if metric.target else ""),
        points=[(label, row.raw) for label, row in trend],
        target=metric.target,
    )
    return MetricPanel(
        metric=metric, total=total_row, meets_target=metric.meets_target(total_row.raw),
        breakdowns=list(groups.items()), trend=trend, chart=chart, drill_down=drill_down,
        filtered=[name for name in ("area", "agency") if _asked(filters, name)
                  and name not in metric.filters],
        suppressed=not computed.exact, hidden=sum(row.hidden for row in rows),
        threshold=threshold, query=query, worked_out_at=computed.worked_out_at,
    )


def cell_links(metric: Metric, query: str, breakdown: str, category: str
               ) -> list[tuple[str, str]]:
    """Links to the records behind one cell, keeping the dashboard's filters: of a
    share, its counted rows and the rest; otherwise all of them."""
    base = reverse("performance:records", kwargs={"metric_code": metric.code})
    cell = f"{base}?{query}&{urlencode({'breakdown': breakdown, 'category': category})}"
    if metric.unit in (Unit.PERCENTAGE, Unit.RATE):
        return [("Counted", f"{cell}&counted=yes"), ("Not counted", f"{cell}&counted=no")]
    return [("Records", cell)]


def metric_panel(
    user: User, metric: Metric, period: Period, filters: Filters, *, with_trend: bool = True
) -> MetricPanel:
    """One metric's panel, hidden as the dashboard hides it: suppressed together with the
    metrics that share its population, as on the dashboard, so the two pages never hide
    different figures of the same table."""
    sharing = [m for m in all_metrics()
               if m is not metric and metric.population and m.population == metric.population]
    return _panels(user, [metric, *sharing], period, filters, with_trend=with_trend)[0]


def _asked(filters: Filters, name: str) -> bool:
    return bool(filters.area_code) if name == "area" else filters.agency_id is not None


def _applicable(metric: Metric, filters: Filters) -> Filters:
    return Filters(
        area_code=filters.area_code if "area" in metric.filters else "",
        agency_id=filters.agency_id if "agency" in metric.filters else None,
    )


def dashboard(
    user: User, period: Period, filters: Filters, *, with_trend: bool = True
) -> list[MetricPanel]:
    return _panels(user, all_metrics(), period, filters, with_trend=with_trend)


def area_choices() -> list[tuple[str, str]]:
    return [(a.code, f"{a.name} ({a.get_kind_display()})") for a in Area.objects.filter(
        kind__in=("county", "district", "ward", "neighbourhood")).order_by("kind", "name")]


def agency_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Agency.objects.order_by("name").values_list(
        "pk", "name")]


# --- published reports ---------------------------------------------------------------


def published_reports() -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.select_related("published_by")


def report_or_404(report_pk: int) -> MonthlyReport:
    try:
        return published_reports().get(pk=report_pk)
    except MonthlyReport.DoesNotExist as exc:
        raise Http404("No such report") from exc


@dataclass
class PublishedRow:
    label: str
    value: str
    numerator: str
    denominator: str
    suppressed: bool
    restated: bool = False
    restated_value: str = ""
    # The published value as a number (None when hidden or not known).
    raw: Decimal | None = None
    restated_numerator: str = ""
    restated_denominator: str = ""


@dataclass
class PublishedMetric:
    code: str
    name: str
    unit: str
    definition: str
    numerator_text: str
    denominator_text: str
    total: PublishedRow
    breakdowns: list[tuple[str, list[PublishedRow]]]
    metric: Metric | None = None
    # The definition now in use, when it differs from the one published (the figures
    # shown as revised are computed with it).
    definition_now: str = ""
    # The target as published (or, for a month published before targets were stored
    # with it, as set now), and which way is better.
    target: Decimal | None = None
    better: Better = Better.NEITHER


@dataclass
class PublishedReport:
    report: MonthlyReport
    metrics: list[PublishedMetric]
    suppressed: bool
    restatements: int
    threshold: int



def _published_row(
    unit: Unit, figure: Any, hidden: Hidden | None, current: Figure | None, suppressed: bool,
    current_hidden: Hidden | None,
) -> PublishedRow:
    hide = hidden or Hidden()
    stored = Figure(figure.breakdown, figure.category, figure.label,
                    figure.numerator, figure.denominator)
    value = stored.value(unit)
    row = PublishedRow(
        label=figure.label,
        value=HIDDEN_TEXT if hide.value else format_value(unit, value),
        numerator=HIDDEN_TEXT if hide.numerator else (
            format_value(unit, value) if unit in MEDIANS else _count(figure.numerator)),
        denominator=HIDDEN_TEXT if hide.denominator else (
            "" if figure.denominator is None else f"{figure.denominator:,}"),
        suppressed=hide.numerator or hide.denominator,
        raw=None if hide.value else value,
    )
    if current is None:
        current = Figure(stored.breakdown, stored.category, stored.label,
                         0 if unit is Unit.COUNT else None, 0 if figure.denominator is not None
                         else None)
    if _differs(stored, current):
        row.restated = True
        now = current_hidden or Hidden()
        if suppressed and (hide.value or now.value):
            row.restated_value = HIDDEN_TEXT  # corrected, and the correction is hidden too
        else:
            current_value = current.value(unit)
            row.restated_value = format_value(unit, current_value)
            row.restated_numerator = (format_value(unit, current_value)
                                      if unit in MEDIANS else _count(current.numerator))
            row.restated_denominator = ("" if current.denominator is None
                                        else f"{current.denominator:,}")
    return row


def _differs(stored: Figure, current: Figure) -> bool:
    # To the two places a published figure is stored to (``ReportFigure``).
    def norm(value: Decimal | int | None) -> Decimal | None:
        return None if value is None else round_half_up(value, 2)

    return (norm(stored.numerator) != norm(current.numerator)
            or stored.denominator != current.denominator)


def published_report(
    report: MonthlyReport, *, suppressed: bool, with_restatements: bool = True
) -> PublishedReport:
    """A published report as stored, each figure beside any restatement of it.

    Suppressed, small numbers are hidden across the whole report at once (metrics of the
    same population share denominators), once for the stored figures and once for the
    figures as they are now, which the restatements show.
    """
    period = Period.month(report.month.year, report.month.month)
    stored: dict[str, list[ReportFigure]] = {}
    for figure in report.figures.all():
        stored.setdefault(figure.metric_code, []).append(figure)
    registered: dict[str, Metric | None] = {}
    for code in stored:
        try:
            registered[code] = get_metric(code)
        except UnknownMetric:
            registered[code] = None
    units = {code: Unit(figures[0].unit) for code, figures in stored.items()}
    currently: dict[str, list[Figure]] = {
        code: metric.figures(period) for code, metric in registered.items()
        if metric is not None and with_restatements
    }
    threshold = report.suppression_threshold
    hidden = hidden_report(
        [(code, units[code], _population(registered[code]), figures)
         for code, figures in stored.items()], threshold,
    ) if suppressed else {}
    hidden_now = hidden_report(
        [(code, units[code], _population(registered[code]), figures)
         for code, figures in currently.items()], threshold,
    ) if suppressed else {}
    metrics = []
    restatements = 0
    for code, figures in stored.items():
        unit, metric = units[code], registered[code]
        current = {(f.breakdown, f.category): f for f in currently.get(code, [])}
        rows = [
            _published_row(
                unit, f, hidden.get(code, {}).get((f.breakdown, f.category)),
                current.get((f.breakdown, f.category)) if with_restatements and metric
                else Figure(f.breakdown, f.category, f.label, f.numerator, f.denominator),
                suppressed, hidden_now.get(code, {}).get((f.breakdown, f.category)),
            )
            for f in figures
        ]
        restatements += sum(row.restated for row in rows)
        groups: dict[str, list[PublishedRow]] = {}
        total_row = rows[0]
        for f, row in zip(figures, rows, strict=True):
            if f.breakdown == TOTAL:
                total_row = row
            else:
                label = BREAKDOWN_LABELS.get(Breakdown(f.breakdown), f.breakdown)
                groups.setdefault(label, []).append(row)
        now = metric.texts() if metric else {}
        stored_texts = report.definitions.get(code) or {}
        published_texts = {key: stored_texts[key] for key in now if key in stored_texts} \
            if stored_texts else now
        if "target" in stored_texts:
            target = None if stored_texts["target"] is None else Decimal(stored_texts["target"])
        else:
            target = metric.target if metric else None
        metrics.append(PublishedMetric(
            code=code, name=figures[0].metric_name, unit=unit.value,
            definition=published_texts.get("definition", ""),
            numerator_text=published_texts.get("numerator", ""),
            denominator_text=published_texts.get("denominator", ""),
            total=total_row, breakdowns=list(groups.items()), metric=metric,
            definition_now=now.get("definition", "") if now and now != published_texts
            else "",
            target=target, better=metric.better if metric else Better.NEITHER,
        ))
    return PublishedReport(report=report, metrics=metrics, suppressed=suppressed,
                           restatements=restatements, threshold=threshold)


def _population(metric: Metric | None) -> str:
    """A metric no longer registered shares its denominators with nothing we know of."""
    return metric.population if metric is not None else ""


# --- the summary: the answer first ---------------------------------------------------


@dataclass(frozen=True)
class SummaryLine:
    """One measure in a page's summary: its figure against its target, and its change
    on the month before. Hidden figures stay hidden ([c]); unknown ones stay unknown."""

    code: str
    name: str
    value: str
    target: str
    meets_target: bool | None
    change: str
    hidden: bool = False


CHANGE_UNITS = {Unit.PERCENTAGE: " percentage points", Unit.MEDIAN_HOURS: " hours",
                Unit.MEDIAN_DAYS: " days",
                Unit.COUNT: "", Unit.RATE: ""}


def change_text(
    unit: Unit, better: Better, now: Decimal | None, before: Decimal | None, *,
    hidden: bool,
) -> str:
    """The change from ``before`` to ``now`` in words: both are figures as published
    (already rounded to the unit's places), so their difference is exact at those
    places and is not rounded again."""
    if hidden:
        return HIDDEN_TEXT
    if now is None or before is None:
        return "Not known"
    difference = now - before
    if difference == 0:
        return "No change"
    size = format_figure(abs(difference), PUBLISHED_PLACES[unit], grouped=True)
    words = f"{'Up' if difference > 0 else 'Down'} {size}{CHANGE_UNITS[unit]}"
    if better is Better.NEITHER:
        return words
    improved = (difference > 0) == (better is Better.HIGHER)
    return f"{words} ({'better' if improved else 'worse'})"


def _target_text(unit: Unit, target: Decimal | None) -> str:
    return "" if target is None else format_value(unit, target)


def meets(better: Better, target: Decimal | None, value: Decimal | None) -> bool | None:
    if target is None or value is None or better is Better.NEITHER:
        return None
    return value >= target if better is Better.HIGHER else value <= target


@dataclass
class Summary:
    lines: list[SummaryLine]
    # What the change compares: "Nov 2026 on Oct 2026", or why there is none.
    compared: str


def dashboard_summary(panels: list[MetricPanel]) -> Summary:
    """Each measure's figure for the period against its target, and the change from the
    month before the last month of its trend to that month."""
    lines = []
    compared = ""
    for panel in panels:
        metric = panel.metric
        if len(panel.trend) >= 2:
            (latest_label, latest), (before_label, before) = panel.trend[-1], panel.trend[-2]
            compared = f"{latest_label} on {before_label}"
            change = change_text(metric.unit, metric.better, latest.raw, before.raw,
                                 hidden=latest.hidden or before.hidden)
        else:
            change = "Not known"
        lines.append(SummaryLine(
            code=metric.code, name=metric.name, value=panel.total.value,
            target=_target_text(metric.unit, metric.target),
            meets_target=panel.meets_target, change=change, hidden=panel.total.hidden,
        ))
    return Summary(lines, compared)


def previous_report(report: MonthlyReport) -> MonthlyReport | None:
    """The report of the month before, if it was published."""
    year, month = report.month.year, report.month.month
    year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return published_reports().filter(month=Period.month(year, month).start).first()


def report_summary(published: PublishedReport, previous: PublishedReport | None) -> Summary:
    """Each measure's published figure against the target published with it, and the
    change on the month before as that month was published (not as corrected since)."""
    before = {m.code: m for m in previous.metrics} if previous else {}
    lines = []
    for m in published.metrics:
        unit = Unit(m.unit)
        earlier = before.get(m.code)
        if earlier is None:
            change = "Not published" if previous is None else "Not known"
        else:
            change = change_text(unit, m.better, m.total.raw, earlier.total.raw,
                                 hidden=m.total.value == HIDDEN_TEXT
                                 or earlier.total.value == HIDDEN_TEXT)
        lines.append(SummaryLine(
            code=m.code, name=m.name, value=m.total.value,
            target=_target_text(unit, m.target),
            meets_target=meets(m.better, m.target, m.total.raw), change=change,
            hidden=m.total.value == HIDDEN_TEXT,
        ))
    month = published.report.month
    year, number = (month.year - 1, 12) if month.month == 1 else (month.year, month.month - 1)
    before_label = Period.month(year, number).label()
    compared = (f"{published.report.title} on {before_label}" if previous
                else f"{before_label} was not published")
    return Summary(lines, compared)


# --- the records behind a cell -------------------------------------------------------

RECORDS_PER_PAGE = 50
COUNTED_WORDS = {True: "counted", False: "not counted", None: ""}


@dataclass
class CellRecords:
    """The records behind one cell of a metric's figures that the user may open."""

    metric: Metric
    listing: RecordList
    breakdown_label: str
    category_label: str
    counted: bool | None
    page: Page[Any]
    rows: list[tuple[str, tuple[str, ...]]]  # (address, columns) of each record shown
    # The user may not open every record behind the metric: some may be left out.
    partial: bool


def cell_records(
    user: User, metric: Metric, period: Period, filters: Filters, *, breakdown: str,
    category: str, counted: bool | None, page: str | None,
) -> CellRecords:
    """The records a cell counts, through the access policy: only those the user may
    open are listed. Whether some are left out is said for the measure as a whole, as
    the dashboard says it (a count for the one cell could show that a hidden record
    exists there)."""
    listing = metric.records
    if listing is None:
        raise Http404("No list of records behind this measure")
    applied = _applicable(metric, filters)
    try:
        rows = listing.cell(period, applied, breakdown, category, counted)
    except LookupError as exc:
        raise Http404("No such breakdown") from exc
    # The cell's label as the figures name it; a category with nothing in it (under
    # these filters) is named by its code.
    labels = {(f.breakdown, f.category): f.label for f in metric.figures(period, applied)}
    behind = listing.behind
    # A user whose role opens none of these records is shown none (and told why); the
    # dashboard offers them no link here.
    records = scope(user, behind.action, behind.model._default_manager.filter(
        pk__in=rows.values(behind.path))).select_related(*listing.select_related).order_by(
        *listing.order_by) if allows(user, behind.action) else behind.model._default_manager.none()
    shown = Paginator(records, RECORDS_PER_PAGE).get_page(page)
    return CellRecords(
        metric=metric, listing=listing,
        breakdown_label="" if breakdown == TOTAL else BREAKDOWN_LABELS[Breakdown(breakdown)],
        category_label=labels.get((breakdown, category),
                                  "All" if breakdown == TOTAL else category or "Not recorded"),
        counted=counted,
        page=shown,
        rows=[(reverse(listing.url_name, kwargs={listing.url_kwarg: record.pk}),
               listing.describe(record)) for record in shown],
        partial=not sees_every_record(user, metric, period, applied),
    )
