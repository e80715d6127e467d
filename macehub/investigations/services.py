"""The one way to change an investigation. Each service is keyword-only with the acting
user first; in one transaction it fetches and locks the investigation through the
access policy, validates, checks the version the user saw (where the page carried one),
writes and records the audit event.

The supervisory review rules live here: an allocation schedules a review within hours;
signing a review schedules the next while the investigation is open; a file goes for a
charging decision, and an investigation closes with its outcome, only after a review
at that point signed by someone other than the officer in the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.cases.models import Case
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted
from macehub.core.versioning import Versioning, plain_words
from macehub.investigations import reviews
from macehub.investigations.codes import (
    CHARGE_OUTCOMES,
    ChargingDecision,
    ChargingDecisionMaker,
    EnquiryStatus,
    InvestigationStatus,
    OutcomeCode,
    ReleaseKind,
    ReviewPoint,
)
from macehub.investigations.models import (
    ChargingDecisionRecord,
    Crime,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)
from macehub.investigations.offences import offences
from macehub.investigations.selectors import force_staff
from macehub.people.identifiers import normalise_postcode
from macehub.people.models import Person
from macehub.people.postcodes import fill_coordinates
from macehub.training.checks import acknowledged_gaps
from macehub.training.codes import Allocation

REFERENCE_KIND = "INV"

INVESTIGATION_VERSIONING = Versioning(
    history=saves_after,
    labels={"officer_in_case": "Officer in the case", "supervisor": "Supervisor",
            "status": "Status", "outcome": "Outcome", "title": "Title"},
    words=lambda _name, value: plain_words(value))


@dataclass(frozen=True)
class CrimeDetails:
    offence_code: str
    committed_on: dt.date | None = None
    location: str = ""
    # Where it was committed, when known: its place on the grid comes from the
    # postcode directory.
    postcode: str = ""


def _lock(actor: User, action: Action, investigation_pk: int) -> Investigation:
    return policy.get_or_404(actor, action, Investigation.objects.select_for_update(of=("self",)),
                             pk=investigation_pk)


def _validated_crime(crime: CrimeDetails, *, field: str = "offence_code") -> CrimeDetails:
    code = crime.offence_code.strip()
    if code not in offences():
        raise ValidationError({field: "Select the offence"})
    if crime.committed_on is not None and crime.committed_on > timezone.localdate():
        raise ValidationError({"committed_on": "The date of the crime must be today or "
                                               "in the past"})
    postcode = ""
    if crime.postcode.strip():
        try:
            postcode = normalise_postcode(crime.postcode)
        except ValidationError as error:
            raise ValidationError({"postcode": error.messages}) from error
    return CrimeDetails(code, crime.committed_on, crime.location.strip()[:200], postcode)


def _new_crime(investigation: Investigation, crime: CrimeDetails, actor: User,
               recorded_at: dt.datetime) -> Crime:
    """The crime, placed on the grid from its postcode when the directory has it."""
    recorded = Crime(investigation=investigation, offence_code=crime.offence_code,
                     committed_on=crime.committed_on, location=crime.location,
                     postcode=crime.postcode, recorded_by=actor, recorded_at=recorded_at)
    fill_coordinates(recorded)
    recorded.save()
    return recorded


def _people(actor: User, pks: Sequence[int]) -> list[Person]:
    """The people named, each one the actor may open (a 404 for any other)."""
    return [policy.get_or_404(actor, Action.PERSON_VIEW, Person.objects.all(), pk=pk)
            for pk in dict.fromkeys(pks)]


def _open_case_of(child: Person) -> Case | None:
    return (Case.objects.filter(child=child, closed_at__isnull=True)
            .order_by("-opened_at", "-pk").first())


@transaction.atomic
def record_investigation(*, actor: User, title: str, reported_on: dt.date,
                         crime: CrimeDetails, summary: str = "",
                         victim_pks: Sequence[int] = (), suspect_pks: Sequence[int] = (),
                         ) -> Investigation:
    """Record a new investigation for the actor's force with its first crime and the
    children and suspects known so far. It waits for a supervisor to allocate it."""
    policy.require(actor, Action.INVESTIGATION_RECORD)
    force = actor.agency_id
    if force is None:  # the rule admits police staff only, who have their force
        raise PermissionDenied("Only a police force's staff record investigations")
    errors: dict[str, str] = {}
    title = title.strip()
    if not title:
        errors["title"] = "Enter what the investigation is called"
    if reported_on > timezone.localdate():
        errors["reported_on"] = "The date reported must be today or in the past"
    try:
        crime = _validated_crime(crime)
    except ValidationError as error:
        errors.update({key: messages[0] for key, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    victims = _people(actor, victim_pks)
    suspects = _people(actor, suspect_pks)
    if set(victims) & set(suspects):
        raise ServiceRefused(
            "A person cannot be both a victim and a suspect in one investigation", field="suspects")
    now = timezone.now()
    investigation = Investigation(
        title=title[:200], summary=summary.strip(), owning_agency_id=force,
        team_id=actor.team_id, reported_on=reported_on, created_by=actor, created_at=now)
    save_with_reference(investigation, kind=REFERENCE_KIND, year=now.year)
    _new_crime(investigation, crime, actor, now)
    InvestigationVictim.objects.bulk_create(
        InvestigationVictim(investigation=investigation, person=child,
                            case=_open_case_of(child)) for child in victims)
    InvestigationSuspect.objects.bulk_create(
        InvestigationSuspect(investigation=investigation, person=person)
        for person in suspects)
    record_event(event_type=EventType.CREATE, actor=actor, record=investigation, detail={
        "title": investigation.title, "offence": crime.offence_code,
        "victims": [child.pk for child in victims],
        "suspects": [person.pk for person in suspects],
    })
    return investigation


def _force_member(investigation: Investigation, pk: int | None, roles: set[Role],
                  field: str, message: str) -> User:
    """An active member of the investigation's force holding one of ``roles``."""
    user = None if pk is None else force_staff(investigation, roles).filter(pk=pk).first()
    if user is None:
        raise ServiceRefused(message, field=field)
    return user


