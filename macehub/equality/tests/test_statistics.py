"""Correctness of the statistics against independently computed values, and the
coverage of the ratio interval by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.rates import confint_poisson_2indep

from macehub.equality.analysis import Finding, GroupCount, analyse
from macehub.equality.statistics import exact_poisson_rate, missing_data_bounds, rate_ratio


def test_ten_events_in_a_thousand_give_the_published_exact_interval() -> None:
    rate = exact_poisson_rate(10, 1000)
    assert rate is not None
    assert rate.estimate == pytest.approx(10.0)
    assert rate.low == pytest.approx(4.795, abs=0.001)
    assert rate.high == pytest.approx(18.390, abs=0.001)


def test_zero_events_have_a_lower_limit_of_zero_and_zero_population_no_rate() -> None:
    rate = exact_poisson_rate(0, 1000)
    assert rate is not None and rate.low == 0 and rate.high == pytest.approx(3.689, abs=0.001)
    assert exact_poisson_rate(3, 0) is None


def test_rate_ratio_matches_statsmodels_directly() -> None:
    ratio = rate_ratio(30, 10_000, 50, 100_000)
    low, high = confint_poisson_2indep(30, 10_000, 50, 100_000, method="score", compare="ratio")
    assert ratio is not None
    assert ratio.estimate == pytest.approx(6.0)
    assert (ratio.low, ratio.high) == (pytest.approx(low), pytest.approx(high))


def test_no_ratio_without_events_or_population() -> None:
    assert rate_ratio(0, 1000, 5, 1000) is None
    assert rate_ratio(5, 1000, 0, 1000) is None
    assert rate_ratio(5, 0, 5, 1000) is None


def test_missing_data_bounds_assign_every_unknown_each_way() -> None:
    bounds = missing_data_bounds(10, 1000, 20, 4000, unknown=10)
    assert bounds is not None
    assert bounds.low == pytest.approx((10 / 1000) / (30 / 4000))
    assert bounds.high == pytest.approx((20 / 1000) / (20 / 4000))


WHITE = GroupCount("W", "White", 100, 100_000)


def test_reading_refuses_when_missing_data_straddles_one() -> None:
    group = GroupCount("B", "Black", 20, 10_000)  # twice the White rate on complete cases
    result = analyse([WHITE, group], WHITE, not_stated=20, not_recorded=160, noun="suspects")
    black = result.groups[1]
    assert black.ratio is not None and black.ratio.low > 1
    assert black.finding == Finding.MISSING_DATA
    assert "missing for 60% of suspects" in black.reading
    assert "could lie anywhere between 0.71 and 20.0" in black.reading


def test_reading_refuses_when_the_interval_includes_one() -> None:
    group = GroupCount("M", "Mixed", 3, 2_000)
    result = analyse([WHITE, group], WHITE, not_stated=0, not_recorded=0, noun="victims")
    assert result.groups[1].finding == Finding.NO_CLEAR_DIFFERENCE
    assert "includes 1" in result.groups[1].reading


def test_reading_concludes_when_robust_and_explains_impossible_figures() -> None:
    over = GroupCount("M", "Mixed", 40, 10_000)
    empty = GroupCount("O", "Other", 0, 0)
    result = analyse([WHITE, over, empty], WHITE, not_stated=1, not_recorded=1, noun="victims")
    assert result.groups[0].finding == Finding.COMPARATOR
    assert result.groups[1].finding == Finding.OVER
    assert result.groups[2].finding == Finding.NOT_ESTIMABLE
    assert result.groups[2].rate is None and result.groups[2].ratio is None
    no_comparator = analyse([GroupCount("W", "White", 0, 1000), over],
                            GroupCount("W", "White", 0, 1000), not_stated=0, not_recorded=0,
                            noun="victims")
    assert no_comparator.groups[1].ratio is None
    assert "comparator" in no_comparator.groups[1].reading


def test_ratio_interval_covers_the_true_ratio_about_95_percent_of_the_time() -> None:
    rng = np.random.default_rng(20260601)
    population, comparator_population = 20_000, 200_000
    true_rate, comparator_rate = 2.0 / 1000, 1.0 / 1000  # true ratio 2
    runs, covered = 400, 0
    for _ in range(runs):
        count = int(rng.poisson(true_rate * population))
        comparator_count = int(rng.poisson(comparator_rate * comparator_population))
        result = analyse(
            [GroupCount("W", "White", comparator_count, comparator_population),
             GroupCount("B", "Black", count, population)],
            GroupCount("W", "White", comparator_count, comparator_population),
            not_stated=0, not_recorded=0, noun="victims",
        )
        ratio = result.groups[1].ratio
        assert ratio is not None
        covered += ratio.includes(2.0)
    assert 0.92 <= covered / runs <= 0.98
