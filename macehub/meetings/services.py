"""The one way to change a meeting. Each service is keyword-only with the acting user
first; in one transaction it fetches and locks the record through the access policy,
validates, checks the version the user saw (where the page carried one), writes and
records the audit event.

The meeting rules live here: the chair (meeting chair role) creates series and meetings,
prepares the agenda (the sources in ``meetings.agenda``, then items added, dropped and
ordered by hand), records attendance, each item's discussion and decision and its
actions, and approves the minutes. Approved minutes are frozen: every service that
changes the meeting, its attendance, items or actions' wording refuses. An action's
status (done, dropped) is still recorded after approval: that is the chasing the
minutes ask for, not a change to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted
from macehub.core.versioning import Versioning, plain_words
from macehub.days import day_starts
from macehub.meetings import linking, selectors
from macehub.meetings.agenda import CHAIR_SOURCE, AgendaContext, Proposed, registered_sources
from macehub.meetings.codes import ActionStatus, AttendanceStatus, SeriesKind
from macehub.meetings.models import (
    AgendaItem,
    Attendance,
    Meeting,
    MeetingAction,
    MeetingSeries,
)

MEETING_REFERENCE_KIND = "MTG"
ACTION_REFERENCE_KIND = "ACT"
ACTIONS_SOURCE = "actions"
FIRST_MEETING_LOOKS_BACK_DAYS = 7
FROZEN_MESSAGE = "The minutes of this meeting are approved: they can no longer be changed"

MEETING_VERSIONING = Versioning(history=saves_after, labels={
    "held_on": "Date", "chair": "Chair", "minutes_approved_at": "Minutes approved"},
    words=lambda _name, value: plain_words(value))
SERIES_VERSIONING = Versioning(history=saves_after, labels={
    "name": "Name", "kind": "Kind of meeting", "agencies": "Standing member agencies"},
    words=lambda _name, value: plain_words(value))
ITEM_VERSIONING = Versioning(history=saves_after, labels={
    "summary": "Discussion", "decision": "Decision"},
    words=lambda _name, value: plain_words(value))
ACTION_VERSIONING = Versioning(history=saves_after, labels={"status": "Status"},
                               words=lambda _name, value: plain_words(value))

TITLE_LENGTH = AgendaItem._meta.get_field("title").max_length or 300


def _meeting(actor: User, meeting_pk: int) -> Meeting:
    return policy.get_or_404(actor, Action.MEETING_RUN,
                             Meeting.objects.select_for_update(), pk=meeting_pk)


def _not_frozen(meeting: Meeting) -> None:
    if meeting.is_frozen:
        raise ServiceRefused(FROZEN_MESSAGE)


def _item(actor: User, item_pk: int) -> AgendaItem:
    item = AgendaItem.objects.select_for_update().select_related("meeting").filter(
        pk=item_pk).first()
    if item is None:
        raise ServiceRefused("No such agenda item")
    _meeting(actor, item.meeting_id)
    _not_frozen(item.meeting)
    return item


def _hub_chair(actor: User) -> None:
    policy.require(actor, Action.MEETING_RUN)
    if not actor.is_hub_member:
        raise ServiceRefused("Only a hub team member runs the hub's meetings")


def _series_answers(*, name: str, kind: str, agency_pks: Sequence[int],
                    series: MeetingSeries | None = None) -> tuple[str, list[Agency]]:
    """A series' name (unique), kind and standing member agencies, checked."""
    errors: dict[str, str] = {}
    name = name.strip()
    others = MeetingSeries.objects.filter(name__iexact=name)
    if series is not None:
        others = others.exclude(pk=series.pk)
    if not name:
        errors["name"] = "Enter the name of the series"
    elif others.exists():
        errors["name"] = "A series with this name exists already"
    if kind not in SeriesKind.values:
        errors["kind"] = "Select the kind of meeting"
    agencies = list(Agency.objects.filter(pk__in=agency_pks))
    if not agencies or len(agencies) != len(set(agency_pks)):
        errors["agencies"] = "Select the standing member agencies"
    if errors:
        raise ValidationError(errors)
    return name, agencies


@transaction.atomic
def create_series(*, actor: User, name: str, kind: str, agency_pks: Sequence[int]
                  ) -> MeetingSeries:
    """A series of meetings with its standing member agencies."""
    _hub_chair(actor)
    refuse_if_already_submitted()  # not refused for the name its first sending took
    name, agencies = _series_answers(name=name, kind=kind, agency_pks=agency_pks)
    series = MeetingSeries.objects.create(name=name, kind=kind, created_by=actor,
                                          created_at=timezone.now())
    series.standing_agencies.set(agencies)
    record_event(event_type=EventType.CREATE, actor=actor, record=series, detail={
        "name": name, "kind": kind, "agencies": sorted(a.pk for a in agencies)})
    return series


