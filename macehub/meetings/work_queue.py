"""What meetings put in people's work queues (see ``macehub.core.work_queue``): each
open action a meeting gave the user, by due date, overdue ones flagged (from the day
after the due date) and marked with an "Overdue" tag."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.core.work_queue import HIGH, NORMAL, WorkItem, work_queue_source
from macehub.meetings import selectors

ACTION_RECORD = "meetings.meetingaction"


@work_queue_source("meeting_actions", label="Meeting actions", order=60,
                   everything="meetings:my_actions")
def meeting_actions(user: User, now: dt.datetime) -> list[WorkItem]:
    if not policy.allows(user, Action.MEETING_ACTION_UPDATE):
        return []
    today = timezone.localdate(now)
    items = []
    for action in selectors.open_actions_owned(user):
        overdue = action.due_on < today
        items.append(WorkItem(
            kind="Meeting action", title=f"{action.reference}: {action.description[:80]}",
            link=reverse("meetings:action_status", args=[action.pk]),
            action="Record where it stands",
            detail=f"From {action.item.meeting.reference} "
                   f"({action.item.meeting.series.name}).",
            due_on=action.due_on, urgency=HIGH if overdue else NORMAL,
            tag="Overdue" if overdue else "", tag_colour="red" if overdue else "",
            names_record=(ACTION_RECORD, action.pk)))
    return items
