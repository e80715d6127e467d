"""How a deadline is worded everywhere: a moment's clock in elapsed time, a day's clock in
whole days."""

from __future__ import annotations

import datetime as dt

from macehub.core.time_left import DaysLeft, TimeLeft, describe_duration

DUE = dt.datetime(2026, 12, 3, 14, 0, tzinfo=dt.UTC)


def test_a_moment_overdue_or_left() -> None:
    overdue = TimeLeft(due_at=DUE, now=DUE + dt.timedelta(hours=3, seconds=20))
    assert (overdue.is_overdue, overdue.text) == (True, "Overdue by 3 hours")
    left = TimeLeft(due_at=DUE, now=DUE - dt.timedelta(days=2))
    assert (left.is_overdue, left.text) == (False, "2 days left")
    on_the_dot = TimeLeft(due_at=DUE, now=DUE)
    assert (on_the_dot.is_overdue, on_the_dot.text) == (False, "Less than a minute left")
    assert describe_duration(dt.timedelta(days=1, hours=2, minutes=5)) == "1 day 2 hours"
    assert describe_duration(dt.timedelta(minutes=45)) == "45 minutes"


def test_a_day_overdue_from_the_day_after() -> None:
    due = dt.date(2026, 12, 3)
    assert DaysLeft(due, dt.date(2026, 12, 3)).text == "Due today"
    assert not DaysLeft(due, dt.date(2026, 12, 3)).is_overdue
    assert DaysLeft(due, dt.date(2026, 12, 2)).text == "Due tomorrow"
    assert DaysLeft(due, dt.date(2026, 11, 30)).text == "3 days left"
    assert DaysLeft(due, dt.date(2026, 12, 4)).text == "Overdue by 1 day"
    assert DaysLeft(due, dt.date(2026, 12, 5)).text == "Overdue by 2 days"
    assert DaysLeft(due, dt.date(2026, 12, 5)).is_overdue
