"""Investigations on a person's record: those naming them as a child victim or a
suspect that the viewer may see, with where each stands (a section of the person page),
and for police investigators and supervisors a link to record one with the child as
victim."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.investigations.journey import victims_for
from macehub.investigations.models import InvestigationSuspect, InvestigationVictim
from macehub.investigations.selectors import investigations_for
from macehub.people.models import Person
from macehub.people.sections import person_section


@person_section("investigations", template="investigations/_person_investigations.html",
                order=220)
def person_investigations(user: User, person: Person) -> dict[str, Any] | None:
    if not allows(user, Action.INVESTIGATION_VIEW):
        if not allows(user, Action.VICTIM_JOURNEY_VIEW):
            return None
        # The child's advocate reads the child's journey, not the investigation.
        journeys = victims_for(user).filter(person=person).select_related(
            "investigation").order_by("-investigation__reported_on", "-pk")
        return {"person": person, "rows": [], "journeys": list(journeys),
                "may_record": False}
    named = investigations_for(user).annotate(
        as_victim=Exists(InvestigationVictim.objects.filter(investigation=OuterRef("pk"),
                                                            person=person)),
        as_suspect=Exists(InvestigationSuspect.objects.filter(investigation=OuterRef("pk"),
                                                              person=person)),
    ).filter(Q(as_victim=True) | Q(as_suspect=True)).order_by("-reported_on", "-pk")
    rows = [(investigation, "Victim" if investigation.as_victim else "Suspect")
            for investigation in named]
    return {"person": person, "rows": rows,
            "may_record": allows(user, Action.INVESTIGATION_RECORD)}
