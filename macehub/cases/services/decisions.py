"""Changes that need approval: closing the case, lowering the risk tier, lifting a
restriction.

A worker asks (``request_...``); a supervisor or the MACE chair who did not ask approves
or rejects it with a comment (``decide_case_request``). Approval applies the change in
the same transaction, checked against the version of the case the decider saw."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.cases.codes import (
    CaseStatus,
    ClosureReason,
    DecisionKind,
    DecisionStatus,
    JoinedReferralReview,
    PlanItemStatus,
    RiskTier,
    closure_reason_label,
)
from macehub.cases.models import Case, CaseDecisionRequest, MissingEpisode, PlanItem, RiskTierChange
from macehub.cases.services.case_details import is_lowering
from macehub.cases.services.case_versions import (
    _case_values,
    _check_version,
    _describe,
    _save_versioned,
)
from macehub.cases.services.checks import _audit_case, _case_for_change, _raise_if, _require_text
from macehub.cases.services.joined_referrals import _acknowledge_joined_referrals, _tier_short

DECISION_COMMENT_NEEDED = "Enter a comment on your decision"
PENDING_ALREADY = {
    DecisionKind.CLOSE: "A request to close the case is already waiting for a decision",
    DecisionKind.LOWER_TIER: (
        "A request to lower the risk tier is already waiting for a decision"
    ),
    DecisionKind.LIFT_RESTRICTION: (
        "A request to lift the restriction is already waiting for a decision"
    ),
}


def _closure_errors(case: Case, closure_reason: str, note: str, cancel_open_plan_items: bool
                    ) -> tuple[dict[str, str], list[PlanItem]]:
    """What stops the case closing now: nothing is left open silently."""
    errors: dict[str, str] = {}
    if closure_reason not in ClosureReason.values:
        errors["closure_reason"] = "Select why the case is closing"
    if closure_reason == ClosureReason.OTHER and not note:
        errors["note"] = "Enter why the case is closing"
    still_missing = MissingEpisode.objects.filter(
        child_id=case.child_id, returned_at__isnull=True).first()
    if still_missing is not None:
        errors[NON_FIELD_ERRORS] = (
            "The child is recorded as missing since "
            f"{timezone.localtime(still_missing.went_missing_at):%d/%m/%Y %H:%M}: "
            "record their return before closing the case"
        )
    open_items = list(case.plan_items.filter(status=PlanItemStatus.OPEN).order_by("pk"))
    if open_items and not cancel_open_plan_items:
        count = len(open_items)
        errors["cancel_open_plan_items"] = (
            f"There {'is' if count == 1 else 'are'} {count} open plan "
            f"item{'' if count == 1 else 's'}: complete "
            f"{'it' if count == 1 else 'them'} first, or confirm "
            f"{'it' if count == 1 else 'they'} should be cancelled"
        )
    return errors, open_items


def _check_none_pending(errors: dict[str, str], case: Case, kind: DecisionKind) -> None:
    if case.decision_requests.filter(kind=kind, status=DecisionStatus.PENDING).exists():
        errors[NON_FIELD_ERRORS] = PENDING_ALREADY[kind]


def _create_request(actor: User, case: Case, **fields: Any) -> CaseDecisionRequest:
    request = CaseDecisionRequest.objects.create(
        case=case, case_version=case.version, requested_by=actor,
        requested_at=timezone.now(), **fields,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "decision_request": {
            "request": request.pk, "kind": request.kind, "status": request.status,
            "asked_for": request.asked_for, "reason": request.reason,
        },
    })
    return request


@transaction.atomic
def request_case_closure(
    *,
    actor: User,
    case_pk: int,
    expected_version: int,
    closure_reason: ClosureReason | str,
    note: str = "",
    cancel_open_plan_items: bool = False,
) -> CaseDecisionRequest:
    """Ask for the case to be closed; a supervisor or the MACE chair decides. The same
    checks as the closure itself apply now (a child still missing, open plan items) and
    again when it is approved."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    note = (note or "").strip()
    errors, _open_items = _closure_errors(case, closure_reason, note, cancel_open_plan_items)
    _check_none_pending(errors, case, DecisionKind.CLOSE)
    _raise_if(errors)
    return _create_request(
        actor, case, kind=DecisionKind.CLOSE, closure_reason=ClosureReason(closure_reason),
        reason=note, cancel_open_plan_items=bool(cancel_open_plan_items),
    )


