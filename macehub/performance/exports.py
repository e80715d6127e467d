"""Exports of a published report: CSV and PDF, small numbers always suppressed (they
leave the hub), each export audited. Each metric carries its definition as published
and, when it has been redefined since, the definition its restated figures follow."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from macehub.core.csv_export import csv_text
from macehub.performance.charts import bar_chart
from macehub.performance.selectors import PublishedReport

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
    """A chart per breakdown of counts; suppressed bars are left out (shown as [c])."""
    charts: dict[str, list[SafeString]] = {}
    for metric in published.metrics:
        for label, rows in metric.breakdowns:
            points = []
            for row in rows:
                try:
                    value = _decimal(row.value)
                except ValueError:
                    value = None
                points.append((row.label[:12], value))
            charts.setdefault(metric.code, []).append(bar_chart(
                chart_id=f"pdf-{metric.code}-{len(charts.get(metric.code, []))}",
                title=f"{metric.name} by {label.lower()}",
                description="; ".join(f"{r.label}: {r.value}" for r in rows),
                points=points,
            ))
    return charts


def _decimal(text: str):  # type: ignore[no-untyped-def]
    from decimal import Decimal, InvalidOperation

    cleaned = text.replace(",", "").replace("%", "").replace(" hours", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def report_pdf(published: PublishedReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("performance/report_pdf.html", {
        "published": published, "report": published.report,
        "charts": breakdown_charts(published),
    })
    return bytes(HTML(string=html).write_pdf())
