"""The training pages: the compliance overview (tier by team, filtered by agency, team
and role), what expires, a person's training (what they must take, what they hold, the
gaps) and one's own, entering a record, the courses, and importing a learning system's
file. Thin: ``training.selectors`` reads through ``access``; ``training.services``
decides and audits. Every page naming a person's training audits the view."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.training import compliance, selectors, services
from macehub.training.codes import Tier
from macehub.training.forms import ComplianceFilter, ImportForm, TrainingRecordForm
from macehub.training.models import Course

PERSON_RECORD = "accounts.user"


def _percentage(figure: compliance.Figure) -> str:
    if figure.percentage is None:
        return "No requirement"
    low, high = figure.interval or (0.0, 0.0)
    return (f"{figure.percentage:.0f}% ({figure.compliant} of {figure.required}; "
            f"95% interval {low:.0f}% to {high:.0f}%)")


@requires(Action.TRAINING_COMPLIANCE_VIEW)
def overview(request: HubRequest) -> HttpResponse:
    """Compliance of the people the user may read, by tier and team, and by role and
    agency, narrowed by the filters."""
    user = request.user
    today = timezone.localdate()
    people = selectors.compliance_people(user)
    everyone = compliance.load(people, today)
    agencies = sorted({(t.person.agency_id, t.person.agency_name) for t in everyone.people
                       if t.person.agency_id is not None}, key=lambda pair: pair[1])
    teams = sorted({(t.person.team_id, t.person.team_name) for t in everyone.people
                    if t.person.team_id is not None}, key=lambda pair: pair[1])
    roles = [(role.value, str(role.label)) for role in Role
             if any(role.value in t.person.roles for t in everyone.people)]
    filters = ComplianceFilter(request.GET or None, agencies=agencies, teams=teams,
                               roles=roles)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    shown = [t for t in everyone.people
             if (not chosen.get("agency") or t.person.agency_id == chosen["agency"])
             and (not chosen.get("team") or t.person.team_id == chosen["team"])
             and (not chosen.get("role") or chosen["role"] in t.person.roles)]
    narrowed = compliance.Compliance(on=today, courses=everyone.courses, people=shown)
    tiers = list(Tier)
    team_rows = [{"name": name or "No team", "cells": [
        _percentage(figure) for figure in compliance.by_tier(narrowed, members).values()],
        "overall": _percentage(compliance.figure(members))}
        for (_pk, name), members in sorted(compliance.by_team(narrowed).items(),
                                           key=lambda item: str(item[0][1]))]
    total = compliance.by_tier(narrowed)
    role_rows = [{"name": Role(role).label, "overall": _percentage(compliance.figure(members))}
                 for role, members in sorted(compliance.by_role(narrowed).items(),
                                             key=lambda item: str(item[0]))]
    agency_rows = [{"name": name or "No agency",
                    "overall": _percentage(compliance.figure(members))}
                   for (_pk, name), members in sorted(compliance.by_agency(narrowed).items(),
                                                      key=lambda item: str(item[0][1]))]
    without = compliance.figure(shown).people_without_requirement
    record_event(event_type=EventType.VIEW, actor=user, record_type=PERSON_RECORD,
                 detail={"list": "training compliance", "people": len(shown),
                         "filters": {key: value for key, value in chosen.items() if value}},
                 request=request)
    return render(request, "training/overview.html", {
        "filters": filters, "tiers": tiers, "team_rows": team_rows,
        "total": [_percentage(figure) for figure in total.values()],
        "overall": _percentage(compliance.figure(shown)), "role_rows": role_rows,
        "agency_rows": agency_rows, "without": without, "today": today,
        "days": selectors.expiring_days(),
        "may_import": policy.allows(user, Action.TRAINING_IMPORT),
    })


@requires(Action.TRAINING_COMPLIANCE_VIEW)
def expiring(request: HubRequest) -> HttpResponse:
    """Required training that expired, or expires within the notice days, of the people
    whose compliance the user reads."""
    user = request.user
    today = timezone.localdate()
    rows = selectors.expiring(selectors.compliance_people(user), today)
    record_event(event_type=EventType.VIEW, actor=user, record_type=PERSON_RECORD,
                 detail={"list": "training expiring",
                         "shown": sorted({row.person.pk for row in rows})}, request=request)
    return render(request, "training/expiring.html", {
        "rows": [{"row": row, "expired": row.expired(today)} for row in rows],
        "days": selectors.expiring_days(), "today": today})


def _person_page(request: HubRequest, person: User, *, own: bool) -> HttpResponse:
    today = timezone.localdate()
    opening.record_viewed(request, person, page="training")
    page = selectors.person_page(person, today)
    held_today = {record.pk for record in page.records if record.holds_on(today)}
    return render(request, "training/person.html", {
        "person": person, "page": page, "own": own, "today": today,
        "held_today": held_today,
        "may_record": policy.can(request.user, Action.TRAINING_RECORD, person),
    })


@requires(Action.TRAINING_PERSON_VIEW)
def person(request: HubRequest, user_pk: int) -> HttpResponse:
    found = selectors.person_for(request.user, user_pk)
    return _person_page(request, found, own=found.pk == request.user.pk)


@requires(Action.TRAINING_PERSON_VIEW)
def mine(request: HubRequest) -> HttpResponse:
    return _person_page(request, selectors.person_for(request.user, request.user.pk),
                        own=True)


@requires(Action.TRAINING_RECORD)
def record_training(request: HubRequest, user_pk: int) -> HttpResponse:
    """The training lead enters a record of a person of their agency."""
    found = policy.get_or_404(request.user, Action.TRAINING_RECORD,
                              User.objects.select_related("agency", "team"), pk=user_pk)
    if request.method == "GET":
        opening.record_viewed(request, found, page="record training")
    form = TrainingRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.record_training(
                actor=request.user, person_pk=found.pk,
                course_pk=data["course"].pk if data["course"] else None,
                completed_on=data["completed_on"], expires_on=data["expires_on"],
                evidence=data["evidence"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{record.course.title} recorded.")
            return redirect("training:person", user_pk=found.pk)
    return render(request, "training/record_training.html", {"person": found, "form": form},
                  status=400 if form.errors else 200)


@requires(Action.TRAINING_COURSE_VIEW)
def courses(request: HubRequest) -> HttpResponse:
    return render(request, "training/courses.html", {
        "courses": list(Course.objects.filter(is_active=True).prefetch_related(
            "requirements__team"))})


@requires(Action.TRAINING_COURSE_VIEW)
def course(request: HubRequest, course_pk: int) -> HttpResponse:
    found = get_object_or_404(Course.objects.prefetch_related("requirements__team"),
                              pk=course_pk)
    if not found.is_active:
        raise Http404("No such course")
    return render(request, "training/course.html", {"course": found})


@requires(Action.TRAINING_IMPORT)
def import_records(request: HubRequest) -> HttpResponse:
    """Upload a learning system's CSV for the training lead's agency: all or nothing,
    with the row-by-row report of what is wrong."""
    user = request.user
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: Any = None
    if request.method == "POST" and form.is_valid() and user.agency is not None:
        upload = form.cleaned_data["file"]
        try:
            summary = services.import_training_records(upload, actor=user, agency=user.agency,
                                                       file_name=upload.name)
        except services.TrainingImportRefused as refused:
            problems = refused
            form.add_error("file", f"{upload.name} was not imported: "
                                   f"{len(refused.problems)} problem"
                                   f"{'s' if len(refused.problems) != 1 else ''} found")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, str(summary))
            return redirect("training:overview")
    return render(request, "training/import.html", {
        "form": form, "problems": problems, "columns": services.IMPORT_COLUMNS},
        status=400 if form.errors else 200)
