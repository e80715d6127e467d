"""The meetings that discussed a group, on its page: those the viewer may read, for
items linked to the group the viewer may see."""

from __future__ import annotations

from typing import Any

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.meetings.selectors import meetings_about
from macehub.networks.models import Group
from macehub.networks.sections import group_section


@group_section("meetings", template="meetings/_record_meetings.html", order=110)
def group_meetings(user: User, group: Group) -> dict[str, Any] | None:
    if not allows(user, Action.MEETING_VIEW):
        return None
    return {"discussed": meetings_about(user, group), "what": "this group"}
