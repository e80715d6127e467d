"""Samples for the URL x role test: the awareness course and its rule (every role must
take it), and the sample user's record of it (so their training page names a course
they hold)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.training.models import Course, TrainingRecord


def build(samples: dict[str, Any]) -> None:
    course = Course.objects.get(code="cse_awareness")
    samples["course_pk"] = course
    samples["requirement_pk"] = course.requirements.first()
    TrainingRecord.objects.create(
        person=samples["user_pk"], course=course,
        completed_on=timezone.localdate() - dt.timedelta(days=100), evidence="CERT-SAMPLE",
        recorded_at=timezone.now())
