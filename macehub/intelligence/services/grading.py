"""Grading a report (3x5x2: source evaluation, intelligence assessment, handling code and
its conditions), and how a report's changes are audited and versioned: codes, ids and
the lengths of free text, never its words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from macehub.accounts.models import Agency, Team
from macehub.audit.history import saves_after
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.intelligence.codes import (
    HandlingCode,
    IntelligenceAssessment,
    Priority,
    ReportStatus,
    ReviewAction,
    SecurityMarking,
    SourceEvaluation,
)
from macehub.intelligence.models import IntelligenceReport


@dataclass(frozen=True)
class Grading:
    """A report's 3x5x2 grading, handling and marking."""

    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    handling_conditions: str = ""
    permitted_team_ids: tuple[int, ...] = ()
    permitted_agency_ids: tuple[int, ...] = ()
    security_marking: str = SecurityMarking.OFFICIAL_SENSITIVE
    priority: str = Priority.LOW


def _unknown(value: str, what: str, choices: type[Any]) -> str:
    allowed = ", ".join(str(v) for v in choices.values)
    shown = f"'{value}' is not a {what} code. " if value else ""
    return f"{shown}Select the {what}: {allowed}"


def check_grading(grading: Grading) -> Grading:
    """The grading with its codes checked and its handling made consistent: handling code
    C must state its conditions and name who they allow; P has neither."""
    if grading.source_evaluation not in SourceEvaluation.values:
        raise ServiceRefused(
            _unknown(grading.source_evaluation, "source evaluation", SourceEvaluation),
            field="source_evaluation",
        )
    if grading.intelligence_assessment not in IntelligenceAssessment.values:
        raise ServiceRefused(
            _unknown(grading.intelligence_assessment, "intelligence assessment",
                     IntelligenceAssessment),
            field="intelligence_assessment",
        )
    if grading.handling_code not in HandlingCode.values:
        raise ServiceRefused(
            _unknown(grading.handling_code, "handling code", HandlingCode),
            field="handling_code",
        )
    if grading.security_marking not in SecurityMarking.values:
        raise ServiceRefused("Select the security marking", field="security_marking")
    if grading.priority not in Priority.values:
        raise ServiceRefused("Select the priority", field="priority")
    if grading.handling_code == HandlingCode.PERMITTED:
        return Grading(
            source_evaluation=grading.source_evaluation,
            intelligence_assessment=grading.intelligence_assessment,
            handling_code=grading.handling_code,
            security_marking=grading.security_marking,
            priority=grading.priority,
        )
    # Both of handling code C's requirements are given at once: the page reveals them
    # together under C.
    missing: dict[str, str] = {}
    if not grading.handling_conditions.strip():
        missing["handling_conditions"] = (
            "Enter the conditions of handling code C: who may see the report, and what "
            "they may do with it")
    team_ids = tuple(sorted(set(grading.permitted_team_ids)))
    agency_ids = tuple(sorted(set(grading.permitted_agency_ids)))
    if not team_ids and not agency_ids:
        missing["permitted_teams"] = (
            "Name at least one team or agency that handling code C allows to see the report")
    if missing:
        raise ServiceRefused(missing)
    if Team.objects.filter(pk__in=team_ids, is_active=True).count() != len(team_ids):
        raise ServiceRefused("Choose teams from the list", field="permitted_teams")
    if Agency.objects.filter(pk__in=agency_ids, is_active=True).count() != len(agency_ids):
        raise ServiceRefused("Choose agencies from the list", field="permitted_agencies")
    return Grading(
        source_evaluation=grading.source_evaluation,
        intelligence_assessment=grading.intelligence_assessment,
        handling_code=grading.handling_code,
        handling_conditions=grading.handling_conditions.strip(),
        permitted_team_ids=team_ids,
        permitted_agency_ids=agency_ids,
        security_marking=grading.security_marking,
        priority=grading.priority,
    )


def _apply_grading(report: IntelligenceReport, grading: Grading) -> None:
    report.source_evaluation = grading.source_evaluation
    report.intelligence_assessment = grading.intelligence_assessment
    report.handling_code = grading.handling_code
    report.handling_conditions = grading.handling_conditions
    report.security_marking = grading.security_marking
    report.priority = grading.priority


def _text_summary(text: str) -> str:
    """Free text in an audit entry: its length, not its words."""
    return f"<{len(text)} characters>" if text else ""


def _audited_values(report: IntelligenceReport) -> dict[str, Any]:
    return {
        "source_evaluation": report.source_evaluation,
        "intelligence_assessment": report.intelligence_assessment,
        "handling_code": report.handling_code,
        "handling_conditions": _text_summary(report.handling_conditions),
        "permitted_teams": sorted(report.permitted_teams.values_list("pk", flat=True)),
        "permitted_agencies": sorted(report.permitted_agencies.values_list("pk", flat=True)),
        "security_marking": report.security_marking,
        "priority": report.priority,
        "sanitised_text": _text_summary(report.sanitised_text),
        "status": report.status,
        "review_action": report.review_action,
        "review_note": _text_summary(report.review_note),
    }


# What a versioned save of a report records, as the review page names it. Free text is
# audited by its length only, and is described so: never its words.
REPORT_FIELD_LABELS = {
    "source_evaluation": "Source evaluation",
    "intelligence_assessment": "Intelligence assessment",
    "handling_code": "Handling code",
    "handling_conditions": "Handling conditions",
    "permitted_teams": "Teams the conditions allow",
    "permitted_agencies": "Agencies the conditions allow",
    "security_marking": "Security marking",
    "priority": "Priority",
    "sanitised_text": "Sanitised text",
    "status": "Status",
    "review_action": "Action",
    "review_note": "Note",
}
_REPORT_CHOICES: dict[str, dict[str, str]] = {
    "source_evaluation": dict(SourceEvaluation.choices),
    "intelligence_assessment": dict(IntelligenceAssessment.choices),
    "handling_code": dict(HandlingCode.choices),
    "security_marking": dict(SecurityMarking.choices),
    "priority": dict(Priority.choices),
    "status": dict(ReportStatus.choices),
    "review_action": dict(ReviewAction.choices),
}


def _report_words(name: str, value: Any) -> str:
    if value in (None, "", []):
        return BLANK
    if name in _REPORT_CHOICES:
        return str(_REPORT_CHOICES[name].get(value, value))
    if name == "permitted_teams":
        return ", ".join(Team.objects.filter(pk__in=value).values_list("name", flat=True))
    if name == "permitted_agencies":
        return ", ".join(Agency.objects.filter(pk__in=value).values_list("name", flat=True))
    if isinstance(value, str) and value.startswith("<"):  # free text, as _text_summary
        return value.strip("<>")
    return plain_words(value)


REPORT_VERSIONING = Versioning(history=saves_after, labels=REPORT_FIELD_LABELS,
                               words=_report_words)