@transaction.atomic
def allocate(*, actor: User, investigation_pk: int, expected_version: int,
             officer_pk: int | None, supervisor_pk: int | None,
             acknowledged_missing_training: bool = False,
             missing_training_reason: str = "") -> Investigation:
    """Allocate the investigation to an officer in the case and a supervisor (not the
    same person). Each allocation brings a supervisory review due within hours. An
    officer without the specialist training the officer in the case needs is allocated
    only when the actor acknowledges it and says why (``training.checks``), and the
    audit event records the courses missing and the reason."""
    investigation = _lock(actor, Action.INVESTIGATION_ALLOCATE, investigation_pk)
    INVESTIGATION_VERSIONING.check(investigation, expected_version)
    officer = _force_member(investigation, officer_pk, {Role.INVESTIGATOR, Role.SUPERVISOR},
                            "officer", "Select the officer in the case from the force's "
                                       "investigators and supervisors")
    supervisor = _force_member(investigation, supervisor_pk, {Role.SUPERVISOR},
                               "supervisor", "Select the supervisor from the force's "
                                             "supervisors")
    if officer == supervisor:
        raise ServiceRefused(
            "The supervisor must be someone other than the officer in the case", field="supervisor")
    training_gaps = acknowledged_gaps(
        person=officer, allocation=Allocation.OFFICER_IN_CASE,
        acknowledged=acknowledged_missing_training, reason=missing_training_reason)
    before = {"officer_in_case": str(investigation.officer_in_case or ""),
              "supervisor": str(investigation.supervisor or "")}
    now = timezone.now()
    investigation.officer_in_case, investigation.supervisor = officer, supervisor
    investigation.allocated_at = now
    INVESTIGATION_VERSIONING.save(investigation, expected_version=expected_version)
    due = reviews.allocation_review_due(now)
    waiting = investigation.reviews.filter(point=ReviewPoint.ALLOCATION,
                                           reviewed_at__isnull=True).first()
    if waiting is not None:  # reallocated before the last allocation was reviewed
        waiting.due_at = due
        waiting.save(update_fields=["due_at"])
    else:
        SupervisoryReview.objects.create(investigation=investigation,
                                         point=ReviewPoint.ALLOCATION, due_at=due)
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "changes": changed_values(before, {"officer_in_case": str(officer),
                                           "supervisor": str(supervisor)}),
        "version": investigation.version, "review_due": due.isoformat(),
        **training_gaps,
    })
    return investigation


