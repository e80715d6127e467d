"""Retention review pages (information governance): the queue of records due for
review, each record's review (keep it, or ask for its disposal), a waiting disposal's
decision by a second officer, legal holds, and the rules. Every page that shows records
audits the view; the decisions are audited by ``governance.retention_services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused, refusal_text
from macehub.governance import retention_selectors as selectors
from macehub.governance import retention_services as services
from macehub.governance.retention import RECORD_KINDS, due_for_review, review_item
from macehub.governance.retention_codes import DisposalStatus
from macehub.governance.retention_forms import (
    DisposalDecisionForm,
    DisposalRequestForm,
    KindFilter,
    LegalHoldForm,
    ReleaseForm,
    RetainForm,
)
from macehub.ui.form_pages import answer_form

CONFLICT_MESSAGE = ("Someone else decided this request while you were reading it. "
                    "Nothing has been saved.")


@requires(Action.RETENTION_REVIEW)
def queue(request: HubRequest) -> HttpResponse:
    """Records due for review, oldest first, with what their rule says; and the disposal
    requests waiting for this officer's approval."""
    today = timezone.localdate()
    kinds = [(code, kind.label) for code, kind in RECORD_KINDS.items()]
    form = KindFilter(request.GET or None, kinds=kinds)
    kind = (form.cleaned_data["kind"] or None) if form.is_valid() else None
    items = due_for_review(today=today, kind=kind)
    to_decide = list(selectors.disposals_to_decide(request.user))
    record_event(event_type=EventType.VIEW, actor=request.user, request=request,
                 detail={"page": "retention review queue", "kind": kind or "",
                         "records": [item.reference for item in items]})
    return render(request, "governance/retention_queue.html", {
        "form": form, "items": items, "to_decide": to_decide, "today": today,
        "tombstones": selectors.recent_tombstones(request.user)})


def _review_context(item: Any, **forms: Any) -> dict[str, Any]:
    return {"item": item, "today": timezone.localdate(),
            "latest_next_review": item.latest_next_review(timezone.localdate()), **forms}


@requires(Action.RETENTION_REVIEW)
def review(request: HubRequest, record_kind: str, record_pk: int) -> HttpResponse:
    """One record's review: keep it until a next review, or ask for its disposal."""
    today = timezone.localdate()
    item = review_item(today=today, kind=record_kind, pk=record_pk)
    if item is None:
        raise Http404("No such record under retention review")
    if request.method == "GET":
        record_event(event_type=EventType.VIEW, actor=request.user, request=request,
                     record_type=RECORD_KINDS.get(record_kind).record_type,
                     record_id=record_pk,
                     detail={"page": "retention review", "reference": item.reference})
    decision = request.POST.get("decision") if request.method == "POST" else None

    def save_retain(data: dict[str, Any]) -> str:
        services.retain(actor=request.user, kind=record_kind, record_id=record_pk,
                        reason=data["reason"], next_review_on=data["next_review_on"])
        return (f"{item.reference} is kept. Its next review is on "
                f"{data['next_review_on']:%-d %B %Y}.")

    def save_dispose(data: dict[str, Any]) -> str:
        services.request_disposal(actor=request.user, kind=record_kind, record_id=record_pk,
                                  reason=data["reason"])
        return (f"Disposal of {item.reference} requested. Another information governance "
                f"officer must approve it.")

    retain_form: Any = RetainForm(prefix="retain")
    dispose_form: Any = DisposalRequestForm(prefix="dispose")
    status = 200
    if decision == "retain":
        answered = answer_form(request, lambda data: RetainForm(data, prefix="retain"),
                               save_retain, conflict_message=CONFLICT_MESSAGE)
        if answered.saved:
            return redirect("audit:retention")
        retain_form, status = answered.form, answered.status
    elif decision == "dispose":
        answered = answer_form(request,
                               lambda data: DisposalRequestForm(data, prefix="dispose"),
                               save_dispose, conflict_message=CONFLICT_MESSAGE)
        if answered.saved:
            return redirect("audit:retention")
        dispose_form, status = answered.form, answered.status
    elif request.method == "POST":
        status = 400
    refusals = RECORD_KINDS.get(record_kind).refusals
    return render(request, "governance/retention_review.html", _review_context(
        item, retain_form=retain_form, dispose_form=dispose_form,
        unsafe=refusals(record_pk) if refusals is not None else []), status=status)


