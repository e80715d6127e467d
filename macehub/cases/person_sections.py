"""The child's cases and missing episodes, on their person page, the case facts of the
identity bar on every page of their record, and an open case marker beside them in search
results (only what the viewer may see)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows, can, reason_required
from macehub.accounts.models import User
from macehub.cases.codes import CaseStatus
from macehub.cases.models import Case, MissingEpisode
from macehub.cases.selectors import (
    cases_for,
    child_identity,
    child_strategy_meeting_prompt,
    episode_views,
    visible_episodes,
)
from macehub.people.identity import ChildIdentity, identity_source
from macehub.people.models import Person
from macehub.people.sections import PersonMarker, person_marker, person_section


class _ChildRecord:
    """What the child's record shows this user of the child's cases and missing episodes,
    fetched once for the person the page fetched (its sections and identity bar each read
    it): the cases the user may see, each marked ``guarded`` when the user must give a
    reason to open it, and the episodes a page about the child shows."""

    def __init__(self, user: User, person: Person) -> None:
        self.user = user
        self.person = person

    @cached_property
    def cases(self) -> list[Case]:
        return list(
            cases_for(self.user).filter(child=self.person)
            .select_related("lead_agency", "key_worker")
            .annotate(guarded=SqlCase(When(reason_required(self.user), then=Value(True)),
                                      default=Value(False), output_field=BooleanField()))
            .order_by("-opened_at", "-pk")
        )

    @cached_property
    def episodes(self) -> list[MissingEpisode]:
        return list(visible_episodes(self.user, self.person.pk)
                    .select_related("recorded_by", "case"))


_RECORD = "_child_record_shown"


def _record_of(user: User, person: Person) -> _ChildRecord:
    """The child's record as this user sees it, kept on the person fetched for this
    request (and for this user only)."""
    record = getattr(person, _RECORD, None)
    if not isinstance(record, _ChildRecord) or record.user.pk != user.pk:
        record = _ChildRecord(user, person)
        setattr(person, _RECORD, record)
    return record


@person_section("cases", template="cases/_person_cases.html", order=100)
def child_cases(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.CASE_VIEW):
        return None
    # A restricted case the user must give a reason to open is listed without its facts
    # (reference, status, risk tier, lead agency), as on the identity bar.
    cases = _record_of(user, person).cases
    if not cases:
        return None
    return {"cases": cases}


@person_section("missing", template="cases/_person_missing_episodes.html", order=110)
def child_missing_episodes(user: User, person: Person) -> dict[str, Any] | None:
    """Shown to whoever may record an episode for the child, and to anyone else who
    may see the child once there is an episode to show."""
    now = timezone.now()
    record = _record_of(user, person)
    can_record = can(user, Action.MISSING_EPISODE_RECORD, person)
    views = episode_views(record.episodes, now)
    if not views and not can_record:
        return None
    return {
        "child": person,
        "episodes": views,
        "can_record": can_record,
        "strategy_meeting": child_strategy_meeting_prompt(record.episodes, now),
        "interview_hours": settings.RETURN_INTERVIEW_HOURS,
        "cases_seen": {case.pk for case in record.cases if not getattr(case, "guarded", False)},
    }


@identity_source
def child_record_identity(user: User, person: Person) -> ChildIdentity:
    record = _record_of(user, person)
    return child_identity(user, person, cases=record.cases, episodes=record.episodes)


@person_marker("open_case")
def open_case_markers(user: User, people: list[Person]) -> dict[int, list[PersonMarker]]:
    """"Open case" beside each child with an open case the user may see. A restricted
    case the user does not work on gives no marker: search results name the child, and
    the case list and missing episode list never tie such a case to a name."""
    if not allows(user, Action.CASE_VIEW):
        return {}
    holders = (
        cases_for(user).filter(child__in=[person.pk for person in people],
                               status=CaseStatus.OPEN)
        .exclude(reason_required(user)).values_list("child_id", flat=True).distinct()
    )
    return {child_id: [PersonMarker("Open case")] for child_id in holders}