@transaction.atomic
def add_crime(*, actor: User, investigation_pk: int, crime: CrimeDetails) -> Crime:
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    crime = _validated_crime(crime)
    recorded = _new_crime(investigation, crime, actor, timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={"crime_added": crime.offence_code})
    return recorded


@transaction.atomic
def add_person(*, actor: User, investigation_pk: int, person_pk: int, part: str) -> None:
    """Name a child as a victim (linked to their open case) or a person as a suspect."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    refuse_if_already_submitted()  # not refused as named by its own first sending
    person = policy.get_or_404(actor, Action.PERSON_VIEW, Person.objects.all(), pk=person_pk)
    victims = investigation.victims.filter(person=person).exists()
    suspects = investigation.suspects.filter(person=person).exists()
    if victims or suspects:
        raise ServiceRefused(f"{person} is already named in this investigation", field="person")
    if part == "victim":
        InvestigationVictim.objects.create(investigation=investigation, person=person,
                                           case=_open_case_of(person))
    elif part == "suspect":
        InvestigationSuspect.objects.create(investigation=investigation, person=person)
    else:
        raise ServiceRefused("Select whether they are a victim or a suspect", field="part")
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={f"{part}_added": person.pk})


@transaction.atomic
def add_line_of_enquiry(*, actor: User, investigation_pk: int, description: str,
                        owner_pk: int | None, due_on: dt.date | None) -> LineOfEnquiry:
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    description = description.strip()
    if not description:
        raise ServiceRefused("Enter the line of enquiry", field="description")
    owner = None
    if owner_pk is not None:
        owner = _force_member(investigation, owner_pk,
                              {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST},
                              "owner", "Select who owns it from the force's investigators, "
                                       "supervisors and analysts")
    enquiry = LineOfEnquiry.objects.create(
        investigation=investigation, description=description, owner=owner, due_on=due_on,
        recorded_by=actor, recorded_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={"line_of_enquiry_added": enquiry.pk})
    return enquiry


@transaction.atomic
def finish_line_of_enquiry(*, actor: User, investigation_pk: int, enquiry_pk: int,
                           status: str, result: str) -> LineOfEnquiry:
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    enquiry = investigation.enquiries.select_for_update().filter(pk=enquiry_pk).first()
    if enquiry is None:
        raise ServiceRefused("That line of enquiry is not on this investigation", field="enquiry")
    if enquiry.status != EnquiryStatus.OPEN:
        raise ServiceRefused("This line of enquiry has already been finished", field="status")
    if status not in (EnquiryStatus.DONE, EnquiryStatus.CLOSED):
        raise ServiceRefused("Select whether it is done or closed without a result", field="status")
    result = result.strip()
    if not result:
        raise ServiceRefused("Enter what it found, or why it was closed", field="result")
    enquiry.status, enquiry.result, enquiry.finished_at = status, result, timezone.now()
    enquiry.save(update_fields=["status", "result", "finished_at"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={"line_of_enquiry_finished": enquiry.pk, "status": status})
    return enquiry


ASKED_FOR = (ReviewPoint.BEFORE_CHARGE, ReviewPoint.BEFORE_CLOSURE)


@transaction.atomic
def ask_for_review(*, actor: User, investigation_pk: int, point: str) -> SupervisoryReview:
    """Ask the supervisor for the review due before a charging decision or closure: due
    at once. Asking again while one is waiting returns that one."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    if point not in ASKED_FOR:
        raise ServiceRefused("Select the review to ask for", field="point")
    if investigation.supervisor_id is None:
        raise ServiceRefused("Allocate the investigation to a supervisor first", field="point")
    waiting = investigation.reviews.filter(point=point, reviewed_at__isnull=True).first()
    if waiting is not None:
        return waiting
    review = SupervisoryReview.objects.create(investigation=investigation, point=point,
                                              due_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={"review_asked_for": point})
    return review


