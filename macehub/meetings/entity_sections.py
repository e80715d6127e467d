"""The meetings that discussed premises, a vehicle, a location or an online account, on
its page: those the viewer may read, for items linked to it the viewer may see."""

from __future__ import annotations

from typing import Any

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.accounts.models import User
from macehub.intelligence.sections import entity_section
from macehub.meetings.selectors import meetings_about


@entity_section("meetings", template="meetings/_record_meetings.html", order=110)
def entity_meetings(user: User, entity: Any) -> dict[str, Any] | None:
    if not allows(user, Action.MEETING_VIEW):
        return None
    return {"discussed": meetings_about(user, entity), "what": "it"}
