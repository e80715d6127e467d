"""Dates and times in GOV.UK style ("14 March 2024 at 2:30pm", "midday"), in the hub's
time zone (Europe/London). Templates use them as the ``govuk_date`` and ``govuk_datetime``
filters; Python that writes text for a page (work queues, the chronology) imports them here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _govuk_time(moment: dt.datetime) -> str:
    if moment.hour == 0 and moment.minute == 0:
        return "midnight"
    if moment.hour == 12 and moment.minute == 0:
        return "midday"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """``14 March 2024`` (a datetime is first put in Europe/London time)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


def govuk_datetime(value: dt.datetime | None) -> str:
    """``14 March 2024 at 2:30pm`` in Europe/London time (GOV.UK style)."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local.day} {local:%B %Y} at {_govuk_time(local)}"
