"""Reads of people's training, scoped through the access policy: whose training a user
may read (``TRAINING_PERSON_VIEW``), whose counts in the compliance they read
(``TRAINING_COMPLIANCE_VIEW``), and what of it expires."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.training import compliance
from macehub.training.models import Course, TrainingRecord


def person_for(user: User, person_pk: int) -> User:
    """A person whose training the user may read; 404 for anyone else."""
    return policy.get_or_404(user, Action.TRAINING_PERSON_VIEW,
                             User.objects.select_related("agency", "team"), pk=person_pk)


def compliance_people(user: User) -> QuerySet[User]:
    """The people whose training counts in the compliance the user reads."""
    return policy.scope(user, Action.TRAINING_COMPLIANCE_VIEW, User.objects.all())


def records_of(person: User) -> list[TrainingRecord]:
    return list(TrainingRecord.objects.filter(person=person).select_related(
        "course", "recorded_by", "training_import"))


@dataclass(frozen=True)
class PersonPage:
    """What a person's training page shows: what they must take, what they hold and the
    gaps, on a day."""

    training: compliance.PersonTraining | None
    courses: dict[int, Course]
    records: list[TrainingRecord]

    @property
    def required(self) -> list[Course]:
        if self.training is None:
            return []
        return sorted((self.courses[pk] for pk in self.training.required),
                      key=lambda course: (course.tier, course.title))

    @property
    def gaps(self) -> list[Course]:
        if self.training is None:
            return []
        return [course for course in self.required if course.pk in self.training.gaps]


def person_page(person: User, on: dt.date) -> PersonPage:
    found = compliance.load(User.objects.filter(pk=person.pk), on)
    return PersonPage(training=found.people[0] if found.people else None,
                      courses=found.courses, records=records_of(person))


def expiring_days() -> int:
    return int(settings.TRAINING_EXPIRING_DAYS)


@dataclass(frozen=True)
class Expiring:
    """A required course whose latest record has expired, or expires soon."""

    person: compliance.Person
    course: Course
    expires_on: dt.date

    def expired(self, today: dt.date) -> bool:
        return self.expires_on <= today


def expiring(people: QuerySet[User], today: dt.date) -> list[Expiring]:
    """Required courses of the active ``people`` whose latest record expired by ``today``
    or expires within ``TRAINING_EXPIRING_DAYS``, soonest first. Six queries."""
    found = compliance.load(people, today)
    soon = today + dt.timedelta(days=expiring_days())
    latest: dict[tuple[int, int], dt.date | None] = {}
    for person_pk, course_pk, expires_on in TrainingRecord.objects.filter(
            person__in=[t.person.pk for t in found.people], completed_on__lte=today
    ).order_by("completed_on", "pk").values_list("person_id", "course_id", "expires_on"):
        latest[(person_pk, course_pk)] = expires_on
    rows = []
    for training in found.people:
        for course_pk in training.required:
            key = (training.person.pk, course_pk)
            if key not in latest:
                continue
            expires_on = latest[key]
            if expires_on is not None and expires_on <= soon:
                rows.append(Expiring(training.person, found.courses[course_pk], expires_on))
    return sorted(rows, key=lambda row: (row.expires_on, row.person.name, row.course.title))
