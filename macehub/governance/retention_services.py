"""The one way to change retention review's records. Each service is keyword-only with
the acting user first, works in one transaction, and records its audit event in it.

The rules kept here: a decision to keep a record gives a reason and a next review no
later than the rule's review period from today; disposal is asked for by one
information governance officer and approved (or rejected) by another; a record a legal
hold names, one its rule keeps until its subject reaches an age not yet reached, or one
its kind says other records still rely on (an open investigation about a case's child),
is never disposed of (asking and approving both refuse, saying why). On approval the
record's kind removes its personal data, a tombstone keeps what was disposed of under
which rule and by whom, and the audit log gains an event: the log itself is never
changed, so its hash chain still verifies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.governance.retention import RECORD_KINDS, ReviewItem, review_item
from macehub.governance.retention_codes import DisposalStatus
from macehub.governance.retention_models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
)


def _item(kind: str, record_id: int, today: dt.date) -> ReviewItem:
    item = review_item(today=today, kind=kind, pk=record_id)
    if item is None:
        raise ServiceRefused("There is no such record under retention review", field="record")
    return item


def _holds_refusal(item: ReviewItem) -> ServiceRefused | None:
    if not item.holds:
        return None
    return ServiceRefused(f"{item.reference} is under legal hold ({', '.join(item.holds)}): "
                          f"it cannot be disposed of until the hold is released")


def _disposal_refusal(item: ReviewItem, today: dt.date) -> ServiceRefused | None:
    """Why the record may not be disposed of today, if it may not."""
    if not item.disposable:
        return ServiceRefused(f"Disposal of {item.kind_label.lower()}s is not available yet: "
                              f"record a decision to keep it")
    held = _holds_refusal(item)
    if held is not None:
        return held
    if item.rule.keep_until_age:
        if item.keep_until is None:
            return ServiceRefused(
                f"The rule keeps it until its subject is {item.rule.keep_until_age}, and "
                f"their date of birth is not recorded: keep it")
        if item.keep_until > today:
            return ServiceRefused(
                f"The rule keeps it until its subject is {item.rule.keep_until_age}, on "
                f"{item.keep_until:%-d %B %Y}: keep it")
    refusals = RECORD_KINDS.get(item.kind).refusals
    unsafe = refusals(item.pk) if refusals is not None else []
    if unsafe:
        return ServiceRefused(f"{item.reference} cannot be disposed of: {' '.join(unsafe)}")
    return None


@transaction.atomic
def retain(*, actor: User, kind: str, record_id: int, reason: str,
           next_review_on: dt.date | None) -> RetentionDecision:
    """Decide to keep a record until its next review."""
    policy.require(actor, Action.RETENTION_REVIEW)
    today = timezone.localdate()
    item = _item(kind, record_id, today)
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = "Enter why the record is kept"
    latest = item.latest_next_review(today)
    if next_review_on is None:
        errors["next_review_on"] = "Enter the date of the next review"
    elif next_review_on <= today:
        errors["next_review_on"] = "The next review must be after today"
    elif next_review_on > latest:
        errors["next_review_on"] = (f"The rule asks for a review at least every "
                                    f"{item.rule.review_years} years: the next review must "
                                    f"be on or before {latest:%-d %B %Y}")
    if item.pending_request is not None:
        errors[""] = "Its disposal has been asked for: that request must be decided first"
    if errors or next_review_on is None:
        raise ServiceRefused(errors)
    decision = RetentionDecision.objects.create(
        record_kind=kind, record_id=record_id, rule=item.rule, reason=reason.strip(),
        next_review_on=next_review_on, decided_by=actor, decided_at=timezone.now())
    record_event(event_type=EventType.RETENTION_DECIDED, actor=actor,
                 record_type=RECORD_KINDS.get(kind).record_type, record_id=record_id,
                 detail={"reference": item.reference, "rule": item.rule.code,
                         "next_review_on": next_review_on, "reason": reason.strip()})
    return decision


@transaction.atomic
def request_disposal(*, actor: User, kind: str, record_id: int, reason: str
                     ) -> DisposalRequest:
    """Ask for a record due for review to be disposed of; another officer decides."""
    policy.require(actor, Action.RETENTION_REVIEW)
    today = timezone.localdate()
    item = _item(kind, record_id, today)
    if not reason.strip():
        raise ServiceRefused("Enter why the record should be disposed of", field="reason")
    refusal = _disposal_refusal(item, today)
    if refusal is not None:
        raise refusal
    if not item.is_due(today):
        raise ServiceRefused(f"{item.reference} is not due for review until "
                             f"{item.next_review_on:%-d %B %Y}")
    if item.pending_request is not None:
        raise ServiceRefused(f"Disposal of {item.reference} has already been asked for")
    request = DisposalRequest.objects.create(
        record_kind=kind, record_id=record_id, reference=item.reference, rule=item.rule,
        reason=reason.strip(), requested_by=actor, requested_at=timezone.now())
    record_event(event_type=EventType.DISPOSAL_REQUESTED, actor=actor,
                 record_type=RECORD_KINDS.get(kind).record_type, record_id=record_id,
                 detail={"reference": item.reference, "rule": item.rule.code,
                         "request": request.pk, "reason": reason.strip()})
    return request


def _lock_request(actor: User, request_pk: int, expected_version: int) -> DisposalRequest:
    request = policy.get_or_404(
        actor, Action.DISPOSAL_DECIDE,
        DisposalRequest.objects.select_for_update(of=("self",)), pk=request_pk)
    if request.status != DisposalStatus.PENDING:
        raise ServiceRefused("This request has already been decided")
    if request.version != expected_version:
        raise EditConflict(request, {}, message="Someone else has decided this request")
    return request


def _decided(request: DisposalRequest, actor: User, status: str, reason: str
             ) -> dt.datetime:
    now = timezone.now()
    request.status = status
    request.decided_by = actor
    request.decided_at = now
    request.decision_reason = reason
    request.version += 1
    request.save()
    return now


@transaction.atomic
def approve_disposal(*, actor: User, request_pk: int, expected_version: int
                     ) -> DisposalTombstone:
    """Approve another officer's request: the record's personal data is removed and a
    tombstone says what was disposed of, under which rule and by whom."""
    request = _lock_request(actor, request_pk, expected_version)
    today = timezone.localdate()
    kind = RECORD_KINDS.get(request.record_kind)
    item = review_item(today=today, kind=request.record_kind, pk=request.record_id)
    if item is None:
        raise ServiceRefused("The record is no longer held: reject the request")
    refusal = _disposal_refusal(item, today)
    if refusal is not None:
        raise refusal
    dispose = kind.dispose
    if dispose is None:  # _disposal_refusal refuses kinds without disposal
        raise ServiceRefused("Disposal of this kind of record is not available yet")
    try:
        with transaction.atomic():
            dispose(request.record_id)
    except ProtectedError as error:
        resting = sorted({str(type(obj)._meta.verbose_name)
                          for obj in error.protected_objects})
        raise ServiceRefused(
            f"Other records rest on {request.reference} ({', '.join(resting)}): it cannot "
            f"be disposed of while they do") from error
    disposed_at = _decided(request, actor, DisposalStatus.APPROVED, "")
    tombstone = DisposalTombstone.objects.create(
        record_kind=request.record_kind, record_id=request.record_id,
        reference=request.reference, rule=request.rule, request=request,
        requested_by=request.requested_by, approved_by=actor, disposed_at=disposed_at)
    record_event(event_type=EventType.DISPOSAL_APPROVED, actor=actor,
                 record_type=kind.record_type, record_id=request.record_id,
                 detail={"kind": request.record_kind, "reference": request.reference,
                         "rule": request.rule.code, "request": request.pk,
                         "requested_by": request.requested_by.get_username(),
                         "approved_by": actor.get_username(),
                         "disposed_at": tombstone.disposed_at})
    return tombstone


@transaction.atomic
def reject_disposal(*, actor: User, request_pk: int, expected_version: int, reason: str
                    ) -> DisposalRequest:
    """Reject another officer's request: the record stays, under review as it was."""
    request = _lock_request(actor, request_pk, expected_version)
    if not reason.strip():
        raise ServiceRefused("Enter why the request is rejected", field="reason")
    _decided(request, actor, DisposalStatus.REJECTED, reason.strip())
    record_event(event_type=EventType.DISPOSAL_REJECTED, actor=actor,
                 record_type=RECORD_KINDS.get(request.record_kind).record_type,
                 record_id=request.record_id,
                 detail={"reference": request.reference, "request": request.pk,
                         "reason": reason.strip()})
    return request


