"""The case tables' dates and times are written as the date filter writes their formats,
in the hub's time zone (``cases.tables.when`` and ``day`` write them without it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation

from macehub.cases.tables import DAY, DAY_AND_TIME, day, when

MOMENTS = [
    dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 29, 0, 59, tzinfo=dt.UTC),  # the hour the clocks go forward
    dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC),
    dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),  # and back
    dt.datetime(2026, 6, 30, 23, 30, tzinfo=dt.UTC),  # the next day in London
    dt.datetime(999, 1, 9, 9, 9, tzinfo=dt.UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=range(len(MOMENTS)))
def test_a_moment_is_written_as_the_date_filter_writes_it(moment: dt.datetime) -> None:
    local = timezone.localtime(moment)
    assert when(moment) == date_filter(local, DAY_AND_TIME)
    assert when(moment, DAY) == date_filter(local, DAY)
    assert day(local.date()) == date_filter(local.date(), DAY)


def test_nothing_is_written_for_no_moment_and_each_language_has_its_months() -> None:
    assert when(None) == day(None) == ""
    moment = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
    with translation.override("de"):
        assert when(moment) == date_filter(timezone.localtime(moment), DAY_AND_TIME)
        assert day(moment.date()) == date_filter(moment.date(), DAY) == "4 Mai 2026"
    assert day(moment.date()) == "4 May 2026"
