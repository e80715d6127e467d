"""The demo shows the work queue: on the demo's as-of day, each kind of work has a demo
account it waits for, and the administrator who asked for the demo's change of access
is not asked to decide it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from macehub.accounts.models import User
from macehub.core.work_queue import work_queue_for
from macehub.demo.accounts import ACCOUNTS
from macehub.testing.clock import on_demo_day

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield


def test_every_kind_of_work_waits_for_a_demo_account() -> None:
    call_command("demo_data", "--scale=small", "--seed=3", f"--as-of={AS_OF}",
                 stdout=io.StringIO())
    now = timezone.now()
    kinds_by_user: dict[str, set[str]] = {}
    for spec in ACCOUNTS:
        queue = work_queue_for(User.objects.get(username=spec.username), now)
        kinds_by_user[spec.username] = {work.source.name for work in queue.lists}
    waiting = set().union(*kinds_by_user.values())
    assert waiting >= {"triage", "referral_outcomes", "plan_items", "return_interviews",
                       "role_changes", "monthly_report"}, kinds_by_user
    assert "role_changes" in kinds_by_user["admin2.police"]
    assert "role_changes" not in kinds_by_user["admin.police"]
    assert "monthly_report" in kinds_by_user["senior.police"]


def test_each_source_places_its_items_as_their_clocks_do() -> None:
    """A source that draws its items only when shown (``WorkSelection``) gives each one
    the place and the overdue mark that the item, once drawn, has: so the queue shows
    what putting every item in order would."""
    call_command("demo_data", "--scale=small", "--seed=3", f"--as-of={AS_OF}",
                 stdout=io.StringIO())
    now = timezone.now()
    checked = set()
    for spec in ACCOUNTS:
        queue = work_queue_for(User.objects.get(username=spec.username), now)
        for work in queue.lists:
            items = work.draw([waiting.key for waiting in work.waiting])  # all of them
            assert [waiting.place for waiting in work.waiting] == [
                item.sort_key(now)[:-1] for item in items], work.source.name
            assert [waiting.overdue for waiting in work.waiting] == [
                item.is_overdue(now) for item in items], work.source.name
            every = sorted(items, key=lambda item: item.sort_key(now))
            assert work.first(3) == every[:3]
            checked.add(work.source.name)
    assert checked >= {"triage", "plan_items", "risk_reviews", "partner_checks"}, checked