@transaction.atomic
def place_hold(*, actor: User, name: str, reason: str,
               records: Sequence[tuple[str, int]]) -> LegalHold:
    """Place a legal hold on records (each a kind and id): none of them is disposed of
    until it is released."""
    policy.require(actor, Action.LEGAL_HOLD_MANAGE)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the investigation or inquiry"
    if not reason.strip():
        errors["reason"] = "Enter why the records must be kept"
    if not records:
        errors["records"] = "Name at least one record"
    today = timezone.localdate()
    references: list[str] = []
    for kind, record_id in records:
        item = review_item(today=today, kind=kind, pk=record_id)
        if item is None:
            errors["records"] = f"There is no {kind.replace('_', ' ')} {record_id} to hold"
            break
        references.append(item.reference)
    if errors:
        raise ServiceRefused(errors)
    hold = LegalHold.objects.create(name=name.strip(), reason=reason.strip(), placed_by=actor,
                                    placed_on=today)
    HeldRecord.objects.bulk_create(
        HeldRecord(hold=hold, record_kind=kind, record_id=record_id)
        for kind, record_id in dict.fromkeys(records))
    record_event(event_type=EventType.LEGAL_HOLD_PLACED, actor=actor, record=hold,
                 detail={"name": hold.name, "reason": hold.reason, "records": references})
    return hold


@transaction.atomic
def release_hold(*, actor: User, hold_pk: int, expected_version: int) -> LegalHold:
    """Release a legal hold: its records are reviewed and disposed of as their rules say."""
    policy.require(actor, Action.LEGAL_HOLD_MANAGE)
    hold = get_object_or_404(LegalHold.objects.select_for_update(), pk=hold_pk)
    if hold.released_on is not None:
        raise ServiceRefused("This hold has already been released")
    if hold.version != expected_version:
        raise EditConflict(hold, {}, message="Someone else has changed this hold")
    hold.released_on = timezone.localdate()
    hold.released_by = actor
    hold.version += 1
    hold.save()
    record_event(event_type=EventType.LEGAL_HOLD_RELEASED, actor=actor, record=hold,
                 detail={"name": hold.name})
    return hold
