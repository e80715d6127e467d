"""Groups on a child's chronology: the child linked to a group confirmed as group-based
CSE, when it was confirmed and by whom (groups the viewer may see)."""

from __future__ import annotations

from django.urls import reverse

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.networks.codes import GroupStatus
from macehub.networks.groups import groups_for
from macehub.people.chronology import ChronologyEntry, chronology_source
from macehub.people.models import Person

CATEGORY = "Group"


@chronology_source("groups")
def confirmed_groups(user: User, child: Person) -> list[ChronologyEntry]:
    if not allows(user, Action.GROUP_VIEW):
        return []
    groups = groups_for(user).filter(status=GroupStatus.CONFIRMED, members__person=child,
                                     decided_at__isnull=False)
    return [ChronologyEntry(
        occurred_at=group.decided_at, category=CATEGORY,  # type: ignore[arg-type]
        title=f"Linked to {group.reference}, confirmed as group-based CSE",
        text=group.reason, byline=group.decided_by.display_name if group.decided_by else "",
        verb="Confirmed", url=reverse("networks:group_detail", args=[group.pk]))
        for group in groups]
