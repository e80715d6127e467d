"""The child's cases and missing episodes, on their person page, the case facts of the
identity bar on every page of their record, and an open case marker beside them in search
results (only what the viewer may see)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Value, When
from django.db.models import Case as SqlCase
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import allows, can, reason_required
from macehub.accounts.models import User
from macehub.cases.codes import CaseStatus
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


@person_section("cases", template="cases/_person_cases.html", order=100)
def child_cases(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.CASE_VIEW):
        return None
    # A restricted case the user must give a reason to open is listed without its facts
    # (reference, status, risk tier, lead agency), as on the identity bar.
    cases = list(
        cases_for(user).filter(child=person).select_related("lead_agency")
        .annotate(guarded=SqlCase(When(reason_required(user), then=Value(True)),
                                  default=Value(False), output_field=BooleanField()))
    )
    if not cases:
        return None
    return {"cases": cases}


@person_section("missing", template="cases/_person_missing_episodes.html", order=110)
def child_missing_episodes(user: User, person: Person) -> dict[str, Any] | None:
    """Shown to whoever may record an episode for the child, and to anyone else who
    may see the child once there is an episode to show."""
    now = timezone.now()
    episodes = visible_episodes(user, person.pk)
    can_record = can(user, Action.MISSING_EPISODE_RECORD, person)
    views = episode_views(episodes, now)
    if not views and not can_record:
        return None
    seen = cases_for(user).filter(child=person).exclude(reason_required(user))
    return {
        "child": person,
        "episodes": views,
        "can_record": can_record,
        "strategy_meeting": child_strategy_meeting_prompt(episodes, now),
        "interview_hours": settings.RETURN_INTERVIEW_HOURS,
        "cases_seen": set(seen.values_list("pk", flat=True)),
    }


@identity_source
def child_record_identity(user: User, person: Person) -> ChildIdentity:
    return child_identity(user, person)
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
