"""The one way to change a child victim's journey through an investigation and any
prosecution: the Victims' Code rights offered and taken up, the needs assessment and
pre-trial therapy, the ABE interview, special measures and court hearings, a withdrawal
of support with its reason, and the advocate's confidential notes.

The officer in the case and the child's victim advocate both record it (the access
policy's ``VICTIM_JOURNEY_RECORD``); the journey goes on after a charge closes the
investigation, through court. Each service is keyword-only with the acting user first,
locks the victim's row through the policy, validates, checks the version the user saw
where the page carried one, writes and audits, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.cases.models import AdvocateAllocation
from macehub.core.versioning import Versioning, plain_words
from macehub.investigations.codes import (
    STEP_STATUSES,
    CourtHearing,
    EntitlementResponse,
    JourneyStepKind,
    PreTrialTherapy,
    SpecialMeasure,
    VictimsCodeRight,
    WithdrawalReason,
)
from macehub.investigations.models import (
    AdvocateNote,
    InvestigationVictim,
    JourneyStep,
    VictimEntitlement,
)
from macehub.training.checks import acknowledged_gaps
from macehub.training.codes import Allocation

JOURNEY_VERSIONING = Versioning(
    history=saves_after,
    labels={"needs_assessed_on": "Needs assessed on", "needs_assessment": "Needs assessment",
            "pre_trial_therapy": "Pre-trial therapy", "withdrew_on": "Withdrew support on",
            "withdrawal_reason": "Reason for withdrawing", "withdrawal_note": "Note"},
    words=lambda _name, value: plain_words(value))

# What each kind of step names, from which code list.
STEP_WHAT = {
    JourneyStepKind.SPECIAL_MEASURE: SpecialMeasure,
    JourneyStepKind.COURT_HEARING: CourtHearing,
}


def step_what(step: JourneyStep) -> str:
    """What a step is, in words: the special measure or hearing, or the kind of step."""
    codes = STEP_WHAT.get(JourneyStepKind(step.kind))
    if codes is None or step.what not in codes.values:
        return str(JourneyStepKind(step.kind).label)
    return str(codes(step.what).label)


def victims_for(user: User, action: Action = Action.VICTIM_JOURNEY_VIEW
                ) -> QuerySet[InvestigationVictim]:
    return policy.scope(user, action, InvestigationVictim.objects.all())


def victim_for(user: User, pk: int, action: Action = Action.VICTIM_JOURNEY_VIEW
               ) -> InvestigationVictim:
    """One child victim's journey (404 if the user may not know it exists)."""
    return policy.get_or_404(user, action, InvestigationVictim.objects.select_related(
        "person", "investigation", "investigation__officer_in_case", "case"), pk=pk)


def advocate_notes_readable(user: User, victim: InvestigationVictim
                            ) -> QuerySet[AdvocateNote]:
    """The advocate's notes on this journey the user may read: their own advocacy
    service's (information governance: all). Nobody else, whatever their role."""
    if not policy.can(user, Action.VICTIM_JOURNEY_NOTES, victim):
        return AdvocateNote.objects.none()
    notes = victim.advocate_notes.select_related("written_by")
    if Role.INFORMATION_GOVERNANCE in user.role_codes:
        return notes
    return notes.filter(advocacy_service_id=user.agency_id) if user.agency_id else notes.none()


def advocates_of(victim: InvestigationVictim) -> list[AdvocateAllocation]:
    """Every advocate the child has had on their cases, first to latest: whether the
    same advocate stayed with the child through the investigation and court."""
    return list(AdvocateAllocation.objects.filter(case__child_id=victim.person_id)
                .select_related("advocate").order_by("started_on", "pk"))


def _lock(actor: User, victim_pk: int, action: Action = Action.VICTIM_JOURNEY_RECORD
          ) -> InvestigationVictim:
    return policy.get_or_404(actor, action, InvestigationVictim.objects.select_for_update(),
                             pk=victim_pk)


def _not_before_report(victim: InvestigationVictim, day: dt.date | None, field: str,
                       what: str, *, future: bool = False) -> dict[str, str]:
    date = f"the date {what}".strip()
    if day is None:
        return {field: f"Enter {date}"}
    if day < victim.investigation.reported_on:
        return {field: f"{date.capitalize()} must be on or after the day the crime was "
                       f"reported"}
    if not future and day > timezone.localdate():
        return {field: f"{date.capitalize()} must be today or in the past"}
    return {}


