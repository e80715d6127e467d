"""What the meetings app holds about a person for a subject access request: each agenda
item about them (a child discussed, or a person of concern named: the item's
``person``), with the meeting, the discussion and the decision, and each action agreed
on it, whoever owns it. An item taken off the agenda is still held, and says so.

What is withheld by default, each marked for the officer:

- **Items that came from crime work.** An item linked to an intelligence report, a
  group, an investigation, an exhibit or a disruption was discussed for the prevention
  or detection of crime: its discussion, its decision and its actions are withheld under
  the crime exemption (DPA 2018 Sch. 2 para 2, s.45(4) for the police), as the
  intelligence and groups they rest on are. For a person of concern this is what the hub
  plans against them; for a child, it is what the intelligence about them says.
- **Other children.** An item is about one person, so other children discussed at the
  same meeting are other items and are never gathered; the meeting's attendance (by
  agency) is not about the person and is left out. What free text names is for the
  officer's reading.

An item about the child's own case or record (or one the chair wrote) is disclosed: it
is the hub's safeguarding of the child."""

from __future__ import annotations

from django.db.models import Prefetch

from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.meetings.models import AgendaItem, MeetingAction
from macehub.ui.formatting import govuk_date

# The apps whose records an item comes from when it was discussed as crime work.
CRIME_WORK_APPS = frozenset({"intelligence", "networks", "investigations", "forensics",
                             "disruption"})
CRIME_WHY = ("Discussed from intelligence, a group, an investigation, an exhibit or a "
             "disruption: disclosing it could prejudice the prevention or detection of crime")


def _from_crime_work(item: AgendaItem) -> bool:
    return item.record_type is not None and item.record_type.app_label in CRIME_WORK_APPS


def _withheld(name: str, label: str, text: str, crime_work: bool) -> HeldField:
    return HeldField(name, label, text, withhold=RedactionReason.CRIME if crime_work else "",
                     why=CRIME_WHY if crime_work else "")


def _item(item: AgendaItem) -> HeldItem:
    meeting = item.meeting
    crime_work = _from_crime_work(item)
    return HeldItem(
        record_type="meetings.agendaitem", record_id=item.pk,
        reference=f"{meeting.reference} item {item.position}", date=meeting.held_on,
        heading=("Taken off a meeting's agenda" if item.dropped
                 else "Discussed at a meeting"),
        fields=recorded(
            HeldField("meeting", "Meeting",
                      f"{meeting.series.name}, {govuk_date(meeting.held_on)}"),
            HeldField("title", "Agenda item", item.title),
            _withheld("summary", "Discussion", item.summary, crime_work),
            _withheld("decision", "Decision", item.decision, crime_work)))


def _action(action: MeetingAction) -> HeldItem:
    item = action.item
    return HeldItem(
        record_type="meetings.meetingaction", record_id=action.pk,
        reference=action.reference, date=local_day(action.created_at),
        heading="Action agreed at a meeting",
        fields=recorded(
            HeldField("item", "Agreed on", f"{item.meeting.reference} item {item.position}"),
            _withheld("description", "Action", action.description, _from_crime_work(item)),
            HeldField("owner", "Who owns it",
                      f"{action.owner.display_name}, {action.agency.name}"),
            HeldField("due_on", "Due", govuk_date(action.due_on)),
            HeldField("status", "Status", action.get_status_display()),
            HeldField("completed_on", "Done on", govuk_date(action.completed_on))))


def _items(person_pk: int) -> list[HeldItem]:
    items = list(AgendaItem.objects.filter(person_id=person_pk).select_related(
        "meeting__series", "record_type").prefetch_related(Prefetch(
            "actions", MeetingAction.objects.select_related("owner", "agency"))))
    return [_item(item) for item in items] + [
        _action(action) for item in items for action in item.actions.all()]


SUBJECT_SOURCES.register("meetings", SubjectSource(label="Meetings", items=_items))
