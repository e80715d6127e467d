"""Investigation pages: the list, recording one, its page with crimes, victims, suspects,
the plan's lines of enquiry and its supervisory reviews, and the pages that change it
(allocation, a crime or person added, a line of enquiry, a review signed, the file sent
for a charging decision, the outcome). The reviews waiting, by supervisor and team. Thin:
``investigations.selectors`` reads through ``access``; ``investigations.services``
decides and audits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.accounts.models import Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors, refusal_text
from macehub.core.versioning import EditConflict
from macehub.investigations import selectors, services
from macehub.investigations.codes import ChargingDecision, InvestigationStatus, ReviewPoint
from macehub.investigations.forms import (
    AllocationForm,
    AskReviewForm,
    ChargingDecisionForm,
    CrimeFields,
    EndReleaseForm,
    EnquiryForm,
    EnquiryResultForm,
    InvestigationForm,
    OutcomeForm,
    PersonForm,
    ReleaseForm,
    ReviewForm,
    SupervisorFilter,
    VersionForm,
)
from macehub.investigations.models import Investigation
from macehub.investigations.offences import offence_label
from macehub.investigations.sections import sections_for
from macehub.ui.form_pages import answer_form
from macehub.ui.formatting import govuk_date

PER_PAGE = 25
# Bail or release under investigation due to expire within this many days is flagged.
EXPIRING_DAYS = 14
TABS = (("mine", "Yours"), ("open", "Open"), ("closed", "Closed"))
CONFLICT_MESSAGE = ("Someone else changed this investigation while you were reading it. "
                    "Nothing has been saved. Check it, then try again.")


def _form_status(form: forms.Form | None) -> int:
    return 400 if form is not None and form.errors else 200


def _detail(investigation: Investigation) -> HttpResponse:
    return redirect("investigations:detail", investigation_pk=investigation.pk)


@requires(Action.INVESTIGATION_VIEW)
def investigation_list(request: HubRequest) -> HttpResponse:
    user = request.user
    show = request.GET.get("show", "mine")
    if show not in dict(TABS):
        show = "mine"
    listed = selectors.investigation_list(user)
    if show == "mine":
        listed = listed.filter(Q(officer_in_case=user) | Q(supervisor=user)).exclude(
            status=InvestigationStatus.CLOSED)
    elif show == "open":
        listed = listed.exclude(status=InvestigationStatus.CLOSED)
    else:
        listed = listed.filter(status=InvestigationStatus.CLOSED)
    page = Paginator(listed.order_by("-reported_on", "-pk"), PER_PAGE).get_page(
        request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(event_type=EventType.VIEW, actor=user,
                 record_type="investigations.investigation",
                 detail={"list": f"investigations ({show})",
                         "shown": [item.pk for item in page.object_list]}, request=request)
    base = reverse("investigations:list")
    now = timezone.now()
    return render(request, "investigations/investigation_list.html", {
        "page_obj": page, "heading": dict(TABS)[show], "now": now,
        "tabs": [{"text": text, "href": f"{base}?show={key}", "active": key == show}
                 for key, text in TABS],
        "can_record": policy.allows(user, Action.INVESTIGATION_RECORD),
    })


@requires(Action.INVESTIGATION_RECORD)
def investigation_create(request: HubRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("victim", "").isdigit():
        initial["victims"] = request.GET["victim"]
    form = InvestigationForm(request.POST if request.method == "POST" else None,
                             initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recorded = services.record_investigation(
                actor=request.user, title=data["title"], reported_on=data["reported_on"],
                summary=data["summary"], victim_pks=data["victims"],
                suspect_pks=data["suspects"],
                crime=services.CrimeDetails(data["offence_code"], data["committed_on"],
                                            data["location"], data["postcode"]))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{recorded.reference} recorded. A supervisor "
                                      f"allocates it.")
            return _detail(recorded)
    return render(request, "investigations/investigation_create.html", {"form": form},
                  status=_form_status(form))


@requires(Action.INVESTIGATION_VIEW)
def investigation_detail(request: HubRequest, investigation_pk: int) -> HttpResponse:
    user = request.user
    investigation = selectors.investigation_for(user, investigation_pk)
    opening.record_viewed(request, investigation, page="investigation")
    allowed = policy.actions_allowed(user, [
        Action.INVESTIGATION_CHANGE, Action.INVESTIGATION_ALLOCATE,
        Action.INVESTIGATION_REVIEW], investigation)
    reviews = list(investigation.reviews.all())
    now = timezone.now()
    waiting = [review for review in reviews if not review.is_done]
    decisions = list(investigation.charging_decisions.select_related("recorded_by"))
    groups = selectors.suspects_groups(user, investigation)
    came_back = max((decision.recorded_at for decision in decisions), default=None)
    signed = {review.point for review in reviews if review.is_done and not (
        review.point == ReviewPoint.BEFORE_CHARGE and came_back is not None
        and review.reviewed_at is not None and review.reviewed_at <= came_back)}
    return render(request, "investigations/investigation_detail.html", {
        "investigation": investigation,
        "crimes": [(crime, offence_label(crime.offence_code))
                   for crime in investigation.crimes.all()],
        "victims": list(investigation.victims.all()),
        "cases_shown": selectors.cases_shown(user, investigation),
        "suspects": [(suspect, next((release for release in suspect.releases.all()
                                     if release.ended_on is None), None),
                      groups.get(suspect.person_id, []))
                     for suspect in investigation.suspects.all()],
        "today": timezone.localdate(),
        "enquiries": list(investigation.enquiries.all()),
        "charging_decisions": decisions,
        "charge_authorised": any(decision.decision == ChargingDecision.CHARGE
                                 for decision in decisions),
        "waiting": [(review, review.due_at < now) for review in waiting],
        "signed": [review for review in reviews if review.is_done][::-1],
        "may_change": Action.INVESTIGATION_CHANGE in allowed,
        "may_allocate": Action.INVESTIGATION_ALLOCATE in allowed,
        "may_review": Action.INVESTIGATION_REVIEW in allowed,
        "is_officer": investigation.officer_in_case_id == user.pk,
        "may_ask": {point: point not in {review.point for review in waiting}
                    for point in (ReviewPoint.BEFORE_CHARGE, ReviewPoint.BEFORE_CLOSURE)},
        "charge_review_signed": ReviewPoint.BEFORE_CHARGE in signed,
        "closure_review_signed": ReviewPoint.BEFORE_CLOSURE in signed,
        "version_form": VersionForm(initial={"version": investigation.version}),
        # What other apps add to the page (the devices seized for it...).
        "sections": sections_for(user, investigation),
    })


def _force_staff(investigation: Investigation, roles: set[Role]) -> list[tuple[int, str]]:
    return [(user.pk, user.display_name)
            for user in selectors.force_staff(investigation, roles)]


@requires(Action.INVESTIGATION_ALLOCATE)
def allocate(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.allocate(
            actor=request.user, investigation_pk=investigation.pk,
            expected_version=data["version"], officer_pk=data["officer"],
            supervisor_pk=data["supervisor"],
            acknowledged_missing_training=data.get("acknowledged_missing_training", False),
            missing_training_reason=data.get("missing_training_reason", ""))
        return "Allocated. The supervisor's first review is due within the allocation time."
    return _change_page(
        request, investigation_pk, form_class=AllocationForm,
        template="investigations/allocate.html", save=save,
        action=Action.INVESTIGATION_ALLOCATE,
        form_kwargs=lambda investigation: {
            "officers": _force_staff(investigation, {Role.INVESTIGATOR, Role.SUPERVISOR}),
            "supervisors": _force_staff(investigation, {Role.SUPERVISOR}),
            "initial": {"officer": investigation.officer_in_case_id,
                        "supervisor": investigation.supervisor_id}})


def _change_page(request: HubRequest, investigation_pk: int, *, form_class: Callable[..., Any],
                 template: str, save: Callable[[Investigation, dict[str, Any]], str],
                 form_kwargs: Callable[[Investigation], dict[str, Any]] | None = None,
                 extra: dict[str, Any] | None = None,
                 action: Action = Action.INVESTIGATION_CHANGE) -> HttpResponse:
    """A page with one form that changes an open investigation (``action`` on it):
    saved, the user returns to the investigation with ``save``'s message. A form that
    carries the version the user saw is checked against it: if someone else saved in
    between, the page says what they changed and keeps what the user typed."""
    investigation = selectors.investigation_for(request.user, investigation_pk, action)
    if request.method == "GET":
        opening.record_viewed(request, investigation, page=template)
    kwargs = form_kwargs(investigation) if form_kwargs else {}

    def make(data: Any) -> Any:
        form = form_class(data, **kwargs)
        if "version" in form.fields:
            form.initial.setdefault("version", investigation.version)
        return form

    answered = answer_form(request, make, lambda data: save(investigation, data),
                           conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _detail(investigation)
    return render(request, template, {"investigation": investigation, "form": answered.form,
                                      "conflict": answered.conflict, **(extra or {})},
                  status=answered.status)


@requires(Action.INVESTIGATION_CHANGE)
def add_crime(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.add_crime(actor=request.user, investigation_pk=investigation.pk,
                           crime=services.CrimeDetails(data["offence_code"],
                                                       data["committed_on"], data["location"],
                                                       data["postcode"]))
        return f"Crime added: {offence_label(data['offence_code'])}."
    return _change_page(request, investigation_pk, form_class=CrimeFields,
                        template="investigations/add_crime.html", save=save)


@requires(Action.INVESTIGATION_CHANGE)
def add_person(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.add_person(actor=request.user, investigation_pk=investigation.pk,
                            person_pk=data["person"], part=data["part"])
        return "Victim added." if data["part"] == "victim" else "Suspect added."
    return _change_page(request, investigation_pk, form_class=PersonForm,
                        template="investigations/add_person.html", save=save)


@requires(Action.INVESTIGATION_CHANGE)
def add_enquiry(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.add_line_of_enquiry(actor=request.user, investigation_pk=investigation.pk,
                                     description=data["description"],
                                     owner_pk=data["owner"], due_on=data["due_on"])
        return "Line of enquiry added to the plan."
    return _change_page(
        request, investigation_pk, form_class=EnquiryForm,
        template="investigations/add_enquiry.html", save=save,
        form_kwargs=lambda investigation: {"owners": _force_staff(
            investigation, {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST})})


@requires(Action.INVESTIGATION_CHANGE)
def finish_enquiry(request: HubRequest, investigation_pk: int, enquiry_pk: int
                   ) -> HttpResponse:
    investigation = selectors.investigation_for(request.user, investigation_pk,
                                                Action.INVESTIGATION_CHANGE)
    enquiry = next((item for item in investigation.enquiries.all() if item.pk == enquiry_pk),
                   None)
    if enquiry is None:
        return redirect("investigations:detail", investigation_pk=investigation.pk)

    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.finish_line_of_enquiry(actor=request.user, investigation_pk=investigation.pk,
                                        enquiry_pk=enquiry_pk, status=data["status"],
                                        result=data["result"])
        return "Line of enquiry finished."
    return _change_page(request, investigation_pk, form_class=EnquiryResultForm,
                        template="investigations/finish_enquiry.html", save=save,
                        extra={"enquiry": enquiry})


@requires(Action.INVESTIGATION_REVIEW)
def sign_review(request: HubRequest, investigation_pk: int, review_pk: int) -> HttpResponse:
    investigation = selectors.investigation_for(request.user, investigation_pk,
                                                Action.INVESTIGATION_REVIEW)
    review = next((item for item in investigation.reviews.all()
                   if item.pk == review_pk and not item.is_done), None)
    if review is None:
        messages.info(request, "That review has been signed already.")
        return _detail(investigation)
    if request.method == "GET":
        opening.record_viewed(request, investigation, page="sign review")
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sign_review(
                actor=request.user, investigation_pk=investigation.pk, review_pk=review.pk,
                findings=services.ReviewFindings(
                    data["victim_safeguarding"], data["lines_of_enquiry"],
                    data["suspect_management"], data["evidence_and_disclosure"],
                    data["next_review_on"]))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Review signed. The next is in the reviews due.")
            return _detail(investigation)
    return render(request, "investigations/sign_review.html", {
        "investigation": investigation, "review": review, "form": form,
        "overdue": review.due_at < timezone.now(),
    }, status=_form_status(form))


@requires(Action.INVESTIGATION_CHANGE)
@require_POST
def ask_review(request: HubRequest, investigation_pk: int) -> HttpResponse:
    """POST only: ask the supervisor for the review before charge or before closure."""
    investigation = selectors.investigation_for(request.user, investigation_pk,
                                                Action.INVESTIGATION_CHANGE)
    form = AskReviewForm(request.POST)
    if form.is_valid():
        try:
            services.ask_for_review(actor=request.user, investigation_pk=investigation.pk,
                                    point=form.cleaned_data["point"])
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, f"{ReviewPoint(form.cleaned_data['point']).label}: "
                                      f"review asked for. It is due now.")
    return _detail(investigation)


@requires(Action.INVESTIGATION_CHANGE)
@require_POST
def send_for_charge(request: HubRequest, investigation_pk: int) -> HttpResponse:
    """POST only: the file goes for a charging decision."""
    investigation = selectors.investigation_for(request.user, investigation_pk,
                                                Action.INVESTIGATION_CHANGE)
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.send_for_charging_decision(
                actor=request.user, investigation_pk=investigation.pk,
                expected_version=form.cleaned_data["version"])
        except EditConflict:
            messages.error(request, CONFLICT_MESSAGE)
        except ValidationError as error:
            messages.error(request, refusal_text(error))
        else:
            messages.success(request, "Sent for a charging decision.")
    return _detail(investigation)


@requires(Action.INVESTIGATION_CHANGE)
def record_charging_decision(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        record = services.record_charging_decision(
            actor=request.user, investigation_pk=investigation.pk,
            expected_version=data["version"], decision=data["decision"],
            decided_by=data["decided_by"], decided_on=data["decided_on"], note=data["note"])
        return f"Charging decision recorded: {record.get_decision_display()}."
    return _change_page(request, investigation_pk, form_class=ChargingDecisionForm,
                        template="investigations/record_charging_decision.html", save=save)


@requires(Action.INVESTIGATION_CHANGE)
def record_outcome(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.record_outcome(actor=request.user, investigation_pk=investigation.pk,
                                expected_version=data["version"], outcome=data["outcome"],
                                outcome_on=data["outcome_on"])
        return "Outcome recorded. The investigation is closed."
    return _change_page(request, investigation_pk, form_class=OutcomeForm,
                        template="investigations/record_outcome.html", save=save)


@requires(Action.INVESTIGATION_VIEW)
def reviews_due(request: HubRequest) -> HttpResponse:
    """Supervisory reviews not yet signed, the most overdue first, by supervisor and by
    team."""
    user = request.user
    waiting = selectors.reviews_waiting(user)
    supervisors = sorted(
        User.objects.filter(pk__in=waiting.values("investigation__supervisor_id")),
        key=lambda person: person.display_name)
    teams = Team.objects.filter(pk__in=waiting.values("investigation__team_id")).order_by(
        "name")
    filter_form = SupervisorFilter(
        request.GET, supervisors=[(person.pk, person.display_name) for person in supervisors],
        teams=[(team.pk, team.name) for team in teams])
    if filter_form.is_valid():
        if filter_form.cleaned_data["supervisor"] is not None:
            waiting = waiting.filter(
                investigation__supervisor_id=filter_form.cleaned_data["supervisor"])
        if filter_form.cleaned_data["team"] is not None:
            waiting = waiting.filter(investigation__team_id=filter_form.cleaned_data["team"])
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(event_type=EventType.VIEW, actor=user,
                 record_type="investigations.investigation",
                 detail={"list": "reviews due",
                         "shown": sorted({r.investigation_id for r in page.object_list})},
                 request=request)
    now = timezone.now()
    return render(request, "investigations/reviews_due.html", {
        "page_obj": page, "rows": [(review, review.due_at < now) for review in page.object_list],
        "filter_form": filter_form,
    })


@requires(Action.INVESTIGATION_CHANGE)
def record_release(request: HubRequest, investigation_pk: int) -> HttpResponse:
    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        release = services.record_release(
            actor=request.user, investigation_pk=investigation.pk, suspect_pk=data["suspect"],
            kind=data["kind"], conditions=data["conditions"], starts_on=data["starts_on"],
            expires_on=data["expires_on"])
        return f"{release.get_kind_display()} recorded, to {govuk_date(release.expires_on)}."
    return _change_page(
        request, investigation_pk, form_class=ReleaseForm,
        template="investigations/record_release.html", save=save,
        form_kwargs=lambda investigation: {"suspects": [
            (suspect.pk, suspect.person.full_name)
            for suspect in investigation.suspects.all()]})


@requires(Action.INVESTIGATION_CHANGE)
def end_release(request: HubRequest, investigation_pk: int, release_pk: int) -> HttpResponse:
    investigation = selectors.investigation_for(request.user, investigation_pk,
                                                Action.INVESTIGATION_CHANGE)
    release = next((item for suspect in investigation.suspects.all()
                    for item in suspect.releases.all()
                    if item.pk == release_pk and item.ended_on is None), None)
    if release is None:
        messages.info(request, "That release has already ended.")
        return _detail(investigation)

    def save(investigation: Investigation, data: dict[str, Any]) -> str:
        services.end_release(actor=request.user, investigation_pk=investigation.pk,
                             release_pk=release_pk, ended_on=data["ended_on"])
        return f"{release.get_kind_display()} ended."
    return _change_page(request, investigation_pk, form_class=EndReleaseForm,
                        template="investigations/end_release.html", save=save,
                        extra={"release": release})


@requires(Action.INVESTIGATION_VIEW)
def releases_expiring(request: HubRequest) -> HttpResponse:
    """Suspects on bail or released under investigation, the soonest to expire first."""
    user = request.user
    page = Paginator(selectors.releases_open(user), PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    record_event(event_type=EventType.VIEW, actor=user,
                 record_type="investigations.investigation",
                 detail={"list": "bail and release under investigation",
                         "shown": sorted({r.suspect.investigation_id
                                          for r in page.object_list})},
                 request=request)
    today = timezone.localdate()
    return render(request, "investigations/releases_expiring.html", {
        "page_obj": page,
        "rows": [(release, release.expires_on < today,
                  today <= release.expires_on <= today + dt.timedelta(days=EXPIRING_DAYS))
                 for release in page.object_list],
        "expiring_days": EXPIRING_DAYS,
    })