@transaction.atomic
def change_series(*, actor: User, series_pk: int, expected_version: int, name: str,
                  kind: str, agency_pks: Sequence[int]) -> MeetingSeries:
    """Rename a series, change its kind or its standing member agencies. Meetings
    already held keep the attendance they recorded."""
    _hub_chair(actor)
    series = MeetingSeries.objects.select_for_update().filter(pk=series_pk).first()
    if series is None:
        raise ServiceRefused("No such meeting series")
    SERIES_VERSIONING.check(series, expected_version)
    name, agencies = _series_answers(name=name, kind=kind, agency_pks=agency_pks,
                                     series=series)
    before = {"name": series.name, "kind": series.kind,
              "agencies": sorted(series.standing_agencies.values_list("pk", flat=True))}
    after = {"name": name, "kind": kind, "agencies": sorted(a.pk for a in agencies)}
    series.name, series.kind = name, kind
    SERIES_VERSIONING.save(series, expected_version=expected_version,
                           update_fields=["name", "kind"])
    series.standing_agencies.set(agencies)
    record_event(event_type=EventType.CHANGE, actor=actor, record=series, detail={
        "changes": changed_values(before, after), "version": series.version})
    return series


def _meeting_answers(*, series: MeetingSeries, held_on: dt.date | None,
                     chair_pk: int | None, meeting: Meeting | None = None
                     ) -> tuple[dt.date, User]:
    """A meeting's day (one a day per series) and its chair (an active meeting chair)."""
    errors: dict[str, str] = {}
    same_day = Meeting.objects.filter(series=series)
    if meeting is not None:
        same_day = same_day.exclude(pk=meeting.pk)
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif same_day.filter(held_on=held_on).exists():
        errors["held_on"] = "The series has a meeting on this day already"
    chair = None if chair_pk is None else User.objects.filter(
        pk=chair_pk, is_active=True, role_assignments__role=Role.MEETING_CHAIR).first()
    if chair is None:
        errors["chair"] = "Select a meeting chair"
    if errors or held_on is None or chair is None:
        raise ValidationError(errors)
    return held_on, chair


@transaction.atomic
def schedule_meeting(*, actor: User, series_pk: int, held_on: dt.date | None,
                     chair_pk: int | None) -> Meeting:
    """A meeting of the series on a day, with its chair (a meeting chair)."""
    _hub_chair(actor)
    series = MeetingSeries.objects.select_for_update().filter(pk=series_pk).first()
    if series is None:
        raise ServiceRefused("No such meeting series")
    # The same form sent again would be refused for the day its first sending took: it
    # is told it was already submitted instead.
    refuse_if_already_submitted()
    held_on, chair = _meeting_answers(series=series, held_on=held_on, chair_pk=chair_pk)
    now = timezone.now()
    meeting = Meeting(series=series, held_on=held_on, chair=chair, created_by=actor,
                      created_at=now)
    save_with_reference(meeting, kind=MEETING_REFERENCE_KIND, year=held_on.year)
    record_event(event_type=EventType.CREATE, actor=actor, record=meeting, detail={
        "series": series.pk, "held_on": held_on.isoformat(), "chair": chair.pk})
    return meeting


@transaction.atomic
def change_meeting(*, actor: User, meeting_pk: int, expected_version: int,
                   held_on: dt.date | None, chair_pk: int | None) -> Meeting:
    """Move a meeting to another day or give it another chair, until its minutes are
    approved. Actions already given keep their due dates, so the new day must not come
    after any of them; once the agenda is prepared (from what changed since the series'
    last meeting) the meeting cannot move past another meeting of the series."""
    meeting = _meeting(actor, meeting_pk)
    _not_frozen(meeting)
    MEETING_VERSIONING.check(meeting, expected_version)
    held_on, chair = _meeting_answers(series=meeting.series, held_on=held_on,
                                      chair_pk=chair_pk, meeting=meeting)
    errors: dict[str, str] = {}
    if MeetingAction.objects.filter(item__meeting=meeting, due_on__lt=held_on).exists():
        errors["held_on"] = ("The meeting has given actions due before this day: "
                             "it must be on or before their due dates")
    elif meeting.agenda_prepared_at is not None and Meeting.objects.filter(
            series_id=meeting.series_id, held_on__gt=min(held_on, meeting.held_on),
            held_on__lt=max(held_on, meeting.held_on)).exists():
        errors["held_on"] = ("The agenda is prepared from what changed since the "
                             "series' last meeting: the meeting cannot move past another "
                             "meeting of the series")
    if errors:
        raise ValidationError(errors)
    before = {"held_on": meeting.held_on.isoformat(), "chair": meeting.chair.display_name}
    meeting.held_on, meeting.chair = held_on, chair
    MEETING_VERSIONING.save(meeting, expected_version=expected_version,
                            update_fields=["held_on", "chair"])
    after = {"held_on": held_on.isoformat(), "chair": chair.display_name}
    record_event(event_type=EventType.CHANGE, actor=actor, record=meeting, detail={
        "changes": changed_values(before, after), "version": meeting.version})
    return meeting


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (Meeting.objects.filter(series_id=meeting.series_id, held_on__lt=meeting.held_on)
            .order_by("-held_on", "-pk").first())


