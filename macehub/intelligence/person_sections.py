"""The intelligence about a person, on their person page: only the reports the viewer
may see (``selectors.reports_about_person``, handling codes enforced), and nothing at all
for a viewer who may not read intelligence."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.intelligence.selectors import reports_about_person
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("intelligence", template="intelligence/_person_reports.html", order=200)
def intelligence_about_person(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.INTELLIGENCE_VIEW):
        return None  # victim advocates, for one, read no intelligence
    try:
        reverse("intelligence:report_list")
    except NoReverseMatch:  # the intelligence pages are not routed in this configuration
        return None
    mentions = reports_about_person(user, person)
    if not mentions:
        return None
    return {"mentions": mentions}
