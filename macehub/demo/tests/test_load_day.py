"""The working day's load (``manage.py load_day``): the memory verdict on the workers'
samples. The command end to end is run in ``test_end_to_end_runs``."""

from __future__ import annotations

import pytest

from macehub.demo import load_day


def _worker(points: list[tuple[float, float]]) -> load_day.WorkerMemory:
    return load_day.worker_memory({101: points})[0]


def test_a_worker_whose_memory_climbs_fails_the_day_and_a_flat_one_does_not() -> None:
    flat = _worker([(0.0, 300.0), (1.0, 305.0), (2.0, 299.0), (3.0, 304.0), (4.0, 301.0)])
    climbing = _worker([(0.0, 300.0), (2.5, 320.0), (5.0, 340.0), (7.5, 360.0),
                        (10.0, 380.0)])
    assert flat.fitted_growth_mb is not None and abs(flat.fitted_growth_mb) < 5
    assert climbing.slope_mb_per_minute == pytest.approx(8.0)
    assert climbing.fitted_growth_mb == pytest.approx(80.0)
    assert (climbing.first_mb, climbing.last_mb, climbing.max_mb) == (300.0, 380.0, 380.0)
    assert load_day.memory_verdicts([flat], expected_workers=1, max_growth_mb=32) == []
    [problem] = load_day.memory_verdicts([climbing], expected_workers=1, max_growth_mb=32)
    assert "grew 80.0 MB" in problem


def test_a_worker_restarted_during_the_day_fails_it() -> None:
    workers = load_day.worker_memory({101: [(0.0, 300.0)] * 3, 102: [(5.0, 290.0)] * 3})
    [problem] = load_day.memory_verdicts(workers, expected_workers=1, max_growth_mb=32)
    assert "1 worker(s) restarted" in problem
