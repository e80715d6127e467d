"""The disruption register's pages: the register, a disruption's page with its
breaches, recording one (from its target's page), moving it on, recording a breach,
whether disruptions work (effectiveness) and the tactics (an administrator adds one).
Thin: ``disruption.selectors`` reads through ``access``; ``disruption.services`` decides
and audits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.disruption import selectors, services
from macehub.disruption.codes import NEXT_STATUSES, DisruptionStatus, TargetKind
from macehub.disruption.forms import (
    BreachForm,
    DisruptionForm,
    LeadOfficerForm,
    RegisterFilter,
    StatusForm,
    TacticForm,
)
from macehub.disruption.models import Disruption, Tactic
from macehub.meetings import selectors as meeting_selectors
from macehub.ui.charts import bar_chart
from macehub.ui.form_pages import answer_form

PER_PAGE = 25
CONFLICT_MESSAGE = ("Someone else changed this disruption while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")

# The page each kind of target is opened on.
TARGET_PAGES: dict[str, str] = {
    TargetKind.PERSON: "people:detail",
    TargetKind.GROUP: "networks:group_detail",
    TargetKind.PREMISES: "intelligence:premises_detail",
    TargetKind.VEHICLE: "intelligence:vehicle_detail",
    TargetKind.LOCATION: "intelligence:location_detail",
    TargetKind.ACCOUNT: "intelligence:account_detail",
}


def target_url(kind: str, pk: int) -> str:
    return reverse(TARGET_PAGES[kind], args=[pk])


def _detail(disruption: Disruption) -> HttpResponse:
    return redirect("disruption:detail", disruption_pk=disruption.pk)


@requires(Action.DISRUPTION_VIEW)
def register(request: HubRequest) -> HttpResponse:
    user = request.user
    filter_form = RegisterFilter(request.GET)
    status = filter_form.cleaned_data.get("status", "") if filter_form.is_valid() else ""
    page = Paginator(selectors.register(user, status=status),
                     PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(event_type=EventType.VIEW, actor=user, record_type="disruption.disruption",
                 detail={"list": f"disruptions ({status or 'all'})",
                         "shown": [d.pk for d in page.object_list]}, request=request)
    rows = [{"disruption": d, "target": selectors.target_label(d)} for d in page.object_list]
    return render(request, "disruption/register.html", {
        "page_obj": page, "rows": rows, "filter_form": filter_form,
        "may_see_effectiveness": policy.allows(user, Action.DISRUPTION_EFFECTIVENESS_VIEW),
    })


@requires(Action.DISRUPTION_VIEW)
def disruption_detail(request: HubRequest, disruption_pk: int) -> HttpResponse:
    user = request.user
    disruption = selectors.disruption_for(user, disruption_pk)
    opening.record_viewed(request, disruption, page="disruption")
    may_change = policy.can(user, Action.DISRUPTION_CHANGE, disruption)
    children = list(policy.scope(user, Action.PERSON_VIEW, disruption.children.all()))
    return render(request, "disruption/disruption_detail.html", {
        "disruption": disruption, "target": selectors.target_label(disruption),
        "target_url": target_url(disruption.target_kind,
                                 getattr(disruption, f"target_{disruption.target_kind}_id")),
        "children": children, "breaches": list(disruption.breaches.select_related(
            "recorded_by")),
        "may_change": may_change and bool(NEXT_STATUSES.get(disruption.status)),
        "may_change_lead": may_change,
        "may_breach": may_change and disruption.status in {
            DisruptionStatus.GRANTED, DisruptionStatus.SERVED, DisruptionStatus.BREACHED},
        "may_open_investigation": disruption.investigation is not None and policy.can(
            user, Action.INVESTIGATION_VIEW, disruption.investigation),
        "agreed_at": (disruption.agreed_at if disruption.agreed_at is not None
                      and meeting_selectors.item_visible(user, disruption.agreed_at)
                      else None),
    })


@requires(Action.DISRUPTION_RECORD)
def record_disruption(request: HubRequest) -> HttpResponse:
    """Record a disruption on the target the page was opened from (``?kind=&target=``).
    Without one the user may see, the page says where to start."""
    user = request.user
    kind = request.GET.get("kind", "")
    try:
        target_pk: int | None = int(request.GET.get("target", ""))
    except ValueError:
        target_pk = None
    target = selectors.target_for(user, kind, target_pk)
    if target is None or target_pk is None:
        return render(request, "disruption/record_start.html", {})
    tactics = [(tactic.pk, tactic.name) for tactic in Tactic.objects.filter(is_active=True)
               if kind in tactic.kinds]
    form = DisruptionForm(
        request.POST if request.method == "POST" else None, tactics=tactics,
        children=selectors.children_to_offer(user, kind, target_pk),
        investigations=selectors.investigations_to_offer(user, kind, target_pk),
        decisions=[(item.pk, f"{item.meeting.held_on:%d %B %Y}: {item.title}")
                   for item in meeting_selectors.decisions_to_offer(user)],
        lead_officers=_officer_choices(user.agency_id),
        initial={"lead_officer": user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            disruption = services.record_disruption(actor=user, disruption=(
                services.NewDisruption(
                    tactic_pk=data["tactic"], target_kind=kind, target_pk=target_pk,
                    status=data["status"], child_pks=data.get("children") or [],
                    investigation_pk=data["investigation"], agreed_at_pk=data["agreed_at"],
                    applied_on=data["applied_on"],
                    started_on=data["started_on"], expires_on=data["expires_on"],
                    details=data["details"], lead_officer_pk=data["lead_officer"])))
        except ValidationError as error:
            add_service_errors(form, error, fields={"target_kind": "tactic",
                                                    "target": "tactic"})
        else:
            messages.success(request, f"{disruption.reference} recorded.")
            return _detail(disruption)
    return render(request, "disruption/record_disruption.html", {
        "form": form, "target": target, "kind_label": TargetKind(kind).label,
        "target_url": target_url(kind, target_pk),
    }, status=400 if form.errors else 200)


def _officer_choices(agency_pk: int | None) -> list[tuple[int, str]]:
    return [(officer.pk, officer.display_name)
            for officer in services.lead_officers(agency_pk)]


def _change_page(request: HubRequest, disruption_pk: int, *, make_form: Any,
                 template: str, save: Any, allowed: Callable[[Disruption], bool]
                 ) -> HttpResponse:
    disruption = selectors.disruption_for(request.user, disruption_pk,
                                          Action.DISRUPTION_CHANGE)
    if request.method == "GET":
        opening.record_viewed(request, disruption, page=template)

    def make(data: Any) -> Any:
        form = make_form(disruption, data)
        form.initial.setdefault("version", disruption.version)
        return form

    answered = answer_form(request, make, lambda data: save(disruption, data),
                           conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _detail(disruption)
    return render(request, template, {
        "disruption": disruption, "form": answered.form, "conflict": answered.conflict,
        "not_now": not allowed(disruption) and not answered.form.errors,
    }, status=answered.status)


@requires(Action.DISRUPTION_CHANGE)
def change_status(request: HubRequest, disruption_pk: int) -> HttpResponse:
    def make_form(disruption: Disruption, data: Any) -> StatusForm:
        statuses = [(str(status), str(status.label)) for status in DisruptionStatus
                    if status in NEXT_STATUSES.get(disruption.status, frozenset())]
        return StatusForm(data, statuses=statuses)

    def save(disruption: Disruption, data: dict[str, Any]) -> str:
        done = services.change_status(
            actor=request.user, disruption_pk=disruption.pk,
            expected_version=data["version"], status=data["status"], on=data["on"],
            expires_on=data["expires_on"])
        return f"{done.reference}: {done.get_status_display().lower()}."
    return _change_page(request, disruption_pk, make_form=make_form,
                        template="disruption/change_status.html", save=save,
                        allowed=lambda d: bool(NEXT_STATUSES.get(d.status)))


@requires(Action.DISRUPTION_CHANGE)
def change_lead_officer(request: HubRequest, disruption_pk: int) -> HttpResponse:
    def make_form(disruption: Disruption, data: Any) -> LeadOfficerForm:
        return LeadOfficerForm(data, lead_officers=_officer_choices(disruption.lead_agency_id),
                               initial={"lead_officer": disruption.lead_officer_id})

    def save(disruption: Disruption, data: dict[str, Any]) -> str:
        done = services.change_lead_officer(
            actor=request.user, disruption_pk=disruption.pk,
            expected_version=data["version"], lead_officer_pk=data["lead_officer"])
        return f"{done.reference}: now led by {done.lead_officer.display_name}."
    return _change_page(request, disruption_pk, make_form=make_form,
                        template="disruption/change_lead_officer.html", save=save,
                        allowed=lambda _disruption: True)


@requires(Action.DISRUPTION_CHANGE)
def record_breach(request: HubRequest, disruption_pk: int) -> HttpResponse:
    def save(disruption: Disruption, data: dict[str, Any]) -> str:
        services.record_breach(
            actor=request.user, disruption_pk=disruption.pk,
            expected_version=data["version"], occurred_on=data["occurred_on"],
            what_happened=data["what_happened"], action_taken=data["action_taken"])
        return "Breach recorded: the disruption is now breached."
    return _change_page(request, disruption_pk,
                        make_form=lambda _disruption, data: BreachForm(data),
                        template="disruption/record_breach.html", save=save,
                        allowed=lambda d: d.status in {DisruptionStatus.GRANTED,
                                                       DisruptionStatus.SERVED,
                                                       DisruptionStatus.BREACHED})


@requires(Action.DISRUPTION_EFFECTIVENESS_VIEW)
def effectiveness(request: HubRequest) -> HttpResponse:
    """Whether disruptions work: counts before and after each, by tactic, and breach
    rates, with a chart beside each table."""
    user = request.user
    found = selectors.effectiveness(user)
    record_event(event_type=EventType.VIEW, actor=user, record_type="disruption.disruption",
                 detail={"list": "disruption effectiveness",
                         "shown": [row.disruption.pk for row in found.rows]},
                 request=request)
    tactics = found.tactics
    charts = {
        "reports": bar_chart(
            chart_id="chart-reports", title="Intelligence reports about the targets, "
            "90 days before and after", description="; ".join(
                f"{row.tactic.name}: {row.counts.reports_before_shown} before, "
                f"{row.counts.reports_after_shown} after" for row in tactics),
            points=[point for row in tactics for point in (
                (f"{row.tactic.name} before", row.counts.reports_for_chart()[0]),
                (f"{row.tactic.name} after", row.counts.reports_for_chart()[1]))]),
        "episodes": bar_chart(
            chart_id="chart-episodes", title="Missing episodes of the children protected, "
            "90 days before and after", description="; ".join(
                f"{row.tactic.name}: {row.counts.episodes_before} before, "
                f"{row.counts.episodes_after} after" for row in tactics),
            points=[point for row in tactics for point in (
                (f"{row.tactic.name} before", Decimal(row.counts.episodes_before)),
                (f"{row.tactic.name} after", Decimal(row.counts.episodes_after)))]),
        "breaches": bar_chart(
            chart_id="chart-breaches", title="Disruptions breached, by tactic",
            description="; ".join(f"{row.tactic.name}: {row.breached} of {row.started}"
                                  for row in tactics),
            points=[(row.tactic.name, Decimal(row.breached)) for row in tactics]),
    }
    return render(request, "disruption/effectiveness.html", {
        "found": found, "charts": charts, "window": selectors.WINDOW_DAYS,
        "small": selectors.SMALL})


@requires(Action.USE_HUB)
def tactics(request: HubRequest) -> HttpResponse:
    return render(request, "disruption/tactics.html", {
        "tactics": list(Tactic.objects.all()),
        "may_add": policy.allows(request.user, Action.DISRUPTION_TACTIC_ADD)})


@requires(Action.DISRUPTION_TACTIC_ADD)
def add_tactic(request: HubRequest) -> HttpResponse:
    form = TacticForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tactic = services.add_tactic(
                actor=request.user, name=data["name"], legal_basis=data["legal_basis"],
                target_kinds=data["target_kinds"], lead_agency_kind=data["lead_agency_kind"],
                expires=data["expires"], usual_length_days=data["usual_length_days"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{tactic.name} added.")
            return redirect("disruption:tactics")
    return render(request, "disruption/add_tactic.html", {"form": form},
                  status=400 if form.errors else 200)
