"""The statistics behind disproportionality, as pure functions of counts: rates per 1,000
with exact Poisson intervals, rate ratios with score intervals, and the bounds that
missing ethnicity puts on a ratio. No database here, so the simulation test can run
these thousands of times.

Every interval comes from a library (scipy's chi-squared quantiles for the exact Poisson
interval, statsmodels' ``confint_poisson_2indep`` for the ratio); nothing is hand-rolled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from scipy.stats import chi2
from statsmodels.stats.rates import confint_poisson_2indep

PER = 1000
CONFIDENCE = 0.95
ALPHA = 1 - CONFIDENCE


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def includes(self, value: float) -> bool:
        return self.low <= value <= self.high


def exact_poisson_rate(count: int, population: int, per: int = PER) -> Interval | None:
    """Rate per ``per`` people with the exact (Garwood) 95% interval; ``None`` when there
    is no population to divide by."""
    if population <= 0 or count < 0:
        return None
    low = 0.0 if count == 0 else float(chi2.ppf(ALPHA / 2, 2 * count)) / 2
    high = float(chi2.ppf(1 - ALPHA / 2, 2 * count + 2)) / 2
    scale = per / population
    # The estimate from the exact fraction, so that rounding it (``core.figures``) rounds
    # the exact rate: ``count * scale`` can land just below a half.
    return Interval(float(Fraction(count * per, population)), low * scale, high * scale)


def rate_ratio(
    count: int, population: int, comparator_count: int, comparator_population: int
) -> Interval | None:
    """Rate ratio of a group to the comparator with the 95% score interval, or ``None``
    when it cannot be estimated (no population, or no events in either group: the score
    interval is undefined there, and a made-up number is worse than none)."""
    if population <= 0 or comparator_population <= 0 or count <= 0 or comparator_count <= 0:
        return None
    low, high = confint_poisson_2indep(
        count, population, comparator_count, comparator_population,
        method="score", compare="ratio", alpha=ALPHA,
    )
    estimate = float(Fraction(count * comparator_population, population * comparator_count))
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return Interval(estimate, float(low), float(high))


def point_ratio(
    count: int, population: int, comparator_count: int, comparator_population: int
) -> float | None:
    if population <= 0 or comparator_population <= 0 or comparator_count <= 0:
        return None
    return float(Fraction(count * comparator_population, population * comparator_count))


@dataclass(frozen=True)
class MissingBounds:
    """The ratio if every record of unknown ethnicity belonged to the comparator (the
    lowest it could be) and if every one belonged to the group (the highest)."""

    low: float
    high: float

    def straddle(self, value: float = 1.0) -> bool:
        return self.low < value < self.high


def missing_data_bounds(
    count: int, population: int, comparator_count: int, comparator_population: int,
    unknown: int,
) -> MissingBounds | None:
    low = point_ratio(count, population, comparator_count + unknown, comparator_population)
    high = point_ratio(count + unknown, population, comparator_count, comparator_population)
    if low is None or high is None:
        return None
    return MissingBounds(low, high)
