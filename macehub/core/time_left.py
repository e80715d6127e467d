"""How something stands against its clock at a moment: "Overdue by 3 hours", "2 days left".

Every page that shows a deadline words it the same way, from the same two clocks:

- ``TimeLeft`` for a moment (a triage decision due at 2:15pm, a return home interview
  72 hours after the child came back), counted in elapsed time;
- ``DaysLeft`` for a day (a plan item due on 5 December), counted in whole Europe/London
  days: due today, due tomorrow, overdue by 2 days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def describe_duration(delta: dt.timedelta) -> str:
    """``3 hours``, ``1 day 2 hours``, ``45 minutes`` (for "Overdue by ...")."""
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes and not days:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


@dataclass(frozen=True)
class TimeLeft:
    """How something due at a moment stands at ``now``."""

    due_at: dt.datetime
    now: dt.datetime

    @property
    def is_overdue(self) -> bool:
        return self.now > self.due_at

    @property
    def remaining(self) -> dt.timedelta:
        return self.due_at - self.now

    @property
    def text(self) -> str:
        if self.is_overdue:
            return f"Overdue by {describe_duration(self.remaining)}"
        return f"{describe_duration(self.remaining).capitalize()} left"


@dataclass(frozen=True)
class DaysLeft:
    """How something due on a day stands on ``today`` (both Europe/London dates): it is
    overdue from the day after."""

    due_on: dt.date
    today: dt.date

    @property
    def is_overdue(self) -> bool:
        return self.today > self.due_on

    @property
    def days(self) -> int:
        """Whole days left (negative when overdue)."""
        return (self.due_on - self.today).days

    @property
    def text(self) -> str:
        if self.is_overdue:
            return f"Overdue by {_days(-self.days)}"
        if self.days == 0:
            return "Due today"
        if self.days == 1:
            return "Due tomorrow"
        return f"{_days(self.days)} left"
