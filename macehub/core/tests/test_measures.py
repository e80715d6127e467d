"""The measures' building blocks: a median of durations is exact whatever their number,
and worked out from the middle ones only (the dashboard's trend medians a year of
referrals at national scale)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from macehub.core.figures import exact_hours, exact_median, round_half_up
from macehub.core.measures import median_hours


def _all_exact(durations: list[dt.timedelta]) -> Decimal | None:
    """The median the slow way: every duration an exact fraction."""
    median = exact_median(exact_hours(d) for d in durations)
    return None if median is None else round_half_up(median, 1)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 10, 101, 1000])
def test_the_median_is_the_exact_median_of_every_duration(count: int) -> None:
    rng = random.Random(count)
    durations = [dt.timedelta(microseconds=rng.randrange(10**11)) for _ in range(count)]
    durations += durations[: count // 3]  # ties
    rng.shuffle(durations)
    assert median_hours(durations) == _all_exact(durations)


def test_an_even_count_takes_halfway_between_the_middle_two_exactly() -> None:
    # 12.1 and 12.2 hours: halfway is exactly 12.15, published half up as 12.2 (a float
    # would make it 12.1499... and publish 12.1).
    durations = [dt.timedelta(hours=30), dt.timedelta(minutes=726), dt.timedelta(hours=1),
                 dt.timedelta(minutes=732)]
    assert median_hours(durations) == Decimal("12.2")
    assert median_hours([]) is None
