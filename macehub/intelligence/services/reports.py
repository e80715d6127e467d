"""Recording a graded intelligence report, and its review by the owning team: graded,
sanitised (nothing that identifies the source) and given an action."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.intelligence import selectors
from macehub.intelligence.codes import ReportStatus, ReviewAction
from macehub.intelligence.models import IntelligenceReport, Submission
from macehub.intelligence.services.grading import (
    REPORT_VERSIONING,
    Grading,
    _apply_grading,
    _audited_values,
    _unknown,
    check_grading,
)


def _save_with_reference(record: IntelligenceReport | Submission, kind: str) -> None:
    """Give the record the year's next reference (INT-2026-000001, SUB-2026-000001)."""
    save_with_reference(record, kind=kind, year=timezone.localtime(record.received_at).year)


@dataclass(frozen=True)
class NewReport:
    source_text: str
    grading: Grading
    sanitised_text: str = ""
    occurred_on: dt.date | None = None


@transaction.atomic
def record_report(
    *, actor: User, report: NewReport, now: dt.datetime | None = None
) -> IntelligenceReport:
    """A graded intelligence report, owned by the recorder's team, awaiting review."""
    policy.require(actor, Action.INTELLIGENCE_RECORD)
    if actor.team_id is None:
        raise ServiceRefused("Only a member of a team can record intelligence: ask an "
                             "administrator to put you in your team")
    if not report.source_text.strip():
        raise ServiceRefused("Enter the intelligence as it was received",
                             field="source_text")
    now = now or timezone.now()
    if report.occurred_on and report.occurred_on > timezone.localdate(now):
        raise ServiceRefused("The date it happened must be today or in the past",
                             field="occurred_on")
    grading = check_grading(report.grading)
    record = IntelligenceReport(
        owning_team_id=actor.team_id,
        created_by=actor,
        received_at=now,
        occurred_on=report.occurred_on,
        source_text=report.source_text.strip(),
        sanitised_text=report.sanitised_text.strip(),
        status=ReportStatus.AWAITING_REVIEW,
    )
    _apply_grading(record, grading)
    _save_with_reference(record, "INT")
    record.permitted_teams.set(grading.permitted_team_ids)
    record.permitted_agencies.set(grading.permitted_agency_ids)
    record_event(event_type=EventType.CREATE, actor=actor, record=record,
                 detail={"changes": changed_values({}, _audited_values(record))})
    return record


# --- Review -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    grading: Grading
    sanitised_text: str
    action: str
    note: str = ""


def _check_sanitised(report: IntelligenceReport, text: str) -> str:
    text = text.strip()
    if not text:
        raise ServiceRefused(
            "Enter the sanitised text: what may be shared, with nothing that identifies the "
            "source", field="sanitised_text",
        )
    submission = Submission.objects.filter(report=report).select_related(
        "submitted_by").first()
    if submission is not None:
        submitter = submission.submitted_by
        names = [submitter.get_full_name(), submitter.username]
        if any(name and name.lower() in text.lower() for name in names):
            raise ServiceRefused(
                "The sanitised text names the person who submitted the information. "
                "Remove anything that identifies the source", field="sanitised_text",
            )
    return text


def _report_for_change(actor: User, report_pk: int, action: Action) -> IntelligenceReport:
    report = policy.get_or_404(
        actor, action, IntelligenceReport.objects.select_for_update(), pk=report_pk
    )
    if report.is_read_only:
        raise ServiceRefused(
            "Historic 5x5x5 reports are kept as they were recorded and cannot be changed"
        )
    return report


@transaction.atomic
def review_report(
    *,
    actor: User,
    report_pk: int,
    expected_version: int,
    review: Review,
    now: dt.datetime | None = None,
) -> IntelligenceReport:
    """Grade, sanitise and give an action to a report. Only the owning team reviews: the
    source text must be read to grade it and to sanitise it. The first review stops the
    clock that measures the time from receipt to review."""
    report = _report_for_change(actor, report_pk, Action.INTELLIGENCE_REVIEW)
    if not selectors.may_see_source(actor, report):
        raise PermissionDenied("Only the team that owns a report can review it")
    REPORT_VERSIONING.check(report, expected_version)
    grading = check_grading(review.grading)
    sanitised = _check_sanitised(report, review.sanitised_text)
    if review.action not in ReviewAction.values:
        raise ServiceRefused(
            _unknown(review.action, "review action", ReviewAction), field="action"
        )
    if review.action in (ReviewAction.TASK, ReviewAction.DEVELOP) and not review.note.strip():
        raise ServiceRefused("Say who is tasked, or what is to be developed",
                             field="note")
    before = _audited_values(report)
    now = now or timezone.now()
    _apply_grading(report, grading)
    report.sanitised_text = sanitised
    report.review_action = review.action
    report.review_note = review.note.strip()
    first_review = report.status == ReportStatus.AWAITING_REVIEW
    if first_review:
        report.status = ReportStatus.REVIEWED
        report.reviewed_by = actor
        report.reviewed_at = max(now, report.received_at)
    REPORT_VERSIONING.save(report, expected_version=expected_version)
    report.permitted_teams.set(grading.permitted_team_ids)
    report.permitted_agencies.set(grading.permitted_agency_ids)
    detail: dict[str, Any] = {
        "changes": changed_values(before, _audited_values(report)),
        "version": report.version,
    }
    if first_review and report.time_to_review is not None:
        detail["first_review"] = True
        detail["hours_to_review"] = round(report.time_to_review.total_seconds() / 3600, 2)
    record_event(event_type=EventType.CHANGE, actor=actor, record=report, detail=detail)
    return report
