"""Disruptions on a child's chronology: each disruption protecting the child that the
viewer may see, when it was recorded, when it started (granted or served) and each
breach."""

from __future__ import annotations

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.days import day_starts
from macehub.disruption.selectors import disruptions_for, target_label
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Disruption"


@chronology_source("disruption")
def disruptions_protecting(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.DISRUPTION_VIEW):
        return []
    entries = []
    found = disruptions_for(user).filter(child_links__person=child).select_related(
        "tactic", "created_by", "target_person", "target_group", "target_premises",
        "target_vehicle", "target_location", "target_account").prefetch_related(
        "breaches__recorded_by").distinct()
    for disruption in found:
        url = reverse("disruption:detail", args=[disruption.pk])
        named = f"{disruption.tactic.name} ({disruption.reference})"
        target = target_label(disruption)
        entries.append(ChronologyEntry(
            occurred_at=disruption.created_at, category=CATEGORY,
            title=f"Disruption recorded: {named}", text=target,
            byline=disruption.created_by.display_name, url=url))
        if disruption.started_on is not None:
            entries.append(ChronologyEntry(
                occurred_at=day_starts(disruption.started_on), category=CATEGORY,
                title=f"Disruption granted or served: {named}", text=target, url=url))
        for breach in disruption.breaches.all():
            entries.append(ChronologyEntry(
                occurred_at=day_starts(breach.occurred_on), category=CATEGORY,
                title=f"Disruption breached: {named}", text=breach.what_happened,
                byline=breach.recorded_by.display_name, url=url))
    return entries
