"""The dashboard's figures are worked out once and shared for a few minutes, and the page
says when; who sees them exact is still decided for each user on every request, and
publishing a month always works its figures out afresh."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.core.metrics import TOTAL, Filters, Period, get_metric
from macehub.performance.live_figures import FIGURES_CACHE, worked_out
from macehub.performance.selectors import dashboard, trend_periods
from macehub.performance.services import publish_month
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 4, 15, 9, 30, tzinfo=dt.UTC)
MARCH = Period.month(2026, 3)
SHARED_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "live-figures-tests"},
}


@pytest.fixture(autouse=True)
def _shared_figures(settings: pytest.FixtureRequest) -> Iterator[None]:
    settings.CACHES = SHARED_CACHE  # type: ignore[attr-defined]
    settings.MACEHUB_FIGURES_SECONDS = 300  # type: ignore[attr-defined]
    caches[FIGURES_CACHE].clear()
    with time_machine.travel(NOW, tick=False):
        yield
    caches[FIGURES_CACHE].clear()


def _received_in_march(users: StandardUsers, hub_agency: Agency, *days: int) -> None:
    for day in days:
        make_referral(make_person(hub_agency, family_name=f"March{day}"), users[Role.REFERRER],
                      received_at=dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC))


def _received(user: object) -> str:
    panels = dashboard(user, MARCH, Filters(), with_trend=False)  # type: ignore[arg-type]
    panel = next(p for p in panels if p.metric.code == "referrals_received")
    return panel.total.value


def test_figures_are_shared_until_they_are_worked_out_again(
        users: StandardUsers, hub_agency: Agency) -> None:
    _received_in_march(users, hub_agency, *range(1, 7))
    leader = users[Role.SENIOR_LEADER]
    assert _received(leader) == "6"
    _received_in_march(users, hub_agency, 7)  # one more
    assert _received(leader) == "6", "shared for a few minutes"
    with time_machine.travel(NOW + dt.timedelta(seconds=301), tick=False):
        assert _received(leader) == "7", "worked out again once they are old"


def test_the_page_says_when_the_figures_were_worked_out(
        users: StandardUsers, hub_agency: Agency) -> None:
    _received_in_march(users, hub_agency, *range(1, 7))
    page = users.client(Role.SENIOR_LEADER).get(reverse("performance:dashboard"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "worked out from the hub's records at 10:30 on 15 April 2026" in text
    assert "worked out again every 5 minutes" in text


def test_who_sees_figures_exact_is_decided_for_each_user_not_shared(
        users: StandardUsers, hub_agency: Agency) -> None:
    # Three referrals: a small number. A hub analyst may open every referral and sees it;
    # a senior leader may not, and sees it hidden, from the same shared figures.
    _received_in_march(users, hub_agency, 1, 2, 3)
    assert _received(users[Role.ANALYST]) == "3"
    assert _received(users[Role.SENIOR_LEADER]) == "[c]"
    assert _received(users[Role.ANALYST]) == "3"


def test_refresh_figures_works_out_the_usual_views_ahead(
        users: StandardUsers, hub_agency: Agency, django_assert_num_queries: object) -> None:
    _received_in_march(users, hub_agency, *range(1, 7))
    call_command("refresh_figures", stdout=io.StringIO())
    metric = get_metric("referrals_received")
    with django_assert_num_queries(0):  # type: ignore[operator]
        shared = worked_out(metric, MARCH, Filters(), trend_periods(MARCH))
    assert metric.total(shared.figures).numerator == 6
    assert [f.category for f in shared.trend][-1] == "2026-03"


def test_publishing_works_the_figures_out_afresh(
        users: StandardUsers, hub_agency: Agency) -> None:
    _received_in_march(users, hub_agency, *range(1, 7))
    assert _received(users[Role.SENIOR_LEADER]) == "6"
    _received_in_march(users, hub_agency, 7, 8)
    report = publish_month(actor=users[Role.SENIOR_LEADER], year=2026, month=3)
    stored = report.figures.get(metric_code="referrals_received", breakdown=TOTAL)
    assert stored.numerator == 8