@transaction.atomic
def request_risk_tier_lowering(
    *, actor: User, case_pk: int, expected_version: int, risk_tier: RiskTier | str, reason: str
) -> CaseDecisionRequest:
    """Ask for the case's risk tier to be lowered (from High or Medium); a supervisor or
    the MACE chair decides. Raising a tier needs no approval: ``change_risk_tier``."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    errors: dict[str, str] = {}
    if risk_tier not in RiskTier.values:
        errors["risk_tier"] = "Select the risk tier"
    elif not is_lowering(case.risk_tier, risk_tier):
        errors["risk_tier"] = "Select a lower risk tier: raising the tier applies at once"
    reason = _require_text(errors, "reason", reason, "Enter why the risk tier should be lowered")
    _check_none_pending(errors, case, DecisionKind.LOWER_TIER)
    _raise_if(errors)
    # Asking to lower the tier is the worker's review of it: the supervisor's decision
    # follows on the request.
    _acknowledge_joined_referrals(
        actor, case, JoinedReferralReview.LOWERING_ASKED,
        f"Asked to lower the tier to {_tier_short(risk_tier)}: {reason}")
    return _create_request(
        actor, case, kind=DecisionKind.LOWER_TIER, from_tier=case.risk_tier,
        to_tier=RiskTier(risk_tier), reason=reason,
    )


@transaction.atomic
def request_restriction_lift(
    *, actor: User, case_pk: int, expected_version: int, reason: str
) -> CaseDecisionRequest:
    """Ask for the case's restriction to be lifted (open or closed case); a supervisor
    or the MACE chair decides. Restricting a case needs no approval: ``set_restricted``."""
    case = _case_for_change(actor, Action.CASE_RESTRICT, case_pk, must_be_open=False)
    _check_version(case, expected_version)
    errors: dict[str, str] = {}
    if not case.is_restricted:
        errors[NON_FIELD_ERRORS] = "The case is not restricted"
    reason = _require_text(errors, "reason", reason,
                           "Enter why the restriction should be lifted")
    _check_none_pending(errors, case, DecisionKind.LIFT_RESTRICTION)
    _raise_if(errors)
    return _create_request(actor, case, kind=DecisionKind.LIFT_RESTRICTION, reason=reason)


def _apply_closure(actor: User, case: Case, request: CaseDecisionRequest) -> dict[str, Any]:
    errors, open_items = _closure_errors(case, request.closure_reason, request.reason,
                                         request.cancel_open_plan_items)
    _raise_if(errors)
    now = timezone.now()
    if open_items:
        PlanItem.objects.filter(pk__in=[item.pk for item in open_items]).update(
            status=PlanItemStatus.CANCELLED, completed_on=timezone.localdate(now),
            completed_at=now, completed_by=actor,
            completion_note="Cancelled when the case was closed",
        )
    # Requests that closing the case overtakes (the restriction may still be lifted).
    withdrawn = list(case.decision_requests.filter(
        status=DecisionStatus.PENDING, kind=DecisionKind.LOWER_TIER,
    ).values_list("pk", flat=True))
    CaseDecisionRequest.objects.filter(pk__in=withdrawn).update(
        status=DecisionStatus.WITHDRAWN, decided_at=now,
        decision_comment="Withdrawn: the case was closed",
    )
    # The advocate's allocation does not end with the case: advocacy continues (through
    # any prosecution) until it is ended on its own (``end_advocacy``).
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    case.closed_by = actor
    case.closure_reason = ClosureReason(request.closure_reason)
    case.closure_reason_words = closure_reason_label(case.closure_reason)
    case.closure_note = request.reason
    return {"note": request.reason, "cancelled_plan_items": [item.pk for item in open_items],
            "withdrawn_requests": withdrawn}


def _apply_tier_lowering(actor: User, case: Case, request: CaseDecisionRequest
                         ) -> dict[str, Any]:
    if case.risk_tier != request.from_tier:
        raise ValidationError(
            f"The risk tier has changed since this was asked for (it is now "
            f"{_describe('risk_tier', case.risk_tier)}): reject it, and ask again if needed"
        )
    change = RiskTierChange.objects.create(
        case=case, from_tier=case.risk_tier, to_tier=request.to_tier,
        changed_at=timezone.now(), changed_by=actor, reason=request.reason,
    )
    case.risk_tier = RiskTier(request.to_tier)
    resolved = _acknowledge_joined_referrals(
        actor, case, JoinedReferralReview.TIER_LOWERED,
        f"Tier lowered from {_tier_short(request.from_tier)} to "
        f"{_tier_short(request.to_tier)}: {request.reason}")
    return {"tier_change": change.pk, "reason": request.reason,
            **({"referrals_joined_reviewed": resolved} if resolved else {})}


def _apply_restriction_lift(actor: User, case: Case, request: CaseDecisionRequest
                            ) -> dict[str, Any]:
    if not case.is_restricted:
        raise ValidationError("The case is no longer restricted")
    case.is_restricted = False
    case.restriction_reason = request.reason
    return {"reason": request.reason}


_APPLY = {
    DecisionKind.CLOSE: _apply_closure,
    DecisionKind.LOWER_TIER: _apply_tier_lowering,
    DecisionKind.LIFT_RESTRICTION: _apply_restriction_lift,
}


@transaction.atomic
def decide_case_request(
    *, actor: User, request_pk: int, expected_version: int, approve: bool, comment: str
) -> CaseDecisionRequest:
    """Approve (and so apply) or reject a request someone else made, with a comment.
    404 if the actor may not know the case; 403 if they may not decide it (their own
    request, or not a supervisor or the MACE chair). ``expected_version`` is the case's
    version the decider saw: if it changed since, ``EditConflict``. A rejection
    leaves the case as it was."""
    request: CaseDecisionRequest = policy.get_or_404(
        actor, Action.CASE_DECIDE,
        CaseDecisionRequest.objects.select_for_update(of=("self",)).select_related(
            "requested_by"), pk=request_pk,
    )
    if not request.is_pending:
        raise ValidationError(
            f"This request has already been {request.get_status_display().lower()}"
        )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": DECISION_COMMENT_NEEDED})
    case = Case.objects.select_for_update().get(pk=request.case_id)
    _check_version(case, expected_version)
    status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    decision = {
        "decision_request": {
            "request": request.pk, "kind": request.kind, "status": status,
            "asked_for": request.asked_for, "requested_by": request.requested_by.username,
            "comment": comment,
        },
    }
    if approve:
        before = _case_values(case)
        detail = _APPLY[DecisionKind(request.kind)](actor, case, request)
        _save_versioned(actor, case, expected_version, before, {**detail, **decision})
    else:
        _audit_case(actor, case, EventType.CHANGE, decision)
    closed = CaseDecisionRequest.objects.filter(
        pk=request.pk, status=DecisionStatus.PENDING
    ).update(status=status, decided_by=actor, decided_at=timezone.now(),
             decision_comment=comment)
    if not closed:  # decided by someone else in between, on an engine without row locks
        raise ValidationError("This request has just been decided by someone else")
    request.refresh_from_db()
    return request
