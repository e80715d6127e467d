"""The benchmark and the working day's load end to end, for real: gunicorn serving the
hub, locust's users driving it, the tables printed (``manage.py bench_pages`` and
``manage.py load_day``), on one small SQLite data set made for the module (the first
command to run generates it, the other finds it there, as either would a database that
holds people).

Each run is a smoke test, not a timing: it proves the command still works (every page
measured, every role's work done, its forms saved, none failing, the audit chain
verified afterwards), which no other test would notice.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from macehub.demo import bench

pytestmark = [pytest.mark.long_running, pytest.mark.own_database]

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def small_hub(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment both commands run in: production settings on a SQLite file of
    their own (not the test database)."""
    database = tmp_path_factory.mktemp("small_hub") / "hub.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "macehub.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "end-to-end-smoke-test-only-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("MACEHUB_DEMO", None)
    return env


def test_bench_pages_measures_pages_end_to_end(small_hub: dict[str, str]) -> None:
    finished = subprocess.run(
        # Four pages of the fourteen, driven for real: an audited record page, an audited
        # list, an investigation's page and the unaudited dashboard (every page's address
        # and record is still worked out: the command builds the whole list, then picks).
        [sys.executable, "manage.py", "bench_pages", "--scale", "small", "--users", "1",
         "--seconds", "4", "--warm-up", "1", "--workers", "1", "--markdown",
         "--pages", "case", "exhibit-queue", "investigation", "dashboard"],
        cwd=BASE_DIR, env=small_hub, capture_output=True, text=True, timeout=300, check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in finished.stdout.splitlines() if line.startswith("| ")][1:]
    measured = {row[0]: row for row in rows}
    expected = {bench.BARE, "case page", "digital forensics queue", "investigation page",
                "performance dashboard (last month)"}
    assert set(measured) == expected
    for page, (_, users, _requests, errors, *_rest) in measured.items():
        assert (users, errors) == ("1", "0"), page
    # Locust spends a second or two of each run starting up (more on a loaded machine),
    # so a short run may time no request of a slow page; the run as a whole must.
    assert sum(int(row[2].replace(",", "")) for row in rows) > 0


def test_load_day_runs_every_role_end_to_end(small_hub: dict[str, str]) -> None:
    finished = subprocess.run(
        [sys.executable, "manage.py", "load_day", "--scale", "small", "--users", "8",
         "--minutes", "0.4", "--think-seconds", "0.5", "--workers", "1", "--warm-up", "1",
         "--sample-seconds", "2", "--markdown"],
        cwd=BASE_DIR, env=small_hub, capture_output=True, text=True, timeout=900, check=False,
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
