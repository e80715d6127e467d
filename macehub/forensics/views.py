"""Digital forensics pages: the exhibit queue (the backlog by time left, each exhibit's
age, old ones flagged), an exhibit's page with its history, recording a seized device
(from its investigation), and the examiner's pages that record triage, the full
examination's report and what became of the device. Thin: ``forensics.selectors`` reads
through ``access``; ``forensics.services`` decides and audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.core.time_left import TimeLeft
from macehub.days import day_starts
from macehub.forensics import clocks, selectors, services
from macehub.forensics.codes import ExhibitStage
from macehub.forensics.forms import (
    AfterExaminationForm,
    FullExaminationForm,
    QueueFilter,
    SeizedDeviceForm,
    TriageForm,
)
from macehub.forensics.models import Exhibit
from macehub.investigations.models import Investigation
from macehub.ui.form_pages import answer_form

PER_PAGE = 25
CONFLICT_MESSAGE = ("Someone else changed this exhibit while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")


def _form_status(form: forms.Form | None) -> int:
    return 400 if form is not None and form.errors else 200


def _detail(exhibit: Exhibit) -> HttpResponse:
    return redirect("forensics:detail", exhibit_pk=exhibit.pk)


@requires(Action.EXHIBIT_VIEW)
def exhibit_queue(request: HubRequest) -> HttpResponse:
    """The backlog, least time left to its current target first (or a stage and
    priority chosen), with each exhibit's age and the old ones flagged."""
    user = request.user
    filter_form = QueueFilter(request.GET)
    chosen = filter_form.cleaned_data if filter_form.is_valid() else {}
    stage, priority = chosen.get("stage", ""), chosen.get("priority", "")
    page = Paginator(selectors.exhibit_queue(user, stage=stage, priority=priority),
                     PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(event_type=EventType.VIEW, actor=user, record_type="forensics.exhibit",
                 detail={"list": f"exhibits ({stage or 'backlog'}, {priority or 'all'})",
                         "shown": [exhibit.pk for exhibit in page.object_list]},
                 request=request)
    now = timezone.now()
    rows = []
    for exhibit in page.object_list:
        due = exhibit.current_due  # type: ignore[attr-defined]
        rows.append({"exhibit": exhibit, "age": clocks.age_days(exhibit.seized_at, now),
                     "time_left": TimeLeft(due_at=due, now=now) if due else None,
                     "old": selectors.is_old(exhibit, now)})
    return render(request, "forensics/exhibit_queue.html", {
        "page_obj": page, "rows": rows, "filter_form": filter_form,
        "heading": ExhibitStage(stage).label if stage else "Waiting for examination",
        "old_days": _old_days(),
    })


def _old_days() -> int:
    return int(settings.FORENSICS_OLD_EXHIBIT_DAYS)


@requires(Action.EXHIBIT_VIEW)
def exhibit_detail(request: HubRequest, exhibit_pk: int) -> HttpResponse:
    user = request.user
    exhibit = selectors.exhibit_for(user, exhibit_pk)
    opening.record_viewed(request, exhibit, page="exhibit")
    now = timezone.now()
    due = exhibit.current_due_at
    return render(request, "forensics/exhibit_detail.html", {
        "exhibit": exhibit, "investigation": exhibit.investigation,
        **selectors.examination_context(user, exhibit),
        "age": clocks.age_days(exhibit.seized_at, now),
        "time_left": TimeLeft(due_at=due, now=now) if due else None,
        "old": selectors.is_old(exhibit, now), "old_days": _old_days(),
        "may_examine": policy.can(user, Action.EXHIBIT_EXAMINE, exhibit),
        "history": _history(exhibit),
        "examined": exhibit.stage in {ExhibitStage.TRIAGED_NO_FULL, ExhibitStage.FULL_DONE,
                                      ExhibitStage.RETAINED},
    })


def _history(exhibit: Exhibit) -> list[dict[str, Any]]:
    """The exhibit's steps, newest first, for the page's timeline."""
    def day(on: Any) -> Any:
        return day_starts(on) + dt.timedelta(hours=12)

    items: list[dict[str, Any]] = [{
        "label": "Device seized", "datetime": exhibit.seized_at,
        "text": f"{exhibit.get_legal_authority_display()}. Recorded by "
                f"{exhibit.created_by.display_name}."}]
    if exhibit.triaged_at:
        items.append({
            "label": "Triaged", "datetime": exhibit.triaged_at,
            "byline": exhibit.triaged_by.display_name if exhibit.triaged_by else "",
            "text": exhibit.triage_findings})
    if exhibit.full_report_at:
        items.append({
            "label": "Full examination report", "datetime": exhibit.full_report_at,
            "byline": exhibit.examiner.display_name if exhibit.examiner else "",
            "text": exhibit.full_report_summary})
    if exhibit.retained_on:
        items.append({"label": "Retained", "datetime": day(exhibit.retained_on),
                      "text": exhibit.retained_reason})
    if exhibit.returned_on:
        items.append({"label": "Returned", "datetime": day(exhibit.returned_on),
                      "text": f"To {exhibit.returned_to}"})
    if exhibit.disposed_on:
        items.append({"label": "Disposed of", "datetime": day(exhibit.disposed_on)})
    return sorted(items, key=lambda item: item["datetime"], reverse=True)


def _people(investigation: Investigation) -> list[tuple[int, str]]:
    """The investigation's victims and suspects, as the seizure form offers them."""
    people = [(victim.person_id, f"{victim.person.full_name} (victim)")
              for victim in investigation.victims.select_related("person")]
    people += [(suspect.person_id, f"{suspect.person.full_name} (suspect)")
               for suspect in investigation.suspects.select_related("person")]
    return people


@requires(Action.EXHIBIT_RECORD)
def record_device(request: HubRequest, investigation_pk: int) -> HttpResponse:
    """Record a device seized for the investigation (chosen by the URL)."""
    investigation = policy.get_or_404(request.user, Action.EXHIBIT_RECORD,
                                      Investigation.objects.all(), pk=investigation_pk)
    if request.method == "GET":
        opening.record_viewed(request, investigation, page="record a seized device")
    form = SeizedDeviceForm(request.POST if request.method == "POST" else None,
                            people=_people(investigation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            exhibit = services.record_seized_device(
                actor=request.user, investigation_pk=investigation.pk,
                device=services.SeizedDevice(
                    device_type=data["device_type"], description=data["description"],
                    seized_at=form.seized_at(), owner=data["owner"],
                    priority=data["priority"], legal_authority=data["legal_authority"],
                    seized_from_pk=data["seized_from"]))
        except ValidationError as error:
            add_service_errors(form, error, fields={"seized_at": "seized_on"})
        else:
            due = timezone.localtime(exhibit.triage_due_at)
            messages.success(request, f"{exhibit.reference} recorded. Triage is due by "
                                      f"{due:%H:%M on %d %B %Y}.")
            return _detail(exhibit)
    return render(request, "forensics/record_device.html", {
        "investigation": investigation, "form": form}, status=_form_status(form))


def _change_page(request: HubRequest, exhibit_pk: int, *, form_class: Callable[..., Any],
                 template: str, save: Callable[[Exhibit, dict[str, Any]], str],
                 allowed_stages: frozenset[str]) -> HttpResponse:
    """A page with one form that records the examiner's work on an exhibit: saved, the
    user returns to the exhibit with ``save``'s message. The version the user saw is
    checked: if someone else saved in between, the page says what they changed and
    keeps what the user typed. For an exhibit not at this step the page says where it
    stands, with no form."""
    exhibit = selectors.exhibit_for(request.user, exhibit_pk, Action.EXHIBIT_EXAMINE)
    if request.method == "GET":
        opening.record_viewed(request, exhibit, page=template)

    def make(data: Any) -> Any:
        form = form_class(data)
        form.initial.setdefault("version", exhibit.version)
        return form

    answered = answer_form(request, make, lambda data: save(exhibit, data),
                           conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _detail(exhibit)
    return render(request, template, {
        "exhibit": exhibit, "form": answered.form, "conflict": answered.conflict,
        # Past this step (or not yet at it): the page says where the exhibit stands.
        "not_now": exhibit.stage not in allowed_stages and not answered.form.errors,
    }, status=answered.status)


@requires(Action.EXHIBIT_EXAMINE)
def record_triage(request: HubRequest, exhibit_pk: int) -> HttpResponse:
    def save(exhibit: Exhibit, data: dict[str, Any]) -> str:
        done = services.record_triage(
            actor=request.user, exhibit_pk=exhibit.pk, expected_version=data["version"],
            findings=data["findings"],
            full_examination_needed=data["full_examination_needed"])
        if done.full_examination_due_at is not None:
            return (f"Triage recorded. The full examination is due by "
                    f"{timezone.localtime(done.full_examination_due_at):%d %B %Y}.")
        return "Triage recorded. No full examination is needed."
    return _change_page(request, exhibit_pk, form_class=TriageForm,
                        template="forensics/record_triage.html", save=save,
                        allowed_stages=frozenset({ExhibitStage.WAITING_TRIAGE}))


@requires(Action.EXHIBIT_EXAMINE)
def record_full_examination(request: HubRequest, exhibit_pk: int) -> HttpResponse:
    def save(exhibit: Exhibit, data: dict[str, Any]) -> str:
        services.record_full_examination(
            actor=request.user, exhibit_pk=exhibit.pk, expected_version=data["version"],
            report_on=data["report_on"], summary=data["summary"])
        return "Full examination report recorded."
    return _change_page(request, exhibit_pk, form_class=FullExaminationForm,
                        template="forensics/record_full_examination.html", save=save,
                        allowed_stages=frozenset({ExhibitStage.WAITING_FULL}))


@requires(Action.EXHIBIT_EXAMINE)
def after_examination(request: HubRequest, exhibit_pk: int) -> HttpResponse:
    def save(exhibit: Exhibit, data: dict[str, Any]) -> str:
        done = services.record_after_examination(
            actor=request.user, exhibit_pk=exhibit.pk, expected_version=data["version"],
            outcome=data["outcome"], on=data["on"], returned_to=data["returned_to"],
            reason=data["reason"])
        return f"{done.get_stage_display()}: recorded."
    return _change_page(request, exhibit_pk, form_class=AfterExaminationForm,
                        template="forensics/after_examination.html", save=save,
                        allowed_stages=frozenset({ExhibitStage.TRIAGED_NO_FULL,
                                                  ExhibitStage.FULL_DONE,
                                                  ExhibitStage.RETAINED}))
