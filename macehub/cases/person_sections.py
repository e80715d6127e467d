"""The child's cases, on their person page (only the cases the viewer may see)."""

from __future__ import annotations

from typing import Any

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.cases.selectors import cases_for
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("cases", template="cases/_person_cases.html", order=100)
def child_cases(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.CASE_VIEW):
        return None
    cases = list(cases_for(user).filter(child=person).select_related("lead_agency"))
    if not cases:
        return None
    return {"cases": cases}
