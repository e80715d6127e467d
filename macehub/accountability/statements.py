"""The public progress statement: what each recommendation of an inspection stood at,
frozen when the PCC's scrutiny officer publishes it, for the PCC's website.

Publishing stores, once, for each recommendation and area for improvement: its number,
text, whom it is addressed to and theme, the force's status and latest commentary, the
PCC's assessment, how many of its actions are done, and the figures of its linked
measures for the last whole month with their 12-month trend. The figures are hidden as
anything leaving the hub is (``performance.hiding``, over ``core.suppression``: counts
under the threshold and whatever would give them away, across every figure the statement
publishes). Nothing stored names a member of staff or a child: the commentary and the
assessment are the force's and the PCC's words about the recommendation; owners appear
only as their agencies. Later changes never touch a published statement: a new one is
published instead."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accountability.codes import (
    ActionStatus,
    Assessment,
    FindingKind,
    ForceStatus,
    InspectingBody,
    Theme,
)
from macehub.accountability.models import Inspection, ProgressStatement, Recommendation
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.metrics import Figure, Filters, Metric, Period, UnknownMetric, get_metric
from macehub.core.service_errors import ServiceRefused
from macehub.forms import last_full_month
from macehub.performance.hiding import Hidden, LiveEntry, hidden_live
from macehub.performance.live_figures import work_out
from macehub.performance.selectors import HIDDEN_TEXT, format_value, trend_periods
from macehub.performance.services import suppression_threshold


def _shown(metric: Metric, figure: Figure, hide: Hidden | None) -> dict[str, Any]:
    hide = hide or Hidden()
    value = figure.value(metric.unit)
    return {
        "label": figure.label,
        "value": HIDDEN_TEXT if hide.value else format_value(metric.unit, value),
        "numerator": HIDDEN_TEXT if hide.numerator else (
            "" if figure.numerator is None else f"{int(figure.numerator):,}"),
        "denominator": HIDDEN_TEXT if hide.denominator else (
            "" if figure.denominator is None else f"{figure.denominator:,}"),
        "hidden": hide.value,
    }


def suppressed_figures(metrics: Sequence[Metric], period: Period, threshold: int
                       ) -> dict[str, dict[str, Any]]:
    """The metrics' whole-hub figures for the period (a whole month) and the 12 months
    to it, as they may leave the hub: small numbers hidden across all of them at once."""
    months = trend_periods(period)
    worked = {metric.code: work_out(metric, period, Filters(), months) for metric in metrics}
    folded = {period.start.strftime("%Y-%m")}
    hidden = hidden_live([
        LiveEntry(metric.code, metric.unit, metric.population, worked[metric.code].figures,
                  worked[metric.code].trend, folded)
        for metric in metrics], threshold)
    found = {}
    for metric in metrics:
        figures, trend = worked[metric.code].figures, worked[metric.code].trend
        hidden_figures, hidden_months = hidden.get(metric.code, ({}, {}))
        total = metric.total(figures)
        found[metric.code] = {
            "code": metric.code, "name": metric.name, "definition": metric.definition,
            "unit": str(metric.unit),
            "total": _shown(metric, total, hidden_figures.get((total.breakdown,
                                                               total.category))),
            "trend": [_shown(metric, figure, hidden_months.get(figure.category))
                      for figure in trend],
        }
    return found


def _linked_metrics(recommendations: Iterable[Recommendation]) -> list[Metric]:
    found: dict[str, Metric] = {}
    for recommendation in recommendations:
        for link in recommendation.metric_links.all():
            try:
                found.setdefault(link.metric_code, get_metric(link.metric_code))
            except UnknownMetric:
                continue  # a measure since retired: nothing to publish for it
    return list(found.values())


def _frozen(recommendation: Recommendation, figures: dict[str, dict[str, Any]]
            ) -> dict[str, Any]:
    latest = next(iter(recommendation.status_changes.all()), None)
    actions = list(recommendation.actions.all())
    return {
        "kind": recommendation.kind, "kind_label": FindingKind(recommendation.kind).label,
        "number": recommendation.number, "text": recommendation.text,
        "addressed_to": recommendation.addressed_to,
        "theme": Theme(recommendation.theme).label,
        "status": recommendation.status,
        "status_label": ForceStatus(recommendation.status).label,
        "commentary": latest.commentary if latest else "",
        "assessment": recommendation.assessment,
        "assessment_label": Assessment(recommendation.assessment).label,
        "actions": len(actions),
        "actions_done": sum(action.status == ActionStatus.DONE for action in actions),
        "agencies": sorted({action.agency.name for action in actions}),
        "figures": [figures[link.metric_code] for link in recommendation.metric_links.all()
                    if link.metric_code in figures],
    }


def statement_content(inspection: Inspection, month: Period, threshold: int
                      ) -> dict[str, Any]:
    """What a statement published now freezes: the inspection, the month of its figures
    and each recommendation as it stands."""
    recommendations = list(inspection.recommendations.order_by("-kind", "number")
                           .prefetch_related("metric_links", "status_changes",
                                             "actions__agency"))
    if not recommendations:
        raise ServiceRefused("The inspection has no recommendations to report on yet",
                             field="foreword")
    figures = suppressed_figures(_linked_metrics(recommendations), month, threshold)
    return {
        "inspection": {"title": inspection.title,
                       "body": InspectingBody(inspection.body).label,
                       "published_on": f"{inspection.published_on:%d %B %Y}".lstrip("0"),
                       "reference": inspection.reference},
        "month": month.start.isoformat(),
        "measures": sorted(figures),
        "recommendations": [_frozen(r, figures) for r in recommendations],
    }


@transaction.atomic
def publish_statement(*, actor: User, inspection_pk: int, foreword: str
                      ) -> ProgressStatement:
    """Publish (freeze) the inspection's progress statement as it stands now, with the
    figures of the last whole month."""
    inspection = policy.get_or_404(actor, Action.PROGRESS_STATEMENT_PUBLISH,
                                   Inspection.objects.select_for_update(), pk=inspection_pk)
    foreword = foreword.strip()
    if not foreword:
        raise ServiceRefused("Enter the foreword", field="foreword")
    now = timezone.now()
    month = last_full_month(timezone.localdate(now))
    threshold = suppression_threshold()
    content = statement_content(inspection, month, threshold)
    statement = ProgressStatement.objects.create(
        inspection=inspection, foreword=foreword, figures_month=month.start,
        suppression_threshold=threshold, content=content, published_by=actor,
        published_at=now)
    record_event(event_type=EventType.CREATE, actor=actor, record=statement, detail={
        "inspection": inspection.pk, "month": month.start.isoformat(),
        "recommendations": len(content["recommendations"]),
        "measures": content["measures"], "suppression_threshold": threshold})
    return statement


def statement_pdf(statement: ProgressStatement) -> bytes:
    from weasyprint import HTML

    html = render_to_string("accountability/statement_pdf.html", {"statement": statement})
    return bytes(HTML(string=html).write_pdf())
