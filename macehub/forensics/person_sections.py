"""Devices seized from a person (a victim's or a suspect's), on their person page: those
the viewer may see, with where each stands."""

from __future__ import annotations

from typing import Any

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.forensics.selectors import exhibits_seized_from
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("exhibits", template="forensics/_person_exhibits.html", order=225)
def person_exhibits(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.EXHIBIT_VIEW):
        return None
    return {"person": person, "exhibits": list(exhibits_seized_from(user, person.pk))}
