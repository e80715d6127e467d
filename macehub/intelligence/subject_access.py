"""What the intelligence app holds about a person for a subject access request: each
report that names them, with how it names them and its grading.

Handling codes are enforced here too. The report as received may identify its source:
it is always withheld by default (intelligence source details). The sanitised report is
withheld by default when its handling code sets conditions (code C, whose conditions the
officer sees) or, on a historic 5x5x5 record, when its code limits dissemination to the
originating agency or the originator (4 and 5). Other people the report names are
third parties for the review.

Each dissemination of such a report to a partner agency is gathered too: who it went to,
when, on what lawful basis and under which agreement (the recipients of the person's
data, which UK GDPR Art. 15(1)(c) entitles them to know). The text shared is held by
the same rule as the report: withheld by default when the report's handling code now
forbids it, or when it was shared under code C (its conditions then are the officer's
to read)."""

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
from macehub.intelligence.models import Dissemination, IntelligenceReport, ReportLink
from macehub.ui.formatting import govuk_date, govuk_datetime

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


def dissemination_forbids(dissemination: Dissemination) -> str:
    """Why the text shared is kept from disclosure, or "" if it is not: the code it was
    shared under, or the report's code now."""
    if dissemination.handling_code == HandlingCode.CONDITIONS:
        return ("Shared under handling code C, with conditions: "
                f"{dissemination.handling_conditions}")
    return handling_forbids(dissemination.report)


def _dissemination(dissemination: Dissemination, others: list[str]) -> HeldItem:
    forbids = dissemination_forbids(dissemination)
    agreement = dissemination.agreement
    return HeldItem(
        record_type="intelligence.dissemination", record_id=dissemination.pk,
        reference=f"{dissemination.report.reference} shared {dissemination.pk}",
        date=local_day(dissemination.shared_at),
        heading="Intelligence report shared with a partner agency",
        fields=recorded(
            HeldField("to_agency", "Shared with", dissemination.to_agency.name),
            HeldField("shared_at", "Shared", govuk_datetime(dissemination.shared_at)),
            HeldField("shared_by", "Shared by", dissemination.shared_by.display_name),
            HeldField("lawful_basis", "Lawful basis",
                      dissemination.get_lawful_basis_display()),
            HeldField("agreement", "Information-sharing agreement",
                      f"{agreement.reference} {agreement.title}" if agreement
                      else "Not recorded"),
            HeldField("reason_without_agreement", "Why it was shared without one",
                      dissemination.reason_without_agreement),
            HeldField("shared_text", "What was shared", dissemination.shared_text,
                      withhold=RedactionReason.HANDLING if forbids else "", why=forbids)),
        others_named=others)


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
    items += [_dissemination(dissemination, sorted(set(others[dissemination.report_id])))
              for dissemination in Dissemination.objects.filter(
                  report_id__in=report_pks).select_related(
                  "report", "to_agency", "shared_by", "agreement")]
    return items


SUBJECT_SOURCES.register("intelligence", SubjectSource(label="Intelligence",
                                                        items=_items))
