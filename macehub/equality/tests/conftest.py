"""Fixtures shared by the equality tests."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from macehub.testing.clock import on_demo_day

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def demo(settings: Any) -> Iterator[None]:
    """The small demo data set, as of ``AS_OF``, with its planted truth; the clock stays
    on ``AS_OF`` for the test, so the data and "today" agree on any day it runs."""
    settings.DEMO_MODE = True
    with on_demo_day(AS_OF):
        call_command("demo_data", "--scale=small", "--seed=7", f"--as-of={AS_OF}",
                     stdout=io.StringIO())
        yield
