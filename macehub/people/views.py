"""People pages: search, record, view, change, share with a partner agency, and who has
seen a record. Thin: each validates input, asks a selector or service (which ask
``access``), and renders."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.policy import actions_allowed, allows
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.governance.sharing import SharingAgreement
from macehub.people import merging, selectors, services
from macehub.people.forms import (
    NewPersonForm,
    PersonDetailsForm,
    PersonEditForm,
    PersonSearchForm,
    ShareForm,
    StatutoryStatusForm,
    StopSharingForm,
)
from macehub.people.identity import identity_for
from macehub.people.models import Person
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
    allowed = actions_allowed(
        user, (Action.PERSON_CHANGE, Action.PERSON_ACCESS_LOG, Action.PERSON_SHARE), person)
    merges = merging.merges_of(user, person)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "can_change": Action.PERSON_CHANGE in allowed,
            "can_see_access_log": Action.PERSON_ACCESS_LOG in allowed,
            "can_share": Action.PERSON_SHARE in allowed,
            "shares": selectors.shares_of(person),
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


def _agreement_choices(person: Person, agency_pk: object) -> list[tuple[int, str]]:
    """Agreements in force that the record's agency is party to; once a partner agency is
    chosen, only those covering it too."""
    pks = [person.owning_agency_id]
    if isinstance(agency_pk, int):
        pks.append(agency_pk)
    agreements = SharingAgreement.objects.covering(timezone.localdate(), *pks)
    return [(agreement.pk, f"{agreement.reference} {agreement.title}")
            for agreement in agreements.order_by("reference")]


@requires(Action.PERSON_SHARE)
def share(request: HubRequest, person_pk: int) -> HttpResponse:
    """Share the record with a partner agency, naming the agreement it relies on."""
    user = request.user
    person = selectors.person_for(user, person_pk, Action.PERSON_SHARE)
    if request.method == "GET":
        opening.record_viewed(request, person, page="share the record")
    agencies = [(agency.pk, agency.name) for agency in services.partner_agencies_for(person)]
    chosen = None
    if request.method == "POST":
        field = forms.TypedChoiceField(choices=agencies, coerce=int, required=False)
        try:
            chosen = field.clean(request.POST.get("agency", ""))
        except ValidationError:
            chosen = None
    form = ShareForm(request.POST or None, agencies=agencies,
                     agreements=_agreement_choices(person, chosen))
    if request.method == "POST" and form.is_valid():
        try:
            shared = services.share_person(
                actor=user, person_pk=person.pk, agency_pk=form.cleaned_data["agency"],
                agreement_pk=form.cleaned_data["agreement"],
                reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The record is now shared with {shared.agency.name}.")
            return redirect("people:detail", person_pk=person.pk)
    return render(request, "people/person_share.html",
                  {"form": form, "person": person, "has_partners": bool(agencies),
                   "identity": identity_for(user, person)})


@requires(Action.PERSON_SHARE)
def stop_sharing(request: HubRequest, person_pk: int, person_share_pk: int) -> HttpResponse:
    """Confirm, with a reason, that the record is no longer shared with an agency."""
    user = request.user
    person = selectors.person_for(user, person_pk, Action.PERSON_SHARE)
    shared = selectors.share_for(person, person_share_pk)
    if request.method == "GET":
        opening.record_viewed(request, person, page="stop sharing the record")
    form = StopSharingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stop_sharing_person(actor=user, share_pk=shared.pk,
                                         reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request,
                             f"The record is no longer shared with {shared.agency.name}.")
            return redirect("people:detail", person_pk=person.pk)
    return render(request, "people/person_stop_sharing.html",
                  {"form": form, "person": person, "share": shared,
                   "identity": identity_for(user, person)})
