"""The page benchmark: the bare view exists only while benchmarking, the benchmark's
session passes the real sign-in and two-factor middleware, and the table divides each
page's p95 by the bare view's. The command end to end is run in ``test_end_to_end_runs``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
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
