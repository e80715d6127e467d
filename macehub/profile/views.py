"""The problem profile's pages: the live patterns, the list of profiles, drafting a
profile and its sections, publishing it, and its two published versions (HTML and PDF).
Thin: parse, ask the access policy (``requires`` and ``document``), call the service,
render. Every page about one profile records the read (a draft and the restricted version
name premises and suspects); every PDF download is an audited export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.opening import record_viewed
from macehub.access.policy import allows
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.service_errors import add_service_errors
from macehub.governance.requested_jobs import start_requested_job
from macehub.people.areas import area_filter_choices
from macehub.people.models import Area
from macehub.profile import background_jobs, document, patterns
from macehub.profile.forms import NewProfileForm, PeriodAreaForm, PublishForm, SectionForm
from macehub.profile.models import ProblemProfile
from macehub.ui.form_pages import answer_form

CONFLICT_MESSAGE = ("Someone else saved this section while you were writing. Your words "
                    "are kept below: check what they changed, then save again.")


@requires(Action.PROFILE_VIEW)
def patterns_page(request: HubRequest) -> HttpResponse:
    """The live patterns for a period and an area: aggregates only, inside the hub."""
    areas = area_filter_choices()
    form = PeriodAreaForm(request.GET or None, areas=areas)
    invalid = form.is_bound and not form.is_valid()
    period, code = form.period(), form.area_code()
    return render(request, "profile/patterns.html", {
        "form": form, "period": period, "invalid": invalid,
        "area_label": dict(areas).get(code, "The whole force"),
        "tables": [] if invalid else patterns.patterns(period, code),
    }, status=400 if invalid else 200)


@requires(Action.PROFILE_PARTNERSHIP_VIEW)
def profile_list(request: HubRequest) -> HttpResponse:
    """Drafts for those who draft or publish; published profiles for every reader."""
    user = request.user
    may_draft = allows(user, Action.PROFILE_DRAFT)
    may_publish = allows(user, Action.PROFILE_PUBLISH)
    drafts = list(document.drafts_for(user)) if may_draft or may_publish else []
    return render(request, "profile/document_list.html", {
        "drafts": drafts, "published": list(document.published()), "may_draft": may_draft,
        "may_publish": may_publish, "may_see_patterns": allows(user, Action.PROFILE_VIEW),
        "may_read_restricted": allows(user, Action.PROFILE_RESTRICTED_VIEW),
    })


@requires(Action.PROFILE_DRAFT)
def new_profile(request: HubRequest) -> HttpResponse:
    form = NewProfileForm(request.POST if request.method == "POST" else None,
                          areas=area_filter_choices())
    if request.method == "POST" and form.is_valid():
        code = form.area_code()
        try:
            profile = document.start_draft(
                actor=request.user, title=form.cleaned_data["title"], period=form.period(),
                area=Area.objects.get(code=code) if code else None, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Draft started: {profile.title}.")
            return redirect("profile:draft", draft_profile_pk=profile.pk)
    return render(request, "profile/new.html", {"form": form},
                  status=400 if form.errors else 200)


def _drafted(request: HubRequest, draft_profile_pk: int, page: str) -> ProblemProfile:
    profile = document.draft_or_404(draft_profile_pk)
    if request.method == "GET":
        record_viewed(request, profile, page=page)
    return profile


@requires(Action.PROFILE_DRAFT)
def draft(request: HubRequest, draft_profile_pk: int) -> HttpResponse:
    """A draft with its figures worked out now and the analyst's words so far."""
    profile = _drafted(request, draft_profile_pk, "problem profile draft")
    return render(request, "profile/draft.html", {
        "profile": profile, "sections": document.draft_sections(profile),
        "area_label": document.area_label(profile), "period": document.period_of(profile),
        "threshold": document.suppression_threshold(),
    })


