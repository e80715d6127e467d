"""Meetings pages: the series and their meetings, a meeting's page (attendance, the
agenda with each item's discussion, decision and actions, as far as the reader may see
them), the chair's pages that prepare the agenda, add, drop and order items, record
attendance, discussion and actions and approve the minutes, the minutes as a PDF, and an
action owner's own actions. Thin: ``meetings.selectors`` reads through ``access``;
``meetings.services`` decides and audits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors, refusal_text
from macehub.core.versioning import EditConflict
from macehub.governance.requested_jobs import start_requested_job
from macehub.meetings import background_jobs, selectors, services
from macehub.meetings.agenda import source_label
from macehub.meetings.codes import ActionStatus
from macehub.meetings.forms import (
    ActionForm,
    ActionStatusForm,
    DiscussionForm,
    ItemForm,
    MeetingChangeForm,
    MeetingForm,
    SeriesChangeForm,
    SeriesForm,
    VersionForm,
    attendance_form,
)
from macehub.meetings.models import AgendaItem, MeetingSeries
from macehub.ui.form_pages import answer_form

CONFLICT_MESSAGE = ("Someone else changed this meeting while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")


def _status(form: Any) -> int:
    return 400 if form is not None and form.errors else 200


def _to_meeting(meeting_pk: int) -> HttpResponse:
    return redirect("meetings:detail", meeting_pk=meeting_pk)


@requires(Action.MEETING_VIEW)
def meeting_list(request: HubRequest) -> HttpResponse:
    user = request.user
    return render(request, "meetings/meeting_list.html", {
        "series": list(selectors.series_for(user)),
        "meetings": list(selectors.meetings_for(user)[:60]),
        "may_run": policy.allows(user, Action.MEETING_RUN) and user.is_hub_member,
        "overdue": selectors.open_actions_owned(user).filter(
            due_on__lt=timezone.localdate()).count(),
    })


@requires(Action.MEETING_RUN)
def new_series(request: HubRequest) -> HttpResponse:
    form = SeriesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.create_series(actor=request.user, name=data["name"],
                                            kind=data["kind"], agency_pks=data["agencies"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{series.name}: series created.")
            return redirect("meetings:list")
    return render(request, "meetings/new_series.html", {"form": form}, status=_status(form))


@requires(Action.MEETING_RUN)
def change_series(request: HubRequest, meeting_series_pk: int) -> HttpResponse:
    """The chair renames a series or changes its kind or standing member agencies."""
    series = policy.get_or_404(request.user, Action.MEETING_RUN,
                               MeetingSeries.objects.prefetch_related("standing_agencies"),
                               pk=meeting_series_pk)
    if request.method == "GET":
        opening.record_viewed(request, series, page="change the series")

    def make(data: Any) -> Any:
        return SeriesChangeForm(data, initial={
            "version": series.version, "name": series.name, "kind": series.kind,
            "agencies": [agency.pk for agency in series.standing_agencies.all()]})

    def save(data: dict[str, Any]) -> str:
        changed = services.change_series(
            actor=request.user, series_pk=series.pk, expected_version=data["version"],
            name=data["name"], kind=data["kind"], agency_pks=data["agencies"])
        return f"{changed.name}: series changed."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("meetings:list")
    return render(request, "meetings/change_series.html", {
        "series": series, "form": answered.form, "conflict": answered.conflict},
        status=answered.status)


@requires(Action.MEETING_RUN)
def new_meeting(request: HubRequest) -> HttpResponse:
    form = MeetingForm(request.POST if request.method == "POST" else None,
                       initial={"chair": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.schedule_meeting(
                actor=request.user, series_pk=data["series"], held_on=data["held_on"],
                chair_pk=data["chair"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{meeting.reference} arranged.")
            return _to_meeting(meeting.pk)
    return render(request, "meetings/new_meeting.html", {"form": form}, status=_status(form))


@requires(Action.MEETING_VIEW)
def meeting_detail(request: HubRequest, meeting_pk: int) -> HttpResponse:
    user = request.user
    meeting = selectors.meeting_for(user, meeting_pk)
    items = selectors.visible_items(user, meeting)
    opening.record_viewed(request, meeting, page="meeting",
                          detail={"items_shown": [view.item.pk for view in items]})
    may_run = policy.can(user, Action.MEETING_RUN, meeting)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "items": [
            {"view": view, "source": source_label(view.item.source)} for view in items],
        "dropped": selectors.visible_items(user, meeting, dropped=True) if may_run else [],
        "attendance": selectors.attendance(meeting), "may_run": may_run,
        "may_change": may_run and not meeting.is_frozen,
        "may_approve": may_run and not meeting.is_frozen and meeting.chair_id == user.pk,
        "today": timezone.localdate(),
    })


def _post_with_version(request: HubRequest, meeting_pk: int,
                       change: Callable[[int], str]) -> HttpResponse:
    """A button that changes the meeting from the version the page showed: the change
    (given that version) returns what to tell the user; a conflict or a refusal is told
    instead. Back to the meeting either way."""
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            done = change(form.cleaned_data["version"])
        except EditConflict:
            messages.error(request, CONFLICT_MESSAGE)
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, done)
    return _to_meeting(meeting_pk)


@requires(Action.MEETING_RUN)
@require_POST
def prepare_agenda(request: HubRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_pk, Action.MEETING_RUN)

    def prepare(version: int) -> str:
        added = services.prepare_agenda(actor=request.user, meeting_pk=meeting.pk,
                                        expected_version=version)
        return f"Agenda prepared: {len(added)} new item{'s' if len(added) != 1 else ''}."

    return _post_with_version(request, meeting.pk, prepare)


@requires(Action.MEETING_RUN)
@require_POST
def approve_minutes(request: HubRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_pk, Action.MEETING_RUN)

    def approve(version: int) -> str:
        services.approve_minutes(actor=request.user, meeting_pk=meeting.pk,
                                 expected_version=version)
        return "Minutes approved. They can no longer be changed."

    return _post_with_version(request, meeting.pk, approve)


@requires(Action.MEETING_RUN)
def change_meeting(request: HubRequest, meeting_pk: int) -> HttpResponse:
    """The chair moves the meeting to another day or gives it another chair."""
    meeting = selectors.meeting_for(request.user, meeting_pk, Action.MEETING_RUN)
    if request.method == "GET":
        opening.record_viewed(request, meeting, page="change the meeting")

    def make(data: Any) -> Any:
        return MeetingChangeForm(data, initial={
            "version": meeting.version, "held_on": meeting.held_on,
            "chair": meeting.chair_id})

    def save(data: dict[str, Any]) -> str:
        changed = services.change_meeting(
            actor=request.user, meeting_pk=meeting.pk, expected_version=data["version"],
            held_on=data["held_on"], chair_pk=data["chair"])
        return f"{changed.reference} changed."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _to_meeting(meeting.pk)
    return render(request, "meetings/change_meeting.html", {
        "meeting": meeting, "form": answered.form, "conflict": answered.conflict},
        status=answered.status)


@requires(Action.MEETING_RUN)
def add_item(request: HubRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_pk, Action.MEETING_RUN)
    if request.method == "GET":
        opening.record_viewed(request, meeting, page="add an agenda item")
    form = ItemForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_item(actor=request.user, meeting_pk=meeting.pk, title=data["title"],
                              link_kind=data["link_kind"],
                              link_reference=data["link_reference"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Item added to the agenda.")
            return _to_meeting(meeting.pk)
    return render(request, "meetings/add_item.html", {"meeting": meeting, "form": form},
                  status=_status(form))


@requires(Action.MEETING_RUN)
def attendance(request: HubRequest, meeting_pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_pk, Action.MEETING_RUN)
    if request.method == "GET":
        opening.record_viewed(request, meeting, page="attendance")
    agencies = list(meeting.series.standing_agencies.order_by("name"))
    recorded = {row.agency_id: row for row in selectors.attendance(meeting)}
    initial: dict[str, Any] = {"version": meeting.version}
    for agency_pk, row in recorded.items():
        initial[f"agency_{agency_pk}"] = row.status
        initial[f"attendee_{agency_pk}"] = row.attendee

    def make(data: Any) -> Any:
        return attendance_form(agencies, data, initial=initial)

    def save(data: dict[str, Any]) -> str:
        services.record_attendance(
            actor=request.user, meeting_pk=meeting.pk, expected_version=data["version"],
            rows=[services.AttendanceRow(agency.pk, data[f"agency_{agency.pk}"],
                                         data[f"attendee_{agency.pk}"]) for agency in agencies])
        return "Attendance recorded."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _to_meeting(meeting.pk)
    return render(request, "meetings/attendance.html", {
        "meeting": meeting, "form": answered.form, "conflict": answered.conflict},
        status=answered.status)


def _item_for(request: HubRequest, item_pk: int) -> AgendaItem:
    """An item the chair may change, and may see (its record's own rule): 404 else."""
    item = policy.get_or_404(request.user, Action.MEETING_RUN,
                             AgendaItem.objects.select_related("meeting__series"),
                             pk=item_pk)
    if not policy.can(request.user, Action.MEETING_RUN, item.meeting) or not [
            view for view in selectors.visible_items(request.user, item.meeting,
                                                     dropped=item.dropped)
            if view.item.pk == item.pk]:
        raise Http404("No such record")
    return item


@requires(Action.MEETING_RUN)
def discussion(request: HubRequest, agenda_item_pk: int) -> HttpResponse:
    item = _item_for(request, agenda_item_pk)
    if request.method == "GET":
        opening.record_viewed(request, item, page="discussion and decision")

    def make(data: Any) -> Any:
        return DiscussionForm(data, initial={"version": item.version, "summary": item.summary,
                                             "decision": item.decision})

    def save(data: dict[str, Any]) -> str:
        services.record_discussion(actor=request.user, item_pk=item.pk,
                                   expected_version=data["version"],
                                   summary=data["summary"], decision=data["decision"])
        return "Discussion and decision recorded."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _to_meeting(item.meeting_id)
    return render(request, "meetings/discussion.html", {
        "item": item, "meeting": item.meeting, "form": answered.form,
        "conflict": answered.conflict}, status=answered.status)


@requires(Action.MEETING_RUN)
def add_action(request: HubRequest, agenda_item_pk: int) -> HttpResponse:
    item = _item_for(request, agenda_item_pk)
    if request.method == "GET":
        opening.record_viewed(request, item, page="add an action")
    form = ActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.add_action(actor=request.user, item_pk=item.pk,
                                         description=data["description"],
                                         owner_pk=data["owner"], agency_pk=data["agency"],
                                         due_on=data["due_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Action {action.reference} recorded.")
            return _to_meeting(item.meeting_id)
    return render(request, "meetings/add_action.html", {
        "item": item, "meeting": item.meeting, "form": form}, status=_status(form))


@requires(Action.MEETING_RUN)
@require_POST
def drop_item(request: HubRequest, agenda_item_pk: int) -> HttpResponse:
    item = _item_for(request, agenda_item_pk)

    def drop(version: int) -> str:
        services.drop_item(actor=request.user, item_pk=item.pk, expected_version=version)
        return "Item dropped from the agenda."

    return _post_with_version(request, item.meeting_id, drop)


@requires(Action.MEETING_RUN)
@require_POST
def move_item(request: HubRequest, agenda_item_pk: int) -> HttpResponse:
    item = _item_for(request, agenda_item_pk)
    try:
        services.move_item(actor=request.user, item_pk=item.pk,
                           up=request.POST.get("direction") != "down")
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    return _to_meeting(item.meeting_id)


@requires(Action.MEETING_VIEW)
@require_POST
def minutes_pdf(request: HubRequest, meeting_pk: int) -> HttpResponse:
    """The minutes as a PDF, holding only what the requesting user may see, drawn in the
    background; the user downloads it from the job's page (audited as an export)."""
    meeting = selectors.meeting_for(request.user, meeting_pk)
    job = start_requested_job(
        actor=request.user, kind=background_jobs.MINUTES_PDF,
        title=f"Minutes of {meeting.reference} as a PDF", arguments={"meeting_pk": meeting.pk})
    return redirect("audit:requested_job", requested_job_pk=job.pk)


@requires(Action.MEETING_ACTION_VIEW)
def my_actions(request: HubRequest) -> HttpResponse:
    user = request.user
    actions = list(selectors.actions_owned(user))
    record_event(event_type=EventType.VIEW, actor=user, record_type="meetings.meetingaction",
                 detail={"list": "own actions", "shown": [a.pk for a in actions]},
                 request=request)
    today = timezone.localdate()
    return render(request, "meetings/my_actions.html", {
        "actions": actions, "today": today, "open": ActionStatus.OPEN,
        "overdue": sum(1 for a in actions if a.status == ActionStatus.OPEN and a.due_on < today)})


@requires(Action.MEETING_ACTION_UPDATE)
def action_status(request: HubRequest, meeting_action_pk: int) -> HttpResponse:
    """Where an action stands, recorded by its owner or, for what an owner reported at
    the meeting, by a meeting chair."""
    user = request.user
    action = selectors.action_for(user, meeting_action_pk)
    if not policy.can(user, Action.MEETING_ACTION_UPDATE, action):
        raise PermissionDenied(policy.RULES[Action.MEETING_ACTION_UPDATE].description)
    if request.method == "GET":
        opening.record_viewed(request, action, page="action")
    own = action.owner_id == user.pk

    def make(data: Any) -> Any:
        return ActionStatusForm(data, initial={"version": action.version,
                                               "status": action.status,
                                               "completed_on": action.completed_on})

    def save(data: dict[str, Any]) -> str:
        services.set_action_status(actor=user, action_pk=action.pk,
                                   expected_version=data["version"], status=data["status"],
                                   completed_on=data["completed_on"])
        return f"Action {action.reference}: recorded."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("meetings:my_actions") if own else _to_meeting(action.item.meeting_id)
    return render(request, "meetings/action_status.html", {
        "action": action, "form": answered.form, "conflict": answered.conflict,
        "own": own, "today": timezone.localdate()}, status=answered.status)
