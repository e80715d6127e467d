"""Training records for tests: made directly, with made-up people."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.accounts.models import User
from macehub.training.codes import RecordSource
from macehub.training.models import Course, TrainingRecord


def trained(person: User, code: str, completed_on: dt.date,
            expires_on: dt.date | None = None) -> TrainingRecord:
    """A record that ``person`` completed the course of ``code`` on ``completed_on``."""
    return TrainingRecord.objects.create(
        person=person, course=Course.objects.get(code=code), completed_on=completed_on,
        expires_on=expires_on, source=RecordSource.ENTERED, recorded_at=timezone.now())
