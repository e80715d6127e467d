"""The cases demo step run alone, on an empty database, as if no other app opened cases:
it opens its own forty cases within the year before the as-of day."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from macehub.cases.demo_steps import CASES_ORDER
from macehub.cases.models import Case
from macehub.demo.registry import register_step, registered_steps, unregister_step
from macehub.testing.clock import on_demo_day

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 6, 1)
AS_OF_EVENING = dt.datetime.combine(AS_OF, dt.time(17), tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _demo_mode(settings: Any) -> Iterator[None]:
    """Demo mode, and the clock on ``AS_OF``: the data and "now" agree on any day."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        yield


@pytest.fixture
def without_referrals() -> Iterator[None]:
    """Run the cases step as if no other app opened cases."""
    others = [step for step in registered_steps()
              if step.order >= 1000 and step.order < CASES_ORDER]
    for step in others:
        unregister_step(step.name)
    yield
    for step in others:
        register_step(step)


def test_the_step_works_alone(without_referrals: None) -> None:
    out = io.StringIO()
    call_command("demo_data", "--scale=small", "--seed=7", f"--as-of={AS_OF}", stdout=out)
    assert "cases opened" in out.getvalue()
    assert Case.objects.count() == 40
    references = list(Case.objects.order_by("opened_at").values_list("reference", flat=True))
    assert len(set(references)) == 40
    assert not Case.objects.filter(opened_at__gt=AS_OF_EVENING).exists()
    assert not Case.objects.filter(
        opened_at__lt=AS_OF_EVENING - dt.timedelta(days=366)).exists()
