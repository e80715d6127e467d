"""Investigations on a child's chronology: each investigation naming the child as a
victim (recorded, sent for a charging decision, closed with its outcome) that the viewer
may see."""

from __future__ import annotations

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.investigations.selectors import investigations_for
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Investigation"


@chronology_source("investigations")
def investigations_of_the_child(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.INVESTIGATION_VIEW):
        return []
    entries = []
    for investigation in investigations_for(user).filter(victims__person=child
                                                        ).select_related("created_by"):
        url = reverse("investigations:detail", args=[investigation.pk])
        entries.append(ChronologyEntry(
            occurred_at=investigation.created_at, category=CATEGORY,
            title=f"Investigation {investigation.reference} recorded: {investigation.title}",
            byline=investigation.created_by.display_name, url=url))
        if investigation.charging_requested_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=investigation.charging_requested_at, category=CATEGORY,
                title=f"Investigation {investigation.reference} sent for a charging "
                      f"decision", url=url, verb="Sent"))
        if investigation.closed_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=investigation.closed_at, category=CATEGORY,
                title=f"Investigation {investigation.reference} closed: "
                      f"{investigation.get_outcome_display()}",
                text=(f"Outcome on {investigation.outcome_on:%d %B %Y}"
                      if investigation.outcome_on else ""),
                url=url, verb="Closed"))
    return entries
