"""Reminding owners of their meeting actions by notification (e-mail): actions due within
``MEETING_ACTION_REMINDER_DAYS`` days or overdue, at most once a day per action, the day
sent recorded on the action and audited. The message names the meeting and the action's
reference only: nothing about a child (the owner reads the action in the hub)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.notifications import NotificationNotSent, send_notification
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import MeetingAction

logger = logging.getLogger(__name__)


def actions_to_remind(today: dt.date) -> list[MeetingAction]:
    """Open actions due by ``today`` plus the reminder days (overdue ones too), whose
    owner has an e-mail address and was not reminded today."""
    due_by = today + dt.timedelta(days=int(settings.MEETING_ACTION_REMINDER_DAYS))
    return list(MeetingAction.objects.filter(status=ActionStatus.OPEN, due_on__lte=due_by)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .exclude(owner__email="").select_related("owner", "item__meeting__series")
                .order_by("due_on", "pk"))


def remind_owner(action: MeetingAction, today: dt.date) -> bool:
    """Notify one action's owner, then record the day it was sent."""
    meeting = action.item.meeting
    overdue = action.due_on < today
    personalisation = {
        "reference": action.reference, "meeting_reference": meeting.reference,
        "series": meeting.series.name, "held_on": format_date(meeting.held_on, "j F Y"),
        "due_on": format_date(action.due_on, "j F Y"), "overdue": "yes" if overdue else "no",
        "owner_name": action.owner.display_name, "hub_name": settings.HUB_TEAM_LABEL,
        "path": reverse("meetings:action_status", args=[action.pk])}
    try:
        send_notification(to=action.owner.email, template_key="meeting_action_reminder",
                          personalisation=personalisation)
    except NotificationNotSent:
        # The action stands and the owner still sees it in their work queue; the day is
        # not recorded, so the next run of the daily command tries again.
        logger.warning("Could not remind the owner of %s", action.reference)
        return False
    with transaction.atomic():
        MeetingAction.objects.filter(pk=action.pk).update(reminded_on=today)
        record_event(event_type=EventType.CHANGE, actor=None, actor_username="system",
                     record=action, detail={
                         "changes": {"reminded_on": {"old": action.reminded_on,
                                                     "new": today}},
                         "notified": "action owner by e-mail"})
    return True


def remind_action_owners(now: dt.datetime | None = None) -> int:
    today = timezone.localdate(now or timezone.now())
    return sum(remind_owner(action, today) for action in actions_to_remind(today))
