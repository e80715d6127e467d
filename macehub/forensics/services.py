"""The one way to change an exhibit. Each service is keyword-only with the acting user
first; in one transaction it fetches and locks the record through the access policy,
validates, checks the version the user saw (where the page carried one), writes and
records the audit event.

The examination rules live here: a device is recorded by the investigation's officers
on an open investigation, seized from one of its victims or suspects (or someone else,
unnamed); its triage is due by its priority's clock from seizure; triage says whether a
full examination is needed, which then has its own target; only an examined exhibit is
returned, retained or disposed of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.references import save_with_reference
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import Versioning, plain_words
from macehub.forensics import clocks
from macehub.forensics.codes import (
    AFTER_EXAMINATION,
    EXAMINED_STAGES,
    DeviceOwner,
    DeviceType,
    ExhibitPriority,
    ExhibitStage,
    LegalAuthority,
)
from macehub.forensics.models import Exhibit
from macehub.investigations.models import Investigation

REFERENCE_KIND = "EXH"

EXHIBIT_VERSIONING = Versioning(
    history=saves_after,
    labels={"stage": "Stage", "triage_findings": "Triage findings",
            "full_examination_needed": "Full examination needed",
            "full_report_on": "Date of the full report",
            "full_report_summary": "Full report", "returned_on": "Returned on",
            "retained_reason": "Reason for retention", "disposed_on": "Disposed of on"},
    words=lambda _name, value: plain_words(value))


@dataclass(frozen=True)
class SeizedDevice:
    device_type: str
    description: str
    seized_at: dt.datetime | None
    owner: str
    priority: str
    legal_authority: str
    seized_from_pk: int | None = None


# What the columns hold: longer is refused, never cut short.
DESCRIPTION_LENGTH = Exhibit._meta.get_field("description").max_length or 200
RETURNED_TO_LENGTH = Exhibit._meta.get_field("returned_to").max_length or 200


def _lock(actor: User, action: Action, exhibit_pk: int) -> Exhibit:
    return policy.get_or_404(actor, action, Exhibit.objects.select_for_update(of=("self",)),
                             pk=exhibit_pk)


def _seized_from_part(investigation: Investigation, person_pk: int) -> str | None:
    """Whether the person is a victim or a suspect of the investigation (None: neither)."""
    if investigation.victims.filter(person_id=person_pk).exists():
        return DeviceOwner.VICTIM
    if investigation.suspects.filter(person_id=person_pk).exists():
        return DeviceOwner.SUSPECT
    return None


def _validated(investigation: Investigation, device: SeizedDevice) -> dict[str, str]:
    errors: dict[str, str] = {}
    if device.device_type not in DeviceType.values:
        errors["device_type"] = "Select the type of device"
    if not device.description.strip():
        errors["description"] = "Enter the make and model of the device"
    elif len(device.description.strip()) > DESCRIPTION_LENGTH:
        errors["description"] = (f"The make and model must be {DESCRIPTION_LENGTH} "
                                 f"characters or fewer")
    if device.seized_at is None:
        errors["seized_at"] = "Enter when the device was seized"
    elif device.seized_at > timezone.now():
        errors["seized_at"] = "The date of seizure must be today or in the past"
    if device.owner not in DeviceOwner.values:
        errors["owner"] = "Select whose device it is"
    if device.priority not in ExhibitPriority.values:
        errors["priority"] = "Select the priority"
    if device.legal_authority not in LegalAuthority.values:
        errors["legal_authority"] = "Select the legal authority for the seizure"
    if device.seized_from_pk is not None and "owner" not in errors:
        part = _seized_from_part(investigation, device.seized_from_pk)
        if part is None:
            errors["seized_from"] = ("Select a victim or suspect of this investigation, or "
                                     "nobody")
        elif device.owner == DeviceOwner.OTHER:
            errors["seized_from"] = ("A witness's or other person's device is recorded "
                                     "without naming them: select nobody")
        elif part != device.owner:
            errors["owner"] = (f"They are a {DeviceOwner(part).label.lower()} in this "
                               f"investigation: select {DeviceOwner(part).label.lower()}")
    return errors


@transaction.atomic
def record_seized_device(*, actor: User, investigation_pk: int, device: SeizedDevice
                         ) -> Exhibit:
    """Record a device seized for an open investigation. Its triage falls due by its
    priority's clock from when it was seized, worked out now and kept."""
    investigation = policy.get_or_404(actor, Action.EXHIBIT_RECORD,
                                      Investigation.objects.select_for_update(),
                                      pk=investigation_pk)
    errors = _validated(investigation, device)
    if errors or device.seized_at is None:
        raise ValidationError(errors)
    now = timezone.now()
    exhibit = Exhibit(
        investigation=investigation, device_type=device.device_type,
        description=device.description.strip(), seized_at=device.seized_at,
        seized_from_id=device.seized_from_pk, owner=device.owner, priority=device.priority,
        legal_authority=device.legal_authority,
        triage_due_at=clocks.triage_due(device.seized_at, device.priority),
        created_by=actor, created_at=now)
    save_with_reference(exhibit, kind=REFERENCE_KIND, year=now.year)
    record_event(event_type=EventType.CREATE, actor=actor, record=exhibit, detail={
        "investigation": investigation.pk, "device_type": device.device_type,
        "priority": device.priority, "owner": device.owner,
        "seized_from": device.seized_from_pk, "legal_authority": device.legal_authority,
        "triage_due_at": exhibit.triage_due_at.isoformat(),
    })
    return exhibit


