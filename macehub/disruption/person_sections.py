"""The disruptions on a person's page: those aimed at them, or protecting them as a
child, that the viewer may see."""

from __future__ import annotations

from typing import Any

from macehub.accounts.models import User
from macehub.disruption.codes import TargetKind
from macehub.disruption.sections import section_context
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("disruptions", template="disruption/_disruptions.html", order=230)
def person_disruptions(user: User, person: Person) -> dict[str, Any] | None:
    return section_context(user, TargetKind.PERSON, person.pk, "them")
