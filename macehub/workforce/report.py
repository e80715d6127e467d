"""The resourcing evidence report: the case for posts, made from the hub's own records,
for the Police and Crime Commissioner's office.

For a period of whole months and a safe caseload the reader chooses:

- **Demand against capacity by month**: the hub teams' establishment, posts filled and
  vacancies (a month some hub team has not recorded is "not recorded", never zero), the
  four series of demand and the weighted demand (``workforce.demand``), and the weighted
  demand per filled post.
- **Caseloads against the safe level**: how many workers hold a weighted caseload above
  it, and the distribution in four bands around it. No worker is named.
- **The effect of posts added**: for each month posts were added to a hub team, the
  weighted demand per filled post over the six months before and the six months from
  then (as many of those as the records have).
- **The forecast**: weighted demand and referrals for the next 12 months with 95%
  prediction intervals, and the weighted new work per worker they imply at today's
  staffing (the latest month every hub team recorded).

Suppression: for the scrutiny officer (and anyone in the PCC's office) and in the PDF
and CSV, which are for sharing, counts from 1 to ``SUPPRESSION_THRESHOLD - 1`` are
hidden ([c]) by the hub's one rule (``core.suppression``), with secondary suppression in
the caseload table (its totals are published); a month's weighted demand, which the
hidden counts add up to, is hidden with them. Posts are not counts of people and model
estimates are not counts: they are shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import fmean

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind, Role
from macehub.core.csv_export import csv_text
from macehub.core.figures import format_figure
from macehub.core.suppression import Table, cell, row_total, suppress
from macehub.ui.charts import Bar, bar_chart, pdf_bar_chart
from macehub.workforce import caseloads, demand, selectors
from macehub.workforce.demand import (
    SERIES_LABELS,
    Forecast,
    ForecastMonth,
    ImpliedCaseload,
    MonthDemand,
)
from macehub.workforce.models import fte_text
from macehub.workforce.selectors import HubMonth
from macehub.workforce.services import current_weighting

DEFAULT_MONTHS = 24
EFFECT_MONTHS = 6
HIDDEN = "[c]"
NOT_RECORDED = "Not recorded"


def reads_suppressed(user: User) -> bool:
    """The scrutiny officer, and anyone in the PCC's office, reads the report as it is
    shared: small numbers suppressed."""
    return (Role.SCRUTINY in user.role_codes or Role.SENIOR_LEADER not in user.role_codes
            or (user.agency is not None and user.agency.kind == AgencyKind.PCC_OFFICE))


def _fte(value: Decimal | None) -> str:
    return NOT_RECORDED if value is None else fte_text(value)


@dataclass
class CapacityMonth:
    staffing: HubMonth
    demand: MonthDemand
    counts: dict[str, str]  # each series' count as shown ([c] when hidden)
    weighted: Decimal | None  # None when hidden
    per_post: Decimal | None  # None when hidden, or no posts filled recorded

    @property
    def month(self) -> dt.date:
        return self.demand.month

    @property
    def counts_in_order(self) -> list[str]:
        """Each series' count as shown, in the order ``SERIES_LABELS`` lists them."""
        return [self.counts[name] for name in SERIES_LABELS]

    @property
    def vacancies_text(self) -> str:
        vacancies = self.staffing.vacancies
        if vacancies is None:
            return NOT_RECORDED
        if vacancies < 0:
            return f"None ({fte_text(-vacancies)} over establishment)"
        return fte_text(vacancies)

    @property
    def weighted_text(self) -> str:
        return HIDDEN if self.weighted is None else format_figure(self.weighted, 1)

    @property
    def per_post_text(self) -> str:
        if self.per_post is not None:
            return format_figure(self.per_post, 1)
        return HIDDEN if self.weighted is None else NOT_RECORDED


@dataclass(frozen=True)
class Band:
    label: str
    shown: str
    number: int


