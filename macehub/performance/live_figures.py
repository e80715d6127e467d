"""The dashboard's figures, worked out once and shared for a few minutes.

Working out every measure over a month and its twelve-month trend reads a year of
referrals, cases and intelligence: seconds at national scale, for figures that are the
same for everyone who asks within the same few minutes. So the live dashboard and a
measure's page read them from the ``figures`` cache (``settings.CACHES``), worked out
at most ``MACEHUB_FIGURES_SECONDS`` earlier, and say when they were worked out.
``manage.py refresh_figures``, run every few minutes, works out the usual views (the
last full month and this month, for the whole hub) ahead of the people who read them.

Only the counts are shared. Whether a user sees a figure exact or with small numbers
hidden, and the links they are offered, are decided for each user on every request
(``selectors``), so a change of access applies at once. Publishing a month never reads
this cache: it works the figures out afresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from macehub.core.metrics import Figure, Filters, Metric, Period

FIGURES_CACHE = "figures"


@dataclass(frozen=True)
class WorkedOut:
    """A measure's figures for a period (and its trend months), and when they were
    worked out."""

    figures: list[Figure]
    trend: list[Figure]
    at: dt.datetime


def figures_seconds() -> int:
    """How long worked-out figures are shared before they are worked out again."""
    return int(settings.MACEHUB_FIGURES_SECONDS)


def _key(metric: Metric, period: Period, filters: Filters, months: Sequence[Period]) -> str:
    parts = [metric.code, period.start.isoformat(), period.end.isoformat(),
             filters.area_code, str(filters.agency_id),
             *(f"{m.start.isoformat()}/{m.end.isoformat()}" for m in months)]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"figures:{metric.code}:{digest}"


def work_out(metric: Metric, period: Period, filters: Filters, months: Sequence[Period]
             ) -> WorkedOut:
    """Work the figures out now, and share them for the next few minutes."""
    worked = WorkedOut(figures=metric.figures(period, filters),
                       trend=metric.trend(months, filters) if months else [],
                       at=timezone.now())
    caches[FIGURES_CACHE].set(_key(metric, period, filters, months), worked,
                              timeout=figures_seconds())
    return worked


def worked_out(metric: Metric, period: Period, filters: Filters, months: Sequence[Period]
               ) -> WorkedOut:
    """The figures worked out within the last few minutes, or worked out now."""
    found = caches[FIGURES_CACHE].get(_key(metric, period, filters, months))
    if isinstance(found, WorkedOut):
        return found
    return work_out(metric, period, filters, months)
