"""Training compliance: who must take which course, who holds it, and the figures by
tier, role, team and agency.

A person must take a course when one of its ``CourseRequirement`` rules matches them
(their role, or every role; their agency's kind and team when the rule names one). They
are compliant with it on a day when they hold a record of it completed on or before that
day whose expiry (if any) is after it. Only active users count.

``load`` reads what the figures need in a fixed number of grouped queries (the people,
their roles, the rules, the records they hold on the day); everything after it is pure
functions over what it read, so a page or a metric asks the database the same few
questions however many people there are. A figure counts required courses (a person and
a course), with the Wilson interval of its percentage from statsmodels; people with no
requirement are counted apart, never silently in a denominator."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q, QuerySet
from statsmodels.stats.proportion import proportion_confint

from macehub.accounts.models import RoleAssignment, User
from macehub.training.codes import Tier
from macehub.training.models import Course, CourseRequirement, TrainingRecord

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Rule:
    course_id: int
    role: str
    agency_kind: str
    team_id: int | None


@dataclass(frozen=True)
class Person:
    pk: int
    name: str
    agency_id: int | None
    agency_name: str
    agency_kind: str
    team_id: int | None
    team_name: str
    roles: frozenset[str]


@dataclass(frozen=True)
class PersonTraining:
    person: Person
    required: frozenset[int]  # course pks
    held: frozenset[int]  # course pks held on the day

    @property
    def gaps(self) -> frozenset[int]:
        return self.required - self.held


@dataclass(frozen=True)
class Figure:
    """Compliance of a group: required courses, those held, the percentage and its 95%
    Wilson interval (None without a requirement); people without a requirement apart."""

    required: int
    compliant: int
    people: int
    people_without_requirement: int

    @property
    def percentage(self) -> float | None:
        return 100 * self.compliant / self.required if self.required else None

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.required:
            return None
        low, high = proportion_confint(self.compliant, self.required, alpha=0.05,
                                       method="wilson")
        return 100 * float(low), 100 * float(high)


@dataclass(frozen=True)
class Compliance:
    on: dt.date
    courses: dict[int, Course]
    people: list[PersonTraining]


def applies(rule: Rule, person: Person) -> bool:
    return ((not rule.role or rule.role in person.roles)
            and (not rule.agency_kind or rule.agency_kind == person.agency_kind)
            and (rule.team_id is None or rule.team_id == person.team_id))


def required_of(person: Person, rules: Iterable[Rule]) -> frozenset[int]:
    return frozenset(rule.course_id for rule in rules if applies(rule, person))


def held_on(day: dt.date) -> Q:
    """Records current on ``day``: completed by then, not yet expired."""
    return Q(completed_on__lte=day) & (Q(expires_on__isnull=True) | Q(expires_on__gt=day))


def load(people: QuerySet[User], on: dt.date) -> Compliance:
    """The training of the active ``people`` on a day: five queries."""
    active = people.filter(is_active=True)
    rows = list(active.values_list(
        "pk", "first_name", "last_name", "username", "agency_id", "agency__name",
        "agency__kind", "team_id", "team__name").order_by("last_name", "first_name", "pk"))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_pk, role in RoleAssignment.objects.filter(user__in=active.values("pk")
                                                       ).values_list("user_id", "role"):
        roles[user_pk].add(role)
    courses = {course.pk: course for course in Course.objects.filter(is_active=True)}
    rules = [Rule(course_id, role, agency_kind, team_id) for course_id, role, agency_kind, team_id
             in CourseRequirement.objects.filter(course__is_active=True).values_list(
                 "course_id", "role", "agency_kind", "team_id")]
    held: dict[int, set[int]] = defaultdict(set)
    for person_pk, course_pk in TrainingRecord.objects.filter(
            held_on(on), person__in=active.values("pk"), course__in=list(courses)
    ).values_list("person_id", "course_id").distinct():
        held[person_pk].add(course_pk)
    found = []
    for pk, first, last, username, agency_id, agency_name, kind, team_id, team_name in rows:
        person = Person(pk=pk, name=f"{first} {last}".strip() or username,
                        agency_id=agency_id, agency_name=agency_name or "",
                        agency_kind=kind or "", team_id=team_id, team_name=team_name or "",
                        roles=frozenset(roles.get(pk, ())))
        required = required_of(person, rules)
        found.append(PersonTraining(person, required, frozenset(held.get(pk, ()))))
    return Compliance(on=on, courses=courses, people=found)


def figure(people: Iterable[PersonTraining],
           counts: Callable[[int], bool] = lambda _course: True) -> Figure:
    """Compliance of ``people`` with their required courses that ``counts`` keeps."""
    required = compliant = with_requirement = without = 0
    for training in people:
        courses = [course for course in training.required if counts(course)]
        if not courses:
            without += 1
            continue
        with_requirement += 1
        required += len(courses)
        compliant += sum(1 for course in courses if course in training.held)
    return Figure(required=required, compliant=compliant, people=with_requirement,
                  people_without_requirement=without)


def by_tier(compliance: Compliance, people: Iterable[PersonTraining] | None = None
            ) -> dict[str, Figure]:
    """Compliance with the courses of each tier."""
    chosen = list(compliance.people if people is None else people)
    return {tier.value: figure(chosen, in_tier(compliance, tier.value)) for tier in Tier}


def in_tier(compliance: Compliance, tier: str) -> Callable[[int], bool]:
    def counts(course_pk: int) -> bool:
        return compliance.courses[course_pk].tier == tier
    return counts


def grouped(compliance: Compliance, key: Callable[[PersonTraining], Iterable[K]]
            ) -> dict[K, list[PersonTraining]]:
    """The people in each group ``key`` puts them in (a person may be in several: one
    group per role they hold)."""
    groups: dict[K, list[PersonTraining]] = defaultdict(list)
    for training in compliance.people:
        for group in key(training):
            groups[group].append(training)
    return dict(groups)


def by_team(compliance: Compliance) -> dict[tuple[int | None, str], list[PersonTraining]]:
    return grouped(compliance, lambda t: [(t.person.team_id, t.person.team_name)])


def by_agency(compliance: Compliance) -> dict[tuple[int | None, str], list[PersonTraining]]:
    return grouped(compliance, lambda t: [(t.person.agency_id, t.person.agency_name)])


def by_role(compliance: Compliance) -> dict[str, list[PersonTraining]]:
    return grouped(compliance, lambda t: sorted(t.person.roles))
