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
from macehub.accounts.models import Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import add_service_errors
from macehub.training import compliance, selectors, services
from macehub.training.codes import Tier
from macehub.training.forms import (
    ComplianceFilter,
    CourseForm,
    ImportForm,
    RequirementForm,
    TrainingRecordForm,
)
from macehub.training.models import Course, CourseRequirement
from macehub.ui.form_pages import answer_form

CONFLICT_MESSAGE = ("Someone else changed this course while you were reading it. Nothing "
                    "has been saved. Check it, then try again.")

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
    may_manage = policy.allows(request.user, Action.TRAINING_COURSE_MANAGE)
    shown = Course.objects.prefetch_related("requirements__team")
    return render(request, "training/courses.html", {
        "courses": list(shown if may_manage else shown.filter(is_active=True)),
        "may_manage": may_manage})


@requires(Action.TRAINING_COURSE_VIEW)
def course(request: HubRequest, course_pk: int) -> HttpResponse:
    may_manage = policy.allows(request.user, Action.TRAINING_COURSE_MANAGE)
    found = get_object_or_404(Course.objects.prefetch_related("requirements__team"),
                              pk=course_pk)
    if not found.is_active and not may_manage:
        raise Http404("No such course")
    return render(request, "training/course.html", {"course": found,
                                                    "may_manage": may_manage})


def _details(data: dict[str, Any]) -> services.CourseDetails:
    return services.CourseDetails(
        title=data["title"], tier=data["tier"], description=data["description"],
        validity_months=data["validity_months"], evidence=data["evidence"],
        qualifies_for=tuple(data["qualifies_for"]))


@requires(Action.TRAINING_COURSE_MANAGE)
def add_course(request: HubRequest) -> HttpResponse:
    form = CourseForm(request.POST if request.method == "POST" else None, adding=True)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.add_course(actor=request.user, details=_details(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{added.title} added. Now say who must take it.")
            return redirect("training:course", course_pk=added.pk)
    return render(request, "training/course_form.html", {
        "form": form, "title": "Add a course", "course": None},
        status=400 if form.errors else 200)


@requires(Action.TRAINING_COURSE_MANAGE)
def change_course(request: HubRequest, course_pk: int) -> HttpResponse:
    found = get_object_or_404(Course, pk=course_pk)

    def make(data: Any) -> CourseForm:
        return CourseForm(data, adding=False, initial={
            "title": found.title, "tier": found.tier, "description": found.description,
            "validity_months": found.validity_months, "evidence": found.evidence,
            "qualifies_for": found.allocations, "is_active": found.is_active,
            "version": found.version})

    def save(data: dict[str, Any]) -> str:
        changed = services.change_course(
            actor=request.user, course_pk=found.pk, expected_version=data["version"] or 0,
            details=_details(data), is_active=data["is_active"])
        return f"{changed.title} saved."
    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("training:course", course_pk=found.pk)
    return render(request, "training/course_form.html", {
        "form": answered.form, "conflict": answered.conflict, "title": "Change the course",
        "course": found}, status=answered.status)


@requires(Action.TRAINING_COURSE_MANAGE)
def add_requirement(request: HubRequest, course_pk: int) -> HttpResponse:
    found = get_object_or_404(Course, pk=course_pk)
    teams = [(team.pk, str(team)) for team in Team.objects.filter(
        is_active=True).select_related("agency")]

    def make(data: Any) -> RequirementForm:
        return RequirementForm(data, teams=teams, initial={"version": found.version})

    def save(data: dict[str, Any]) -> str:
        rule = services.add_requirement(
            actor=request.user, course_pk=found.pk, expected_version=data["version"],
            role=data["role"], agency_kind=data["agency_kind"], team_pk=data["team"])
        return f"{rule.describe()} must now take {found.title}."
    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("training:course", course_pk=found.pk)
    return render(request, "training/requirement_form.html", {
        "form": answered.form, "conflict": answered.conflict, "course": found},
        status=answered.status)


@requires(Action.TRAINING_COURSE_MANAGE)
def remove_requirement(request: HubRequest, requirement_pk: int) -> HttpResponse:
    """Take a rule away (a button on the course's page: POST only)."""
    rule = get_object_or_404(CourseRequirement.objects.select_related("course", "team"),
                             pk=requirement_pk)
    if request.method != "POST":
        return redirect("training:course", course_pk=rule.course_id)
    described = rule.describe()
    services.remove_requirement(actor=request.user, requirement_pk=rule.pk)
    messages.success(request, f"{described} no longer must take {rule.course.title}.")
    return redirect("training:course", course_pk=rule.course_id)


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