def _save(actor: User, exhibit: Exhibit, expected_version: int,
          before: Mapping[str, object], after: Mapping[str, object], **extra: object) -> None:
    EXHIBIT_VERSIONING.save(exhibit, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=exhibit, detail={
        "changes": changed_values(dict(before), dict(after)), "version": exhibit.version, **extra})


def _stage_label(stage: str) -> str:
    return str(ExhibitStage(stage).label)


@transaction.atomic
def record_triage(*, actor: User, exhibit_pk: int, expected_version: int, findings: str,
                  full_examination_needed: bool | None) -> Exhibit:
    """Record the triage (kiosk examination): what it found and whether a full
    examination is needed, which is then due by its own target from now."""
    exhibit = _lock(actor, Action.EXHIBIT_EXAMINE, exhibit_pk)
    EXHIBIT_VERSIONING.check(exhibit, expected_version)
    if exhibit.stage != ExhibitStage.WAITING_TRIAGE:
        raise ServiceRefused(f"This device has been triaged already ("
                             f"{_stage_label(exhibit.stage).lower()})", field="findings")
    errors = {}
    findings = findings.strip()
    if not findings:
        errors["findings"] = "Enter what the triage found"
    if full_examination_needed is None:
        errors["full_examination_needed"] = "Select whether a full examination is needed"
    if errors:
        raise ValidationError(errors)
    before = {"stage": _stage_label(exhibit.stage), "triage_findings": ""}
    now = timezone.now()
    exhibit.triaged_at, exhibit.triaged_by = now, actor
    exhibit.triage_findings = findings
    exhibit.full_examination_needed = full_examination_needed
    if full_examination_needed:
        exhibit.stage = ExhibitStage.WAITING_FULL
        exhibit.full_examination_due_at = clocks.full_examination_due(now)
    else:
        exhibit.stage = ExhibitStage.TRIAGED_NO_FULL
    _save(actor, exhibit, expected_version, before,
          {"stage": _stage_label(exhibit.stage), "triage_findings": findings},
          overdue=now > exhibit.triage_due_at,
          full_examination_due_at=(exhibit.full_examination_due_at.isoformat()
                                   if exhibit.full_examination_due_at else None))
    return exhibit


