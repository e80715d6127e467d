"""People pages: search, record, view, change, and who has seen a record. Thin: each
validates input, asks a selector or service (which ask ``access``), and renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.policy import actions_allowed, allows
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.people import merging, selectors, services
from macehub.people.forms import (
    NewPersonForm,
    PersonDetailsForm,
    PersonEditForm,
    PersonSearchForm,
    StatutoryStatusForm,
)
from macehub.people.identity import identity_for
from macehub.people.sections import markers_for, sections_for

CONFLICT_MESSAGE = (
    "Someone else changed this record while you were editing it. Your changes have not "
    "been saved. Check their changes, then save again."
)


@requires(Action.PERSON_SEARCH)
def search(request: HubRequest) -> HttpResponse:
    user = request.user
    submitted = any(name != "page" for name in request.GET)
    form = PersonSearchForm(request.GET if submitted else None)
    matches = None
    if submitted and form.is_valid():
        matches = selectors.search_people(
            user=user,
            text=form.cleaned_data["q"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            identifier=form.cleaned_data["identifier"],
            request=request,
        )
    markers = markers_for(user, [match.person for match in matches or ()])
    return render(
        request,
        "people/search.html",
        {"form": form, "can_create": allows(user, Action.PERSON_CREATE),
         "can_review_matches": allows(user, Action.PERSON_MATCH_REVIEW),
         "can_link_lists": allows(user, Action.PERSON_LIST_LINK),
         "matches": None if matches is None else [
             (match, markers.get(match.person.pk, [])) for match in matches]},
        # A search refused is a bad request, as the dashboard's filters are.
        status=400 if submitted and form.errors else 200,
    )


@requires(Action.PERSON_CREATE)
def create(request: HubRequest) -> HttpResponse:
    user = request.user
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = services.create_person(
            actor=user,
            details=form.details(),
            identifier=form.identifier(),
            alias=form.alias(),
            address=form.address(),
        )
        messages.success(request, f"{person.full_name} has been recorded.")
        return redirect("people:detail", person_pk=person.pk)
    return render(request, "people/person_create.html", {"form": form})


@requires(Action.PERSON_VIEW)
@policy.asked_of_few_records()
@policy.reading_only()
def detail(request: HubRequest, person_pk: int) -> HttpResponse:
    user = request.user
    person = selectors.person_for(user, person_pk)
    opening.record_viewed(request, person, page="person")
    allowed = actions_allowed(user, (Action.PERSON_CHANGE, Action.PERSON_ACCESS_LOG), person)
    merges = merging.merges_of(user, person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_change": Action.PERSON_CHANGE in allowed,
            "can_see_access_log": Action.PERSON_ACCESS_LOG in allowed,
            "can_log_subject_access": allows(user, Action.SUBJECT_ACCESS_MANAGE),
            "sections": sections_for(user, person),
            "identity": identity_for(user, person),
            "merges": merges,
            "merged_into": next((merge.kept for merge in merges if merge.merged_id == person.pk
                                 and not merge.is_undone), None),
            "can_see_merges": allows(user, Action.PERSON_MERGE),
        },
    )


@requires(Action.PERSON_CHANGE)
def edit(request: HubRequest, person_pk: int) -> HttpResponse:
    user = request.user
    person = selectors.person_for(user, person_pk, Action.PERSON_CHANGE)
    if request.method == "GET":
        opening.record_viewed(request, person, page="change details")
    conflict = None
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            try:
                services.update_person_details(
                    actor=user,
                    person_pk=person.pk,
                    expected_version=form.cleaned_data["version"],
                    details=form.details(),
                )
            except EditConflict as error:
                conflict = error
                form = form_after_conflict(PersonEditForm, request.POST, error,
                                           CONFLICT_MESSAGE)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The person's details have been changed.")
                return redirect("people:detail", person_pk=person.pk)
    else:
        form = PersonEditForm(
            initial={**PersonDetailsForm.initial_for(person), "version": person.version}
        )
    return render(
        request, "people/person_edit.html",
        {"form": form, "person": person, "conflict": conflict,
         "identity": identity_for(user, person)},
    )


@requires(Action.PERSON_CHANGE)
def statutory_status(request: HubRequest, person_pk: int) -> HttpResponse:
    """Record the child's statutory status, first language and interpreter need."""
    user = request.user
    person = selectors.person_for(user, person_pk, Action.PERSON_CHANGE)
    if request.method == "GET":
        opening.record_viewed(request, person, page="change statutory status")
    conflict = None
    if request.method == "POST":
        form = StatutoryStatusForm(request.POST)
        if form.is_valid():
            try:
                services.update_statutory_status(
                    actor=user, person_pk=person.pk,
                    expected_version=form.cleaned_data["version"], details=form.details(),
                )
            except EditConflict as error:
                conflict = error
                form = form_after_conflict(StatutoryStatusForm, request.POST, error,
                                           CONFLICT_MESSAGE)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The statutory status has been saved.")
                return redirect("people:detail", person_pk=person.pk)
    else:
        form = StatutoryStatusForm(initial=StatutoryStatusForm.initial_for(person))
    return render(request, "people/statutory_status.html",
                  {"form": form, "person": person, "conflict": conflict,
                   "identity": identity_for(user, person)})


@requires(Action.PERSON_ACCESS_LOG)
def access_log(request: HubRequest, person_pk: int) -> HttpResponse:
    user = request.user
    person = selectors.person_for(user, person_pk, Action.PERSON_ACCESS_LOG)
    opening.record_viewed(request, person, page="access log")
    events = selectors.person_access_history(user, person)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "people/person_access_log.html",
                  {"person": person, "page_obj": page, "identity": identity_for(user, person)})