def agenda_context(meeting: Meeting, now: dt.datetime | None = None) -> AgendaContext:
    """What changed since the series' last meeting: from the moment its agenda covered
    up to (``agenda_prepared_at``; the start of its day if none was prepared; for a
    series' first meeting, the week before it) to now, or the end of this meeting's day
    if that is sooner."""
    previous = previous_meeting(meeting)
    if previous is not None:
        since = previous.agenda_prepared_at or day_starts(previous.held_on)
    else:  # a series' first meeting looks back over the week before it
        since = day_starts(meeting.held_on - dt.timedelta(days=FIRST_MEETING_LOOKS_BACK_DAYS))
    until = min(now or timezone.now(), day_starts(meeting.held_on + dt.timedelta(days=1)))
    context = AgendaContext(meeting=meeting, since=since, until=until,
                            previous_meeting=previous)
    for item in meeting.items.filter(dropped=False):
        context.note(_as_proposed(item))
    return context


def _as_proposed(item: AgendaItem) -> Proposed:
    return Proposed(title=item.title, link=item.link, record_type_id=item.record_type_id,
                    record_id=item.record_id, view_action=item.view_action,
                    person_id=item.person_id)


def _next_position(meeting: Meeting) -> int:
    last = meeting.items.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def _item_key(source: str, record_type_id: int | None, record_id: int | None,
              title: str) -> tuple[object, ...]:
    """What makes an item the same item again: its record, for a source's item about
    one; its title for free text; the action's reference for an action reported back
    (several actions may share the record of the item that gave them)."""
    if source == ACTIONS_SOURCE:
        return (source, title.split(" – ")[0])
    if record_type_id is None:
        return (source, title)
    return (source, record_type_id, record_id)


def write_agenda(meeting: Meeting, now: dt.datetime | None = None
                 ) -> tuple[AgendaContext, list[AgendaItem]]:
    """Add to the meeting's agenda what each registered source proposes, in order, each
    record once (an item already on the agenda, or dropped from it, is not added again).
    No check and no audit: ``prepare_agenda`` is the service (the demo writes history)."""
    context = agenda_context(meeting, now)
    existing = {_item_key(item.source, item.record_type_id, item.record_id, item.title)
                for item in meeting.items.all()}
    position = _next_position(meeting)
    added: list[AgendaItem] = []
    for source in registered_sources():
        for proposed in source.propose(context):
            key = _item_key(source.key, proposed.record_type_id, proposed.record_id,
                            proposed.title)
            if key in existing:
                continue
            existing.add(key)
            context.note(proposed)
            added.append(AgendaItem(
                meeting=meeting, position=position, source=source.key,
                title=proposed.title[:TITLE_LENGTH], record_type_id=proposed.record_type_id,
                record_id=proposed.record_id, view_action=proposed.view_action,
                link=proposed.link, person_id=proposed.person_id))
            position += 1
    AgendaItem.objects.bulk_create(added)
    return context, added


