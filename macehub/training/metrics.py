"""Training compliance measures, one per tier of the framework: of the courses of the
tier that active staff must take, the share they hold at the period's end (or today,
for a period not yet over), by team and by agency.

Registered with ``@metric`` (``macehub.core.metrics``). Staff are not children: an
area means nothing here, so the measures take the agency filter only (the person's
agency). Who must take what is read as it stands now (the hub keeps no history of roles
and rules); whether they held it, as of the day. The figures are counts of staff, by
team: those who read the hub's performance inside it (``PERFORMANCE_VIEW``) read them
exact, as they read every other measure; anyone else (the scrutiny officer, the
published version shared outside the hub) reads them with small numbers suppressed, so a
team of one never shows whether that person is trained. Named people's training is on
the training pages, to those the policy lets read it.

Each figure, and each trend of many months, is one query: the people, their roles, the
rules and the records, read together (a union of four selections), then counted by
``compliance``'s pure functions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import RoleAssignment, User
from macehub.core.metrics import (
    TOTAL,
    Behind,
    Better,
    Breakdown,
    Figure,
    Filters,
    Period,
    Unit,
    metric,
)
from macehub.training import compliance
from macehub.training.codes import Tier
from macehub.training.models import CourseRequirement, TrainingRecord

GROUP = "Workforce"
NO_TEAM = "No team"


def _active(filters: Filters) -> QuerySet[User]:
    people = User.objects.filter(is_active=True)
    if filters.agency_id is not None:
        people = people.filter(agency_id=filters.agency_id)
    return people


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


def _blank() -> Value:
    return Value("", output_field=CharField())


@dataclass(frozen=True)
class _Staff:
    """Who is counted, what they must take and every record they hold."""

    people: dict[int, tuple[compliance.Person, str]]  # pk: (person, team label)
    required: dict[int, frozenset[int]]  # person: courses of the tier
    records: dict[int, list[tuple[int, dt.date, dt.date | None]]]  # person: records


def _read(filters: Filters, tier: str) -> _Staff:
    """One query: the active people, their roles, the tier's rules and their records."""
    people = _active(filters)
    selections = [
        people.order_by().values_list(
            Value("p", output_field=CharField()), _text("pk"), _text("agency_id"),
            _text("agency__kind"), _text("team_id"),
            _text("team__name"), _text("agency__name")),
        RoleAssignment.objects.filter(user__in=people.values("pk")).order_by().values_list(
            Value("r", output_field=CharField()), _text("user_id"), _text("role"),
            _blank(), _blank(), _blank(), _blank()),
        CourseRequirement.objects.filter(course__is_active=True, course__tier=tier
                                         ).order_by().values_list(
            Value("q", output_field=CharField()), _text("course_id"), _text("role"),
            _text("agency_kind"), _text("team_id"), _blank(), _blank()),
        TrainingRecord.objects.filter(person__in=people.values("pk"), course__tier=tier,
                                      course__is_active=True).order_by().values_list(
            Value("t", output_field=CharField()), _text("person_id"), _text("course_id"),
            _text("completed_on"), _text("expires_on"), _blank(), _blank()),
    ]
    rows = selections[0].union(*selections[1:], all=True)
    found: dict[int, tuple[Any, ...]] = {}
    roles: dict[int, set[str]] = defaultdict(set)
    rules: list[compliance.Rule] = []
    records: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for kind, a, b, c, d, e, f in rows:
        if kind == "p":
            found[int(a)] = (b, c, d, e, f)
        elif kind == "r":
            roles[int(a)].add(b)
        elif kind == "q":
            rules.append(compliance.Rule(int(a), b or "", c or "", int(d) if d else None))
        else:
            records[int(a)].append((int(b), dt.date.fromisoformat(c[:10]),
                                    dt.date.fromisoformat(d[:10]) if d else None))
    staff: dict[int, tuple[compliance.Person, str]] = {}
    required: dict[int, frozenset[int]] = {}
    for pk, (agency_id, kind, team_id, team_name, agency_name) in found.items():
        person = compliance.Person(
            pk=pk, name="", agency_id=int(agency_id) if agency_id else None,
            agency_name=agency_name or "", agency_kind=kind or "",
            team_id=int(team_id) if team_id else None, team_name=team_name or "",
            roles=frozenset(roles.get(pk, ())))
        staff[pk] = (person, team_label(team_name, agency_name))
        required[pk] = compliance.required_of(person, rules)
    return _Staff(staff, required, dict(records))


def team_label(team_name: str | None, agency_name: str | None) -> str:
    return f"{team_name} ({agency_name})" if team_name else NO_TEAM


def as_of(period: Period) -> dt.date:
    """The day a period's compliance is counted on: its last, or today if that is to
    come."""
    return min(period.end, timezone.localdate())


def _figures(staff: _Staff, day: dt.date) -> list[Figure]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for pk, (person, team) in staff.people.items():
        courses = staff.required[pk]
        if not courses:
            continue
        held = {course for course, completed_on, expires_on in staff.records.get(pk, [])
                if completed_on <= day and (expires_on is None or expires_on > day)}
        compliant = len(courses & held)
        for key in ((TOTAL, "All"), (Breakdown.TEAM, team),
                    (Breakdown.AGENCY, person.agency_name or "No agency")):
            counts[key][0] += compliant
            counts[key][1] += len(courses)
    total = counts.get((TOTAL, "All"), [0, 0])
    figures = [Figure(TOTAL, "", "All", total[0], total[1])]
    for (breakdown, category), (held_count, required) in sorted(counts.items()):
        if breakdown != TOTAL:
            figures.append(Figure(breakdown, category, category, held_count, required))
    return figures


def _trend(tier: str) -> Callable[[Sequence[Period], Filters], list[Figure]]:
    def trend(months: Sequence[Period], filters: Filters) -> list[Figure]:
        if not months:
            return []
        staff = _read(filters, tier)
        return [_figures(staff, as_of(month))[0] for month in months]
    return trend


def _behind(span: Period, filters: Filters) -> QuerySet[Any, Any]:
    return _active(filters)


def _register(tier: Tier) -> None:
    name = str(tier.label).lower()

    def compute(period: Period, filters: Filters) -> list[Figure]:
        return _figures(_read(filters, tier.value), as_of(period))

    metric(
        code=f"training_compliance_{tier.value}",
        name=f"Training compliance: {name}",
        definition=(
            f"Of the {name} courses active staff must take (by their role, agency and "
            "team, as the courses' rules stand), the share they hold at the period's end "
            "(today, for a period not yet over): a record of the course completed by then "
            "that has not expired. Each course someone must take counts once; staff with "
            "no such course are not counted. By team and by agency, the person's own."
        ),
        numerator=f"{tier.label} courses held",
        denominator=f"{tier.label} courses staff must take",
        unit=Unit.PERCENTAGE,
        better=Better.HIGHER,
        target=100,
        breakdowns=(Breakdown.TEAM, Breakdown.AGENCY),
        filters=("agency",),
        group=GROUP,
        trend=_trend(tier.value),
        behind=[Behind(Action.PERFORMANCE_VIEW, User, _behind)],
        drill_down_lists_records=False,
    )(compute)


for _tier in Tier:
    _register(_tier)