@dataclass(frozen=True)
class ReviewFindings:
    victim_safeguarding: str
    lines_of_enquiry: str
    suspect_management: str
    evidence_and_disclosure: str
    next_review_on: dt.date | None


FINDINGS_REQUIRED = {
    "victim_safeguarding": "Enter what you checked of the victims' safeguarding",
    "lines_of_enquiry": "Enter what you checked of the lines of enquiry",
    "suspect_management": "Enter what you checked of how the suspects are managed",
    "evidence_and_disclosure": "Enter what you checked of the evidence and disclosure",
}


@transaction.atomic
def sign_review(*, actor: User, investigation_pk: int, review_pk: int,
                findings: ReviewFindings) -> SupervisoryReview:
    """Sign a waiting review with what was checked. While the investigation stays open,
    the next regular review is due on the date set (no later than the interval)."""
    investigation = _lock(actor, Action.INVESTIGATION_REVIEW, investigation_pk)
    review = investigation.reviews.select_for_update().filter(pk=review_pk).first()
    if review is None:
        raise ServiceRefused("That review is not on this investigation", field="review")
    if review.is_done:
        raise ServiceRefused(
            f"This review was signed by {review.reviewer} on "
            f"{timezone.localtime(review.reviewed_at):%d %B %Y}", field="review")
    errors = {name: message for name, message in FINDINGS_REQUIRED.items()
              if not getattr(findings, name).strip()}
    now = timezone.now()
    latest = reviews.latest_next_review_on(now)
    next_on = findings.next_review_on or latest
    if next_on < timezone.localdate(now) or next_on > latest:
        errors["next_review_on"] = (f"The next review must be due from today to "
                                    f"{latest:%d %B %Y}")
    if errors:
        raise ValidationError(errors)
    for name in FINDINGS_REQUIRED:
        setattr(review, name, getattr(findings, name).strip())
    review.reviewed_at, review.reviewer, review.next_review_on = now, actor, next_on
    review.save()
    investigation.reviews.filter(point=ReviewPoint.PERIODIC, reviewed_at__isnull=True
                                 ).exclude(pk=review.pk).delete()
    SupervisoryReview.objects.create(investigation=investigation, point=ReviewPoint.PERIODIC,
                                     due_at=reviews.next_review_due(next_on))
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "review_signed": review.pk, "point": review.point,
        "overdue": now > review.due_at, "next_review_on": next_on.isoformat(),
    })
    return review


def _signed_since(investigation: Investigation, point: str) -> bool:
    """A review at ``point`` signed, and none at it waiting. A file sent again after an
    action plan needs a review before charge signed since the file came back."""
    at_point = investigation.reviews.filter(point=point)
    signed = at_point.filter(reviewed_at__isnull=False)
    came_back = investigation.charging_decisions.order_by("-recorded_at").values_list(
        "recorded_at", flat=True).first()
    if point == ReviewPoint.BEFORE_CHARGE and came_back is not None:
        signed = signed.filter(reviewed_at__gt=came_back)
    return signed.exists() and not at_point.filter(reviewed_at__isnull=True).exists()


