"""When a seized device's examination falls due (local policy, set in the settings,
*check*):

- triage (the fast-time kiosk examination): ``FORENSICS_TRIAGE_HOURS_<PRIORITY>`` hours
  after the device was seized, by its priority (a child at immediate risk first);
- a full examination, where triage says one is needed: ``FORENSICS_FULL_EXAMINATION_DAYS``
  days after triage;
- an exhibit still waiting ``FORENSICS_OLD_EXHIBIT_DAYS`` days after seizure is old: it is
  flagged on the queue, the work queues and the dashboard.

Each due time is worked out once, when the step before it is recorded, and stored."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from macehub.forensics.codes import ExhibitPriority


def triage_hours(priority: str) -> int:
    return int({
        ExhibitPriority.IMMEDIATE_RISK: settings.FORENSICS_TRIAGE_HOURS_IMMEDIATE_RISK,
        ExhibitPriority.GROUP_BASED: settings.FORENSICS_TRIAGE_HOURS_GROUP_BASED,
        ExhibitPriority.OTHER: settings.FORENSICS_TRIAGE_HOURS_OTHER,
    }[ExhibitPriority(priority)])


def triage_due(seized_at: dt.datetime, priority: str) -> dt.datetime:
    return seized_at + dt.timedelta(hours=triage_hours(priority))


def full_examination_due(triaged_at: dt.datetime) -> dt.datetime:
    return triaged_at + dt.timedelta(days=settings.FORENSICS_FULL_EXAMINATION_DAYS)


def old_before(now: dt.datetime) -> dt.datetime:
    """An exhibit seized before this moment and still waiting is old."""
    return now - dt.timedelta(days=settings.FORENSICS_OLD_EXHIBIT_DAYS)


def age_days(seized_at: dt.datetime, now: dt.datetime) -> int:
    """Whole days since seizure."""
    return max(0, (now - seized_at).days)
