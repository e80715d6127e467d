"""Subject access request pages (information governance only): the register with each
request's due date and overdue ones flagged, logging a new request, a request's page
(its clock, progress, what was gathered, the withheld schedule), recording progress,
gathering, the review of one item's fields for redaction, producing the bundle and
downloading it. Thin: ``subject_access_selectors`` reads through ``access``;
``subject_access_services`` decides and audits. Every page that shows a request audits
the read; downloading the bundle is audited as an export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.opening import record_viewed
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors, refusal_text
from macehub.governance import background_jobs
from macehub.governance import subject_access_selectors as selectors
from macehub.governance import subject_access_services as services
from macehub.governance.requested_jobs import start_requested_job
from macehub.governance.subject_access import subject_name
from macehub.governance.subject_access_bundle import reason_words
from macehub.governance.subject_access_codes import RequestStatus
from macehub.governance.subject_access_forms import (
    NewRequestForm,
    ProgressForm,
    RedactionForm,
    StatusFilter,
)
from macehub.governance.subject_access_models import SubjectAccessRequest
from macehub.ui.form_pages import answer_form

PER_PAGE = 25
CONFLICT_MESSAGE = ("Someone else changed this request while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")


@requires(Action.SUBJECT_ACCESS_MANAGE)
def register(request: HubRequest) -> HttpResponse:
    filter_form = StatusFilter(request.GET)
    status = filter_form.cleaned_data.get("status", "") if filter_form.is_valid() else ""
    today = timezone.localdate()
    page = Paginator(selectors.requests_for(request.user, status=status),
                     PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"request": found, "subject": subject_name(found.person_id) or "Not found",
             "overdue": found.is_overdue(today)} for found in page.object_list]
    record_event(event_type=EventType.VIEW, actor=request.user, request=request,
                 record_type="governance.subjectaccessrequest",
                 detail={"page": "subject access register", "status": status,
                         "requests": [found.reference for found in page.object_list]})
    return render(request, "governance/subject_access_register.html", {
        "page_obj": page, "rows": rows, "filter_form": filter_form,
        "heading": RequestStatus(status).label if status else "Open requests"})


@requires(Action.SUBJECT_ACCESS_MANAGE)
def new(request: HubRequest) -> HttpResponse:
    form = NewRequestForm(request.POST if request.method == "POST" else None,
                          initial={"person_pk": request.GET.get("person")})
    if request.method == "POST" and form.is_valid():
        try:
            logged = services.log_request(actor=request.user, details=form.details())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{logged.reference} logged. It is due on "
                                      f"{logged.due_on:%-d %B %Y}.")
            return redirect("audit:subject_access_request", sar_pk=logged.pk)
    return render(request, "governance/subject_access_new.html", {"form": form},
                  status=400 if form.errors else 200)


def _detail_context(found: SubjectAccessRequest) -> dict[str, Any]:
    items = list(found.items.prefetch_related("redactions"))
    today = timezone.localdate()
    return {"sar": found, "subject": subject_name(found.person_id) or "Not found",
            "items": [{"item": item, "withheld": len(item.redactions.all()),
                       "by_default": sum(r.by_default for r in item.redactions.all())}
                      for item in items],
            "overdue": found.is_overdue(today), "today": today,
            "schedule": found.withheld_schedule}


@requires(Action.SUBJECT_ACCESS_MANAGE)
def detail(request: HubRequest, sar_pk: int) -> HttpResponse:
    found = selectors.request_for(request.user, sar_pk)
    record_viewed(request, found, page="subject access request")
    return render(request, "governance/subject_access_request.html", _detail_context(found))


def _progress_initial(found: SubjectAccessRequest) -> dict[str, Any]:
    return {"identity_verified_on": found.identity_verified_on,
            "identity_check": found.identity_check, "identity_note": found.identity_note,
            "extension_months": found.extension_months,
            "extension_reason": found.extension_reason, "status": found.status,
            "status_reason": found.status_reason, "version": found.version}


@requires(Action.SUBJECT_ACCESS_MANAGE)
def progress(request: HubRequest, sar_pk: int) -> HttpResponse:
    found = selectors.request_for(request.user, sar_pk)
    if request.method == "GET":
        record_viewed(request, found, page="subject access progress")

    def make(data: Any) -> ProgressForm:
        return ProgressForm(data, initial=_progress_initial(found))

    def save(data: dict[str, Any]) -> str:
        form = make(request.POST)
        form.is_valid()
        done = services.record_progress(actor=request.user, request_pk=found.pk,
                                        expected_version=data["version"],
                                        progress=form.progress())
        return f"{done.reference} updated. It is due on {done.due_on:%-d %B %Y}."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("audit:subject_access_request", sar_pk=found.pk)
    return render(request, "governance/subject_access_progress.html", {
        "form": answered.form, "sar": found, "conflict": answered.conflict,
        "back_url": reverse("audit:subject_access_request", args=[found.pk])},
        status=answered.status)


def _after_button(request: HubRequest, sar_pk: int, work: Any, done: str) -> HttpResponse:
    try:
        work()
    except ValidationError as error:
        messages.error(request, refusal_text(error))
    else:
        messages.success(request, done)
    return redirect("audit:subject_access_request", sar_pk=sar_pk)


@requires(Action.SUBJECT_ACCESS_MANAGE)
@require_POST
def gather(request: HubRequest, sar_pk: int) -> HttpResponse:
    found = selectors.request_for(request.user, sar_pk)
    return _after_button(
        request, found.pk,
        lambda: services.gather(actor=request.user, request_pk=found.pk),
        "What the hub holds about the person has been gathered for review.")


@requires(Action.SUBJECT_ACCESS_MANAGE)
def item(request: HubRequest, sar_pk: int, item_pk: int) -> HttpResponse:
    found = selectors.request_for(request.user, sar_pk)
    held = selectors.item_for(found, item_pk)
    if request.method == "GET":
        record_viewed(request, found, page="subject access item review",
                      detail={"item": held.reference, "record_type": held.record_type,
                              "record_id": held.record_id})
    redactions = {r.field_name: r for r in held.redactions.all()}
    initial: dict[str, Any] = {"version": held.version}
    for name, redaction in redactions.items():
        initial[f"{name}__reason"] = redaction.reason
        initial[f"{name}__note"] = redaction.note

    def make(data: Any) -> RedactionForm:
        return RedactionForm(data, item=held, initial=initial)

    def save(data: dict[str, Any]) -> str:
        form = make(request.POST)
        form.is_valid()
        services.decide_redactions(actor=request.user, request_pk=found.pk,
                                   item_pk=held.pk, expected_version=data["version"],
                                   decisions=form.decisions())
        return f"Redactions of {held.reference} saved."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("audit:subject_access_request", sar_pk=found.pk)
    defaults = {name: f"{reason_words(r.reason)}. {r.note}".rstrip(". ")
                for name, r in redactions.items() if r.by_default}
    return render(request, "governance/subject_access_item.html", {
        "sar": found, "item": held, "form": answered.form, "rows": [
            {**row, "default": defaults.get(row["entry"]["name"], "")}
            for row in answered.form.rows()], "conflict": answered.conflict,
        "final": found.bundle_produced_at is not None or not found.is_open,
        "back_url": reverse("audit:subject_access_request", args=[found.pk])},
        status=answered.status)


@requires(Action.SUBJECT_ACCESS_MANAGE)
@require_POST
def produce(request: HubRequest, sar_pk: int) -> HttpResponse:
    """The bundle is drawn in the background; the officer follows it on the job's page,
    which leads back to the request to download it (audited there)."""
    found = selectors.request_for(request.user, sar_pk)
    job = start_requested_job(
        actor=request.user, kind=background_jobs.SUBJECT_ACCESS_BUNDLE,
        title=f"Disclosure bundle for request {found.reference}",
        arguments={"sar_pk": found.pk})
    return redirect("audit:requested_job", requested_job_pk=job.pk)


@requires(Action.SUBJECT_ACCESS_MANAGE)
def bundle(request: HubRequest, sar_pk: int) -> HttpResponse:
    found = selectors.request_for(request.user, sar_pk)
    if found.bundle_pdf is None:
        messages.error(request, "The bundle has not been produced yet.")
        return redirect("audit:subject_access_request", sar_pk=found.pk)
    record_event(event_type=EventType.EXPORT, actor=request.user, record=found,
                 request=request, detail={"action": "bundle downloaded",
                                          "produced_at": found.bundle_produced_at.isoformat()
                                          if found.bundle_produced_at else None})
    response = HttpResponse(bytes(found.bundle_pdf), content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="{found.reference}-'
                                       f'disclosure.pdf"')
    return response
