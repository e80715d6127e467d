"""The page benchmark: the bare view exists only while benchmarking, the benchmark's
session passes the real sign-in and two-factor middleware, and ``bench_pages`` runs end
to end (gunicorn, locust, the table) on a small data set.

The end-to-end run is a smoke test, not a timing: it proves the command still works
(every page measured, none failing), which no other test would notice.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import Client
from django.urls import NoReverseMatch, clear_url_caches, reverse

import macehub.urls
from macehub.accounts.roles import Role
from macehub.demo import bench
from macehub.testing.factories import make_agency, make_team, make_user

pytestmark = pytest.mark.long_running

BASE_DIR = Path(settings.BASE_DIR)


def _reload_urls() -> None:
    clear_url_caches()
    importlib.reload(macehub.urls)


@pytest.fixture
def benchmarking(settings: Any) -> Iterator[None]:
    """The URLs as a server started with MACEHUB_BENCHMARK=true has them."""
    settings.BENCHMARK_BARE_VIEW = True
    _reload_urls()
    yield
    settings.BENCHMARK_BARE_VIEW = False
    _reload_urls()


def test_the_bare_view_does_not_exist_unless_benchmarking() -> None:
    assert settings.BENCHMARK_BARE_VIEW is False
    with pytest.raises(NoReverseMatch):
        reverse("benchmark_bare")
    assert not [m for m in run_checks() if m.id == "macehub.W001"]


def test_benchmarking_mounts_the_bare_view_and_warns(benchmarking: None) -> None:
    assert reverse("benchmark_bare") == bench.BARE_PATH
    warnings = [m for m in run_checks() if m.id == "macehub.W001"]
    assert len(warnings) == 1
    assert "MACEHUB_BENCHMARK" in warnings[0].msg


@pytest.mark.django_db
def test_the_bare_view_asks_for_sign_in_and_two_factor(benchmarking: None) -> None:
    response = Client().get(bench.BARE_PATH)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    police = make_agency()
    user = make_user("supervisor.bench", Role.SUPERVISOR, agency=police,
                     team=make_team(police))
    half_signed_in = Client()
    half_signed_in.force_login(user)  # password given, two-factor not passed
    assert half_signed_in.get(bench.BARE_PATH).status_code == 302


@pytest.mark.django_db
def test_the_benchmark_session_passes_the_real_middleware(benchmarking: None) -> None:
    police = make_agency()
    user = make_user("supervisor.bench", Role.SUPERVISOR, agency=police,
                     team=make_team(police))
    cookie = bench.signed_in_cookie(user)

    response = Client(HTTP_COOKIE=cookie).get(bench.BARE_PATH)

    assert response.status_code == 200
    assert response.content == b"ok"
    bench.forget_benchmark_sessions({user.username: cookie})
    assert Client(HTTP_COOKIE=cookie).get(bench.BARE_PATH).status_code == 302


def test_the_table_divides_each_p95_by_the_bare_views_at_the_same_users() -> None:
    rows = bench.table_rows([
        bench.Measurement(bench.BARE, 1, 100, 0, 5.0, 8.0, 200.0),
        bench.Measurement("case page", 1, 40, 0, 60.0, 80.0, 16.0),
        bench.Measurement(bench.BARE, 50, 900, 0, 90.0, 140.0, 380.0),
        bench.Measurement("case page", 50, 300, 2, 1800.0, 2490.0, 21.0),
    ])
    assert [row[6] for row in rows] == ["1.0", "10.0", "1.0", "17.8"]
    assert rows[3][5] == "2.49 s"
    assert rows[3][3] == "2"


@pytest.mark.own_database
def test_bench_pages_measures_pages_end_to_end(tmp_path: Path) -> None:
    """gunicorn and locust for real, on a small SQLite data set made for the run."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "macehub.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "SECRET_KEY": "bench-smoke-test-only-0123456789abcdefghijklmnopqrstuvwxyzABCD",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_ACCESS_LOG": "",
    }
    env.pop("MACEHUB_DEMO", None)
    finished = subprocess.run(
        # Four pages of the fourteen, driven for real: an audited record page, an audited
        # list, an investigation's page and the unaudited dashboard (every page's address
        # and record is still worked out: the command builds the whole list, then picks).
        [sys.executable, "manage.py", "bench_pages", "--scale", "small", "--users", "1",
         "--seconds", "4", "--warm-up", "1", "--workers", "1", "--markdown",
         "--pages", "case", "exhibit-queue", "investigation", "dashboard"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, check=False,
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
