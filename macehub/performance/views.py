"""Performance pages: the live dashboard, a metric's definition, published monthly
reports (suppressed for scrutiny) and their exports. Thin: validate, select, render."""

from __future__ import annotations

from django.contrib import messages
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
from macehub.performance import exports, selectors, services
from macehub.performance.forms import DashboardFilterForm, PublishForm, last_full_month
from macehub.performance.registry import Filters


@requires(Action.PERFORMANCE_VIEW)
def dashboard(request: HubRequest) -> HttpResponse:
    form = DashboardFilterForm(
        request.GET or None, areas=selectors.area_choices(), agencies=selectors.agency_choices()
    )
    invalid = form.is_bound and not form.is_valid()
    period, filters = form.period(), form.filters()
    panels = [] if invalid else selectors.dashboard(request.user, period, filters)
    return render(request, "performance/dashboard.html", {
        "form": form, "period": period, "filters": filters, "panels": panels,
        "invalid": invalid, "suppressed": any(panel.suppressed for panel in panels),
        "threshold": services.suppression_threshold(),
    }, status=400 if invalid else 200)


@requires(Action.PERFORMANCE_VIEW)
def metric_detail(request: HubRequest, metric_code: str) -> HttpResponse:
    metric = selectors.metric_or_404(metric_code)
    period = last_full_month()
    panel = selectors.metric_panel(request.user, metric, period, Filters())
    return render(request, "performance/metric.html", {
        "metric": metric, "panel": panel, "period": period,
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
    form = PublishForm(request.POST)
    if form.is_valid():
        year, month = form.year_month()
        try:
            report = services.publish_month(actor=request.user, year=year, month=month,
                                            request=request)
        except services.PublishError as error:
            form.add_error("month", str(error))
        else:
            messages.success(request, f"The report for {report.title} has been published.")
            return redirect("performance:report", report_pk=report.pk)
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
    return render(request, "performance/report_detail.html", {
        "published": published, "report": report,
        "can_see_live": allows(request.user, Action.PERFORMANCE_VIEW),
        "not_open_to_you": not_open_to_you and allows(request.user, Action.PERFORMANCE_VIEW),
    })


def _export(request: HubRequest, report_pk: int, kind: str) -> HttpResponse:
    report = selectors.report_or_404(report_pk)
    # Exports leave the hub: always suppressed.
    published = selectors.published_report(report, suppressed=True)
    record_event(event_type=EventType.EXPORT, actor=request.user, record=report,
                 detail={"format": kind, "suppressed": True,
                         "threshold": report.suppression_threshold},
                 request=request)
    name = f"mace-hub-performance-{report.month:%Y-%m}"
    if kind == "csv":
        return csv_download(exports.report_csv(published), filename=f"{name}.csv")
    response = HttpResponse(exports.report_pdf(published), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
def report_csv(request: HubRequest, report_pk: int) -> HttpResponse:
    return _export(request, report_pk, "csv")


@requires(Action.PERFORMANCE_PUBLISHED_VIEW)
def report_pdf(request: HubRequest, report_pk: int) -> HttpResponse:
    return _export(request, report_pk, "pdf")
