"""Meetings on a child's chronology: each time a meeting discussed them (an item about
them the viewer may see), and its decision when one was recorded."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.days import day_starts
from macehub.meetings.selectors import meetings_discussing
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Meetings"


@chronology_source("meetings")
def discussed_at_meetings(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.MEETING_VIEW):
        return []
    entries = []
    for meeting, item in meetings_discussing(user, child.pk):
        at = day_starts(meeting.held_on) + dt.timedelta(hours=10)
        url = reverse("meetings:detail", args=[meeting.pk])
        named = f"{meeting.series.name}, {meeting.reference}"
        entries.append(ChronologyEntry(
            occurred_at=at, category=CATEGORY, title=f"Discussed at a meeting ({named})",
            text=item.title, byline=meeting.chair.display_name, url=url, verb="Discussed"))
        if item.decision:
            entries.append(ChronologyEntry(
                occurred_at=at + dt.timedelta(minutes=1), category=CATEGORY,
                title=f"Meeting decision ({named})", text=item.decision,
                byline=meeting.chair.display_name, url=url, verb="Decided"))
    return entries