@dataclass(frozen=True)
class PostsAdded:
    month: dt.date
    posts_added: Decimal
    funding: list[str]
    before: Decimal | None
    months_before: int
    after: Decimal | None
    months_after: int

    @property
    def change_text(self) -> str:
        if self.before is None or self.after is None:
            return "Not enough months recorded to say"
        change = self.after - self.before
        if change == 0:
            return "No change"
        return f"{'Up' if change > 0 else 'Down'} {format_figure(abs(change), 1)}"


@dataclass
class Resourcing:
    start: dt.date
    end: dt.date
    safe: Decimal
    suppressed: bool
    threshold: int
    weights: dict[str, Decimal]
    months: list[CapacityMonth]
    workers: str
    above: str
    bands: list[Band]
    effects: list[PostsAdded]
    weighted_forecast: Forecast
    referrals_forecast: Forecast
    staffed_now: HubMonth | None
    implied: list[ImpliedCaseload] = field(default_factory=list)

    @property
    def series(self) -> dict[str, str]:
        return SERIES_LABELS

    @property
    def forecast_rows(self) -> list[dict[str, ForecastMonth]]:
        """Each forecast month's weighted demand and referrals, side by side."""
        return [{"weighted": weighted, "referrals": referrals} for weighted, referrals in
                zip(self.weighted_forecast.months, self.referrals_forecast.months,
                    strict=False)]


def _bands(safe: Decimal) -> list[tuple[str, Decimal, Decimal | None]]:
    """Four bands of weighted caseload around the safe level: label, above, up to."""
    half, more = safe / 2, safe * Decimal("1.5")
    return [
        (f"Up to {format_figure(half, 1)} (half the safe level)", Decimal(0), half),
        (f"More than {format_figure(half, 1)}, up to {format_figure(safe, 1)}", half, safe),
        (f"More than {format_figure(safe, 1)}, up to {format_figure(more, 1)}", safe, more),
        (f"More than {format_figure(more, 1)}", more, None),
    ]


