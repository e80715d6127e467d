"""Demand by month and its forecast: each series counted in whole London months in one
query each; the forecast checked against series with a known pattern (a linear trend,
a flat series, a yearly pattern), seeded; too few months give no forecast and say why."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
import time_machine
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.cases.models import RiskTierChange
from macehub.workforce import demand
from macehub.workforce.models import DEFAULT_WEIGHTS
from macehub.workforce.tests.factories import Workers, hold_case, make_workers

START = dt.date(2024, 1, 1)


def trend_series(months: int, seed: int) -> list[float]:
    """20 a month, rising by 1.5 a month, with noise (standard deviation 1)."""
    rng = np.random.default_rng(seed)
    return [float(20 + 1.5 * i + rng.normal(0, 1)) for i in range(months)]


SEEDS = range(8)


def test_a_linear_trend_is_followed_and_the_interval_covers_the_truth() -> None:
    near = far = 0
    for seed in SEEDS:
        made = demand.forecast(trend_series(18, seed), first_month=START)
        assert made.made and not made.seasonal and len(made.months) == 12
        assert made.months[0].month == dt.date(2025, 7, 1)
        means = [month.mean for month in made.months]
        assert all(later > earlier for earlier, later in itertools.pairwise(means))
        assert abs(means[0] - (20 + 1.5 * 18)) < 2, seed
        covered = [month.lower <= 20 + 1.5 * step <= month.upper
                   for step, month in enumerate(made.months, start=18)]
        near += sum(covered[:6])
        far += sum(covered)
        widths = [month.upper - month.lower for month in made.months]
        assert widths[-1] >= widths[0]  # further ahead, no more certain
    # 95% intervals: the noise-free trend lies inside nearly every one.
    assert near >= 0.9 * 6 * len(SEEDS)
    assert far >= 0.85 * 12 * len(SEEDS)


def test_a_flat_series_gives_a_flat_forecast() -> None:
    made = demand.forecast([7.0] * 18, first_month=START)
    assert made.made and not made.seasonal
    for month in made.months:
        assert month.mean == pytest.approx(7.0, abs=0.01)
        assert month.lower == pytest.approx(7.0, abs=0.01)
        assert month.upper == pytest.approx(7.0, abs=0.01)


def test_a_yearly_pattern_is_used_only_with_two_full_years() -> None:
    covered = 0
    for seed in range(4):
        rng = np.random.default_rng(seed)
        pattern = [float(30 + 10 * np.sin(2 * np.pi * i / 12) + rng.normal(0, 1))
                   for i in range(36)]
        made = demand.forecast(pattern, first_month=START)
        assert made.seasonal
        covered += sum(month.lower <= 30 + 10 * np.sin(2 * np.pi * step / 12) <= month.upper
                       for step, month in enumerate(made.months, start=36))
        # The pattern peaks in April (the fourth month of each year) and bottoms in October.
        assert max(made.months, key=lambda month: month.mean).month.month in {3, 4, 5}
        assert min(made.months, key=lambda month: month.mean).month.month in {9, 10, 11}
        assert not demand.forecast(pattern[:23], first_month=START).seasonal
    assert covered >= 0.9 * 12 * 4


def test_too_few_months_give_no_forecast_and_say_why() -> None:
    made = demand.forecast([3.0] * 11, first_month=START)
    assert not made.made
    assert made.reason == "A forecast needs at least 12 months of demand; there are 11."
    assert demand.implied_caseload(made, Decimal(10)) == []


def test_demand_cannot_be_forecast_below_zero() -> None:
    falling = [float(max(30 - 3 * i, 0)) for i in range(14)]
    made = demand.forecast(falling, first_month=START)
    assert all(month.lower >= 0 and month.mean >= 0 for month in made.months)


def test_the_implied_caseload_divides_by_the_posts_filled_now() -> None:
    made = demand.forecast(trend_series(24, 1), first_month=START)
    implied = demand.implied_caseload(made, Decimal(10))
    assert implied[0].month == made.months[0].month
    assert implied[0].mean == Decimal(str(made.months[0].mean / 10)).quantize(Decimal("0.1"))
    assert implied[0].lower <= implied[0].mean <= implied[0].upper
    assert demand.implied_caseload(made, None) == []


@pytest.mark.django_db
def test_each_series_is_counted_by_london_month(
        hub_agency: Agency, hub_team: Team, django_assert_num_queries: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC), tick=False):
        workers: Workers = make_workers(hub_agency, hub_team)  # investigations, exhibits
    high = hold_case(workers.social_worker, "high")
    RiskTierChange.objects.create(case=high, from_tier="", to_tier="high",
                                  changed_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC),
                                  changed_by=workers.social_worker, reason="Opened")
    RiskTierChange.objects.create(case=high, from_tier="high", to_tier="high",
                                  changed_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
                                  changed_by=workers.social_worker, reason="Reviewed")
    with django_assert_num_queries(4):
        months = demand.monthly_demand(dt.date(2026, 3, 1), dt.date(2026, 5, 31))
    assert [month.month for month in months] == [dt.date(2026, 3, 1), dt.date(2026, 4, 1),
                                                 dt.date(2026, 5, 1)]
    march, april, may = months
    # 23:30 UTC on 31 March is 00:30 on 1 April in London (summer time).
    assert (march.newly_high, april.newly_high) == (0, 1)
    assert (april.investigations, april.exhibits) == (2, 2)
    assert may.count("investigations") == 0
    assert april.weighted(DEFAULT_WEIGHTS) == Decimal(3) + 2 * 2 + Decimal("0.5") * 2


@pytest.mark.django_db
def test_recent_demand_starts_with_the_first_month_with_any(
        hub_agency: Agency, hub_team: Team) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 10, 12, tzinfo=dt.UTC), tick=False):
        make_workers(hub_agency, hub_team)
    with time_machine.travel(dt.datetime(2026, 7, 2, 12, tzinfo=dt.UTC), tick=False):
        months = demand.recent_demand()
        assert timezone.localdate() == dt.date(2026, 7, 2)
    assert [month.month for month in months] == [dt.date(2026, 4, 1), dt.date(2026, 5, 1),
                                                 dt.date(2026, 6, 1)]