@transaction.atomic
def record_entitlement(*, actor: User, victim_pk: int, right: str, offered_on: dt.date | None,
                       response: str) -> VictimEntitlement:
    """Record a Victims' Code right offered to the child, and their answer: a right
    offered again replaces what was recorded of it."""
    victim = _lock(actor, victim_pk)
    errors = _not_before_report(victim, offered_on, "offered_on", "it was offered")
    if right not in VictimsCodeRight.values:
        errors["right"] = "Select the right"
    if response not in EntitlementResponse.values:
        errors["response"] = "Select whether the child took it up"
    if errors or offered_on is None:
        raise ValidationError(errors)
    entitlement, created = VictimEntitlement.objects.update_or_create(
        victim=victim, right=right,
        defaults={"offered_on": offered_on, "response": response, "recorded_by": actor,
                  "recorded_at": timezone.now()})
    record_event(event_type=EventType.CHANGE, actor=actor, record=victim.investigation,
                 detail={"victim": victim.pk, "entitlement": right, "response": response,
                         "replaced": not created})
    return entitlement


@dataclass(frozen=True)
class Needs:
    needs_assessed_on: dt.date | None
    needs_assessment: str
    pre_trial_therapy: str


@transaction.atomic
def record_needs(*, actor: User, victim_pk: int, expected_version: int, needs: Needs
                 ) -> InvestigationVictim:
    """The needs assessment and where pre-trial therapy stands."""
    victim = _lock(actor, victim_pk)
    JOURNEY_VERSIONING.check(victim, expected_version)
    errors: dict[str, str] = {}
    assessment = needs.needs_assessment.strip()
    if needs.needs_assessed_on is not None or assessment:
        errors |= _not_before_report(victim, needs.needs_assessed_on, "needs_assessed_on",
                                     "of the assessment")
        if not assessment:
            errors["needs_assessment"] = "Enter what the assessment found"
    if needs.pre_trial_therapy not in PreTrialTherapy.values:
        errors["pre_trial_therapy"] = "Select where pre-trial therapy stands"
    if errors:
        raise ValidationError(errors)
    before = _journey_words(victim)
    victim.needs_assessed_on = needs.needs_assessed_on
    victim.needs_assessment = assessment
    victim.pre_trial_therapy = needs.pre_trial_therapy
    JOURNEY_VERSIONING.save(victim, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=victim.investigation,
                 detail={"victim": victim.pk, "version": victim.version,
                         "changes": changed_values(before, _journey_words(victim))})
    return victim


def _journey_words(victim: InvestigationVictim) -> dict[str, str]:
    return {
        "needs_assessed_on": str(victim.needs_assessed_on or ""),
        "pre_trial_therapy": str(PreTrialTherapy(victim.pre_trial_therapy).label),
        "withdrew_on": str(victim.withdrew_on or ""),
        "withdrawal_reason": (str(WithdrawalReason(victim.withdrawal_reason).label)
                              if victim.withdrawal_reason else ""),
    }


def interviewers(victim: InvestigationVictim) -> QuerySet[User]:
    """Who may be named as the officer interviewing the child: the active staff of the
    investigation's force."""
    return User.objects.filter(is_active=True,
                               agency_id=victim.investigation.owning_agency_id).order_by(
        "last_name", "first_name", "username")


@dataclass(frozen=True)
class Step:
    kind: str
    on: dt.date | None
    status: str
    what: str = ""
    place: str = ""
    who: str = ""
    intermediary: str = ""
    arrangements: str = ""
    interviewing_officer_pk: int | None = None


