"""The one way to change a subject access request: log it, record its identity check,
extension and status, gather what the hub holds about the person, decide the redactions
of each item, and produce the disclosure bundle. Each service is keyword-only with the
acting user first; in one transaction it fetches through the access policy (locked),
validates, checks the version the user saw, writes and records the audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

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
from macehub.governance.subject_access import (
    MOST_EXTENSION_MONTHS,
    SUBJECT_SOURCES,
    gather_held,
    subject_name,
)
from macehub.governance.subject_access_bundle import bundle_pdf, withheld_schedule
from macehub.governance.subject_access_codes import (
    CLOSED_STATUSES,
    IdentityCheck,
    RedactionReason,
    RequestStatus,
)
from macehub.governance.subject_access_models import (
    DisclosureItem,
    Redaction,
    SubjectAccessRequest,
)

REFERENCE_KIND = "SAR"
# The person record's type in the audit log, so the person's own access log shows
# that what the hub holds about them was gathered for a request.
PERSON_RECORD_TYPE = "people.person"

REQUEST_VERSIONING = Versioning(
    history=saves_after,
    labels={"identity_verified_on": "Identity verified on", "identity_check": "How",
            "identity_note": "Identity note", "extension_months": "Extension",
            "extension_reason": "Reason for the extension", "status": "Status",
            "status_reason": "Why withdrawn or refused"},
    words=lambda _name, value: plain_words(value))
ITEM_VERSIONING = Versioning(history=saves_after, labels={})


@dataclass(frozen=True)
class NewRequest:
    requester_name: str
    requester_relationship: str
    requester_contact: str
    person_pk: int | None
    received_on: dt.date | None


@dataclass(frozen=True)
class RequestProgress:
    """What an officer records as the request goes on."""

    identity_verified_on: dt.date | None
    identity_check: str
    identity_note: str
    extension_months: int
    extension_reason: str
    status: str
    status_reason: str


def _fetch(actor: User, request_pk: int) -> SubjectAccessRequest:
    return policy.get_or_404(
        actor, Action.SUBJECT_ACCESS_MANAGE,
        SubjectAccessRequest.objects.select_for_update(of=("self",)), pk=request_pk)


@transaction.atomic
def log_request(*, actor: User, details: NewRequest) -> SubjectAccessRequest:
    """Add a request to the register; its clock runs from the day it was received."""
    policy.require(actor, Action.SUBJECT_ACCESS_MANAGE)
    errors: dict[str, str] = {}
    if not details.requester_name.strip():
        errors["requester_name"] = "Enter the requester's name"
    if not details.requester_relationship.strip():
        errors["requester_relationship"] = "Enter who the requester is to the person"
    if details.person_pk is None or subject_name(details.person_pk) is None:
        errors["person_pk"] = "Enter the record number of a person the hub holds"
    if details.received_on is None:
        errors["received_on"] = "Enter the date the request was received"
    elif details.received_on > timezone.localdate():
        errors["received_on"] = "The date received must be today or in the past"
    if errors:
        raise ServiceRefused(errors)
    if details.person_pk is None or details.received_on is None:  # refused above
        raise ServiceRefused("Enter the person and the date received")
    now = timezone.now()
    request = SubjectAccessRequest(
        requester_name=details.requester_name.strip(),
        requester_relationship=details.requester_relationship.strip(),
        requester_contact=details.requester_contact.strip(), person_id=details.person_pk,
        received_on=details.received_on, created_by=actor, created_at=now)
    save_with_reference(request, kind=REFERENCE_KIND, year=details.received_on.year)
    record_event(event_type=EventType.CREATE, actor=actor, record=request, detail={
        "person_id": request.person_id, "received_on": request.received_on.isoformat(),
        "due_on": request.due_on.isoformat(), "requester": request.requester_name,
        "relationship": request.requester_relationship})
    return request


def _progress_recorded(request: SubjectAccessRequest) -> dict[str, object]:
    verified = request.identity_verified_on
    return {"identity_verified_on": verified.isoformat() if verified else None,
            "identity_check": request.identity_check, "identity_note": request.identity_note,
            "extension_months": request.extension_months,
            "extension_reason": request.extension_reason, "status": request.status,
            "status_reason": request.status_reason}


@transaction.atomic
def record_progress(*, actor: User, request_pk: int, expected_version: int,
                    progress: RequestProgress) -> SubjectAccessRequest:
    """Record the identity check, an extension (a complex request: up to two further
    months, with the reason) and where the request stands."""
    request = _fetch(actor, request_pk)
    REQUEST_VERSIONING.check(request, expected_version)
    errors: dict[str, str] = {}
    if progress.identity_verified_on is not None:
        if progress.identity_verified_on > timezone.localdate():
            errors["identity_verified_on"] = "The date verified must be today or in the past"
        if progress.identity_check not in IdentityCheck.values:
            errors["identity_check"] = "Select how the identity was verified"
    elif progress.identity_check:
        errors["identity_verified_on"] = "Enter the date the identity was verified"
    if progress.identity_check == IdentityCheck.OTHER and not progress.identity_note.strip():
        errors["identity_note"] = "Say how the identity was verified"
    if not 0 <= progress.extension_months <= MOST_EXTENSION_MONTHS:
        errors["extension_months"] = "An extension is of one or two further months"
    elif progress.extension_months and not progress.extension_reason.strip():
        errors["extension_reason"] = "Enter why the request is complex enough to extend"
    if progress.status not in RequestStatus.values:
        errors["status"] = "Select where the request stands"
    elif (progress.status in (RequestStatus.WITHDRAWN, RequestStatus.REFUSED)
          and not progress.status_reason.strip()):
        errors["status_reason"] = "Enter why the request was withdrawn or refused"
    elif progress.status == RequestStatus.DISCLOSED and request.bundle_produced_at is None:
        errors["status"] = "Produce the disclosure bundle before marking it disclosed"
    if errors:
        raise ServiceRefused(errors)
    before = _progress_recorded(request)
    request.identity_verified_on = progress.identity_verified_on
    request.identity_check = progress.identity_check if progress.identity_verified_on else ""
    request.identity_note = progress.identity_note.strip()
    request.extension_months = progress.extension_months
    request.extension_reason = (progress.extension_reason.strip()
                                if progress.extension_months else "")
    request.status = progress.status
    request.status_reason = (progress.status_reason.strip()
                             if progress.status in CLOSED_STATUSES else "")
    REQUEST_VERSIONING.save(request, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=request, detail={
        "changes": changed_values(before, _progress_recorded(request)),
        "due_on": request.due_on.isoformat(), "version": request.version})
    return request


@transaction.atomic
def gather(*, actor: User, request_pk: int) -> SubjectAccessRequest:
    """Ask every registered source what it holds about the person, and keep it on the
    request for review, replacing what an earlier gathering found (and the redactions
    decided on it). Fields a source marks to withhold are withheld by default."""
    request = _fetch(actor, request_pk)
    if not request.is_open:
        raise ServiceRefused("The request is closed: nothing more is gathered for it")
    if request.bundle_produced_at is not None:
        raise ServiceRefused("The bundle has been produced: gather again only for a new "
                             "request")
    now = timezone.now()
    labels = {code: source.label for code, source in SUBJECT_SOURCES.items()}
    request.items.all().delete()
    counts: dict[str, int] = {}
    defaults: list[Redaction] = []
    for position, (source, held) in enumerate(gather_held(request.person_id)):
        item = DisclosureItem.objects.create(
            request=request, position=position, source=source, source_label=labels[source],
            record_type=held.record_type, record_id=held.record_id,
            reference=held.reference, date=held.date, heading=held.heading,
            fields=[{"name": f.name, "label": f.label, "text": f.text} for f in held.fields],
            others_named=list(held.others_named))
        counts[source] = counts.get(source, 0) + 1
        defaults.extend(Redaction(item=item, field_name=f.name, reason=f.withhold,
                                  note=f.why, by_default=True, decided_by=actor,
                                  decided_at=now)
                        for f in held.fields if f.withhold)
    Redaction.objects.bulk_create(defaults)
    request.gathered_at = now
    if request.status in (RequestStatus.RECEIVED, RequestStatus.GATHERING):
        request.status = RequestStatus.REVIEWING
    request.save(update_fields=["gathered_at", "status"])
    detail = {"action": "gathered", "person_id": request.person_id, "items": counts,
              "withheld_by_default": len(defaults)}
    record_event(event_type=EventType.VIEW, actor=actor, record=request, detail=detail)
    record_event(event_type=EventType.VIEW, actor=actor, record_type=PERSON_RECORD_TYPE,
                 record_id=request.person_id, purpose=f"Subject access {request.reference}",
                 detail=detail)
    return request


@transaction.atomic
def decide_redactions(*, actor: User, request_pk: int, item_pk: int, expected_version: int,
                      decisions: Mapping[str, tuple[str, str]]) -> DisclosureItem:
    """Decide each field of an item: ``decisions`` maps a field's name to its reason
    code ("" to disclose it) and a note (required for "other")."""
    request = _fetch(actor, request_pk)
    if request.bundle_produced_at is not None or not request.is_open:
        raise ServiceRefused("The bundle has been produced: its redactions are final")
    item = DisclosureItem.objects.select_for_update().filter(
        request=request, pk=item_pk).first()
    if item is None:
        raise ServiceRefused("No such item on this request")
    ITEM_VERSIONING.check(item, expected_version)
    names = {entry["name"] for entry in item.fields}
    errors: dict[str, str] = {}
    for name, (reason, note) in decisions.items():
        if name not in names:
            errors[""] = "Decide only the fields of this item"
        elif reason and reason not in RedactionReason.values:
            errors[f"{name}__reason"] = "Select a reason from the list"
        elif reason == RedactionReason.OTHER and not note.strip():
            errors[f"{name}__note"] = "Say which exemption applies"
    if errors:
        raise ServiceRefused(errors)
    existing = {redaction.field_name: redaction for redaction in item.redactions.all()}
    now = timezone.now()
    changes: dict[str, dict[str, str]] = {}
    for name, (reason, note) in decisions.items():
        found = existing.get(name)
        old = f"{found.reason}: {found.note}".rstrip(": ") if found else "disclosed"
        new = f"{reason}: {note.strip()}".rstrip(": ") if reason else "disclosed"
        if old == new and not (found and found.by_default and reason):
            continue
        if not reason:
            if found:
                found.delete()
        elif found:
            found.reason, found.note, found.by_default = reason, note.strip(), False
            found.decided_by, found.decided_at = actor, now
            found.save()
        else:
            Redaction.objects.create(item=item, field_name=name, reason=reason,
                                     note=note.strip(), decided_by=actor, decided_at=now)
        changes[name] = {"old": old, "new": new}
    ITEM_VERSIONING.save(item, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=item, detail={
        "request": request.reference, "item": item.reference, "changes": changes,
        "version": item.version})
    return item


@transaction.atomic
def produce_bundle(*, actor: User, request_pk: int) -> SubjectAccessRequest:
    """Render the disclosure bundle with the redactions applied, and keep it and the
    schedule of what was withheld and why on the request."""
    request = _fetch(actor, request_pk)
    if request.gathered_at is None:
        raise ServiceRefused("Gather what the hub holds before producing the bundle")
    if not request.is_open:
        raise ServiceRefused("The request is closed")
    if request.identity_verified_on is None:
        raise ServiceRefused("Record the requester's identity check before disclosing")
    items = list(request.items.prefetch_related("redactions"))
    now = timezone.now()
    request.withheld_schedule = withheld_schedule(items)
    request.bundle_pdf = bundle_pdf(request, items, produced_at=now)
    request.bundle_produced_at = now
    request.save(update_fields=["withheld_schedule", "bundle_pdf", "bundle_produced_at"])
    record_event(event_type=EventType.EXPORT, actor=actor, record=request, detail={
        "action": "bundle produced", "items": len(items),
        "withheld": len(request.withheld_schedule)})
    return request

