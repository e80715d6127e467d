"""Exports of a published report: CSV and PDF, small numbers always suppressed (they
leave the hub), each export audited. Each metric carries its definition as published
and, when it has been redefined since, the definition its restated figures follow."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from macehub.core.csv_export import csv_text
from macehub.performance.selectors import PublishedReport, Summary
from macehub.ui.charts import Bar, pdf_bar_chart

CSV_COLUMNS = ["metric_code", "metric", "unit", "breakdown", "category", "value",
               "numerator", "denominator", "restated_value", "restated_numerator",
               "restated_denominator", "definition", "definition_now"]


def report_csv(published: PublishedReport) -> str:
    """One line per figure, through the hub's one CSV writer (labels and definitions are
    typed by people, so a formula in one is neutralised; figures stay numbers)."""
    lines: list[list[object]] = [list(CSV_COLUMNS)]
    for metric in published.metrics:
        sections = [("Total", [metric.total]), *metric.breakdowns]
        for breakdown, rows in sections:
            for row in rows:
                lines.append([metric.code, metric.name, metric.unit, breakdown, row.label,
                              row.value, row.numerator, row.denominator,
                              row.restated_value, row.restated_numerator,
                              row.restated_denominator, metric.definition,
                              metric.definition_now])
    return csv_text(lines)


def breakdown_charts(published: PublishedReport) -> dict[str, list[SafeString]]:
    """A chart per breakdown, in the order of the metric's breakdowns: every category
    labelled in full, hidden figures drawn as marked gaps ([c])."""
    charts: dict[str, list[SafeString]] = {}
    for metric in published.metrics:
        for number, (label, rows) in enumerate(metric.breakdowns):
            charts.setdefault(metric.code, []).append(pdf_bar_chart(
                chart_id=f"pdf-{metric.code}-{number}",
                title=f"{metric.name} by {label.lower()}",
                bars=[Bar(row.label, row.raw, row.value) for row in rows],
            ))
    return charts


def report_pdf(published: PublishedReport, summary: Summary | None = None) -> bytes:
    from weasyprint import HTML

    charts = breakdown_charts(published)
    html = render_to_string("performance/report_pdf.html", {
        "published": published, "report": published.report, "summary": summary,
        "sections": [
            (metric, list(zip(metric.breakdowns, charts.get(metric.code, []), strict=True)))
            for metric in published.metrics
        ],
    })
    return bytes(HTML(string=html).write_pdf())
