"""Near repeats: are events that happen close together in space also close together in
time, more than chance would give? The Knox test (``pointpats.spacetime.Knox``) counts
the pairs of events within ``distance_metres`` of each other and ``days`` of each other,
and compares that count with what is expected if when an event happened had nothing to do
with where (the Poisson approximation, and a permutation test with a fixed seed so the
same data always gives the same answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pointpats.spacetime import Knox

DEFAULT_DISTANCE_METRES = 400
DEFAULT_DAYS = 14
SIGNIFICANCE = 0.05
PERMUTATIONS = 0
PERMUTATION_SEED = 20_240_401
# Fewer events than this, or fewer pairs close in space, and the test says nothing.
FEWEST_EVENTS = 20
FEWEST_CLOSE_PAIRS = 5


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


@dataclass(frozen=True)
class KnoxSettings:
    """The thresholds the analyst chose: how close in space and in time is "close"."""

    distance_metres: int = DEFAULT_DISTANCE_METRES
    days: int = DEFAULT_DAYS
    # The permutation test's draws; none by default, the Poisson p-value being quick
    # and, with as many pairs as a force holds, close to it.
    permutations: int = PERMUTATIONS


def knox_result(eastings: np.ndarray, northings: np.ndarray, days: np.ndarray,
                settings: KnoxSettings) -> dict[str, Any]:
    """The Knox test's figures and its plain reading, JSON-serialisable."""
    result: dict[str, Any] = {
        "distance_metres": settings.distance_metres, "days": settings.days,
        "events": len(days), "observed": None, "expected": None, "p_poisson": None,
        "p_permutation": None, "permutations": settings.permutations, "near_repeat": False,
        "reading": "",
    }
    if len(days) < FEWEST_EVENTS:
        result["reading"] = (f"Too few events with a place and a date ({len(days)}; at least "
                             f"{FEWEST_EVENTS} are needed) to test for near repeats.")
        return result
    coordinates = np.column_stack([eastings, northings])
    # Knox's permutations draw from numpy's global generator: seed it so the same
    # events give the same p-value, and put its state back afterwards.
    state = np.random.get_state()
    np.random.seed(PERMUTATION_SEED)
    try:
        knox = Knox(coordinates, days.reshape(-1, 1), delta=settings.distance_metres,
                    tau=settings.days, permutations=settings.permutations)
    finally:
        np.random.set_state(state)
    close_in_space = int(knox.observed[0].sum())
    result.update({
        "observed": int(knox.statistic_), "expected": round(float(knox.expected[0][0]), 1),
        "close_in_space": close_in_space,
        "p_poisson": round(float(knox.p_poisson), 4),
        "p_permutation": (round(float(knox.p_sim), 4) if settings.permutations else None),
    })
    if close_in_space < FEWEST_CLOSE_PAIRS:
        result["reading"] = (f"Only {close_in_space} pairs of events were within "
                             f"{settings.distance_metres} m of each other: too few to test "
                             "for near repeats.")
        return result
    near_repeat = knox.p_poisson < SIGNIFICANCE and knox.statistic_ > knox.expected[0][0]
    result["near_repeat"] = bool(near_repeat)
    if near_repeat:
        result["reading"] = (
            f"Near repeats: {knox.statistic_} pairs of events happened within "
            f"{settings.distance_metres} m and {settings.days} days of each other, where "
            f"about {knox.expected[0][0]:.0f} would be expected by chance "
            f"({_p(knox.p_poisson)}). Where one event happens, another nearby soon after "
            "is more likely than elsewhere.")
    else:
        result["reading"] = (
            f"No evidence of near repeats: {knox.statistic_} pairs of events happened within "
            f"{settings.distance_metres} m and {settings.days} days of each other, about "
            f"the {knox.expected[0][0]:.0f} expected by chance ({_p(knox.p_poisson)}).")
    return result
