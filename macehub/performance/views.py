"""Performance pages: the live dashboard, a metric's definition, published monthly
reports (suppressed for scrutiny) and their exports. Thin: validate, select, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.policy import allows
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_download
from macehub.core.metrics import TOTAL
from macehub.governance.requested_jobs import start_requested_job
from macehub.performance import background_jobs, exports, selectors, services
from macehub.performance.forms import DashboardFilterForm, PublishForm, filter_query
from macehub.performance.live_figures import figures_seconds


@requires(Action.PERFORMANCE_VIEW)
def dashboard(request: HubRequest) -> HttpResponse:
    form = _filter_form(request)
    invalid = form.is_bound and not form.is_valid()
    period, filters = form.period(), form.filters()
    panels = [] if invalid else selectors.dashboard(request.user, period, filters)
    return render(request, "performance/dashboard.html", {
        "form": form, "period": period, "filters": filters, "panels": panels,
        "worked_out_at": min((panel.worked_out_at for panel in panels
                              if panel.worked_out_at), default=None),
        "figures_minutes": max(1, figures_seconds() // 60),
        "summary": selectors.dashboard_summary(panels),
        "invalid": invalid, "suppressed": any(panel.suppressed for panel in panels),
        "threshold": services.suppression_threshold(),
    }, status=400 if invalid else 200)


def _filter_form(request: HubRequest) -> DashboardFilterForm:
    return DashboardFilterForm(
        request.GET or None, areas=selectors.area_choices(), agencies=selectors.agency_choices()
    )


@requires(Action.PERFORMANCE_VIEW)
def metric_detail(request: HubRequest, metric_code: str) -> HttpResponse:
    """A measure's definition and its panel, for the dashboard's period and filters."""
    metric = selectors.metric_or_404(metric_code)
    form = _filter_form(request)
    period, filters = form.period(), form.filters()
    panel = selectors.metric_panel(request.user, metric, period, filters)
    return render(request, "performance/metric.html", {
        "metric": metric, "panel": panel, "period": period,
        "query": filter_query(period, filters),
    })


@requires(Action.PERFORMANCE_VIEW)
def records(request: HubRequest, metric_code: str) -> HttpResponse:
    """The records behind one cell of a measure's figures (``breakdown``, ``category``;
    of a share, ``counted`` yes or no), for the dashboard's period and filters, as the
    access policy lets the user see them. A list that names children is a read of each
    record listed, audited."""
    metric = selectors.metric_or_404(metric_code)
    form = _filter_form(request)
    period, filters = form.period(), form.filters()
    counted = {"yes": True, "no": False}.get(request.GET.get("counted", ""))
    found = selectors.cell_records(
        request.user, metric, period, filters,
        breakdown=request.GET.get("breakdown", TOTAL), category=request.GET.get("category", ""),
        counted=counted, page=request.GET.get("page"),
    )
    record_event(
        event_type=EventType.VIEW, actor=request.user, record_type=found.listing.record_type,
        detail={"list": f"records behind {metric.code}", "period": period.label(),
                "breakdown": request.GET.get("breakdown", TOTAL),
                "category": request.GET.get("category", ""),
                "counted": request.GET.get("counted", ""),
                "shown": [record.pk for record in found.page]},
        request=request,
    )
    query = filter_query(period, filters)
    return render(request, "performance/records.html", {
        "found": found, "metric": metric, "period": period, "query": query,
        "area": dict(selectors.area_choices()).get(filters.area_code, ""),
        "agency": dict(selectors.agency_choices()).get(str(filters.agency_id), ""),
    })


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
def report_list(request: HubRequest) -> HttpResponse:
    return _report_list(request, PublishForm())


def _report_list(request: HubRequest, form: PublishForm, status: int = 200) -> HttpResponse:
    return render(request, "performance/report_list.html", {
        "reports": selectors.published_reports(),
        "form": form,
        "can_publish": allows(request.user, Action.PERFORMANCE_PUBLISH),
    }, status=status)


@requires(Action.PERFORMANCE_PUBLISH)
@require_POST
def publish(request: HubRequest) -> HttpResponse:
    """Publishing is two steps: the month chosen, then a page that says what freezing
    means, whose button alone publishes (``confirmed``): in the background, as working
    out every measure takes a while; the publisher follows it on the job's page."""
    form = PublishForm(request.POST)
    if form.is_valid():
        year, month = form.year_month()
        try:
            period = services.publishable_period(year=year, month=month)
        except services.PublishError as error:
            form.add_error("month", str(error))
        else:
            if request.POST.get("confirmed") != "yes":
                return render(request, "performance/publish_confirm.html", {
                    "period": period, "month": form.cleaned_data["month"],
                    "threshold": services.suppression_threshold(),
                })
            job = start_requested_job(
                actor=request.user, kind=background_jobs.PUBLISH,
                title=f"Publishing the report for {period.label()}",
                arguments={"year": year, "month": month})
            return redirect("audit:requested_job", requested_job_pk=job.pk)
    return _report_list(request, form)


def _suppressed_for(request: HubRequest, *, not_open_to_you: bool) -> bool:
    """Scrutiny (anyone who may not see the live dashboard) sees small numbers hidden,
    and so does hub staff who may not open every record behind the month's figures (a
    small count could point at a record hidden from them); hub staff may also ask for
    the suppressed version to check what will be shared."""
    return (
        not allows(request.user, Action.PERFORMANCE_VIEW)
        or "suppressed" in request.GET
        or not_open_to_you
    )


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
def report_detail(request: HubRequest, report_pk: int) -> HttpResponse:
    report = selectors.report_or_404(report_pk)
    not_open_to_you = not selectors.sees_every_record_of_report(request.user, report)
    published = selectors.published_report(report, suppressed=_suppressed_for(
        request, not_open_to_you=not_open_to_you))
    before = selectors.previous_report(report)
    previous = None if before is None else selectors.published_report(
        before, with_restatements=False, suppressed=_suppressed_for(
            request, not_open_to_you=not selectors.sees_every_record_of_report(
                request.user, before)))
    return render(request, "performance/report_detail.html", {
        "published": published, "report": report,
        "summary": selectors.report_summary(published, previous),
        "can_see_live": allows(request.user, Action.PERFORMANCE_VIEW),
        "not_open_to_you": not_open_to_you and allows(request.user, Action.PERFORMANCE_VIEW),
    })


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
def report_csv(request: HubRequest, report_pk: int) -> HttpResponse:
    report = selectors.report_or_404(report_pk)
    # Exports leave the hub: always suppressed.
    published = selectors.published_report(report, suppressed=True)
    record_event(event_type=EventType.EXPORT, actor=request.user, record=report,
                 detail={"format": "csv", "suppressed": True,
                         "threshold": report.suppression_threshold},
                 request=request)
    return csv_download(exports.report_csv(published),
                        filename=f"mace-hub-performance-{report.month:%Y-%m}.csv")


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
@require_POST
def report_pdf(request: HubRequest, report_pk: int) -> HttpResponse:
    """The PDF is drawn in the background; the user follows it on the job's page and
    downloads it from there (the download is the export, audited)."""
    report = selectors.report_or_404(report_pk)
    job = start_requested_job(actor=request.user, kind=background_jobs.REPORT_PDF,
                              title=f"PDF of the performance report for {report.title}",
                              arguments={"report_pk": report.pk})
    return redirect("audit:requested_job", requested_job_pk=job.pk)
