"""When an investigation's supervisory reviews fall due (APP reviewing duties; the
points and intervals are local policy, set in the settings):

- on allocation: within ``INVESTIGATION_ALLOCATION_REVIEW_HOURS`` of it (each allocation,
  a reallocation too);
- while open: the supervisor sets the next review's date when they sign one, no later
  than ``INVESTIGATION_REVIEW_INTERVAL_DAYS`` after it (that is the default);
- before a charging decision and before closure: due at once when the officer in the
  case asks for it, and signed before the file goes or the investigation closes.

A review not signed by its due time is overdue."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from macehub.days import day_starts


def allocation_review_due(allocated_at: dt.datetime) -> dt.datetime:
    return allocated_at + dt.timedelta(hours=settings.INVESTIGATION_ALLOCATION_REVIEW_HOURS)


def latest_next_review_on(reviewed_at: dt.datetime) -> dt.date:
    """The latest date a supervisor may set for the next review."""
    return timezone.localdate(reviewed_at) + dt.timedelta(
        days=settings.INVESTIGATION_REVIEW_INTERVAL_DAYS)


def next_review_due(next_review_on: dt.date) -> dt.datetime:
    """A review set for a day is due by the end of that day (London time)."""
    return day_starts(next_review_on + dt.timedelta(days=1))