@transaction.atomic
def send_for_charging_decision(*, actor: User, investigation_pk: int,
                               expected_version: int) -> Investigation:
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    INVESTIGATION_VERSIONING.check(investigation, expected_version)
    if investigation.status != InvestigationStatus.OPEN:
        raise ServiceRefused(
            "This investigation is already awaiting a charging decision", field="status")
    if not investigation.suspects.exists():
        raise ServiceRefused(
            "Name a suspect before sending the file for a charging decision", field="status")
    if not _signed_since(investigation, ReviewPoint.BEFORE_CHARGE):
        raise ServiceRefused(
            "A supervisor must sign the review before charge first", field="status")
    investigation.status = InvestigationStatus.CHARGING_DECISION
    investigation.charging_requested_at = timezone.now()
    INVESTIGATION_VERSIONING.save(investigation, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "changes": changed_values({"status": InvestigationStatus.OPEN.label},
                                  {"status": InvestigationStatus.CHARGING_DECISION.label}),
        "version": investigation.version,
    })
    return investigation


@transaction.atomic
def record_charging_decision(*, actor: User, investigation_pk: int, expected_version: int,
                             decision: str, decided_by: str, decided_on: dt.date | None,
                             note: str = "") -> ChargingDecisionRecord:
    """Record the charging decision on a file sent for one. The file comes back to the
    officer in the case whatever was decided: with an action plan to work on and send
    again, or for the outcome to be recorded (a charge, once recorded here, is outcome 1)."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    INVESTIGATION_VERSIONING.check(investigation, expected_version)
    if investigation.status != InvestigationStatus.CHARGING_DECISION:
        raise ServiceRefused("This investigation is not waiting for a charging decision",
                             field="decision")
    errors = {}
    if decision not in ChargingDecision.values:
        errors["decision"] = "Select the charging decision"
    if decided_by not in ChargingDecisionMaker.values:
        errors["decided_by"] = "Select who made the decision"
    note = note.strip()
    if decision == ChargingDecision.ACTION_PLAN and not note:
        errors["note"] = "Enter what the action plan asks for"
    today = timezone.localdate()
    sent_on = timezone.localdate(investigation.charging_requested_at or timezone.now())
    if decided_on is None:
        errors["decided_on"] = "Enter the date of the decision"
    elif decided_on > today or decided_on < sent_on:
        errors["decided_on"] = ("The date of the decision must be from the day the file was "
                                "sent to today")
    if errors or decided_on is None:
        raise ValidationError(errors)
    record = ChargingDecisionRecord.objects.create(
        investigation=investigation, decision=decision, decided_by=decided_by,
        decided_on=decided_on, note=note, recorded_by=actor, recorded_at=timezone.now())
    investigation.status = InvestigationStatus.OPEN
    INVESTIGATION_VERSIONING.save(investigation, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "changes": changed_values(
            {"status": InvestigationStatus.CHARGING_DECISION.label},
            {"status": InvestigationStatus.OPEN.label}),
        "charging_decision": decision, "decided_by": decided_by,
        "decided_on": decided_on.isoformat(), "version": investigation.version,
    })
    return record


@transaction.atomic
def record_outcome(*, actor: User, investigation_pk: int, expected_version: int,
                   outcome: str, outcome_on: dt.date | None) -> Investigation:
    """Record the Home Office outcome and close the investigation, once a supervisor
    has signed the review before closure. Regular reviews no longer fall due."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    INVESTIGATION_VERSIONING.check(investigation, expected_version)
    errors = {}
    if outcome not in OutcomeCode.values:
        errors["outcome"] = "Select the outcome"
    today = timezone.localdate()
    if outcome_on is None:
        errors["outcome_on"] = "Enter the date of the outcome"
    elif outcome_on > today or outcome_on < investigation.reported_on:
        errors["outcome_on"] = "The date of the outcome must be from the date reported to today"
    if (outcome in CHARGE_OUTCOMES and not investigation.charging_decisions.filter(
            decision=ChargingDecision.CHARGE).exists()):
        errors["outcome"] = ("Record the charging decision that authorised the charge "
                             "before recording a charge or summons")
    if errors:
        raise ValidationError(errors)
    if not _signed_since(investigation, ReviewPoint.BEFORE_CLOSURE):
        raise ServiceRefused(
            "A supervisor must sign the review before closure first", field="outcome")
    before = {"status": str(InvestigationStatus(investigation.status).label), "outcome": ""}
    investigation.outcome, investigation.outcome_on = outcome, outcome_on
    investigation.status = InvestigationStatus.CLOSED
    investigation.closed_at = timezone.now()
    INVESTIGATION_VERSIONING.save(investigation, expected_version=expected_version)
    investigation.reviews.filter(reviewed_at__isnull=True).delete()
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "changes": changed_values(before, {
            "status": str(InvestigationStatus.CLOSED.label),
            "outcome": str(OutcomeCode(outcome).label)}),
        "version": investigation.version,
    })
    return investigation


