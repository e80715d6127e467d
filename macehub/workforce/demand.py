"""The hub's demand by month and its forecast.

Four monthly series, each counted in one grouped query over whole months in the hub's
time zone: referrals received, children newly at High risk (a case's tier moved to High
from anything else, each child once a month), investigations opened (recorded) and
exhibits (devices) seized. Months run to the last full month (the month in progress
would look like a fall in demand); the months before the first with any demand are left
out ("all the data there is").

**Weighted demand** is the new work a month brings, in the caseload weighting's units:
each referral at the weight of a Low-risk case (the least a referral asks of the hub),
each child newly at High risk at the weight of a High-risk case, each investigation and
each exhibit at its own weight. Divided by the posts filled it is the weighted work
arriving per worker per month.

**The forecast** of the next 12 months fits an exponential smoothing model
(statsmodels ``ETSModel``: additive errors, additive damped trend, additive seasonality
only with at least two full years of months) and takes its 95% prediction intervals.
The model's starting level, trend and season come from the classic heuristic (a
decomposition of the first months) and only the smoothing parameters are estimated:
estimating the starting states as well, on the two years or so a hub has, drove the
fit to parameters that never learn from the data and bent a plain trend away, with
intervals too narrow to hold the truth (the known-pattern tests show it).
With fewer than ``MIN_MONTHS`` months there is no forecast, and the reason is given.
Demand cannot fall below zero, so the forecast and its interval are cut at zero."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Aggregate, Count, QuerySet
from django.db.models.functions import TruncMonth

from macehub.cases.codes import RiskTier
from macehub.cases.models import RiskTierChange
from macehub.days import day_starts
from macehub.forensics.models import Exhibit
from macehub.forms import last_full_month as last_whole_period
from macehub.investigations.models import Investigation
from macehub.referrals.models import Referral
from macehub.workforce.codes import WorkKind

LONDON = ZoneInfo("Europe/London")
MONTHS_SHOWN = 24
MIN_MONTHS = 12
SEASONAL_MONTHS = 24
HORIZON = 12
CONFIDENCE = 0.95

SERIES_LABELS = {
    "referrals": "Referrals received",
    "newly_high": "Children newly at High risk",
    "investigations": "Investigations opened",
    "exhibits": "Exhibits seized",
}
# The weight each series' new work carries (see the module's docstring).
SERIES_WEIGHTS = {
    "referrals": WorkKind.LOW_CASE,
    "newly_high": WorkKind.HIGH_CASE,
    "investigations": WorkKind.INVESTIGATION,
    "exhibits": WorkKind.EXHIBIT,
}


def add_months(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = add_months(month, 1)
    return found


def last_full_month(today: dt.date | None = None) -> dt.date:
    """The first day of the last whole month before ``today``."""
    return last_whole_period(today).start


@dataclass(frozen=True)
class MonthDemand:
    month: dt.date
    referrals: int
    newly_high: int
    investigations: int
    exhibits: int

    def count(self, series: str) -> int:
        value: int = getattr(self, series)
        return value

    def weighted(self, weights: Mapping[str, Decimal]) -> Decimal:
        return sum((weights.get(SERIES_WEIGHTS[series], Decimal(0)) * self.count(series)
                    for series in SERIES_LABELS), Decimal(0))


def _by_month(rows: Sequence[Mapping[str, object]]) -> dict[dt.date, int]:
    found: dict[dt.date, int] = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.astimezone(LONDON).date()
        if isinstance(month, dt.date):
            found[month] = int(str(row["number"]))
    return found


def monthly_demand(first: dt.date, last: dt.date) -> list[MonthDemand]:
    """Each month's demand from the month of ``first`` to the month of ``last`` (four
    queries)."""
    months = months_between(first, last)
    start, end = day_starts(months[0]), day_starts(add_months(months[-1], 1))

    def counted(queryset: QuerySet[Any], field: str, number: Aggregate
                ) -> dict[dt.date, int]:
        rows = (queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
                .annotate(month=TruncMonth(field, tzinfo=LONDON)).order_by()
                .values("month").annotate(number=number))
        return _by_month(list(rows))

    series = {
        "referrals": counted(Referral.objects.all(), "received_at", Count("pk")),
        "newly_high": counted(
            RiskTierChange.objects.filter(to_tier=RiskTier.HIGH).exclude(
                from_tier=RiskTier.HIGH), "changed_at", Count("case__child", distinct=True)),
        "investigations": counted(Investigation.objects.all(), "created_at", Count("pk")),
        "exhibits": counted(Exhibit.objects.all(), "seized_at", Count("pk")),
    }
    return [MonthDemand(month, **{name: found.get(month, 0) for name, found in series.items()})
            for month in months]


def recent_demand(months: int = MONTHS_SHOWN, today: dt.date | None = None
                  ) -> list[MonthDemand]:
    """Up to ``months`` months to the last full month, from the first with any demand."""
    last = last_full_month(today)
    found = monthly_demand(add_months(last, 1 - months), last)
    while found and not any(found[0].count(name) for name in SERIES_LABELS):
        found.pop(0)
    return found


@dataclass(frozen=True)
class ForecastMonth:
    month: dt.date
    mean: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Forecast:
    months: list[ForecastMonth]
    seasonal: bool = False
    reason: str = ""  # why there is no forecast

    @property
    def made(self) -> bool:
        return bool(self.months)


def forecast(values: Sequence[float], *, first_month: dt.date,
             horizon: int = HORIZON) -> Forecast:
    """The next ``horizon`` months after a monthly series starting at ``first_month``,
    with 95% prediction intervals; none, with the reason, for a short series."""
    if len(values) < MIN_MONTHS:
        return Forecast([], reason=(
            f"A forecast needs at least {MIN_MONTHS} months of demand; there "
            f"{'is' if len(values) == 1 else 'are'} {len(values)}."))
    import pandas as pd
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    index = pd.date_range(first_month, periods=len(values), freq="MS")
    series = pd.Series([float(value) for value in values], index=index)
    seasonal = len(values) >= SEASONAL_MONTHS
    with warnings.catch_warnings():
        # A flat or nearly flat series leaves the likelihood with nothing to climb; the
        # fit it stops at is the flat forecast the series calls for.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        model = ETSModel(series, error="add", trend="add", damped_trend=True,
                         initialization_method="heuristic",
                         seasonal="add" if seasonal else None,
                         seasonal_periods=12 if seasonal else None)
        fitted = model.fit(disp=False)
        frame = fitted.get_prediction(start=len(values), end=len(values) + horizon - 1
                                      ).summary_frame(alpha=1 - CONFIDENCE)
    first = add_months(first_month, len(values))
    return Forecast([
        ForecastMonth(add_months(first, i), max(float(row["mean"]), 0.0),
                      max(float(row["pi_lower"]), 0.0), max(float(row["pi_upper"]), 0.0))
        for i, (_, row) in enumerate(frame.iterrows())], seasonal=seasonal)


@dataclass(frozen=True)
class ImpliedCaseload:
    """The weighted new work per filled post a forecast month implies."""

    month: dt.date
    mean: Decimal
    lower: Decimal
    upper: Decimal


def implied_caseload(weighted: Forecast, filled_now: Decimal | None
                     ) -> list[ImpliedCaseload]:
    """The forecast weighted demand per post filled now (none without posts filled)."""
    if not filled_now:
        return []
    per = Decimal(filled_now)

    def share(value: float) -> Decimal:
        return (Decimal(str(value)) / per).quantize(Decimal("0.1"))

    return [ImpliedCaseload(row.month, share(row.mean), share(row.lower), share(row.upper))
            for row in weighted.months]


def weighted_series(demand: Sequence[MonthDemand], weights: Mapping[str, Decimal]
                    ) -> list[float]:
    return [float(month.weighted(weights)) for month in demand]


