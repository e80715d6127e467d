"""The warning when someone is given specialist work without the training for it.

``missing_training(person, allocation)`` lists the active courses that qualify for the
work (``Course.qualifies_for``) which the person does not hold today (a record completed
by today and not yet expired). The services that allocate the work (the officer in the
case of an investigation, a case's key worker, an ABE interviewer) call
``acknowledged_gaps``: when courses are missing it refuses with ``MissingTraining``
unless the allocating user acknowledged it and said why, and otherwise returns what the
allocation's audit event records of it.

An agency whose training the hub does not hold (no record of anyone in it) is not
checked: the hub cannot tell its trained staff from the untrained, and a warning shown on
every allocation would only teach people to tick it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from macehub.accounts.models import User
from macehub.core.service_errors import ServiceRefused
from macehub.training.models import Course, TrainingRecord

ACKNOWLEDGED_FIELD = "acknowledged_missing_training"
REASON_FIELD = "missing_training_reason"
REASON_LENGTH = 1000


class MissingTraining(ServiceRefused):
    """The person chosen lacks training the work asks for, and the user has not (yet)
    acknowledged it with a reason. The allocation pages tell it from other refusals to
    show the warning and ask for the acknowledgement."""

    def __init__(self, message: str, *, field: str, courses: list[Course]) -> None:
        super().__init__(message, field=field)
        self.courses = courses


def training_held_in_agency(agency_id: int | None) -> bool:
    """Whether the hub holds any training record of the agency's people."""
    if agency_id is None:
        return False
    return TrainingRecord.objects.filter(person__agency_id=agency_id).exists()


def missing_training(person: User, allocation: str, *, on: dt.date | None = None
                     ) -> list[Course]:
    """The courses qualifying for ``allocation`` that ``person`` does not hold on ``on``
    (today unless given); none for someone of an agency whose training the hub does not
    hold. Two queries."""
    day = on or timezone.localdate()
    qualifying = [course for course in Course.objects.filter(is_active=True)
                  .exclude(qualifies_for="").order_by("tier", "title")
                  if allocation in course.allocations]
    if not qualifying or not training_held_in_agency(person.agency_id):
        return []
    held = set(TrainingRecord.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gt=day),
        person=person, course__in=qualifying, completed_on__lte=day,
    ).values_list("course_id", flat=True))
    return [course for course in qualifying if course.pk not in held]


def course_titles(courses: list[Course]) -> str:
    titles = [course.title for course in courses]
    return titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"


def acknowledged_gaps(*, person: User, allocation: str, acknowledged: bool, reason: str
                      ) -> dict[str, Any]:
    """What the allocation's audit event records of the person's missing training (the
    courses and the reason given), or nothing when none is missing. Refuses with
    ``MissingTraining`` when courses are missing and the user has not acknowledged it
    with a reason."""
    courses = missing_training(person, allocation)
    if not courses:
        return {}
    reason = reason.strip()
    if not acknowledged:
        raise MissingTraining(
            f"{person.display_name} has not completed {course_titles(courses)}: confirm "
            f"you understand this to go ahead", field=ACKNOWLEDGED_FIELD, courses=courses)
    if not reason:
        raise MissingTraining("Enter why you are going ahead without the training",
                              field=REASON_FIELD, courses=courses)
    if len(reason) > REASON_LENGTH:
        raise MissingTraining(f"The reason must be {REASON_LENGTH} characters or fewer",
                              field=REASON_FIELD, courses=courses)
    return {"missing_training": [course.code for course in courses],
            "missing_training_reason": reason}
