"""The meetings that discussed a person, on their person page: those the viewer may
read, for items about the person the viewer may see."""

from __future__ import annotations

from typing import Any

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.meetings.selectors import meetings_discussing
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("meetings", template="meetings/_record_meetings.html", order=235)
def person_meetings(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.MEETING_VIEW):
        return None
    return {"discussed": meetings_discussing(user, person.pk), "what": "them"}
