"""The statistics reproduce the published examples in the libraries' own documentation,
offline: esda's ``G_Local`` docstring (Gi* on six points with a distance band, binary
weights) through the hub's ``gi_star_readings``, and pointpats' ``Knox`` docstring (the
Burkitt's lymphoma cases that ship with libpysal, 20 km and 5 days) through the hub's
``knox_result``."""

from __future__ import annotations

import libpysal
import numpy as np
import pytest
from libpysal.io import open as open_example

from macehub.profile.hotspots import gi_star_readings
from macehub.profile.near_repeats import KnoxSettings, knox_result

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# esda.getisord.G_Local docstring: "Applying Getis and Ord local G* test using a binary
# weights object", lg_star.Zs.
ESDA_GI_STAR_Z = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088,
                  2.02424331]


def test_gi_star_matches_the_esda_docstring() -> None:
    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    weights = libpysal.weights.DistanceBand(points, threshold=15)
    y = np.array([2, 3, 3.2, 5, 8, 7])
    results = gi_star_readings(y, weights)
    assert [r.z for r in results] == pytest.approx(ESDA_GI_STAR_Z, abs=1e-7)
    # Six areas, none significant once the false discovery rate is controlled.
    assert all(r.reading == "none" for r in results)
    assert results[5].p == pytest.approx(2 * 0.02147256, abs=1e-6)  # two-sided


def test_knox_matches_the_pointpats_docstring() -> None:
    table = open_example(libpysal.examples.get_path("burkitt.dbf"))
    x = np.array(table.by_col("X"), dtype=float)
    y = np.array(table.by_col("Y"), dtype=float)
    t = np.array(table.by_col("T"), dtype=float)
    result = knox_result(x, y, t, KnoxSettings(distance_metres=20, days=5))
    # pointpats.spacetime.Knox docstring: statistic_ 13, p_poisson 0.14624558197140414,
    # expected[0][0] 10.1438161.
    assert result["observed"] == 13
    assert result["p_poisson"] == pytest.approx(0.1462, abs=1e-4)
    assert result["expected"] == pytest.approx(10.1, abs=0.05)
    assert not result["near_repeat"]
    assert result["reading"].startswith("No evidence of near repeats")
