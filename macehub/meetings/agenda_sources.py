"""The agenda sources meetings holds itself: children newly at High risk, children
missing often (the cases app's strategy-meeting rule), groups proposed or confirmed, new
intelligence about people and entities already on the agenda, and the series' actions
reported back (open, overdue, done since the last meeting)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse

from macehub.access.actions import Action
from macehub.cases.codes import RiskTier
from macehub.cases.models import MissingEpisode, RiskTierChange
from macehub.intelligence.models import IntelligenceReport, Premises, ReportLink, Vehicle
from macehub.meetings.agenda import AgendaContext, Proposed, agenda_source, proposed
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import AgendaItem, MeetingAction
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group
from macehub.people.models import Person


def _window(context: AgendaContext, field: str) -> Q:
    window = Q(**{f"{field}__lte": context.until})
    if context.since is not None:
        window &= Q(**{f"{field}__gt": context.since})
    return window


@agenda_source("high_risk", label="Children newly at High risk", order=10)
def children_newly_high_risk(context: AgendaContext) -> Iterable[Proposed]:
    changes = (RiskTierChange.objects.filter(_window(context, "changed_at"),
                                             to_tier=RiskTier.HIGH)
               .select_related("case", "case__child").order_by("changed_at", "pk"))
    seen: set[int] = set()
    for change in changes:
        case = change.case
        if case.pk in seen:
            continue
        seen.add(case.pk)
        yield proposed(case, title=f"{case.child.full_name} ({case.reference}) now at High "
                       f"risk", view_action=Action.CASE_VIEW,
                       link=reverse("cases:detail", args=[case.pk]), person_id=case.child_id)


@agenda_source("missing_often", label="Children missing often", order=20)
def children_missing_often(context: AgendaContext) -> Iterable[Proposed]:
    """Children with ``MISSING_EPISODES_FOR_STRATEGY_MEETING`` or more episodes within
    ``MISSING_EPISODES_WINDOW_DAYS`` (the cases app's rule), one of them since the last
    meeting."""
    threshold = int(settings.MISSING_EPISODES_FOR_STRATEGY_MEETING)
    window_start = context.until - dt.timedelta(days=int(settings.MISSING_EPISODES_WINDOW_DAYS))
    recent = _window(context, "went_missing_at")
    counts = (MissingEpisode.objects
              .filter(went_missing_at__gt=window_start, went_missing_at__lte=context.until)
              .values("child_id").annotate(episodes=Count("pk"),
                                           new=Count("pk", filter=recent))
              .filter(episodes__gte=threshold, new__gt=0).order_by("child_id"))
    found = {row["child_id"]: row["episodes"] for row in counts}
    for child in Person.objects.filter(pk__in=found).order_by("pk"):
        yield proposed(child, title=f"{child.full_name} missing {found[child.pk]} times in "
                       f"{settings.MISSING_EPISODES_WINDOW_DAYS} days",
                       view_action=Action.PERSON_VIEW,
                       link=reverse("people:detail", args=[child.pk]), person_id=child.pk)


@agenda_source("groups", label="Groups proposed or confirmed", order=30)
def groups_proposed_or_confirmed(context: AgendaContext) -> Iterable[Proposed]:
    proposed_groups = Group.objects.filter(_window(context, "proposed_at"))
    confirmed = Group.objects.filter(_window(context, "decided_at"),
                                     status=GroupStatus.CONFIRMED)
    for group in (proposed_groups | confirmed).distinct().order_by("proposed_at", "pk"):
        what = ("confirmed" if group.status == GroupStatus.CONFIRMED
                and context.in_window(group.decided_at) else "proposed")
        yield proposed(group, title=f"Group {group.reference} {group.name} {what}",
                       view_action=Action.GROUP_VIEW,
                       link=reverse("networks:group_detail", args=[group.pk]))


def _series_earlier_items(context: AgendaContext) -> Iterable[AgendaItem]:
    meeting = context.meeting
    return AgendaItem.objects.filter(
        meeting__series_id=meeting.series_id,  # type: ignore[attr-defined]
        meeting__held_on__lt=meeting.held_on,  # type: ignore[attr-defined]
        dropped=False)


@agenda_source("new_intelligence", label="New intelligence on what is on the agenda",
               order=80)
def new_intelligence(context: AgendaContext) -> Iterable[Proposed]:
    """Reports received since the last meeting that name a person, vehicle or premises
    on this agenda or an earlier one of the series."""
    people = set(context.people)
    vehicles: set[int] = set()
    premises: set[int] = set()
    earlier = _series_earlier_items(context)
    people |= {pk for pk in earlier.values_list("person_id", flat=True)  # type: ignore[attr-defined]
               if pk is not None}
    for model, into in ((Vehicle, vehicles), (Premises, premises)):
        into |= {pk for _type, pk in context.on_agenda if context.has(model, pk)}
        into |= set(earlier.filter(  # type: ignore[attr-defined]
            record_type__app_label=model._meta.app_label,
            record_type__model=model._meta.model_name).values_list("record_id", flat=True))
    about = Q(person_id__in=people) | Q(vehicle_id__in=vehicles) | Q(premises_id__in=premises)
    links = (ReportLink.objects.filter(about, _window(context, "report__received_at"))
             .order_by("report__received_at", "report_id", "pk"))
    firsts: dict[int, int | None] = {}
    for report_id, person_id in links.values_list("report_id", "person_id"):
        if report_id not in firsts or (firsts[report_id] is None and person_id is not None):
            firsts[report_id] = person_id if person_id in people else None
    reports = IntelligenceReport.objects.in_bulk(list(firsts))
    for report_id, about_person in firsts.items():
        report = reports[report_id]
        yield proposed(report, title=f"New intelligence {report.reference}",
                       view_action=Action.INTELLIGENCE_VIEW,
                       link=reverse("intelligence:report_detail", args=[report.pk]),
                       person_id=about_person)


@agenda_source("actions", label="Actions reported back", order=90)
def actions_reported_back(context: AgendaContext) -> Iterable[Proposed]:
    """The series' open actions (overdue ones marked) and those done since the last
    meeting, each with the record of the item that gave it (so the same people see it)."""
    meeting = context.meeting
    until_day = context.until.date()
    # Where each action stood when the meeting met (the same answer for history).
    done_by_then = Q(status=ActionStatus.DONE, completed_on__lte=until_day)
    closed_by_then = done_by_then | Q(status=ActionStatus.DROPPED,
                                      status_changed_at__lte=context.until)
    done_since = done_by_then
    if context.since is not None:
        done_since &= Q(completed_on__gte=context.since.date())
    actions = (MeetingAction.objects
               .filter(item__meeting__series_id=meeting.series_id,  # type: ignore[attr-defined]
                       item__meeting__held_on__lt=meeting.held_on)  # type: ignore[attr-defined]
               .filter(~closed_by_then | done_since)
               .select_related("item", "owner").order_by("due_on", "pk"))
    today = meeting.held_on  # type: ignore[attr-defined]
    for action in actions:
        if action.status == ActionStatus.DONE and action.completed_on is not None \
                and action.completed_on <= until_day:
            state = f"done on {action.completed_on:%d %B %Y}"
        elif action.due_on < today:
            state = f"overdue (due {action.due_on:%d %B %Y})"
        else:
            state = f"open (due {action.due_on:%d %B %Y})"
        item = action.item
        yield Proposed(title=f"Action {action.reference} – {action.owner.display_name}: {state}",
                       link=item.link, record_type_id=item.record_type_id,
                       record_id=item.record_id, view_action=item.view_action,
                       person_id=item.person_id)