@transaction.atomic
def prepare_agenda(*, actor: User, meeting_pk: int, expected_version: int) -> list[AgendaItem]:
    """Write the agenda from what changed since the series' last meeting: each
    registered source in order, each record once (an item already on the agenda, or
    dropped from it, is not added again). Run again, it adds only what is new."""
    meeting = _meeting(actor, meeting_pk)
    _not_frozen(meeting)
    MEETING_VERSIONING.check(meeting, expected_version)
    context, added = write_agenda(meeting)
    meeting.agenda_prepared_at = context.until
    MEETING_VERSIONING.save(meeting, expected_version=expected_version,
                            update_fields=["agenda_prepared_at"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=meeting, detail={
        "agenda_prepared": True, "items_added": len(added), "version": meeting.version})
    return added


@transaction.atomic
def add_item(*, actor: User, meeting_pk: int, title: str, link_kind: str = "",
             link_reference: str = "") -> AgendaItem:
    """An item the chair adds: free text, or a link to a record they may read (by its
    kind and reference, ``meetings.linking``)."""
    meeting = _meeting(actor, meeting_pk)
    _not_frozen(meeting)
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Enter what the item is about"
    elif len(title) > TITLE_LENGTH:
        errors["title"] = f"The item must be {TITLE_LENGTH} characters or fewer"
    found: linking.Linked | None = None
    if link_kind or link_reference.strip():
        try:
            found = linking.find(actor, link_kind, link_reference)
        except ValidationError as error:
            errors.update({key: " ".join(str(m) for m in messages)
                           for key, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    item = AgendaItem(meeting=meeting, position=_next_position(meeting), source=CHAIR_SOURCE,
                      title=title, added_by=actor)
    if found is not None:
        item.record_type = ContentType.objects.get_for_model(found.record)
        item.record_id = found.record.pk
        item.view_action = str(found.view_action)
        item.link = found.link
        item.person_id = found.person_id
    item.save()
    record_event(event_type=EventType.CHANGE, actor=actor, record=meeting, detail={
        "item_added": item.pk, "linked": item.record_type_id is not None})
    return item


@transaction.atomic
def drop_item(*, actor: User, item_pk: int, expected_version: int) -> AgendaItem:
    """Take an item off the agenda (kept, marked dropped: preparing the agenda again
    does not bring it back). An item with actions stays."""
    item = _item(actor, item_pk)
    ITEM_VERSIONING.check(item, expected_version)
    if item.actions.exists():
        raise ServiceRefused("This item has actions: it stays on the agenda")
    item.dropped = True
    ITEM_VERSIONING.save(item, expected_version=expected_version, update_fields=["dropped"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=item.meeting, detail={
        "item_dropped": item.pk})
    return item


@transaction.atomic
def move_item(*, actor: User, item_pk: int, up: bool) -> AgendaItem:
    """Move an item one place up or down the agenda (among the items not dropped)."""
    item = _item(actor, item_pk)
    neighbours = AgendaItem.objects.select_for_update().filter(
        meeting_id=item.meeting_id, dropped=False).exclude(pk=item.pk)
    other = (neighbours.filter(position__lt=item.position).order_by("-position").first()
             if up else
             neighbours.filter(position__gt=item.position).order_by("position").first())
    if other is None:
        return item
    item.position, other.position = other.position, item.position
    AgendaItem.objects.bulk_update([item, other], ["position"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=item.meeting, detail={
        "item_moved": item.pk, "up": up})
    return item


@dataclass(frozen=True)
class AttendanceRow:
    agency_pk: int
    status: str
    attendee: str = ""


@transaction.atomic
def record_attendance(*, actor: User, meeting_pk: int, expected_version: int,
                      rows: Sequence[AttendanceRow]) -> Meeting:
    """Who came, agency by agency: each standing member agency (and any other that
    came) present, a deputy sent, apologies or absent."""
    meeting = _meeting(actor, meeting_pk)
    _not_frozen(meeting)
    MEETING_VERSIONING.check(meeting, expected_version)
    errors: dict[str, str] = {}
    known = set(Agency.objects.filter(pk__in=[row.agency_pk for row in rows])
                .values_list("pk", flat=True))
    for row in rows:
        if row.agency_pk not in known:
            errors[f"agency_{row.agency_pk}"] = "Select an agency"
        elif row.status not in AttendanceStatus.values:
            errors[f"agency_{row.agency_pk}"] = "Select how the agency attended"
        elif row.status == AttendanceStatus.DEPUTY and not row.attendee.strip():
            errors[f"attendee_{row.agency_pk}"] = "Enter the deputy's name and role"
    if errors:
        raise ValidationError(errors)
    for row in rows:
        Attendance.objects.update_or_create(
            meeting=meeting, agency_id=row.agency_pk,
            defaults={"status": row.status, "attendee": row.attendee.strip()[:200]})
    MEETING_VERSIONING.save(meeting, expected_version=expected_version, update_fields=[])
    record_event(event_type=EventType.CHANGE, actor=actor, record=meeting, detail={
        "attendance": {str(row.agency_pk): row.status for row in rows},
        "version": meeting.version})
    return meeting


@transaction.atomic
def record_discussion(*, actor: User, item_pk: int, expected_version: int, summary: str,
                      decision: str) -> AgendaItem:
    """The discussion of an item, in short, and the decision."""
    item = _item(actor, item_pk)
    ITEM_VERSIONING.check(item, expected_version)
    if item.dropped:
        raise ServiceRefused("This item was dropped from the agenda")
    if not summary.strip() and not decision.strip():
        raise ServiceRefused("Enter the discussion or the decision", field="summary")
    before = {"summary": item.summary, "decision": item.decision}
    item.summary, item.decision = summary.strip(), decision.strip()
    ITEM_VERSIONING.save(item, expected_version=expected_version,
                         update_fields=["summary", "decision"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=item.meeting, detail={
        "item": item.pk, "discussion_changed": before["summary"] != item.summary,
        "decision_changed": before["decision"] != item.decision, "version": item.version})
    return item


@transaction.atomic
def add_action(*, actor: User, item_pk: int, description: str, owner_pk: int | None,
               agency_pk: int | None, due_on: dt.date | None) -> MeetingAction:
    """An action the meeting gave on an item: what, who (a user), for which agency and
    by when."""
    item = _item(actor, item_pk)
    if item.dropped:
        raise ServiceRefused("This item was dropped from the agenda")
    errors: dict[str, str] = {}
    if not description.strip():
        errors["description"] = "Enter what is to be done"
    owner = User.objects.filter(pk=owner_pk, is_active=True).first() if owner_pk else None
    if owner is None:
        errors["owner"] = "Select who owns the action"
    agency = Agency.objects.filter(pk=agency_pk).first() if agency_pk else None
    if agency is None:
        errors["agency"] = "Select the agency"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    elif due_on < item.meeting.held_on:
        errors["due_on"] = "The due date must be on or after the meeting"
    if errors or owner is None or agency is None or due_on is None:
        raise ValidationError(errors)
    now = timezone.now()
    action = MeetingAction(item=item, description=description.strip(), owner=owner,
                           agency=agency, due_on=due_on, created_by=actor, created_at=now)
    save_with_reference(action, kind=ACTION_REFERENCE_KIND, year=item.meeting.held_on.year)
    record_event(event_type=EventType.CREATE, actor=actor, record=action, detail={
        "meeting": item.meeting_id, "item": item.pk, "owner": owner.pk,
        "agency": agency.pk, "due_on": due_on.isoformat()})
    return action


@transaction.atomic
def set_action_status(*, actor: User, action_pk: int, expected_version: int, status: str,
                      completed_on: dt.date | None = None) -> MeetingAction:
    """Record an action done (on a day, today by default) or dropped, or open again: by
    its owner, or by a meeting chair who may see the item it was given on."""
    selectors.action_for(actor, action_pk)  # 404 unless the actor may know it exists
    action = MeetingAction.objects.select_for_update().select_related(
        "item__meeting").get(pk=action_pk)
    if not policy.can(actor, Action.MEETING_ACTION_UPDATE, action):
        raise ServiceRefused("Only the action's owner or a meeting chair records this")
    ACTION_VERSIONING.check(action, expected_version)
    if status not in ActionStatus.values:
        raise ServiceRefused("Select where the action stands", field="status")
    today = timezone.localdate()
    if status == ActionStatus.DONE:
        completed_on = completed_on or today
        if completed_on > today:
            raise ServiceRefused("The date it was done must be today or in the past",
                                 field="completed_on")
        if completed_on < action.item.meeting.held_on:
            raise ServiceRefused("The date it was done must be on or after the meeting",
                                 field="completed_on")
    else:
        completed_on = None
    before = action.status
    action.status, action.completed_on = status, completed_on
    action.status_changed_at = timezone.now()
    ACTION_VERSIONING.save(action, expected_version=expected_version,
                           update_fields=["status", "completed_on", "status_changed_at"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=action, detail={
        "changes": changed_values({"status": before}, {"status": status}),
        "completed_on": completed_on.isoformat() if completed_on else None,
        "version": action.version})
    return action


@transaction.atomic
def approve_minutes(*, actor: User, meeting_pk: int, expected_version: int) -> Meeting:
    """The chair approves the minutes: from now on they are frozen. Only once the
    meeting has been held and its attendance recorded."""
    meeting = _meeting(actor, meeting_pk)
    _not_frozen(meeting)
    MEETING_VERSIONING.check(meeting, expected_version)
    if meeting.chair_id != actor.pk:
        raise ServiceRefused("Only the meeting's chair approves its minutes")
    if meeting.held_on > timezone.localdate():
        raise ServiceRefused("The meeting has not been held yet")
    if not meeting.attendance.exists():
        raise ServiceRefused("Record the attendance before approving the minutes")
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by = actor
    MEETING_VERSIONING.save(meeting, expected_version=expected_version,
                            update_fields=["minutes_approved_at", "minutes_approved_by"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=meeting, detail={
        "minutes_approved": True, "version": meeting.version})
    return meeting
