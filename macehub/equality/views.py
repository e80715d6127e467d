"""Disproportionality and data-quality pages. Aggregates only: no page here lists,
ranks or links to a person. Thin: each validates the choices, asks ``analysis`` or
``completeness`` for the figures and renders them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_download
from macehub.equality import background_jobs
from macehub.equality.analysis import (
    DEFAULT_COMPARATOR,
    FAMILY,
    IC_MAPPING_CAVEAT,
    SELF_DEFINED,
    Analysis,
    InsideArea,
    InsideComparison,
    compared_inside,
    denominator_label,
    disproportionality,
    ic_mapping_lines,
)
from macehub.equality.charts import completeness_chart, forest_plot
from macehub.equality.completeness import STATES, completeness_by_month
from macehub.equality.forms import AnalysisForm, analysis_form, default_area
from macehub.equality.published import (
    PUBLISHED_RECORD_TYPE,
    PublishedTable,
    export_detail,
    publish,
    published_csv,
    published_heading,
)
from macehub.equality.suppression import threshold_from_settings
from macehub.governance.requested_jobs import start_requested_job
from macehub.people.populations import SUSPECTS, population


def _form(request: HubRequest) -> AnalysisForm:
    """The choices from the query string, each one left out set to the default the figures
    use, so the form shows what the figures are for. (Unset, the comparator list would
    show its first option, not the comparator used, and "Show figures" would send it.)"""
    query = request.GET.copy()
    for name, default in (("comparator", DEFAULT_COMPARATOR), ("level", FAMILY),
                          ("ethnicity", SELF_DEFINED)):
        if not query.get(name):
            query[name] = default
    if not query.get("area") and (area := default_area()) is not None:
        query["area"] = str(area.pk)
    return analysis_form(query)


def _analysis(form: AnalysisForm) -> Analysis | None:
    if not form.is_valid() or form.cleaned_data["area"] is None:
        return None
    data = form.cleaned_data
    return disproportionality(
        population=population(data["population"]), start=data["start"], end=data["end"],
        area=data["area"], comparator=data["comparator"], level=data["level"],
        ethnicity=data["ethnicity"],
    )


def _inside(form: AnalysisForm) -> InsideComparison | None:
    if not form.is_valid() or form.cleaned_data["area"] is None:
        return None
    data = form.cleaned_data
    return compared_inside(
        population=population(data["population"]), start=data["start"], end=data["end"],
        area=data["area"], comparator=data["comparator"], level=data["level"],
        ethnicity=data["ethnicity"],
    )


def _with_area(form: AnalysisForm, inside: InsideComparison | None
               ) -> list[tuple[InsideArea, str]]:
    """Each inside area with the query string for this page with that area chosen and
    every other choice kept."""
    chosen = form.data if isinstance(form.data, QueryDict) else QueryDict()
    rows = []
    for row in inside.areas if inside else []:
        query = chosen.copy()
        query["area"] = str(row.area.pk)
        rows.append((row, query.urlencode()))
    return rows


def _context(form: AnalysisForm, analysis: Analysis | None) -> dict[str, Any]:
    chosen = population(form.cleaned_data["population"]) if form.is_valid() else None
    return {"form": form, "analysis": analysis, "population": chosen,
            "denominator_label": denominator_label(chosen.denominator) if chosen else "",
            "ic_mapping": ic_mapping_lines(), "ic_caveat": IC_MAPPING_CAVEAT,
            "query": form.data.urlencode() if hasattr(form.data, "urlencode") else ""}


NOT_ALL_OPEN = (
    "Some of the records behind these figures are not open to you, so you see the "
    "analysis as it is shared outside the hub, with small numbers hidden."
)


def _all_open(request: HubRequest, form: AnalysisForm) -> bool:
    """May the user open every record behind the chosen population and period?"""
    if not form.is_valid():
        return True
    data = form.cleaned_data
    return population(data["population"]).all_open_to(request.user, data["start"],
                                                      data["end"])


@requires(Action.EQUALITY_VIEW)
def overview(request: HubRequest) -> HttpResponse:
    form = _form(request)
    if not _all_open(request, form):
        messages.info(request, NOT_ALL_OPEN)
        return redirect(f"{reverse('equality:published')}?{request.GET.urlencode()}")
    analysis = _analysis(form)
    context = _context(form, analysis)
    context["forest"] = forest_plot(analysis.groups) if analysis else None
    context["inside"] = inside = _inside(form) if analysis else None
    context["inside_rows"] = _with_area(form, inside)
    return render(request, "equality/analysis.html", context)


@requires(Action.EQUALITY_VIEW)
def completeness(request: HubRequest) -> HttpResponse:
    form = _form(request)
    agencies = None
    chosen = population(form.cleaned_data["population"]) if form.is_valid() else None
    if form.is_valid():
        data = form.cleaned_data
        agencies = completeness_by_month(
            population=population(data["population"]), start=data["start"], end=data["end"],
            user=request.user)
    return render(request, "equality/completeness.html", {
        "form": form, "agencies": agencies, "states": STATES,
        "not_all_open": not _all_open(request, form),
        "chart": completeness_chart(agencies) if agencies else None,
        "population": chosen,
        "officer_defined": chosen is not None and chosen.kind == SUSPECTS,
        "ic_mapping": ic_mapping_lines(), "ic_caveat": IC_MAPPING_CAVEAT,
    })


@requires(Action.EQUALITY_PUBLISHED_VIEW)
def published(request: HubRequest) -> HttpResponse:
    form = _form(request)
    analysis = _analysis(form)
    context = _context(form, analysis)
    context["table"] = publish(analysis, threshold_from_settings()) if analysis else None
    return render(request, "equality/published.html", context)


def _record_export(request: HubRequest, form: AnalysisForm, analysis: Analysis,
                   table: PublishedTable, file_format: str) -> None:
    record_event(
        event_type=EventType.EXPORT, actor=request.user, record_type=PUBLISHED_RECORD_TYPE,
        detail=export_detail(form.cleaned_data["population"], analysis, table, file_format),
        request=request,
    )


@requires(Action.EQUALITY_PUBLISHED_VIEW)
def published_export(request: HubRequest) -> HttpResponse:
    form = _form(request)
    analysis = _analysis(form)
    if analysis is None:
        return published(request)
    table = publish(analysis, threshold_from_settings())
    body = published_csv(table, heading=published_heading(form.cleaned_data["population"],
                                                          analysis),
                         denominator=analysis.denominator)
    _record_export(request, form, analysis, table, "csv")
    return csv_download(body, filename=f"disproportionality-{timezone.localdate()}.csv")


@requires(Action.EQUALITY_PUBLISHED_VIEW)
@require_POST
def published_pdf(request: HubRequest) -> HttpResponse:
    """The PDF is drawn in the background for the choices in the query string; the user
    follows it on the job's page and downloads it from there (audited as the export)."""
    form = _form(request)
    if not form.is_valid() or form.cleaned_data["area"] is None:
        return published(request)
    data = form.cleaned_data
    job = start_requested_job(
        actor=request.user, kind=background_jobs.PUBLISHED_PDF,
        title=f"PDF of {population(data['population']).label} by ethnic group, "
              f"{data['start']:%d %B %Y} to {data['end']:%d %B %Y}",
        arguments={"query": dict(form.data.items())})
    return redirect("audit:requested_job", requested_job_pk=job.pk)
