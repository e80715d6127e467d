"""The one way to change the disruption register. Each service is keyword-only with the
acting user first; in one transaction it fetches and locks the record through the access
policy, validates, checks the version the user saw, writes and records the audit event.

The rules live here: a disruption applies one tactic to one target of a kind the tactic
applies to, which the user may know exists (as may the children it names and the
investigation it belongs to); a police power is recorded only by police staff; a tactic
that expires gets its usual length from when it started unless the user gives an expiry
date; status moves on only as ``NEXT_STATUSES`` allows, and a breach (only of a
disruption in force) sets it to breached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted
from macehub.core.versioning import Versioning, plain_words
from macehub.disruption.codes import (
    IN_FORCE_STATUSES,
    NEXT_STATUSES,
    DisruptionStatus,
    TargetKind,
)
from macehub.disruption.models import TARGET_FIELDS, Breach, Disruption, Tactic
from macehub.intelligence.models import Location, OnlineAccount, Premises, Vehicle
from macehub.investigations.models import Investigation
from macehub.meetings import selectors as meeting_selectors
from macehub.meetings.models import AgendaItem
from macehub.networks.models import Group
from macehub.people.models import Person

REFERENCE_KIND = "DIS"

DISRUPTION_VERSIONING = Versioning(
    history=saves_after,
    labels={"status": "Status", "applied_on": "Applied on", "started_on": "Started on",
            "expires_on": "Expires on", "lead_officer": "Lead officer"},
    words=lambda _name, value: plain_words(value))

# Who may know each kind of target exists, and its model.
TARGETS: dict[str, tuple[type[models.Model], Action]] = {
    TargetKind.PERSON: (Person, Action.PERSON_VIEW),
    TargetKind.GROUP: (Group, Action.GROUP_VIEW),
    TargetKind.PREMISES: (Premises, Action.ENTITY_VIEW),
    TargetKind.VEHICLE: (Vehicle, Action.ENTITY_VIEW),
    TargetKind.LOCATION: (Location, Action.ENTITY_VIEW),
    TargetKind.ACCOUNT: (OnlineAccount, Action.ENTITY_VIEW),
}
DETAILS_LENGTH = 2000


@dataclass(frozen=True)
class NewDisruption:
    tactic_pk: int | None
    target_kind: str
    target_pk: int | None
    status: str = DisruptionStatus.PLANNED
    child_pks: list[int] = field(default_factory=list)
    investigation_pk: int | None = None
    agreed_at_pk: int | None = None
    applied_on: dt.date | None = None
    started_on: dt.date | None = None
    expires_on: dt.date | None = None
    details: str = ""
    lead_officer_pk: int | None = None


def _may_see(actor: User, action: Action, model: type[models.Model], pk: int) -> bool:
    if not policy.allows(actor, action):
        return False
    return policy.scope(actor, action, model._default_manager.filter(pk=pk)).exists()


def lead_officers(agency_pk: int | None) -> list[User]:
    """Who may lead a disruption of an agency: its active staff who record disruptions."""
    if agency_pk is None:
        return []
    staff = User.objects.filter(agency_id=agency_pk, is_active=True).select_related(
        "agency").prefetch_related("role_assignments").order_by("last_name", "first_name")
    return [user for user in staff if policy.allows(user, Action.DISRUPTION_RECORD)]


def _lead_officer(agency_pk: int | None, officer_pk: int | None
                  ) -> tuple[User | None, str]:
    """The officer, if one who may lead a disruption of the agency; else why not."""
    officer = next((user for user in lead_officers(agency_pk) if user.pk == officer_pk),
                   None)
    if officer is None:
        return None, "Select a lead officer from the agency that leads the disruption"
    return officer, ""


def _usual_expiry(tactic: Tactic, started_on: dt.date | None) -> dt.date | None:
    if not tactic.expires or started_on is None or not tactic.usual_length_days:
        return None
    return started_on + dt.timedelta(days=tactic.usual_length_days)


def _dates_errors(status: str, applied_on: dt.date | None, started_on: dt.date | None,
                  expires_on: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if applied_on and applied_on > today:
        errors["applied_on"] = "The date it was applied for must be today or in the past"
    if started_on and started_on > today:
        errors["started_on"] = ("The date it was granted or served must be today or in "
                                "the past")
    if applied_on and started_on and started_on < applied_on:
        errors["started_on"] = ("The date it was granted or served must be on or after it "
                                "was applied for")
    if status == DisruptionStatus.APPLIED and applied_on is None:
        errors["applied_on"] = "Enter the date it was applied for"
    if status in IN_FORCE_STATUSES and started_on is None:
        errors["started_on"] = "Enter the date it was granted or served"
    if expires_on and started_on and expires_on <= started_on:
        errors["expires_on"] = "The expiry date must be after the date it was granted or served"
    return errors


@transaction.atomic
def record_disruption(*, actor: User, disruption: NewDisruption) -> Disruption:
    """Record a disruption for the actor's agency (its lead agency), led by the officer
    chosen from that agency's staff who record disruptions (the actor, unless another
    is named)."""
    policy.require(actor, Action.DISRUPTION_RECORD)
    errors: dict[str, str] = {}
    tactic = (Tactic.objects.filter(pk=disruption.tactic_pk, is_active=True).first()
              if disruption.tactic_pk else None)
    if tactic is None:
        errors["tactic"] = "Select the tactic"
    elif tactic.police_only and (actor.agency is None
                                 or actor.agency.kind != AgencyKind.POLICE):
        errors["tactic"] = f"{tactic.name} is a police power: only police staff record it"
    kind = disruption.target_kind
    if kind not in TargetKind.values:
        errors["target_kind"] = "Select what the disruption is aimed at"
    elif tactic is not None and kind not in tactic.kinds:
        errors["target_kind"] = (f"{tactic.name} applies to a {tactic.kind_labels()}, not "
                                 f"a {TargetKind(kind).label.lower()}")
    elif disruption.target_pk is None or not _may_see(actor, TARGETS[kind][1],
                                                      TARGETS[kind][0],
                                                      disruption.target_pk):
        errors["target"] = f"Select the {TargetKind(kind).label.lower()} it is aimed at"
    children = list(dict.fromkeys(disruption.child_pks))
    visible = set(policy.scope(actor, Action.PERSON_VIEW, Person.objects.filter(
        pk__in=children)).values_list("pk", flat=True)) if children else set()
    if set(children) - visible:
        errors["children"] = "Select only children you may see"
    elif kind == TargetKind.PERSON and disruption.target_pk in visible:
        errors["children"] = "The person the disruption is aimed at is not a child it protects"
    if disruption.investigation_pk is not None and not _may_see(
            actor, Action.INVESTIGATION_VIEW, Investigation, disruption.investigation_pk):
        errors["investigation"] = "Select an investigation you may see, or none"
    agreed_at = (AgendaItem.objects.filter(pk=disruption.agreed_at_pk, dropped=False)
                 .exclude(decision="").first() if disruption.agreed_at_pk else None)
    if disruption.agreed_at_pk is not None and (
            agreed_at is None or not meeting_selectors.item_visible(actor, agreed_at)):
        errors["agreed_at"] = "Select a meeting decision you may see, or none"
    status = disruption.status
    if status not in {DisruptionStatus.PLANNED, DisruptionStatus.APPLIED,
                      DisruptionStatus.GRANTED, DisruptionStatus.SERVED}:
        errors["status"] = "Select planned, applied for, granted or served"
    errors.update(_dates_errors(status, disruption.applied_on, disruption.started_on,
                                disruption.expires_on))
    details = disruption.details.strip()
    if len(details) > DETAILS_LENGTH:
        errors["details"] = f"The details must be {DETAILS_LENGTH} characters or fewer"
    lead_officer, why_not = _lead_officer(actor.agency_id,
                                          disruption.lead_officer_pk or actor.pk)
    if lead_officer is None:
        errors["lead_officer"] = why_not
    if errors or tactic is None or actor.agency is None or lead_officer is None:
        raise ValidationError(errors or {"tactic": "You need an agency to record this"})
    now = timezone.now()
    record = Disruption(
        tactic=tactic, target_kind=kind, status=status,
        investigation_id=disruption.investigation_pk, agreed_at=agreed_at,
        applied_on=disruption.applied_on,
        started_on=disruption.started_on if status in IN_FORCE_STATUSES else None,
        expires_on=disruption.expires_on or _usual_expiry(tactic, disruption.started_on),
        details=details, lead_officer=lead_officer, lead_agency=actor.agency,
        created_by=actor,
        created_at=now)
    setattr(record, f"{TARGET_FIELDS[kind]}_id", disruption.target_pk)
    save_with_reference(record, kind=REFERENCE_KIND, year=now.year)
    record.children.set(children)
    record_event(event_type=EventType.CREATE, actor=actor, record=record, detail={
        "tactic": tactic.code, "target_kind": kind, "target": disruption.target_pk,
        "children": children, "investigation": disruption.investigation_pk,
        "agreed_at": disruption.agreed_at_pk, "lead_officer": lead_officer.pk,
        "status": status, "expires_on": record.expires_on.isoformat()
        if record.expires_on else None})
    return record


def _lock(actor: User, disruption_pk: int) -> Disruption:
    return policy.get_or_404(actor, Action.DISRUPTION_CHANGE,
                             Disruption.objects.select_for_update(of=("self",)), pk=disruption_pk)


@transaction.atomic
def change_status(*, actor: User, disruption_pk: int, expected_version: int, status: str,
                  on: dt.date | None, expires_on: dt.date | None = None) -> Disruption:
    """Move a disruption on: applied for, granted, refused, served, expired or ended, on
    a date. Granted or served sets when it started (the first of the two) and, for a
    tactic that expires, its expiry (the usual length, unless given)."""
    record = _lock(actor, disruption_pk)
    DISRUPTION_VERSIONING.check(record, expected_version)
    allowed = NEXT_STATUSES.get(record.status, frozenset())
    if not allowed:
        raise ServiceRefused(f"This disruption is {record.get_status_display().lower()}: "
                             f"it does not move on", field="status")
    errors: dict[str, str] = {}
    if status not in allowed:
        errors["status"] = "Select one of the statuses offered"
    if on is None:
        errors["on"] = "Enter the date"
    elif on > timezone.localdate():
        errors["on"] = "The date must be today or in the past"
    elif record.applied_on and on < record.applied_on:
        errors["on"] = "The date must be on or after it was applied for"
    if errors or on is None:
        raise ValidationError(errors)
    before = {"status": record.get_status_display(), "started_on": record.started_on,
              "expires_on": record.expires_on}
    record.status = status
    if status == DisruptionStatus.APPLIED:
        record.applied_on = on
    elif status in IN_FORCE_STATUSES and record.started_on is None:
        record.started_on = on
    if status in IN_FORCE_STATUSES:
        record.expires_on = expires_on or record.expires_on or _usual_expiry(
            record.tactic, record.started_on)
        if record.expires_on and record.started_on and record.expires_on <= record.started_on:
            raise ValidationError({"expires_on": "The expiry date must be after it started"})
    DISRUPTION_VERSIONING.save(record, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=record, detail={
        "changes": changed_values(
            {"status": before["status"], "started_on": str(before["started_on"] or ""),
             "expires_on": str(before["expires_on"] or "")},
            {"status": record.get_status_display(),
             "started_on": str(record.started_on or ""),
             "expires_on": str(record.expires_on or "")}),
        "on": on.isoformat(), "version": record.version,
        "expires_on": record.expires_on.isoformat() if record.expires_on else None})
    return record


@transaction.atomic
def change_lead_officer(*, actor: User, disruption_pk: int, expected_version: int,
                        lead_officer_pk: int | None) -> Disruption:
    """Hand a disruption to another lead officer of its lead agency (the officer moved
    on, or the case went to another team)."""
    record = _lock(actor, disruption_pk)
    DISRUPTION_VERSIONING.check(record, expected_version)
    officer, why_not = _lead_officer(record.lead_agency_id, lead_officer_pk)
    if officer is None:
        raise ServiceRefused(why_not, field="lead_officer")
    before = record.lead_officer.display_name
    record.lead_officer = officer
    DISRUPTION_VERSIONING.save(record, expected_version=expected_version,
                               update_fields=["lead_officer"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=record, detail={
        "changes": changed_values({"lead_officer": before},
                                  {"lead_officer": officer.display_name}),
        "lead_officer": officer.pk, "version": record.version})
    return record


@transaction.atomic
def record_breach(*, actor: User, disruption_pk: int, expected_version: int,
                  occurred_on: dt.date | None, what_happened: str, action_taken: str
                  ) -> Breach:
    """Record a breach of a disruption in force: it is then breached."""
    record = _lock(actor, disruption_pk)
    DISRUPTION_VERSIONING.check(record, expected_version)
    if record.status not in IN_FORCE_STATUSES:
        raise ServiceRefused("Only a disruption granted or served can be breached",
                             field="what_happened")
    errors: dict[str, str] = {}
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the breach"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the breach must be today or in the past"
    elif record.started_on and occurred_on < record.started_on:
        errors["occurred_on"] = ("The date of the breach must be on or after it was "
                                 "granted or served")
    what_happened, action_taken = what_happened.strip(), action_taken.strip()
    if not what_happened:
        errors["what_happened"] = "Enter what happened"
    if not action_taken:
        errors["action_taken"] = "Enter the action taken"
    if errors or occurred_on is None:
        raise ValidationError(errors)
    before = record.get_status_display()
    record.status = DisruptionStatus.BREACHED
    DISRUPTION_VERSIONING.save(record, expected_version=expected_version)
    breach = Breach.objects.create(disruption=record, occurred_on=occurred_on,
                                   what_happened=what_happened, action_taken=action_taken,
                                   recorded_by=actor, recorded_at=timezone.now())
    record_event(event_type=EventType.CHANGE, actor=actor, record=record, detail={
        "changes": changed_values({"status": before},
                                  {"status": record.get_status_display()}),
        "breach": breach.pk,
        "occurred_on": occurred_on.isoformat(), "version": record.version})
    return breach


@transaction.atomic
def add_tactic(*, actor: User, name: str, legal_basis: str, target_kinds: list[str],
               lead_agency_kind: str, expires: bool, usual_length_days: int | None
               ) -> Tactic:
    """Add a tactic the hub uses (an administrator)."""
    policy.require(actor, Action.DISRUPTION_TACTIC_ADD)
    refuse_if_already_submitted()  # not refused for the name its first sending took
    from django.utils.text import slugify

    errors: dict[str, str] = {}
    name, legal_basis = name.strip(), legal_basis.strip()
    code = slugify(name)[:40].replace("-", "_")
    if not name:
        errors["name"] = "Enter the tactic's name"
    elif len(name) > 120:
        errors["name"] = "The name must be 120 characters or fewer"
    elif Tactic.objects.filter(models.Q(name__iexact=name) | models.Q(code=code)).exists():
        errors["name"] = "There is a tactic of that name already"
    if not legal_basis:
        errors["legal_basis"] = "Enter its legal basis (or 'None' and why)"
    elif len(legal_basis) > 300:
        errors["legal_basis"] = "The legal basis must be 300 characters or fewer"
    kinds = [kind for kind in TargetKind.values if kind in target_kinds]
    if not kinds:
        errors["target_kinds"] = "Select the kinds of target it applies to"
    if lead_agency_kind not in AgencyKind.values:
        errors["lead_agency_kind"] = "Select the kind of agency that leads it"
    if usual_length_days is not None and usual_length_days < 1:
        errors["usual_length_days"] = "The usual length must be a whole number of days, 1 or more"
    if errors:
        raise ValidationError(errors)
    tactic = Tactic.objects.create(
        code=code, name=name, legal_basis=legal_basis, target_kinds="|".join(kinds),
        lead_agency_kind=lead_agency_kind, expires=expires,
        usual_length_days=usual_length_days if expires else None)
    record_event(event_type=EventType.CREATE, actor=actor, record=tactic,
                 detail={"code": code, "name": name})
    return tactic
