"""Whole days in the hub's time zone (Europe/London) as bounds on stored times: a list
filtered "from 1 March to 31 March" means from the first moment of 1 March to the last
moment of 31 March, London time, whatever the clocks did in between (as a performance
``Period`` does)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def day_starts(day: dt.date) -> dt.datetime:
    """The first moment of the day in the hub's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def on_days(field: str, first: dt.date | None, last: dt.date | None) -> Q:
    """``field`` (a date and time) falls on a day from ``first`` to ``last``; either
    bound may be left open."""
    found = Q()
    if first is not None:
        found &= Q(**{f"{field}__gte": day_starts(first)})
    if last is not None:
        found &= Q(**{f"{field}__lt": day_starts(last + dt.timedelta(days=1))})
    return found
