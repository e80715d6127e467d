"""A partner's information, received by the hub as they wrote it and queued for review
as a report only the receiving hub team may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused
from macehub.intelligence.codes import HandlingCode, Priority, ReportStatus, SecurityMarking
from macehub.intelligence.models import IntelligenceReport, Submission
from macehub.intelligence.services.reports import _save_with_reference

UNREVIEWED_CONDITIONS = (
    "Unreviewed partner submission: only the receiving hub team may see it until a hub "
    "researcher has reviewed, graded and sanitised it."
)
RECEIVING_ROLES = (Role.ANALYST, Role.SUPERVISOR)


@dataclass(frozen=True)
class SubmittedInformation:
    """What a partner tells the hub, in their own words."""

    what: str
    how_known: str
    when: str = ""
    where: str = ""
    who: str = ""


def receiving_team() -> Team:
    """The hub team that receives partner submissions: the first active hub team with a
    researcher (analyst or supervisor) in it, or else the first active hub team."""
    hub_teams = Team.objects.filter(is_hub_team=True, is_active=True).order_by("pk")
    with_researcher = hub_teams.filter(
        members__is_active=True, members__role_assignments__role__in=RECEIVING_ROLES
    ).first()
    team = with_researcher or hub_teams.first()
    if team is None:
        raise ServiceRefused("The hub has no team to receive submissions yet")
    return team


def _submission_text(info: SubmittedInformation, actor: User, agency: Agency) -> str:
    parts = [
        ("What happened", info.what), ("When", info.when), ("Where", info.where),
        ("Who was involved", info.who), ("How the submitter knows", info.how_known),
        ("Submitted by", f"{actor.display_name}, {agency.name}"),
    ]
    return "\n\n".join(f"{label}: {value.strip()}" for label, value in parts if value.strip())


@transaction.atomic
def submit_information(
    *, actor: User, info: SubmittedInformation, now: dt.datetime | None = None
) -> Submission:
    """A partner's information, received by the hub: kept as they wrote it, and put in
    the review queue as a report only the receiving hub team may see (handling code C)
    until a researcher has graded and sanitised it."""
    policy.require(actor, Action.INTELLIGENCE_SUBMIT)
    if not info.what.strip():
        raise ServiceRefused("Enter what you know", field="what")
    if not info.how_known.strip():
        raise ServiceRefused("Enter how you know it", field="how_known")
    if actor.agency is None:
        raise ServiceRefused("Only staff of a partner agency can submit information")
    received_at = now or timezone.now()
    team = receiving_team()
    report = IntelligenceReport(
        owning_team=team,
        created_by=actor,
        received_at=received_at,
        source_text=_submission_text(info, actor, actor.agency),
        handling_code=HandlingCode.CONDITIONS,
        handling_conditions=UNREVIEWED_CONDITIONS,
        security_marking=SecurityMarking.OFFICIAL_SENSITIVE,
        priority=Priority.LOW,
        status=ReportStatus.AWAITING_REVIEW,
    )
    _save_with_reference(report, "INT")
    report.permitted_teams.set([team])
    submission = Submission(
        submitted_by=actor,
        agency=actor.agency,
        received_at=received_at,
        what=info.what.strip(),
        when=info.when.strip(),
        where=info.where.strip(),
        who=info.who.strip(),
        how_known=info.how_known.strip(),
        report=report,
    )
    _save_with_reference(submission, "SUB")
    record_event(event_type=EventType.CREATE, actor=actor, record=submission,
                 detail={"report": report.reference, "receiving_team": team.pk})
    record_event(event_type=EventType.CREATE, actor=actor, record=report,
                 detail={"from_submission": submission.reference, "handling_code": "C"})
    return submission
