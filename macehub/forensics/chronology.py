"""Devices on a child's chronology: for each investigation naming the child as a victim,
each device seized for it (and its triage and full examination report) that the viewer
may see."""

from __future__ import annotations

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.forensics.selectors import exhibits_for
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Digital forensics"


@chronology_source("forensics")
def devices_of_the_childs_investigations(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.EXHIBIT_VIEW):
        return []
    entries = []
    exhibits = exhibits_for(user).filter(investigation__victims__person=child).select_related(
        "investigation", "created_by", "triaged_by", "examiner").distinct()
    for exhibit in exhibits:
        url = reverse("forensics:detail", args=[exhibit.pk])
        named = f"exhibit {exhibit.reference}, investigation {exhibit.investigation.reference}"
        entries.append(ChronologyEntry(
            occurred_at=exhibit.seized_at, category=CATEGORY,
            title=f"Device seized ({named})",
            text=f"{exhibit.get_device_type_display()}: {exhibit.description}",
            byline=exhibit.created_by.display_name, url=url))
        if exhibit.triaged_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=exhibit.triaged_at, category=CATEGORY,
                title=f"Device triaged ({named})",
                byline=exhibit.triaged_by.display_name if exhibit.triaged_by else "",
                url=url, verb="Triaged"))
        if exhibit.full_report_at is not None:
            entries.append(ChronologyEntry(
                occurred_at=exhibit.full_report_at, category=CATEGORY,
                title=f"Full examination report ({named})",
                byline=exhibit.examiner.display_name if exhibit.examiner else "",
                url=url, verb="Reported"))
    return entries
