"""What the intelligence app holds about a person for a subject access request: each
report that names them, with how it names them and its grading.

Handling codes are enforced here too. The report as received may identify its source:
it is always withheld by default (intelligence source details). The sanitised report is
withheld by default when its handling code sets conditions (code C, whose conditions the
officer sees) or, on a historic 5x5x5 record, when its code limits dissemination to the
originating agency or the originator (4 and 5). Other people the report names are
third parties for the review."""

from __future__ import annotations

from collections import defaultdict

from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.intelligence.codes import HandlingCode, LegacyHandlingCode
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.ui.formatting import govuk_date

SOURCE_WHY = "The report as received may identify its source"
RESTRICTIVE_LEGACY = frozenset({LegacyHandlingCode.FOUR, LegacyHandlingCode.FIVE})


def handling_forbids(report: IntelligenceReport) -> str:
    """Why the report's handling code keeps it from disclosure, or "" if it does not."""
    if report.is_legacy_5x5x5:
        if report.legacy_handling_code in RESTRICTIVE_LEGACY:
            return f"Handling code {report.get_legacy_handling_code_display()}"
        return ""
    if report.handling_code == HandlingCode.CONDITIONS:
        return f"Handling code C, with conditions: {report.handling_conditions}"
    return ""


def _items(person_pk: int) -> list[HeldItem]:
    links = list(ReportLink.objects.filter(person_id=person_pk).select_related("report"))
    report_pks = {link.report_id for link in links}
    others: dict[int, list[str]] = defaultdict(list)
    for other in ReportLink.objects.filter(report_id__in=report_pks, person__isnull=False
                                           ).exclude(person_id=person_pk).select_related(
                                               "person"):
        if other.person is not None:
            others[other.report_id].append(other.person.full_name)
    roles: dict[int, list[str]] = defaultdict(list)
    reports: dict[int, IntelligenceReport] = {}
    for link in links:
        reports[link.report_id] = link.report
        roles[link.report_id].append(" – ".join(
            part for part in (link.get_role_display(), link.description) if part))
    items = []
    for pk, report in reports.items():
        forbids = handling_forbids(report)
        items.append(HeldItem(
            record_type="intelligence.intelligencereport", record_id=pk,
            reference=report.reference, date=local_day(report.received_at),
            heading="Intelligence report",
            fields=recorded(
                HeldField("named_as", "How it names the person", "; ".join(roles[pk])),
                HeldField("occurred_on", "When it happened", govuk_date(report.occurred_on)),
                HeldField("grading", "Grading", report.grading),
                HeldField("sanitised_text", "Report", report.sanitised_text,
                          withhold=RedactionReason.HANDLING if forbids else "", why=forbids),
                HeldField("source_text", "Report as received", report.source_text,
                          withhold=RedactionReason.SOURCE, why=SOURCE_WHY)),
            others_named=sorted(set(others[pk]))))
    return items


SUBJECT_SOURCES.register("intelligence", SubjectSource(label="Intelligence",
                                                        items=_items))