def _caseload_table(safe: Decimal, suppressed: bool, threshold: int
                    ) -> tuple[str, str, list[Band]]:
    loads = caseloads.live_caseloads(staff=caseloads.everyone(),
                                     weights=current_weighting().weights())
    limits = _bands(safe)
    numbers = [0] * len(limits)
    for load in loads:
        numbers[next(i for i, (_, _, high) in enumerate(limits)
                     if high is None or load.weighted <= high)] += 1
    # At or below the safe level (two bands), above it (two bands): the row totals and the
    # grand total are published, so a hidden band must not be worked out from them.
    table = Table(cells=[numbers[:2], numbers[2:]],
                  row_totals=[numbers[0] + numbers[1], numbers[2] + numbers[3]],
                  grand_total=len(loads))
    hidden = suppress(table, threshold) if suppressed else frozenset()

    def shown(position: tuple[object, ...], value: int) -> str:
        return HIDDEN if position in hidden else str(value)

    bands = [Band(label, shown(cell(i // 2, i % 2), number), number)
             for i, ((label, _, _), number) in enumerate(zip(limits, numbers, strict=True))]
    above = shown(row_total(1), numbers[2] + numbers[3])
    workers = shown(("grand",), len(loads))
    return workers, above, bands


def _months(start: dt.date, end: dt.date, weights: dict[str, Decimal], suppressed: bool,
            threshold: int) -> list[CapacityMonth]:
    found = demand.monthly_demand(start, end)
    staffing = selectors.hub_staffing([month.month for month in found])
    names = list(SERIES_LABELS)
    hidden = suppress(Table(cells=[[month.count(name) for name in names] for month in found]),
                      threshold) if suppressed else frozenset()
    rows = []
    for r, (month, staffed) in enumerate(zip(found, staffing, strict=True)):
        counts = {name: HIDDEN if cell(r, c) in hidden else str(month.count(name))
                  for c, name in enumerate(names)}
        weighted = None if HIDDEN in counts.values() else month.weighted(weights)
        per_post = (weighted / staffed.filled).quantize(Decimal("0.1")) if (
            weighted is not None and staffed.filled) else None
        rows.append(CapacityMonth(staffed, month, counts, weighted, per_post))
    return rows


def _per_post(months: list[CapacityMonth], weights: dict[str, Decimal]
              ) -> dict[dt.date, Decimal]:
    """Each month's weighted demand per filled post, before suppression (a mean of
    several months' ratios is no count)."""
    return {row.month: row.demand.weighted(weights) / row.staffing.filled
            for row in months if row.staffing.filled}


def _effects(months: list[CapacityMonth], weights: dict[str, Decimal]) -> list[PostsAdded]:
    per_post = _per_post(months, weights)
    found = []
    for row in months:
        if not row.staffing.posts_added:
            continue
        before = [per_post[m] for m in (demand.add_months(row.month, -i)
                                        for i in range(1, EFFECT_MONTHS + 1)) if m in per_post]
        after = [per_post[m] for m in (demand.add_months(row.month, i)
                                       for i in range(EFFECT_MONTHS)) if m in per_post]
        found.append(PostsAdded(
            row.month, row.staffing.posts_added, row.staffing.funding,
            Decimal(str(fmean(before))).quantize(Decimal("0.1")) if before else None,
            len(before),
            Decimal(str(fmean(after))).quantize(Decimal("0.1")) if after else None,
            len(after)))
    return found


def _from_first_records(months: list[CapacityMonth]) -> list[CapacityMonth]:
    """The months from the first with any demand or staffing recorded (the last month
    alone if none has either)."""
    for index, row in enumerate(months):
        if row.staffing.teams_recorded or any(row.demand.count(name)
                                              for name in SERIES_LABELS):
            return months[index:]
    return months[-1:]


def resourcing_report(*, start: dt.date, end: dt.date, safe: Decimal, suppressed: bool,
                      today: dt.date | None = None, from_first_records: bool = False
                      ) -> Resourcing:
    """The report for the months from ``start`` to ``end`` (from the first of them with
    any records, if ``from_first_records``: the reader chose no start)."""
    threshold = int(settings.SUPPRESSION_THRESHOLD)
    weights = current_weighting().weights()
    months = _months(start, end, weights, suppressed, threshold)
    if from_first_records:
        months = _from_first_records(months)
    workers, above, bands = _caseload_table(safe, suppressed, threshold)
    history = demand.recent_demand(today=today)
    first = history[0].month if history else demand.last_full_month(today)
    weighted_forecast = demand.forecast(demand.weighted_series(history, weights),
                                        first_month=first)
    referrals_forecast = demand.forecast([month.referrals for month in history],
                                         first_month=first)
    this_month = (today or timezone.localdate()).replace(day=1)
    staffed_now = selectors.filled_now(selectors.hub_staffing(
        [demand.add_months(this_month, -i) for i in range(12, -1, -1)]))
    return Resourcing(
        start=months[0].month, end=months[-1].month, safe=safe, suppressed=suppressed,
        threshold=threshold, weights=weights, months=months, workers=workers, above=above,
        bands=bands, effects=_effects(months, weights), weighted_forecast=weighted_forecast,
        referrals_forecast=referrals_forecast, staffed_now=staffed_now,
        implied=demand.implied_caseload(weighted_forecast, staffed_now.filled
                                        if staffed_now else None))


def charts(built: Resourcing) -> dict[str, SafeString]:
    """The page's charts, each beside the table of the same numbers."""
    label = "%b %Y"
    return {
        "per_post": bar_chart(
            chart_id="chart-per-post", title="Weighted demand per filled post, by month",
            description="; ".join(f"{row.month:{label}}: {row.per_post_text}"
                                  for row in built.months),
            points=[(f"{row.month:%b %y}", row.per_post) for row in built.months]),
        "forecast": bar_chart(
            chart_id="chart-forecast", title="Forecast weighted demand, next 12 months",
            description="; ".join(
                f"{row.month:{label}}: {row.mean:.1f} (95% interval {row.lower:.1f} to "
                f"{row.upper:.1f})" for row in built.weighted_forecast.months),
            points=[(f"{row.month:%b %y}", Decimal(str(round(row.mean, 1))))
                    for row in built.weighted_forecast.months]),
        "bands": bar_chart(
            chart_id="chart-bands", title="Workers by weighted caseload",
            description="; ".join(f"{band.label}: {band.shown}" for band in built.bands),
            points=[(band.label, None if band.shown == HIDDEN else Decimal(band.number))
                    for band in built.bands]),
    }


def report_csv(built: Resourcing) -> str:
    """The report as one table: section, period or category, measure, value (and the
    interval of a forecast), through the hub's one CSV writer."""
    lines: list[list[object]] = [["section", "period", "measure", "value", "lower_95",
                                  "upper_95"]]
    for row in built.months:
        month = f"{row.month:%Y-%m}"
        staffing = row.staffing
        for measure, value in (
                ("establishment", _fte(staffing.establishment)),
                ("posts_filled", _fte(staffing.filled)),
                ("vacancies", row.vacancies_text),
                ("posts_added", fte_text(staffing.posts_added)),
                *((name, row.counts[name]) for name in SERIES_LABELS),
                ("weighted_demand", row.weighted_text),
                ("weighted_demand_per_filled_post", row.per_post_text)):
            lines.append(["demand_and_capacity", month, measure, value, "", ""])
    lines.append(["caseloads", "now", "safe_level", format_figure(built.safe, 1), "", ""])
    lines.append(["caseloads", "now", "workers_holding_work", built.workers, "", ""])
    lines.append(["caseloads", "now", "workers_above_safe_level", built.above, "", ""])
    for band in built.bands:
        lines.append(["caseloads", "now", f"workers: {band.label}", band.shown, "", ""])
    for effect in built.effects:
        month = f"{effect.month:%Y-%m}"
        lines.append(["posts_added", month, "posts_added",
                      fte_text(effect.posts_added), "", ""])
        lines.append(["posts_added", month, "funding", "; ".join(effect.funding), "", ""])
        lines.append(["posts_added", month, "per_filled_post_before",
                      _fte(effect.before), "", ""])
        lines.append(["posts_added", month, "per_filled_post_after", _fte(effect.after), "", ""])
    for name, made in (("weighted_demand", built.weighted_forecast),
                       ("referrals", built.referrals_forecast)):
        for ahead in made.months:
            lines.append([f"forecast_{name}", f"{ahead.month:%Y-%m}", name,
                          f"{ahead.mean:.1f}", f"{ahead.lower:.1f}", f"{ahead.upper:.1f}"])
    for implied in built.implied:
        lines.append(["forecast_per_filled_post", f"{implied.month:%Y-%m}",
                      "weighted_demand_per_filled_post", str(implied.mean),
                      str(implied.lower), str(implied.upper)])
    return csv_text(lines)


def report_pdf(built: Resourcing) -> bytes:
    from weasyprint import HTML

    html = render_to_string("workforce/report_pdf.html", {
        "report": built,
        "per_post_chart": pdf_bar_chart(
            chart_id="pdf-per-post", title="Weighted demand per filled post, by month",
            bars=[Bar(f"{row.month:%B %Y}", row.per_post, row.per_post_text)
                  for row in built.months]),
        "bands_chart": pdf_bar_chart(
            chart_id="pdf-bands", title="Workers by weighted caseload",
            bars=[Bar(band.label, None if band.shown == HIDDEN else Decimal(band.number),
                      band.shown) for band in built.bands]),
    })
    return bytes(HTML(string=html).write_pdf())
