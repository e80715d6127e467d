"""The tracker's pages: inspections and their recommendations and areas for improvement
(entered or imported), a recommendation's page with the force's status beside the PCC's
assessment, its actions, its live measures drawn as the dashboard draws them and its
history; one's own actions; and the published progress statements (HTML and PDF).

Thin: ``accountability.selectors`` reads through ``access``; ``accountability.services``
and ``accountability.statements`` decide and audit. The tracker is not a record about
children, but its pages name staff (an action's owner, who set a status, who assessed):
each page about one record audits the read as a view, as the hub does for staff's
caseloads; a published statement names no one and its reads are audited all the same
(its PDF as an export)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access import opening, policy
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.accountability import background_jobs, selectors, services, statements
from macehub.accountability.codes import ActionStatus, ForceStatus
from macehub.accountability.forms import (
    ActionForm,
    ActionUpdateForm,
    AssessmentForm,
    ImportForm,
    InspectionForm,
    MetricLinkForm,
    RecommendationForm,
    StatementForm,
    StatusForm,
)
from macehub.accountability.imports import RecommendationImportError, import_recommendations
from macehub.accountability.models import Inspection, Recommendation
from macehub.accounts.models import User
from macehub.core.metrics import Filters, UnknownMetric, all_metrics, get_metric
from macehub.core.service_errors import add_service_errors
from macehub.forms import last_full_month
from macehub.governance.requested_jobs import start_requested_job
from macehub.performance.selectors import metric_panel
from macehub.ui.form_pages import answer_form

CONFLICT_MESSAGE = ("Someone else changed this while you were reading it. Nothing has been "
                    "saved. Check it, then try again.")


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _to_recommendation(recommendation_pk: int) -> HttpResponse:
    return redirect("accountability:recommendation", recommendation_pk=recommendation_pk)


# --- inspections ---------------------------------------------------------------------------


@requires(Action.INSPECTION_VIEW)
def inspection_list(request: HubRequest) -> HttpResponse:
    return render(request, "accountability/inspection_list.html", {
        "inspections": list(selectors.inspections(request.user)),
        "may_manage": policy.allows(request.user, Action.INSPECTION_MANAGE),
    })


@requires(Action.INSPECTION_MANAGE)
def inspection_new(request: HubRequest) -> HttpResponse:
    form = InspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.record_inspection(
                actor=request.user, body=data["body"], title=data["title"],
                published_on=data["published_on"], reference=data["reference"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Inspection recorded.")
            return redirect("accountability:inspection", inspection_pk=inspection.pk)
    return render(request, "accountability/form_page.html", {
        "form": form, "heading": "Record an inspection", "button": "Record the inspection",
        "back": ("accountability:inspections", None, "Inspections")}, status=_status(form))


@requires(Action.INSPECTION_VIEW)
def inspection_detail(request: HubRequest, inspection_pk: int) -> HttpResponse:
    user = request.user
    inspection = selectors.inspection_for(user, inspection_pk)
    opening.record_viewed(request, inspection, page="inspection")
    today = timezone.localdate()
    return render(request, "accountability/inspection_detail.html", {
        "inspection": inspection,
        "findings": list(selectors.recommendations_of(inspection, today)),
        "statement_count": inspection.statements.count(),
        "may_manage": policy.allows(user, Action.INSPECTION_MANAGE),
        "may_publish": policy.allows(user, Action.PROGRESS_STATEMENT_PUBLISH),
    })


@requires(Action.INSPECTION_MANAGE)
def recommendation_new(request: HubRequest, inspection_pk: int) -> HttpResponse:
    inspection = selectors.inspection_for(request.user, inspection_pk,
                                          Action.INSPECTION_MANAGE)
    if request.method == "GET":
        opening.record_viewed(request, inspection, page="add a recommendation")
    form = RecommendationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = services.add_recommendation(
                actor=request.user, inspection_pk=inspection.pk, kind=data["kind"],
                number=data["number"], text=data["text"], addressed_to=data["addressed_to"],
                theme=data["theme"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{found} added.")
            return redirect("accountability:inspection", inspection_pk=inspection.pk)
    return render(request, "accountability/form_page.html", {
        "form": form, "heading": "Add a recommendation or area for improvement",
        "caption": inspection.title, "button": "Add it",
        "back": ("accountability:inspection", inspection.pk, "Back to the inspection")},
        status=_status(form))


@requires(Action.INSPECTION_MANAGE)
def recommendation_import(request: HubRequest, inspection_pk: int) -> HttpResponse:
    inspection = selectors.inspection_for(request.user, inspection_pk,
                                          Action.INSPECTION_MANAGE)
    if request.method == "GET":
        opening.record_viewed(request, inspection, page="import recommendations")
    form = ImportForm(request.POST if request.method == "POST" else None,
                      request.FILES if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = import_recommendations(form.cleaned_data["file"], actor=request.user,
                                             inspection=inspection)
        except RecommendationImportError as error:
            form.add_error("file", f"The file was not imported: {len(error.problems)}"
                                   f"{' or more' if error.truncated else ''} problem(s) found")
            problems = [str(problem) for problem in error.problems]
        else:
            messages.success(request, str(summary))
            return redirect("accountability:inspection", inspection_pk=inspection.pk)
    return render(request, "accountability/import.html", {
        "form": form, "inspection": inspection, "problems": problems}, status=_status(form))


# --- a recommendation ----------------------------------------------------------------------


def _history(recommendation: Recommendation) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{
        "label": f"The force's status: {ForceStatus(change.to_status).label}",
        "datetime": change.changed_at, "byline": change.changed_by.display_name,
        "text": f"From {ForceStatus(change.from_status).label.lower()}. {change.commentary}"}
        for change in recommendation.status_changes.all()]
    items += [{
        "label": f"The PCC's assessment: {change.get_to_assessment_display()}",
        "datetime": change.assessed_at, "byline": change.assessed_by.display_name,
        "text": change.note} for change in recommendation.assessment_changes.all()]
    return sorted(items, key=lambda item: item["datetime"], reverse=True)


@requires(Action.INSPECTION_VIEW)
def recommendation_detail(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    user = request.user
    recommendation = selectors.recommendation_for(user, recommendation_pk)
    opening.record_viewed(request, recommendation, page="recommendation")
    today = timezone.localdate()
    period = last_full_month(today)
    panels = []
    for link in recommendation.metric_links.all():
        try:
            metric = get_metric(link.metric_code)
        except UnknownMetric:
            continue
        panels.append(metric_panel(user, metric, period, Filters()))
    status_changes = list(recommendation.status_changes.all())
    assessments = list(recommendation.assessment_changes.all())
    return render(request, "accountability/recommendation_detail.html", {
        "recommendation": recommendation, "inspection": recommendation.inspection,
        "actions": list(recommendation.actions.all()), "today": today,
        "latest_status": status_changes[0] if status_changes else None,
        "latest_assessment": assessments[0] if assessments else None,
        "panels": panels, "period": period, "history": _history(recommendation),
        "may_manage": policy.allows(user, Action.INSPECTION_MANAGE),
        "may_assess": policy.allows(user, Action.RECOMMENDATION_ASSESS),
        # The dashboard's panel links to the dashboard's pages: only for its readers.
        "sees_dashboard": policy.allows(user, Action.PERFORMANCE_VIEW),
        "open_action": ActionStatus.OPEN,
    })


def _recommendation_page(request: HubRequest, recommendation_pk: int, *, action: Action,
                         form_class: Any, initial: dict[str, Any], heading: str,
                         save: Any) -> HttpResponse:
    """A page with one versioned form about a recommendation (the force's status, the
    PCC's assessment): an edit conflict keeps what the user typed and says what changed."""
    recommendation = selectors.recommendation_for(request.user, recommendation_pk, action)
    if request.method == "GET":
        opening.record_viewed(request, recommendation, page=heading)

    def make(data: Any) -> Any:
        return form_class(data, initial={"version": recommendation.version, **initial})

    answered = answer_form(request, make, lambda data: save(recommendation, data),
                           conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return _to_recommendation(recommendation.pk)
    return render(request, "accountability/form_page.html", {
        "form": answered.form, "conflict": answered.conflict, "heading": heading,
        "caption": f"{recommendation}: {recommendation.inspection.title}",
        "summary": recommendation.text, "button": "Save",
        "back": ("accountability:recommendation", recommendation.pk,
                 f"Back to {str(recommendation).lower()}")}, status=answered.status)


@requires(Action.INSPECTION_MANAGE)
def recommendation_status(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    def save(recommendation: Recommendation, data: dict[str, Any]) -> str:
        done = services.set_status(actor=request.user, recommendation_pk=recommendation.pk,
                                   expected_version=data["version"], status=data["status"],
                                   commentary=data["commentary"])
        return f"Status set: {done.get_status_display().lower()}."
    return _recommendation_page(request, recommendation_pk, action=Action.INSPECTION_MANAGE,
                                form_class=StatusForm, initial={}, heading="Set the status",
                                save=save)


@requires(Action.RECOMMENDATION_ASSESS)
def recommendation_assess(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    def save(recommendation: Recommendation, data: dict[str, Any]) -> str:
        services.assess(actor=request.user, recommendation_pk=recommendation.pk,
                        expected_version=data["version"], assessment=data["assessment"],
                        note=data["note"])
        return "Scrutiny note and assessment recorded."
    return _recommendation_page(request, recommendation_pk,
                                action=Action.RECOMMENDATION_ASSESS, form_class=AssessmentForm,
                                initial={}, heading="Scrutinise and assess", save=save)


def _owners() -> list[tuple[int, str]]:
    return [(user.pk, f"{user.display_name} ({user.agency.name if user.agency else '–'})")
            for user in User.objects.filter(is_active=True, agency__isnull=False)
            .select_related("agency").order_by("agency__name", "last_name", "first_name")]


@requires(Action.INSPECTION_MANAGE)
def action_new(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_for(request.user, recommendation_pk,
                                                  Action.INSPECTION_MANAGE)
    if request.method == "GET":
        opening.record_viewed(request, recommendation, page="add an action")
    form = ActionForm(request.POST if request.method == "POST" else None, owners=_owners())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_action(actor=request.user, recommendation_pk=recommendation.pk,
                                description=data["description"], owner_pk=data["owner"],
                                agency_pk=None, due_on=data["due_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Action added.")
            return _to_recommendation(recommendation.pk)
    return render(request, "accountability/form_page.html", {
        "form": form, "heading": "Add an action", "button": "Add the action",
        "caption": f"{recommendation}: {recommendation.inspection.title}",
        "summary": recommendation.text,
        "back": ("accountability:recommendation", recommendation.pk,
                 f"Back to {str(recommendation).lower()}")}, status=_status(form))


def _measures() -> list[tuple[str, str]]:
    return [(metric.code, f"{metric.group}: {metric.name}" if metric.group else metric.name)
            for metric in all_metrics()]


@requires(Action.INSPECTION_MANAGE)
def measure_link(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_for(request.user, recommendation_pk,
                                                  Action.INSPECTION_MANAGE)
    if request.method == "GET":
        opening.record_viewed(request, recommendation, page="link a measure")
    form = MetricLinkForm(request.POST if request.method == "POST" else None,
                          measures=_measures())
    if request.method == "POST" and form.is_valid():
        try:
            services.link_metric(actor=request.user, recommendation_pk=recommendation.pk,
                                 metric_code=form.cleaned_data["metric_code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Measure linked as evidence.")
            return _to_recommendation(recommendation.pk)
    return render(request, "accountability/form_page.html", {
        "form": form, "heading": "Link a measure as evidence", "button": "Link the measure",
        "caption": f"{recommendation}: {recommendation.inspection.title}",
        "summary": recommendation.text,
        "back": ("accountability:recommendation", recommendation.pk,
                 f"Back to {str(recommendation).lower()}")}, status=_status(form))


@require_POST
@requires(Action.INSPECTION_MANAGE)
def measure_unlink(request: HubRequest, recommendation_pk: int) -> HttpResponse:
    recommendation = selectors.recommendation_for(request.user, recommendation_pk,
                                                  Action.INSPECTION_MANAGE)
    try:
        services.unlink_metric(actor=request.user, recommendation_pk=recommendation.pk,
                               metric_code=request.POST.get("metric_code", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Measure taken off.")
    return _to_recommendation(recommendation.pk)


# --- actions -------------------------------------------------------------------------------


@requires(Action.IMPROVEMENT_ACTION_VIEW)
def my_actions(request: HubRequest) -> HttpResponse:
    actions = list(selectors.actions_owned(request.user))
    today = timezone.localdate()
    return render(request, "accountability/my_actions.html", {
        "actions": actions, "today": today,
        "overdue": sum(a.status == ActionStatus.OPEN and a.due_on < today for a in actions),
    })


@requires(Action.IMPROVEMENT_ACTION_UPDATE)
def action_update(request: HubRequest, improvement_action_pk: int) -> HttpResponse:
    user = request.user
    action = selectors.action_for(user, improvement_action_pk,
                                  Action.IMPROVEMENT_ACTION_UPDATE)
    if request.method == "GET":
        opening.record_viewed(request, action, page="inspection action")

    def make(data: Any) -> Any:
        return ActionUpdateForm(data, initial={"version": action.version,
                                               "status": action.status,
                                               "done_on": action.done_on,
                                               "evidence": action.evidence})

    def save(data: dict[str, Any]) -> str:
        services.update_action(actor=user, action_pk=action.pk,
                               expected_version=data["version"], status=data["status"],
                               done_on=data["done_on"], evidence=data["evidence"])
        return "Action updated."

    answered = answer_form(request, make, save, conflict_message=CONFLICT_MESSAGE)
    if answered.saved:
        return redirect("accountability:my_actions")
    return render(request, "accountability/action_update.html", {
        "action": action, "form": answered.form, "conflict": answered.conflict,
        "today": timezone.localdate(), "open_action": ActionStatus.OPEN},
        status=answered.status)


# --- progress statements -------------------------------------------------------------------


@requires(Action.PROGRESS_STATEMENT_VIEW)
def statement_list(request: HubRequest) -> HttpResponse:
    return render(request, "accountability/statement_list.html", {
        "statements": list(selectors.published_statements(request.user))})


@requires(Action.PROGRESS_STATEMENT_VIEW)
def inspection_statements(request: HubRequest, inspection_pk: int) -> HttpResponse:
    """An inspection's published statements; a scrutiny officer publishes a new one here."""
    user = request.user
    inspection = policy.get_or_404(user, Action.PROGRESS_STATEMENT_VIEW,
                                   Inspection.objects.all(), pk=inspection_pk)
    may_publish = policy.allows(user, Action.PROGRESS_STATEMENT_PUBLISH)
    form = StatementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        policy.require(user, Action.PROGRESS_STATEMENT_PUBLISH)
        if form.is_valid():
            try:
                statement = statements.publish_statement(
                    actor=user, inspection_pk=inspection.pk,
                    foreword=form.cleaned_data["foreword"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Progress statement published.")
                return redirect("accountability:statement", statement_pk=statement.pk)
    else:
        opening.record_viewed(request, inspection, page="progress statements")
    return render(request, "accountability/inspection_statements.html", {
        "inspection": inspection, "statements": list(selectors.statements_of(inspection)),
        "form": form, "may_publish": may_publish,
        "month": last_full_month(timezone.localdate()),
    }, status=_status(form))


@requires(Action.PROGRESS_STATEMENT_VIEW)
def statement_detail(request: HubRequest, statement_pk: int) -> HttpResponse:
    statement = selectors.statement_for(request.user, statement_pk)
    opening.record_viewed(request, statement, page="progress statement")
    return render(request, "accountability/statement_detail.html", {"statement": statement})


@requires(Action.PROGRESS_STATEMENT_VIEW)
@require_POST
def statement_pdf(request: HubRequest, statement_pk: int) -> HttpResponse:
    """Drawn in the background; the user downloads it from the job's page (the export,
    audited)."""
    statement = selectors.statement_for(request.user, statement_pk)
    job = start_requested_job(
        actor=request.user, kind=background_jobs.STATEMENT_PDF,
        title=f"PDF of the progress statement published {statement.published_at:%d %B %Y}",
        arguments={"statement_pk": statement.pk})
    return redirect("audit:requested_job", requested_job_pk=job.pk)
