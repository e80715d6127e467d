"""Reading meetings, always through the access policy.

Need to know, item by item: an item linked to a record is shown only to a user the
policy lets read that record through the item's ``view_action`` (a restricted child, code
C intelligence the user's team is not permitted: neither the item nor its actions); a
free-text item is shown to every reader of the meeting. Pages, the API and the PDF all
read items through ``visible_items``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import AgendaItem, Attendance, Meeting, MeetingAction, MeetingSeries


def series_for(user: User) -> QuerySet[MeetingSeries]:
    return policy.scope(user, Action.MEETING_VIEW,
                        MeetingSeries.objects.prefetch_related("standing_agencies"))


def meetings_for(user: User) -> QuerySet[Meeting]:
    return policy.scope(user, Action.MEETING_VIEW,
                        Meeting.objects.select_related("series", "chair"))


def meeting_for(user: User, meeting_pk: int, action: Action = Action.MEETING_VIEW) -> Meeting:
    return policy.get_or_404(user, action, Meeting.objects.select_related(
        "series", "chair", "minutes_approved_by"), pk=meeting_pk)


def _visible_pks(user: User, items: Iterable[AgendaItem]) -> set[int]:
    """The pks of those of ``items`` the user may see: free text, or a record they may
    read through the item's action (one query per kind of record and action)."""
    shown: set[int] = set()
    grouped: dict[tuple[int, str], list[AgendaItem]] = defaultdict(list)
    for item in items:
        if item.record_type_id is None:
            shown.add(item.pk)
        else:
            grouped[(item.record_type_id, item.view_action)].append(item)
    for (type_pk, action), group in grouped.items():
        if not action or action not in Action.__members__.values():
            continue  # a linked item with no known rule is shown to nobody
        model = ContentType.objects.get_for_id(type_pk).model_class()
        if model is None:
            continue
        allowed = set(policy.scope(user, Action(action), model._default_manager.filter(
            pk__in=[item.record_id for item in group])).values_list("pk", flat=True))
        shown |= {item.pk for item in group if item.record_id in allowed}
    return shown


@dataclass
class ItemView:
    item: AgendaItem
    actions: list[MeetingAction] = field(default_factory=list)


def visible_items(user: User, meeting: Meeting, *, dropped: bool = False) -> list[ItemView]:
    """The meeting's items the user may see, in agenda order, each with its actions."""
    items = list(meeting.items.filter(dropped=dropped).prefetch_related(
        Prefetch("actions", queryset=MeetingAction.objects.select_related("owner", "agency"))))
    shown = _visible_pks(user, items)
    return [ItemView(item=item, actions=list(item.actions.all()))
            for item in items if item.pk in shown]


def attendance(meeting: Meeting) -> list[Attendance]:
    return list(meeting.attendance.select_related("agency"))


def actions_owned(user: User) -> QuerySet[MeetingAction]:
    """The user's own actions, open first by due date."""
    return (policy.scope(user, Action.MEETING_ACTION_VIEW, MeetingAction.objects.all())
            .filter(owner=user)
            .select_related("item__meeting__series", "agency")
            .order_by("status", "due_on", "pk"))


def open_actions_owned(user: User) -> QuerySet[MeetingAction]:
    return actions_owned(user).filter(status=ActionStatus.OPEN)


def action_for(user: User, action_pk: int) -> MeetingAction:
    """An action: its owner sees it; anyone else only with the item it was given on."""
    action = policy.get_or_404(user, Action.MEETING_ACTION_VIEW, MeetingAction.objects
                               .select_related("item__meeting__series", "owner", "agency"),
                               pk=action_pk)
    if action.owner_id != user.pk and action.item.pk not in _visible_pks(user, [action.item]):
        raise Http404("No such record")
    return action


def meetings_discussing(user: User, person_pk: int) -> list[tuple[Meeting, AgendaItem]]:
    """The meetings (the user may read) whose items (they may see) were about a person."""
    if not policy.allows(user, Action.MEETING_VIEW):
        return []
    items = list(AgendaItem.objects.filter(
        person_id=person_pk, dropped=False,
        meeting__in=meetings_for(user)).select_related("meeting__series", "meeting__chair")
        .order_by("-meeting__held_on", "position"))
    shown = _visible_pks(user, items)
    return [(item.meeting, item) for item in items if item.pk in shown]


def meetings_about(user: User, record: Model) -> list[tuple[Meeting, AgendaItem]]:
    """The meetings (the user may read) whose items (they may see) were linked to a
    record: a group, premises, a vehicle..."""
    if not policy.allows(user, Action.MEETING_VIEW):
        return []
    items = list(AgendaItem.objects.filter(
        record_type_id=ContentType.objects.get_for_model(record).pk, record_id=record.pk,
        dropped=False, meeting__in=meetings_for(user))
        .select_related("meeting__series", "meeting__chair")
        .order_by("-meeting__held_on", "position"))
    shown = _visible_pks(user, items)
    return [(item.meeting, item) for item in items if item.pk in shown]


def decisions_to_offer(user: User, *, weeks: int = 12) -> list[AgendaItem]:
    """The decisions of the last ``weeks`` weeks' meetings the user may see (items with
    a decision recorded, not dropped), newest meeting first: what a disruption, say, was
    agreed at."""
    if not policy.allows(user, Action.MEETING_VIEW):
        return []
    since = timezone.localdate() - dt.timedelta(weeks=weeks)
    items = list(AgendaItem.objects.filter(
        meeting__in=meetings_for(user), meeting__held_on__gte=since, dropped=False)
        .exclude(decision="").select_related("meeting")
        .order_by("-meeting__held_on", "position", "pk"))
    shown = _visible_pks(user, items)
    return [item for item in items if item.pk in shown]


def item_visible(user: User, item: AgendaItem) -> bool:
    """Whether the user may see this agenda item: its meeting, and its record."""
    return (policy.scope(user, Action.MEETING_VIEW, Meeting.objects.filter(
        pk=item.meeting_id)).exists() and item.pk in _visible_pks(user, [item]))