@transaction.atomic
def record_step(*, actor: User, victim_pk: int, step: Step,
                acknowledged_missing_training: bool = False,
                missing_training_reason: str = "") -> JourneyStep:
    """An ABE interview, a special measure or a court hearing. A planned interview or
    hearing may be in the future; one held, and a measure applied for or decided, may
    not. An interview names who interviews the child: in words, or as an officer of the
    force; an officer without the ABE interviewing training is named only when the
    actor acknowledges it and says why (``training.checks``), and the audit event
    records the courses missing and the reason."""
    victim = _lock(actor, victim_pk)
    if step.kind not in JourneyStepKind.values:
        raise ValidationError({"kind": "Select what to record"})
    kind = JourneyStepKind(step.kind)
    errors: dict[str, str] = {}
    if step.status not in STEP_STATUSES[kind]:
        errors["status"] = "Select where it stands"
    codes = STEP_WHAT.get(kind)
    if codes is not None and step.what not in codes.values:
        errors["what"] = ("Select the special measure" if kind == JourneyStepKind.SPECIAL_MEASURE
                          else "Select the hearing")
    planned = step.status == "planned"
    errors |= _not_before_report(victim, step.on, "on", "", future=planned)
    interviewer = None
    if kind == JourneyStepKind.ABE_INTERVIEW and step.interviewing_officer_pk is not None:
        interviewer = interviewers(victim).filter(pk=step.interviewing_officer_pk).first()
        if interviewer is None:
            errors["interviewing_officer"] = "Select an officer of the force, or none"
    if (kind == JourneyStepKind.ABE_INTERVIEW and not step.who.strip()
            and step.interviewing_officer_pk is None):
        errors["who"] = "Enter who interviews the child"
    if errors or step.on is None:
        raise ValidationError(errors)
    training_gaps = acknowledged_gaps(
        person=interviewer, allocation=Allocation.ABE_INTERVIEWER,
        acknowledged=acknowledged_missing_training,
        reason=missing_training_reason) if interviewer is not None else {}
    recorded = JourneyStep.objects.create(interviewing_officer=interviewer,
        victim=victim, kind=kind, what=step.what if codes is not None else "", on=step.on,
        status=step.status, place=step.place.strip(), who=step.who.strip(),
        intermediary=step.intermediary.strip(), arrangements=step.arrangements.strip(),
        recorded_by=actor, recorded_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=victim.investigation,
                 detail={"victim": victim.pk, "journey_step": kind.value,
                         "status": step.status, "what": recorded.what,
                         "on": step.on.isoformat(),
                         "interviewing_officer": interviewer.pk if interviewer else None,
                         **training_gaps})
    return recorded


@transaction.atomic
def record_withdrawal(*, actor: User, victim_pk: int, expected_version: int,
                      withdrew_on: dt.date | None, reason: str, note: str = ""
                      ) -> InvestigationVictim:
    """The child withdrew their support, when and why. The investigation goes on as
    the officer in the case and supervisor decide; the advocate stays with the child."""
    victim = _lock(actor, victim_pk)
    JOURNEY_VERSIONING.check(victim, expected_version)
    if victim.withdrew_on is not None:
        raise ValidationError({"withdrew_on": "The child's withdrawal is already recorded"})
    errors = _not_before_report(victim, withdrew_on, "withdrew_on", "they withdrew")
    if reason not in WithdrawalReason.values:
        errors["reason"] = "Select why the child withdrew"
    note = note.strip()
    if reason == WithdrawalReason.OTHER and not note:
        errors["note"] = "Enter the reason"
    if errors:
        raise ValidationError(errors)
    before = _journey_words(victim)
    victim.withdrew_on, victim.withdrawal_reason = withdrew_on, reason
    victim.withdrawal_note = note
    JOURNEY_VERSIONING.save(victim, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=victim.investigation,
                 detail={"victim": victim.pk, "version": victim.version,
                         "changes": changed_values(before, _journey_words(victim))})
    return victim


@transaction.atomic
def write_advocate_note(*, actor: User, victim_pk: int, text: str) -> AdvocateNote:
    """A note kept by the child's advocate for their advocacy service only."""
    if actor.agency_id is None:
        raise PermissionDenied("An advocate's note belongs to their advocacy service")
    victim = _lock(actor, victim_pk, Action.VICTIM_JOURNEY_WRITE_NOTE)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Enter the note"})
    note = AdvocateNote.objects.create(victim=victim, text=text,
                                       advocacy_service_id=actor.agency_id, written_by=actor,
                                       written_at=timezone.now())
    # The audit names the note, never its words.
    record_event(event_type=EventType.CHANGE, actor=actor, record=victim.investigation,
                 detail={"victim": victim.pk, "advocate_note": note.pk})
    return note