@transaction.atomic
def record_release(*, actor: User, investigation_pk: int, suspect_pk: int, kind: str,
                   starts_on: dt.date | None, expires_on: dt.date | None,
                   conditions: str = "") -> SuspectRelease:
    """Record a suspect's pre-charge bail (with its conditions) or release under
    investigation. It ends the suspect's release before it, from the day it starts."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    suspect = investigation.suspects.filter(pk=suspect_pk).first()
    if suspect is None:
        raise ServiceRefused("Select a suspect in this investigation", field="suspect")
    errors: dict[str, str] = {}
    conditions = conditions.strip()
    if kind not in ReleaseKind.values:
        errors["kind"] = "Select pre-charge bail or release under investigation"
    elif kind == ReleaseKind.RELEASED_UNDER_INVESTIGATION and conditions:
        errors["conditions"] = ("Release under investigation carries no conditions: record "
                                "pre-charge bail to set them")
    today = timezone.localdate()
    if starts_on is None:
        errors["starts_on"] = "Enter the date of release"
    elif starts_on > today:
        errors["starts_on"] = "The date of release must be today or in the past"
    if expires_on is None:
        errors["expires_on"] = "Enter when it expires or is next reviewed"
    elif starts_on is not None and expires_on <= starts_on:
        errors["expires_on"] = "It must expire after the date of release"
    if errors or starts_on is None or expires_on is None:
        raise ValidationError(errors)
    ended = list(suspect.releases.filter(ended_on__isnull=True).values_list("pk", flat=True))
    suspect.releases.filter(pk__in=ended).update(ended_on=starts_on)
    release = SuspectRelease.objects.create(
        suspect=suspect, kind=kind, conditions=conditions, starts_on=starts_on,
        expires_on=expires_on, recorded_by=actor, recorded_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation, detail={
        "release_recorded": release.pk, "suspect": suspect.person_id, "kind": kind,
        "expires_on": expires_on.isoformat(), "ended": ended,
    })
    return release


@transaction.atomic
def end_release(*, actor: User, investigation_pk: int, release_pk: int,
                ended_on: dt.date | None) -> SuspectRelease:
    """End a suspect's bail or release under investigation (charged, no further action,
    or the conditions lifted)."""
    investigation = _lock(actor, Action.INVESTIGATION_CHANGE, investigation_pk)
    release = SuspectRelease.objects.filter(pk=release_pk, suspect__investigation=investigation,
                                            ended_on__isnull=True).first()
    if release is None:
        raise ServiceRefused("That release has already ended", field="release")
    if ended_on is None or ended_on > timezone.localdate() or ended_on < release.starts_on:
        raise ServiceRefused("Enter a date from the date of release to today", field="ended_on")
    release.ended_on = ended_on
    release.save(update_fields=["ended_on"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=investigation,
                 detail={"release_ended": release.pk, "ended_on": ended_on.isoformat()})
    return release
