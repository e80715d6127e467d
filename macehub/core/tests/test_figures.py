"""The hub's one rounding rule: half up, once, from the exact value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.template.defaultfilters import floatformat

from macehub.core.figures import (
    exact_hours,
    exact_median,
    exact_share,
    format_figure,
    round_half_up,
)


@pytest.mark.parametrize(("value", "places", "expected"), [
    (Fraction(243, 20), 1, "12.2"),   # 12.15: half up, where half to even also gives 12.2
    (Fraction(245, 20), 1, "12.3"),   # 12.25: half to even would give 12.2
    (Decimal("12.25"), 1, "12.3"),
    (Fraction(-1, 20), 1, "-0.1"),    # halves go away from nought
    (Fraction(-1, 30), 1, "0.0"),     # never "-0.0"
    (Fraction(1, 2), 0, "1"),
    (Fraction(5, 2), 0, "3"),
    (7, 0, "7"),
    (75, 1, "75.0"),
    (Fraction(2, 7), 2, "0.29"),
    (2.675, 2, "2.68"),   # the binary float is 2.67499999...; its decimal form is 2.675
    (0.125, 2, "0.13"),
    (1.005, 2, "1.01"),
])
def test_round_half_up(value: Fraction | Decimal | int | float, places: int,
                       expected: str) -> None:
    assert str(round_half_up(value, places)) == expected


@pytest.mark.parametrize("value", [2.675, 0.125, 1.005, 12.15, 0.0125, 3.14159, 99.95, 1e-7])
@pytest.mark.parametrize("places", [0, 1, 2, 3])
def test_templates_floatformat_rounds_floats_the_same_way(value: float, places: int) -> None:
    """Templates show statistics with ``floatformat``: it must agree with the rule."""
    assert format_figure(value, places) == floatformat(value, places)


def test_a_float_median_would_round_12_15_hours_down() -> None:
    """Why medians are exact: 12.15 hours is not a binary float."""
    durations = [dt.timedelta(hours=12, minutes=6), dt.timedelta(hours=12, minutes=12)]
    median = exact_median(exact_hours(d) for d in durations)
    assert median == Fraction(243, 20)
    assert round_half_up(median, 1) == Decimal("12.2")
    as_float = (durations[0].total_seconds() / 3600 + durations[1].total_seconds() / 3600) / 2
    assert f"{as_float:.1f}" == "12.1"  # what floating point made of it


def test_exact_helpers() -> None:
    assert exact_hours(dt.timedelta(minutes=90, microseconds=36)) == Fraction(
        90 * 60_000_000 + 36, 3_600_000_000)
    assert exact_median([]) is None
    assert exact_median([3, 1, 2]) == 2
    assert exact_share(1, 3, per=100) == Fraction(100, 3)
    assert exact_share(1, 0) is None


def test_format_figure() -> None:
    assert format_figure(Fraction(2_469_135, 2), 0, grouped=True) == "1,234,568"
    assert format_figure(None, 1) == "–"
    assert format_figure(Decimal("90"), 1) == "90.0"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN")])
def test_no_rounding_of_what_is_not_a_number(bad: float | Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        round_half_up(bad, 1)
