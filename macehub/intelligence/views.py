"""Intelligence pages: submitting information, the report list and review queue, a
report with its review, links and dissemination, the entity pages, the one search box,
and the CSV export. Thin: each validates input, asks a selector or service (which ask
``access``), and renders.

List pages serve a record-level action without a record in their URL: they refuse users
without the action's roles with 403 (``policy.require``) and then list only what the
policy scopes to the user.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.csv_export import csv_download
from macehub.core.service_errors import add_service_errors
from macehub.core.versioning import EditConflict, form_after_conflict
from macehub.intelligence import selectors, services
from macehub.intelligence.codes import (
    EntityKind,
    ReportStatus,
)
from macehub.intelligence.entity_pages import links_for
from macehub.intelligence.export import export_reports
from macehub.intelligence.forms import (
    LINK_FORMS,
    DisseminationForm,
    EntitySearchForm,
    GradingForm,
    LinkForm,
    LinkKindForm,
    LinkSearchForm,
    RecordReportForm,
    ReportFilterForm,
    ReviewForm,
    SubmissionForm,
)
from macehub.intelligence.models import (
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    Vehicle,
)
from macehub.intelligence.search import search_entities
from macehub.intelligence.sections import sections_for as entity_sections_for
from macehub.people.selectors import search_people

PAGE_SIZE = 25


def _report_context(request: HubRequest, report: IntelligenceReport) -> dict[str, Any]:
    user = request.user
    text = selectors.report_text_for(user, report)
    return {
        "report": report,
        "text": text,
    }


# --- Submissions from any partner ----------------------------------------------------------


@requires(Action.INTELLIGENCE_SUBMIT)
def submit(request: HubRequest) -> HttpResponse:
    form = SubmissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = services.submit_information(actor=request.user,
                                                     info=form.information())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Your information has been sent to the hub. Its "
                                      f"reference is {submission.reference}.")
            return redirect("intelligence:submission_detail", intel_submission_pk=submission.pk)
    return render(request, "intelligence/submit.html", {"form": form})


@requires(Action.INTELLIGENCE_SUBMISSION_VIEW_OWN)
def my_submissions(request: HubRequest) -> HttpResponse:
    submissions = selectors.own_submissions(request.user)
    page = Paginator(submissions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intelligence/my_submissions.html", {
        "page_obj": page,
        "can_submit": policy.allows(request.user, Action.INTELLIGENCE_SUBMIT),
    })


@requires(Action.INTELLIGENCE_SUBMISSION_VIEW_OWN)
def submission_detail(request: HubRequest, intel_submission_pk: int) -> HttpResponse:
    submission = selectors.submission_for(request.user, intel_submission_pk)
    opening.record_viewed(request, submission, page="submission")
    return render(request, "intelligence/submission_detail.html", {"submission": submission})


# --- Reports ------------------------------------------------------------------------------


@requires(Action.INTELLIGENCE_VIEW)
def report_list(request: HubRequest) -> HttpResponse:
    user = request.user
    policy.require(user, Action.INTELLIGENCE_VIEW)
    form = ReportFilterForm(request.GET or None, choices=selectors.report_filter_choices())
    filters = form.filters()
    reports = selectors.report_list(user, filters)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.record_listed(user=user, listing="intelligence reports",
                            records=list(page), request=request)
    return render(request, "intelligence/report_list.html", {
        "form": form,
        "page_obj": page,
        "filtered": bool(filters.as_dict()),
        "can_record": policy.allows(user, Action.INTELLIGENCE_RECORD),
        "can_export": policy.allows(user, Action.INTELLIGENCE_EXPORT),
        "can_review": policy.allows(user, Action.INTELLIGENCE_REVIEW),
    })


@requires(Action.INTELLIGENCE_RECORD)
def record(request: HubRequest) -> HttpResponse:
    form = RecordReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.record_report(actor=request.user, report=form.new_report())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Intelligence report {report.reference} has been "
                                      "recorded. It is in the review queue.")
            return redirect("intelligence:report_detail", intel_report_pk=report.pk)
    return render(request, "intelligence/record.html", {"form": form})


@requires(Action.INTELLIGENCE_VIEW)
def report_detail(request: HubRequest, intel_report_pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_for(user, intel_report_pk)
    context = _report_context(request, report)
    selectors.record_viewed(user=user, record=report, request=request,
                            source_shown=context["text"].is_source)
    allowed = policy.actions_allowed(user, (
        Action.INTELLIGENCE_REVIEW, Action.INTELLIGENCE_LINK, Action.INTELLIGENCE_DISSEMINATE,
    ), report)
    may_review = Action.INTELLIGENCE_REVIEW in allowed and not report.is_read_only
    may_link = Action.INTELLIGENCE_LINK in allowed and not report.is_read_only
    owning_team = context["text"].is_source
    context.update({
        "is_author": report.created_by_id == user.pk,
        # Who reviewed it, when, and their note are the owning team's business.
        "review_details": owning_team and report.reviewed_at is not None
        and not report.is_read_only,
        "links": selectors.links_of(user, report),
        "disseminations": selectors.disseminations_of(user, report),
        "submission": getattr(report, "submission", None) if context["text"].is_source else None,
        "can_review": may_review and context["text"].is_source,
        "can_link": may_link,
        "can_disseminate": (
            not report.is_read_only and report.status == ReportStatus.REVIEWED
            and Action.INTELLIGENCE_DISSEMINATE in allowed
        ),
    })
    return render(request, "intelligence/report_detail.html", context)


def _read_only_refusal(request: HubRequest, report: IntelligenceReport) -> HttpResponse:
    messages.info(request, "Historic 5x5x5 reports are kept as they were recorded and cannot "
                           "be changed.")
    return redirect("intelligence:report_detail", intel_report_pk=report.pk)


@requires(Action.INTELLIGENCE_REVIEW)
def review(request: HubRequest, intel_report_pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_for(user, intel_report_pk, Action.INTELLIGENCE_REVIEW)
    if report.is_read_only:
        return _read_only_refusal(request, report)
    if not selectors.may_see_source(user, report):
        raise PermissionDenied("Only the team that owns a report can review it")
    if request.method == "GET":  # the review page shows what the source said
        opening.record_viewed(request, report, page="review", detail={"source_shown": True})
    conflict = None
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review_report(actor=user, report_pk=report.pk,
                                       expected_version=form.cleaned_data["version"],
                                       review=form.review())
            except EditConflict as error:
                conflict = error
                form = form_after_conflict(
                    ReviewForm, request.POST, error,
                    "Someone else changed this report while you were reviewing it. Your "
                    "review has not been saved. Check their changes, then save again.")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Report {report.reference} has been reviewed.")
                return redirect("intelligence:report_detail", intel_report_pk=report.pk)
    else:
        form = ReviewForm(initial={
            **GradingForm.initial_for(report),
            "sanitised_text": report.sanitised_text,
            "action": report.review_action,
            "note": report.review_note,
            "version": report.version,
        })
    context = _report_context(request, report)
    context.update({"form": form, "conflict": conflict,
                    "submission": getattr(report, "submission", None)})
    return render(request, "intelligence/review.html", context)


@requires(Action.INTELLIGENCE_REVIEW)
def review_queue(request: HubRequest) -> HttpResponse:
    user = request.user
    policy.require(user, Action.INTELLIGENCE_REVIEW)
    showing_reviewed = request.GET.get("show") == "reviewed"
    reports = (selectors.recently_reviewed(user) if showing_reviewed
               else selectors.review_queue(user))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.record_listed(user=user, listing="reviewed reports" if showing_reviewed
                            else "review queue", records=list(page), request=request)
    queue_url = reverse("intelligence:review_queue")
    return render(request, "intelligence/review_queue.html", {
        "page_obj": page,
        "showing_reviewed": showing_reviewed,
        "own_waiting": selectors.awaiting_others_review(user),
        "timeliness": selectors.review_timeliness(user),
        "tabs": [
            {"text": "Awaiting review", "href": queue_url, "active": not showing_reviewed},
            {"text": "Reviewed", "href": f"{queue_url}?show=reviewed",
             "active": showing_reviewed},
        ],
    })


# --- Links --------------------------------------------------------------------------------


def _found_records(request: HubRequest, kind: str, query: str) -> list[tuple[int, str]]:
    """Existing records the user may see that match what they typed (audited)."""
    user = request.user
    if not query.strip():
        return []
    if kind == EntityKind.PERSON:
        matches = search_people(user=user, text=query, request=request)
        return [(m.person.pk, _person_choice(m.person)) for m in matches[:10]]
    results = search_entities(user=user, text=query, request=request)
    section = {"location": results.locations, "vehicle": results.vehicles,
               "phone": results.phones, "account": results.accounts,
               "premises": results.premises}[kind]
    return [(hit.entity.pk, str(hit.entity)) for hit in section[:10]]


def _person_choice(person: Any) -> str:
    born = f", born {person.date_of_birth:%d/%m/%Y}" if person.date_of_birth else ""
    return f"{person.full_name}{born} ({person.owning_agency.name})"


@requires(Action.INTELLIGENCE_LINK)
def add_link(request: HubRequest, intel_report_pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_for(user, intel_report_pk, Action.INTELLIGENCE_LINK)
    if report.is_read_only:
        return _read_only_refusal(request, report)
    if request.method == "GET":
        opening.record_viewed(request, report, page="add a link")
    kind_form = LinkKindForm(request.GET if "kind" in request.GET else None)
    kind = kind_form.cleaned_data["kind"] if kind_form.is_bound and kind_form.is_valid() else ""
    if not kind:
        return render(request, "intelligence/link_kind.html",
                      {"report": report, "form": kind_form})
    form_class = LINK_FORMS[kind]
    typed = request.POST.get("q") if request.method == "POST" else request.GET.get("q")
    search = LinkSearchForm({"q": typed or ""})
    if not search.is_valid():
        # Beyond the search limits: nothing is searched or linked, and the page says why,
        # keeping what was typed in the search box.
        return _link_page(request, report, kind, form_class(found=[]), search, status=400)
    query = search.cleaned_data["q"]
    found = _found_records(request, kind, query)
    form: LinkForm
    if request.method == "POST":
        form = form_class(request.POST, found=found)
        if form.is_valid():
            try:
                services.link_entity(actor=user, report_pk=report.pk, request=services.LinkRequest(
                    kind=kind, role=form.cleaned_data["role"],
                    description=form.cleaned_data.get("described_as", ""),
                    existing_pk=form.existing_pk(), new=form.new_entity(),
                    new_person=form.new_person(), new_person_street_name=form.street_name(),
                ))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"The {EntityKind(kind).label.lower()} has been "
                                          f"linked to {report.reference}.")
                return redirect("intelligence:report_detail", intel_report_pk=report.pk)
    else:
        form = form_class(found=found)
    return _link_page(request, report, kind, form, search, query=query, found=found)


def _link_page(request: HubRequest, report: IntelligenceReport, kind: str, form: LinkForm,
               search: LinkSearchForm, *, query: str = "",
               found: list[tuple[int, str]] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "intelligence/link_form.html", {
        "report": report, "form": form, "search_form": search, "kind": kind,
        "kind_label": EntityKind(kind).label,
        "query": query, "searched": bool(query.strip()), "found": found or [],
        "can_create_person": policy.allows(request.user, Action.PERSON_CREATE),
    }, status=status)


@requires(Action.INTELLIGENCE_LINK)
def remove_link(request: HubRequest, intel_report_pk: int, intel_link_pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_for(user, intel_report_pk, Action.INTELLIGENCE_LINK)
    if report.is_read_only:
        return _read_only_refusal(request, report)
    link = next(
        (view for view in selectors.links_of(user, report) if view.link.pk == intel_link_pk),
        None,
    )
    if link is None:
        raise Http404("No such record")
    if request.method == "POST":
        services.remove_link(actor=user, report_pk=report.pk, link_pk=intel_link_pk)
        messages.success(request, f"The link has been removed from {report.reference}.")
        return redirect("intelligence:report_detail", intel_report_pk=report.pk)
    opening.record_viewed(request, report, page="remove a link")
    return render(request, "intelligence/remove_link.html", {"report": report, "link": link})


# --- Dissemination ------------------------------------------------------------------------


@requires(Action.INTELLIGENCE_DISSEMINATE)
def disseminate(request: HubRequest, intel_report_pk: int) -> HttpResponse:
    user = request.user
    report = selectors.report_for(user, intel_report_pk, Action.INTELLIGENCE_DISSEMINATE)
    if report.is_read_only:
        return _read_only_refusal(request, report)
    form = DisseminationForm(request.POST or None,
                             from_agency_pk=report.owning_team.agency_id)
    if request.method == "POST" and form.is_valid():
        try:
            shared = services.disseminate_to_agencies(
                actor=user, report_pk=report.pk,
                to_agency_pks=form.cleaned_data["to_agency"],
                lawful_basis=form.cleaned_data["lawful_basis"],
                agreement_pks=form.cleaned_data["agreements"],
                reason_without_agreement=form.cleaned_data["reason_without_agreement"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            names = services.and_list([item.to_agency.name for item in shared])
            messages.success(request, f"{report.reference} has been shared with {names}.")
            return redirect("intelligence:report_detail", intel_report_pk=report.pk)
    if request.method == "GET":
        opening.record_viewed(request, report, page="share with a partner")
    context = _report_context(request, report)
    context.update({"form": form, "ready": report.status == ReportStatus.REVIEWED
                    and bool(report.sanitised_text.strip())})
    return render(request, "intelligence/disseminate.html", context)


# --- Export -------------------------------------------------------------------------------


@requires(Action.INTELLIGENCE_EXPORT)
def export(request: HubRequest) -> HttpResponse:
    user = request.user
    form = ReportFilterForm(request.GET or None, choices=selectors.report_filter_choices())
    filters = form.filters()
    if request.GET.get("format") == "csv" and not form.errors:
        exported = export_reports(actor=user, filters=filters, request=request)
        return csv_download(exported.content, filename=exported.filename)
    count = selectors.report_list(user, filters).count()
    query = request.GET.copy()
    query["format"] = "csv"
    return render(request, "intelligence/export.html", {
        "form": form, "count": count, "download_query": query.urlencode(),
    })


# --- Search and entity pages --------------------------------------------------------------


@requires(Action.ENTITY_SEARCH)
def search(request: HubRequest) -> HttpResponse:
    form = EntitySearchForm(request.GET if "q" in request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        results = search_entities(user=request.user, text=form.cleaned_data["q"],
                                  request=request)
    # A search refused is a bad request, as the dashboard's filters are.
    return render(request, "intelligence/search.html", {"form": form, "results": results},
                  status=400 if form.is_bound and form.errors else 200)


def _entity_page(request: HubRequest, model: type[Model], pk: int, template: str,
                 **extra: Any) -> HttpResponse:
    user = request.user
    entity = selectors.entity_for(user, model, pk)
    selectors.record_viewed(user=user, record=entity, request=request)
    context = {
        "entity": entity,
        "mentions": selectors.reports_about_entity(user, entity),
        "kind_label": str(model._meta.verbose_name).capitalize(),
        "entity_links": links_for(user, entity),
        "sections": entity_sections_for(user, entity),
        **extra,
    }
    if isinstance(entity, Location):
        context["premises_here"] = selectors.premises_at(user, entity)  # paged on the page
    return render(request, template, context)


@requires(Action.ENTITY_VIEW)
def location_detail(request: HubRequest, intel_location_pk: int) -> HttpResponse:
    return _entity_page(request, Location, intel_location_pk, "intelligence/location_detail.html")


@requires(Action.ENTITY_VIEW)
def vehicle_detail(request: HubRequest, intel_vehicle_pk: int) -> HttpResponse:
    return _entity_page(request, Vehicle, intel_vehicle_pk, "intelligence/vehicle_detail.html")


@requires(Action.ENTITY_VIEW)
def phone_detail(request: HubRequest, intel_phone_pk: int) -> HttpResponse:
    return _entity_page(request, PhoneNumber, intel_phone_pk, "intelligence/phone_detail.html")


@requires(Action.ENTITY_VIEW)
def account_detail(request: HubRequest, intel_account_pk: int) -> HttpResponse:
    return _entity_page(request, OnlineAccount, intel_account_pk,
                        "intelligence/account_detail.html")


@requires(Action.ENTITY_VIEW)
def premises_detail(request: HubRequest, intel_premises_pk: int) -> HttpResponse:
    return _entity_page(request, Premises, intel_premises_pk, "intelligence/premises_detail.html")
