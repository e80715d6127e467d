"""CSV export of the intelligence reports a user may see.

The rows are exactly the reports the user may read (handling codes enforced through
``selectors.report_list``); each row carries the source text only when the user is in
the report's owning team, otherwise the sanitised text (or nothing, until there is one).
People are named only if the user may see their record. Every export is audited with
the reports it contained.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_export import csv_text
from macehub.core.figures import exact_hours, format_figure
from macehub.intelligence import selectors
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.people.selectors import people_for

COLUMNS = (
    "reference", "received_at", "occurred_on", "status", "grading", "source_evaluation",
    "intelligence_assessment", "handling_code", "handling_conditions", "security_marking",
    "priority", "owning_team", "review_action", "reviewed_at", "hours_to_review",
    "text_kind", "text", "links",
)


@dataclass(frozen=True)
class ReportExport:
    filename: str
    content: str
    rows: int


def _links_text(links: list[ReportLink], visible_people: set[int]) -> str:
    parts = []
    for link in links:
        kind = link.kind
        if kind == "person":
            label = (link.person.full_name if link.person and link.person_id in visible_people
                     else selectors.PERSON_NOT_SHOWN.lower())
        else:
            label = str(link.entity)
        described = f", described as '{link.description}'" if link.description else ""
        parts.append(f"{kind} {label} ({link.get_role_display().lower()}{described})")
    return "; ".join(parts)


def export_reports(
    *, actor: User, filters: selectors.ReportFilters | None = None,
    request: HttpRequest | None = None,
) -> ReportExport:
    policy.require(actor, Action.INTELLIGENCE_EXPORT)
    reports = list(
        selectors.report_list(actor, filters).select_related("owning_team").prefetch_related(
            Prefetch("links", queryset=ReportLink.objects.select_related(
                "person", "location", "vehicle", "phone", "account", "premises"
            ).order_by("role", "pk"))
        )
    )
    with_source = selectors.source_visible_ids(actor, [r.pk for r in reports])
    person_ids = {link.person_id for r in reports for link in r.links.all() if link.person_id}
    visible_people = set(
        people_for(actor).filter(pk__in=person_ids).values_list("pk", flat=True)
    ) if person_ids else set()
    # Formulas in what partners typed are neutralised by the hub's one CSV writer.
    content = csv_text([COLUMNS, *(
        _row(report, report.pk in with_source, visible_people) for report in reports)])
    now = timezone.localtime()
    record_event(
        event_type=EventType.EXPORT, actor=actor,
        record_type="intelligence.intelligencereport",
        detail={
            "format": "csv",
            "filters": (filters or selectors.ReportFilters()).as_dict(),
            "rows": len(reports),
            "report_ids": [report.pk for report in reports],
            "with_source_text": sorted(with_source),
        },
        request=request,
    )
    return ReportExport(
        filename=f"intelligence-reports-{now:%Y-%m-%d-%H%M}.csv",
        content=content,
        rows=len(reports),
    )


def _row(report: IntelligenceReport, with_source: bool, visible_people: set[int]
         ) -> list[object]:
    text = selectors.report_text(report, show_source=with_source)
    hours = (format_figure(exact_hours(report.time_to_review), 1)
             if report.time_to_review is not None else "")
    return [
        report.reference,
        timezone.localtime(report.received_at).isoformat(timespec="minutes"),
        report.occurred_on.isoformat() if report.occurred_on else "",
        report.get_status_display(),
        report.grading,
        report.source_evaluation,
        report.intelligence_assessment,
        report.handling_code,
        report.handling_conditions,
        report.get_security_marking_display(),
        report.get_priority_display(),
        str(report.owning_team.name),
        report.get_review_action_display() if report.review_action else "",
        (timezone.localtime(report.reviewed_at).isoformat(timespec="minutes")
         if report.reviewed_at else ""),
        hours,
        "source" if text.is_source else ("sanitised" if text.is_sanitised else "none"),
        text.text if (text.is_source or text.is_sanitised) else "",
        _links_text(list(report.links.all()), visible_people),
    ]