@requires(Action.DISPOSAL_DECIDE)
def disposal(request: HubRequest, disposal_pk: int) -> HttpResponse:
    """A second officer's decision on a waiting disposal request."""
    found = selectors.disposal_for(request.user, disposal_pk)
    if request.method == "GET":
        record_event(event_type=EventType.VIEW, actor=request.user, record=found,
                     request=request, detail={"page": "disposal decision",
                                              "reference": found.reference})

    def make(data: Any) -> DisposalDecisionForm:
        form = DisposalDecisionForm(data)
        form.initial.setdefault("version", found.version)
        return form

    def save(data: dict[str, Any]) -> str:
        if data["decision"] == DisposalDecisionForm.APPROVE:
            services.approve_disposal(actor=request.user, request_pk=found.pk,
                                      expected_version=data["version"])
            return f"{found.reference} has been disposed of. A tombstone records the disposal."
        services.reject_disposal(actor=request.user, request_pk=found.pk,
                                 expected_version=data["version"], reason=data["reason"])
        return f"Disposal of {found.reference} rejected: the record is kept."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("audit:retention")
    item = review_item(today=timezone.localdate(), kind=found.record_kind, pk=found.record_id)
    refusals = RECORD_KINDS.get(found.record_kind).refusals
    unsafe = (refusals(found.record_id) if refusals is not None and item is not None
              and found.status == DisposalStatus.PENDING else [])
    return render(request, "governance/retention_disposal.html", {
        "disposal": found, "item": item, "form": answered.form, "unsafe": unsafe,
        "conflict": answered.conflict}, status=answered.status)


@requires(Action.LEGAL_HOLD_MANAGE)
def holds(request: HubRequest) -> HttpResponse:
    """Legal holds, current first, and the form to place one."""
    today = timezone.localdate()

    def save(data: dict[str, Any]) -> str:
        found, missing = selectors.records_by_reference(data["references"], today=today)
        if missing:
            raise ServiceRefused(
                f"No record under review has the reference {', '.join(missing)}",
                field="references")
        hold = services.place_hold(actor=request.user, name=data["name"],
                                   reason=data["reason"],
                                   records=[(item.kind, item.pk) for item in found])
        return f"Legal hold placed: {hold.name}."

    answered = answer_form(request, LegalHoldForm, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("audit:retention_holds")
    all_holds = list(selectors.legal_holds(request.user))
    record_event(event_type=EventType.VIEW, actor=request.user, request=request,
                 detail={"page": "legal holds", "holds": [hold.pk for hold in all_holds]})
    return render(request, "governance/retention_holds.html", {
        "form": answered.form, "holds": all_holds}, status=answered.status)


@requires(Action.LEGAL_HOLD_MANAGE)
@require_POST
def release_hold(request: HubRequest, hold_pk: int) -> HttpResponse:
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The hold could not be released: try again")
        return redirect("audit:retention_holds")
    try:
        hold = services.release_hold(actor=request.user, hold_pk=hold_pk,
                                     expected_version=form.cleaned_data["version"])
    except ServiceRefused as error:
        messages.error(request, refusal_text(error))
        return redirect("audit:retention_holds")
    messages.success(request, f"Legal hold released: {hold.name}.")
    return redirect("audit:retention_holds")


@requires(Action.RETENTION_RULES_VIEW)
def rules(request: HubRequest) -> HttpResponse:
    """The retention rules each kind of record is reviewed under."""
    labels = {code: kind.label for code, kind in RECORD_KINDS.items()}
    return render(request, "governance/retention_rules.html", {
        "rules": [(labels.get(rule.record_kind, rule.record_kind), rule)
                  for rule in selectors.retention_rules(request.user)]})
