"""The working day's load (``manage.py load_day``): the memory verdict, and the command end
to end (gunicorn, locust's users of every role, real form posts, the tables) on a small
data set.

The end-to-end run is a smoke test, not a timing: it proves the day still runs (every
role's pages answered, its forms saved, the audit chain verified afterwards), which no
other test would notice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from macehub.demo import load_day

pytestmark = pytest.mark.long_running

BASE_DIR = Path(settings.BASE_DIR)


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


@pytest.mark.own_database
def test_load_day_runs_every_role_end_to_end(tmp_path: Path) -> None:
    """gunicorn and locust for real, on a small SQLite data set made for the run."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "macehub.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'day.sqlite3'}",
        "SECRET_KEY": "load-day-smoke-test-only-0123456789abcdefghijklmnopqrstuvwxyzAB",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("MACEHUB_DEMO", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "load_day", "--scale", "small", "--users", "8",
         "--minutes", "0.4", "--think-seconds", "0.5", "--workers", "1", "--warm-up", "1",
         "--sample-seconds", "2", "--markdown"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in finished.stdout.splitlines() if line.startswith("| ")]
    pages = {row[0]: row for row in rows if row[0] not in ("page", "worker")}
    # Each role's work was done at least once, the writes among it, and none failed.
    for page in ("triage decision (POST)", "record a contact (POST)", "person search",
                 "intelligence search", "performance dashboard", "work queue (home page)"):
        assert page in pages, (page, sorted(pages))
        assert int(pages[page][1].replace(",", "")) > 0, page
    assert pages["all"][2] == "0"
    assert "The day passed" in finished.stderr