@transaction.atomic
def record_full_examination(*, actor: User, exhibit_pk: int, expected_version: int,
                            report_on: dt.date | None, summary: str) -> Exhibit:
    """Record the full examination's report: its date and what it found."""
    exhibit = _lock(actor, Action.EXHIBIT_EXAMINE, exhibit_pk)
    EXHIBIT_VERSIONING.check(exhibit, expected_version)
    if exhibit.stage != ExhibitStage.WAITING_FULL:
        raise ServiceRefused("This device is not waiting for a full examination",
                             field="summary")
    errors = {}
    today = timezone.localdate()
    triaged_on = timezone.localdate(exhibit.triaged_at) if exhibit.triaged_at else today
    if report_on is None:
        errors["report_on"] = "Enter the date of the report"
    elif report_on > today or report_on < triaged_on:
        errors["report_on"] = "The date of the report must be from the day of triage to today"
    summary = summary.strip()
    if not summary:
        errors["summary"] = "Enter what the full examination found"
    if errors or report_on is None:
        raise ValidationError(errors)
    before = {"stage": _stage_label(exhibit.stage), "full_report_on": "",
              "full_report_summary": ""}
    exhibit.stage = ExhibitStage.FULL_DONE
    exhibit.examiner, exhibit.full_report_on = actor, report_on
    exhibit.full_report_at, exhibit.full_report_summary = timezone.now(), summary
    _save(actor, exhibit, expected_version, before,
          {"stage": _stage_label(exhibit.stage), "full_report_on": report_on.isoformat(),
           "full_report_summary": summary},
          overdue=bool(exhibit.full_examination_due_at
                       and exhibit.full_report_at > exhibit.full_examination_due_at))
    return exhibit


@transaction.atomic
def record_after_examination(*, actor: User, exhibit_pk: int, expected_version: int,
                             outcome: str, on: dt.date | None, returned_to: str = "",
                             reason: str = "") -> Exhibit:
    """Record what became of an examined device: returned (to whom), retained (why) or
    disposed of. A retained device may later be returned or disposed of."""
    exhibit = _lock(actor, Action.EXHIBIT_EXAMINE, exhibit_pk)
    EXHIBIT_VERSIONING.check(exhibit, expected_version)
    if exhibit.stage not in EXAMINED_STAGES:
        raise ServiceRefused(
            "Only a device that has been examined (or found not to need a full "
            "examination) is returned, retained or disposed of", field="outcome")
    errors = {}
    if outcome not in AFTER_EXAMINATION:
        errors["outcome"] = "Select whether it was returned, retained or disposed of"
    elif outcome == exhibit.stage:
        errors["outcome"] = "It is retained already: select returned or disposed of"
    today = timezone.localdate()
    if on is None:
        errors["on"] = "Enter the date"
    elif on > today or on < timezone.localdate(exhibit.seized_at):
        errors["on"] = "The date must be from the day it was seized to today"
    returned_to, reason = returned_to.strip(), reason.strip()
    if outcome == ExhibitStage.RETURNED and not returned_to:
        errors["returned_to"] = "Enter who it was returned to"
    elif len(returned_to) > RETURNED_TO_LENGTH:
        errors["returned_to"] = (f"Who it was returned to must be {RETURNED_TO_LENGTH} "
                                 f"characters or fewer")
    if outcome == ExhibitStage.RETAINED and not reason:
        errors["reason"] = "Enter why it is retained"
    if errors or on is None:
        raise ValidationError(errors)
    before = {"stage": _stage_label(exhibit.stage)}
    exhibit.stage = outcome
    if outcome == ExhibitStage.RETURNED:
        exhibit.returned_on, exhibit.returned_to = on, returned_to
    elif outcome == ExhibitStage.RETAINED:
        exhibit.retained_on, exhibit.retained_reason = on, reason
    else:
        exhibit.disposed_on = on
    _save(actor, exhibit, expected_version, before, {"stage": _stage_label(outcome)},
          on=on.isoformat(), reason=reason, returned_to=returned_to)
    return exhibit
