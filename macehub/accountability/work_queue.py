"""What the inspection tracker puts in people's work queues (see
``macehub.core.work_queue``): each open action on an inspection's recommendation the
user owns, by due date, overdue ones flagged (from the day after the due date)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accountability import selectors
from macehub.accounts.models import User
from macehub.core.work_queue import HIGH, NORMAL, WorkItem, work_queue_source

ACTION_RECORD = "accountability.improvementaction"


@work_queue_source("inspection_actions", label="Inspection actions", order=95,
                   everything="accountability:my_actions")
def inspection_actions(user: User, now: dt.datetime) -> list[WorkItem]:
    if not policy.allows(user, Action.IMPROVEMENT_ACTION_UPDATE):
        return []
    today = timezone.localdate(now)
    items = []
    for action in selectors.open_actions_owned(user):
        overdue = action.due_on < today
        recommendation = action.recommendation
        items.append(WorkItem(
            kind="Inspection action", title=action.description[:80],
            link=reverse("accountability:action_update", args=[action.pk]),
            action="Record where it stands",
            detail=f"{recommendation}: {recommendation.inspection.title}",
            due_on=action.due_on, urgency=HIGH if overdue else NORMAL,
            tag="Overdue" if overdue else "", tag_colour="red" if overdue else "",
            names_record=(ACTION_RECORD, action.pk)))
    return items
