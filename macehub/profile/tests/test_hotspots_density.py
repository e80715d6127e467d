"""The kernel density grid: expected events per square add up to about the events near
the grid, the densest square is where the points crowd, and points on one line or too few
are said in words rather than failing."""

from __future__ import annotations

import numpy as np

from macehub.profile.hotspots import PlaceEvents, _density

SEED = 11


def _events(eastings: np.ndarray, northings: np.ndarray) -> PlaceEvents:
    return PlaceEvents(eastings, northings, np.zeros(len(eastings)),
                       [""] * len(eastings), 0)


def test_the_densest_square_is_where_the_points_crowd() -> None:
    print(f"seed {SEED}")
    rng = np.random.default_rng(SEED)
    spread = rng.uniform((440_000, 300_000), (450_000, 310_000), size=(200, 2))
    crowd = rng.normal((444_500, 305_500), 150, size=(200, 2))
    points = np.vstack([spread, crowd])
    density = _density(_events(points[:, 0], points[:, 1]))
    densest = density["cells"][0]
    assert densest["west"] <= 444_500 <= densest["east"] + 1000
    assert densest["south"] - 1000 <= 305_500 <= densest["north"] + 1000
    total = sum(cell["expected"] for cell in density["cells"])
    assert 0.8 * 400 < total < 1.05 * 400


def test_points_on_one_line_or_too_few_are_said_in_words() -> None:
    line = np.arange(10, dtype=float) * 100
    along_a_street = _density(_events(440_000 + line, np.full(10, 300_000.0)))
    assert "one line" in along_a_street["reason"] and along_a_street["cells"] == []
    assert "Too few" in _density(_events(np.array([1.0, 2.0]), np.array([1.0, 3.0])))[
        "reason"]