@requires(Action.PROFILE_DRAFT)
def edit_section(request: HubRequest, draft_profile_pk: int,
                 profile_section_key: str) -> HttpResponse:
    profile = _drafted(request, draft_profile_pk, "problem profile section")
    shown = {section.key: section for section in document.draft_sections(profile)}
    section = shown.get(profile_section_key)
    if section is None:
        raise Http404("No such section")
    row = section.row
    answered = answer_form(
        request,
        lambda data: SectionForm(data, initial={
            "version": row.version, "assessment": row.assessment,
            "recommendations": row.recommendations}),
        lambda cleaned: _save_section(request, profile, row.key, section.title, cleaned),
        conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("profile:draft", draft_profile_pk=profile.pk)
    return render(request, "profile/section_edit.html", {
        "profile": profile, "section": section, "form": answered.form,
        "conflict": answered.conflict, "threshold": document.suppression_threshold(),
    }, status=answered.status)


def _save_section(request: HubRequest, profile: ProblemProfile, key: str, title: str,
                  cleaned: dict[str, Any]) -> str:
    document.save_section(
        actor=request.user, profile_pk=profile.pk, key=key,
        expected_version=cleaned["version"], assessment=cleaned["assessment"],
        recommendations=cleaned["recommendations"])
    return f"{title}: saved."


@requires(Action.PROFILE_PUBLISH)
def publish(request: HubRequest, draft_profile_pk: int) -> HttpResponse:
    """The draft as it would be published, and the confirmation that freezes it."""
    profile = _drafted(request, draft_profile_pk, "problem profile publish")
    form = PublishForm(request.POST if request.method == "POST" else None,
                       initial={"version": profile.version})
    if request.method == "POST" and form.is_valid():
        try:
            document.publish(actor=request.user, profile_pk=profile.pk,
                             expected_version=form.cleaned_data["version"], request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Published and frozen: {profile.title}.")
            return redirect("profile:published_restricted", profile_pk=profile.pk)
    return render(request, "profile/publish_confirm.html", {
        "profile": profile, "form": form, "sections": document.draft_sections(profile),
        "area_label": document.area_label(profile), "period": document.period_of(profile),
        "threshold": document.suppression_threshold(),
    }, status=400 if form.errors else 200)


def _published_page(request: HubRequest, profile_pk: int, version: str) -> HttpResponse:
    profile = document.published_or_404(profile_pk)
    record_viewed(request, profile, page=f"problem profile ({version})")
    return render(request, "profile/published.html", {
        "profile": profile, "version": version,
        "version_name": document.VERSION_NAMES[version],
        "partnership": version == document.PARTNERSHIP,
        "sections": document.published_sections(profile, version),
        "area_label": document.area_label(profile), "period": document.period_of(profile),
        "threshold": profile.suppression_threshold,
        "may_read_restricted": allows(request.user, Action.PROFILE_RESTRICTED_VIEW),
        # Inside the hub only: what has been corrected since publication.
        "corrections": (document.restatements(profile) if version == document.RESTRICTED
                        else {}),
    })


def _pdf(request: HubRequest, profile_pk: int, version: str) -> HttpResponse:
    """The PDF is drawn in the background; the user follows it on the job's page and
    downloads it from there (the download is the export, audited)."""
    profile = document.published_or_404(profile_pk)
    job = start_requested_job(
        actor=request.user, kind=background_jobs.PDF_KINDS[version],
        title=f"PDF of {profile.title}, {version} version",
        arguments={"profile_pk": profile.pk, "version": version})
    return redirect("audit:requested_job", requested_job_pk=job.pk)


@requires(Action.PROFILE_RESTRICTED_VIEW)
def published_restricted(request: HubRequest, profile_pk: int) -> HttpResponse:
    return _published_page(request, profile_pk, document.RESTRICTED)


@requires(Action.PROFILE_PARTNERSHIP_VIEW)
def published_partnership(request: HubRequest, profile_pk: int) -> HttpResponse:
    return _published_page(request, profile_pk, document.PARTNERSHIP)


@requires(Action.PROFILE_RESTRICTED_VIEW)
@require_POST
def restricted_pdf(request: HubRequest, profile_pk: int) -> HttpResponse:
    return _pdf(request, profile_pk, document.RESTRICTED)


@requires(Action.PROFILE_PARTNERSHIP_VIEW)
@require_POST
def partnership_pdf(request: HubRequest, profile_pk: int) -> HttpResponse:
    return _pdf(request, profile_pk, document.PARTNERSHIP)
