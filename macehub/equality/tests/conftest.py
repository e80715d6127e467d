"""Fixtures shared by the equality tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command

AS_OF = dt.date(2026, 6, 1)


@pytest.fixture
def demo(settings: Any) -> None:
    """The small demo data set, as of ``AS_OF``, with its planted truth."""
    settings.DEMO_MODE = True
    call_command("demo_data", "--scale=small", "--seed=7", f"--as-of={AS_OF}",
                 stdout=io.StringIO())
