"""A referral's two clocks, counted from when it was received (DOMAIN.md, "MASH BRAG
rating and its two clocks").

- The *decision* clock: every referral gets a decision on the type of response within
  one working day of receipt (Working Together 2023), whatever its rating. Configured in
  ``settings.REFERRAL_DECISION_CLOCK``.
- The *partner-check* clock: the BRAG rating sets how soon the partner agencies' checks
  must be back (Red 2 hours, Amber 6, Green 24, Blue one working day by default),
  counted from when each check is asked for. When triage changes the rating, the clock
  follows the new rating. Configured in ``settings.PARTNER_CHECK_CLOCKS``.

Each clock is one of two kinds, named differently because they are measured differently:

- "within N hours" counts elapsed time, so it ignores weekends and the change between
  GMT and BST: 24 hours from noon on the Saturday before the clocks go forward is 1pm
  BST on the Sunday.
- "within N working days" is the same Europe/London wall-clock time on the Nth working
  day. Weekends and England and Wales bank holidays (the ``holidays`` package,
  subdivision "ENG") are not working days.

Times are stored in UTC and shown in Europe/London time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from macehub.cases.codes import Brag

# How a referral stands against its clock is worded by the core, as every clock is.
from macehub.core.time_left import TimeLeft as TimeLeft
from macehub.core.time_left import describe_duration as describe_duration

HUB_TIME_ZONE = ZoneInfo("Europe/London")
HOLIDAY_COUNTRY = "GB"
HOLIDAY_SUBDIVISION = "ENG"  # England; England and Wales share their bank holidays
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six",
                 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


@dataclass(frozen=True)
class Clock:
    """A time standard: a number of hours or of working days."""

    hours: int | None = None
    working_days: int | None = None

    @property
    def label(self) -> str:
        """``within 2 hours`` or ``within one working day``."""
        if self.hours is not None:
            return f"within {self.hours} hour{'s' if self.hours != 1 else ''}"
        days = self.working_days or 0
        word = _NUMBER_WORDS.get(days, str(days))
        return f"within {word} working day{'s' if days != 1 else ''}"

    def due_at(self, start: dt.datetime) -> dt.datetime:
        """When the time runs out, counted from ``start``, in UTC."""
        if timezone.is_naive(start):
            raise ValueError("A clock's start time must be timezone-aware")
        if self.hours is not None:
            # In UTC: adding hours to a Europe/London time would add wall-clock hours.
            return start.astimezone(dt.UTC) + dt.timedelta(hours=self.hours)
        return add_working_days(start, self.working_days or 0)


def _clock_from_setting(name: str, spec: Any) -> Clock:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise ImproperlyConfigured(f"{name} must be {{'hours': N}} or {{'working_days': N}}")
    (kind, value), = spec.items()
    if kind not in ("hours", "working_days") or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(
            f"{name} must be {{'hours': N}} or {{'working_days': N}} with N a whole "
            "number of 1 or more"
        )
    return Clock(**{kind: value})


# --- The decision clock -------------------------------------------------------------------


def decision_clock(config: Any = None) -> Clock:
    """The time standard for a triage decision, from ``settings.REFERRAL_DECISION_CLOCK``."""
    config = settings.REFERRAL_DECISION_CLOCK if config is None else config
    return _clock_from_setting("REFERRAL_DECISION_CLOCK", config)


def decision_due_at(received_at: dt.datetime, config: Any = None) -> dt.datetime:
    """When the triage decision on a referral received at ``received_at`` is due."""
    return decision_clock(config).due_at(received_at)


# --- The partner-check clocks -------------------------------------------------------------


def partner_check_clocks(config: dict[str, Any] | None = None) -> dict[Brag, Clock]:
    """Every BRAG rating's partner-check clock, from ``settings.PARTNER_CHECK_CLOCKS``."""
    config = settings.PARTNER_CHECK_CLOCKS if config is None else config
    missing = [brag.value for brag in Brag if brag.value not in config]
    if missing:
        raise ImproperlyConfigured(f"PARTNER_CHECK_CLOCKS has no clock for {missing}")
    return {
        brag: _clock_from_setting(f"PARTNER_CHECK_CLOCKS[{brag.value!r}]", config[brag.value])
        for brag in Brag
    }


def partner_check_clock(brag: Brag | str, config: dict[str, Any] | None = None) -> Clock:
    return partner_check_clocks(config)[Brag(brag)]


def partner_checks_due_at(
    start: dt.datetime, brag: Brag | str, config: dict[str, Any] | None = None
) -> dt.datetime:
    """When partner checks started at ``start`` are due under this rating."""
    return partner_check_clock(brag, config).due_at(start)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(
        holidays.country_holidays(HOLIDAY_COUNTRY, subdiv=HOLIDAY_SUBDIVISION, years=year)
    )


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The same Europe/London wall-clock time ``days`` working days later, in UTC.

    A referral received on a Saturday, or on a bank holiday, is due at that time on the
    following working days: Saturday 10am plus one working day is Monday 10am.
    """
    local = moment.astimezone(HUB_TIME_ZONE)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    wall_clock = dt.datetime.combine(day, local.time().replace(tzinfo=None, fold=0))
    # Working days are never the Sundays on which the UK changes its clocks, so the
    # wall-clock time always exists; going through UTC settles it either way.
    return wall_clock.replace(tzinfo=HUB_TIME_ZONE).astimezone(dt.UTC)
