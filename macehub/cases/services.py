"""Changing child safeguarding cases: one transaction each, each audited, each checked
against the access policy.

Every change is written to the audit log against the case itself (record type
``cases.case``), with the sub-record it touched in the detail, so "who saw or changed this
case" is one query. Bad input raises ``django.core.exceptions.ValidationError`` keyed by
the argument at fault, before anything is written: nothing partial is saved.

Changes to the case itself (risk tier, lead agency, key worker, restriction, closure)
carry the version the user started from; if someone else saved in between, the save is
refused with what they changed (``core.versioning.EditConflict``), and nothing is overwritten.

Closing a case, lowering its risk tier and lifting its restriction are asked for by one
person and decided by a supervisor or the MACE chair who did not ask
(``request_...`` then ``decide_case_request``); raising a tier and restricting a case
apply at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import (
    RISK_TIER_RANK,
    Brag,
    CaseStatus,
    ClosureReason,
    ContactKind,
    DecisionKind,
    DecisionStatus,
    DomainRating,
    ExploitationType,
    InterviewOfferer,
    InterviewResponse,
    JoinedReferralReview,
    NrmDecision,
    OutcomeKind,
    PlanItemStatus,
    PoliceRiskGrade,
    RiskTier,
    SeenAnswer,
    closure_reason_label,
    default_exploitation_types,
    exploitation_type_labels,
)
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseOutcome,
    CaseShare,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    ReferralJoined,
    RiskAssessment,
    RiskAssessmentRating,
    RiskTierChange,
)
from macehub.cases.reviews import assessment_domains, next_review_on
from macehub.cases.selectors import visible_episodes
from macehub.core.references import save_with_reference
from macehub.core.versioning import BLANK, FieldChange, Versioning
from macehub.people.models import Person

# The fields of the case itself that are versioned, as the conflict message names them.
CASE_FIELD_LABELS = {
    "risk_tier": "Risk tier",
    "lead_agency": "Lead agency",
    "key_worker": "Key worker",
    "is_restricted": "Restricted",
    "status": "Status",
    "closure_reason": "Reason for closing",
    "exploitation_types": "Type of exploitation",
}


class CaseAlreadyOpen(Exception):
    """The child already has an open case; a second one would split their record."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"{case.child} already has an open case, {case.reference}")
        self.case = case


@transaction.atomic
def open_case(
    *,
    actor: User,
    child: Person,
    risk_tier: RiskTier | str,
    lead_agency: Agency,
    reason: str,
    referral_reference: str = "",
    key_worker: User | None = None,
    exploitation_types: Sequence[str] | None = None,
) -> Case:
    """Open a MACE case for a child, usually from a triage decision (which passes the
    referral's reference and its exploitation types; the referral then points at the
    case). The case takes the exploitation types given, else child sexual
    exploitation."""
    policy.require(actor, Action.CASE_OPEN)
    existing = Case.objects.filter(child=child, status="open").first()
    if existing is not None:
        raise CaseAlreadyOpen(existing)
    if exploitation_types is None:
        exploitation_types = default_exploitation_types()
    types = _checked_types(exploitation_types)
    now = timezone.now()
    case = Case(
        exploitation_types=types,
        child=child,
        opened_at=now,
        opened_by=actor,
        lead_agency=lead_agency,
        key_worker=key_worker,
        risk_tier=RiskTier(risk_tier),
    )
    save_with_reference(case, kind="CASE", year=timezone.localdate(now).year)
    RiskTierChange.objects.create(
        case=case, from_tier="", to_tier=case.risk_tier, changed_at=now, changed_by=actor,
        reason=reason,
    )
    record_event(
        event_type=EventType.CREATE,
        actor=actor,
        record=case,
        detail={
            "child": child.pk,
            "referral": referral_reference or None,
            "risk_tier": case.risk_tier,
            "exploitation_types": case.exploitation_types,
            "lead_agency": lead_agency.pk,
            "reason": reason,
        },
    )
    return case


# --- Shared checks -------------------------------------------------------------------


def _case_for_change(actor: User, action: Action, case_pk: int, *, must_be_open: bool = True
                     ) -> Case:
    """The case, locked for the rest of the transaction: 404 if the actor may not know
    it exists, 403 if they may see it but not take this action."""
    case = policy.get_or_404(actor, action, Case.objects.select_for_update(), pk=case_pk)
    if must_be_open and not case.is_open:
        raise ValidationError(f"Case {case.reference} is closed: it can no longer be changed")
    return case


def _sub_record(actor: User, action: Action, queryset: QuerySet[Any], pk: int) -> Any:
    """A row that belongs to a case, fetched through the case's access rule (404 unless
    the actor may know the case exists); its ``case`` is the locked, checked case."""
    row = queryset.select_for_update().filter(pk=pk).first()
    if row is None:
        raise Http404("No such record")
    row.case = _case_for_change(actor, action, row.case_id)
    return row


def _require_text(errors: dict[str, str], name: str, value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        errors[name] = message
    return text


def _not_in_future(errors: dict[str, str], name: str, value: dt.datetime | dt.date | None,
                   message: str) -> None:
    if value is None or name in errors:
        return
    if isinstance(value, dt.datetime):
        if value > timezone.now():
            errors[name] = message
    elif value > timezone.localdate():
        errors[name] = message


def _raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _is_case_worker(user: User) -> bool:
    return user.is_active and policy.allows(user, Action.CASE_VIEW)


def _audit_case(actor: User, case: Case, event_type: EventType, detail: dict[str, Any],
                purpose: str = "") -> None:
    record_event(event_type=event_type, actor=actor, record=case, detail=detail,
                 purpose=purpose)


def _checked_types(types: Sequence[str]) -> list[str]:
    """Exploitation types as stored: one or more from the code list, in its order."""
    unknown = [value for value in types if value not in ExploitationType.values]
    if unknown:
        raise ValidationError({"exploitation_types": (
            f"{', '.join(map(repr, unknown))}: choose the type of exploitation from the list")})
    if not types:
        raise ValidationError({"exploitation_types": "Select the type of exploitation"})
    return [value for value in ExploitationType.values if value in set(types)]


# --- Changes to the case itself (versioned) -----------------------------------------


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "risk_tier": case.risk_tier,
        "lead_agency": case.lead_agency_id,
        "key_worker": case.key_worker_id,
        "is_restricted": case.is_restricted,
        "status": case.status,
        "closure_reason": case.closure_reason,
        "exploitation_types": list(case.exploitation_types),
    }


def _describe(name: str, value: Any) -> str:
    """A value of a versioned case field as a person reads it."""
    if value in (None, ""):
        return BLANK
    if name == "risk_tier":
        return str(RiskTier(value).label)
    if name == "status":
        return str(CaseStatus(value).label)
    if name == "closure_reason":
        return closure_reason_label(value)
    if name == "is_restricted":
        return "Yes" if value else "No"
    if name == "exploitation_types":
        return ", ".join(exploitation_type_labels(value)) or BLANK
    if name == "lead_agency":
        agency = Agency.objects.filter(pk=value).first()
        return agency.name if agency else str(value)
    if name == "key_worker":
        user = User.objects.filter(pk=value).first()
        return user.display_name if user else str(value)
    return str(value)


# Saves of the case itself are versioned: a save from an older version is refused with
# what the others changed (``EditConflict``).
CASE_VERSIONING = Versioning(history=saves_after, labels=CASE_FIELD_LABELS, words=_describe)


def changes_since(case: Case, version: int) -> dict[str, FieldChange]:
    """What other people changed on the case after ``version``, from the audit log, as
    {field label: {"old", "new", "by", "text"}} in words."""
    return CASE_VERSIONING.their_changes(case, version)


def _check_version(case: Case, expected_version: int) -> None:
    CASE_VERSIONING.check(case, expected_version)


def _save_versioned(actor: User, case: Case, expected_version: int,
                    before: dict[str, Any], detail: dict[str, Any]) -> None:
    """Save a change to the case itself, raising its version, and audit old and new."""
    CASE_VERSIONING.save(case, expected_version=expected_version)
    _audit_case(actor, case, EventType.CHANGE, {
        "changes": changed_values(before, _case_values(case)),
        "version": case.version,
        **detail,
    })


@transaction.atomic
def change_risk_tier(
    *, actor: User, case_pk: int, expected_version: int, risk_tier: RiskTier | str, reason: str
) -> RiskTierChange:
    """Raise the case's risk tier, with the reason kept in the tier history. Lowering it
    needs a supervisor's or the MACE chair's approval: ``request_risk_tier_lowering``."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    errors: dict[str, str] = {}
    if risk_tier not in RiskTier.values:
        errors["risk_tier"] = "Select the risk tier"
    elif risk_tier == case.risk_tier:
        errors["risk_tier"] = (
            f"The case is already {RiskTier(risk_tier).label.split(' –')[0].lower()} risk: "
            "select a different tier"
        )
    elif is_lowering(case.risk_tier, risk_tier):
        errors["risk_tier"] = (
            "Lowering the risk tier needs a supervisor's or the MACE chair's approval: "
            "ask for it instead"
        )
    reason = _require_text(errors, "reason", reason, "Enter why the risk tier is changing")
    _raise_if(errors)
    before = _case_values(case)
    now = timezone.now()
    change = RiskTierChange.objects.create(
        case=case, from_tier=case.risk_tier, to_tier=RiskTier(risk_tier), changed_at=now,
        changed_by=actor, reason=reason,
    )
    case.risk_tier = RiskTier(risk_tier)
    resolved = _acknowledge_joined_referrals(
        actor, case, JoinedReferralReview.TIER_RAISED,
        f"Tier raised from {_tier_short(before['risk_tier'])} to "
        f"{_tier_short(case.risk_tier)}: {reason}")
    _save_versioned(actor, case, expected_version, before,
                    {"tier_change": change.pk, "reason": reason,
                     **({"referrals_joined_reviewed": resolved} if resolved else {})})
    return change


@transaction.atomic
def change_exploitation_types(
    *, actor: User, case_pk: int, expected_version: int, exploitation_types: Sequence[str],
    reason: str,
) -> Case:
    """Record what types of exploitation the case is about (one or more), and why they
    changed: the old and new types and the reason are audited."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    types = _checked_types(exploitation_types)
    errors: dict[str, str] = {}
    if types == list(case.exploitation_types):
        errors["exploitation_types"] = (
            "These are already the case's types of exploitation: change at least one")
    reason = _require_text(errors, "reason", reason,
                           "Enter why the types of exploitation are changing")
    _raise_if(errors)
    before = _case_values(case)
    case.exploitation_types = types
    _save_versioned(actor, case, expected_version, before, {"reason": reason})
    return case


@transaction.atomic
def set_key_worker(
    *, actor: User, case_pk: int, expected_version: int, key_worker: User | None
) -> Case:
    """Name the child's key worker (or none)."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    if key_worker is not None and not _is_case_worker(key_worker):
        raise ValidationError(
            {"key_worker": f"{key_worker.display_name} does not work on cases: choose someone "
                           "who does"}
        )
    if (key_worker.pk if key_worker else None) == case.key_worker_id:
        return case
    before = _case_values(case)
    case.key_worker = key_worker
    _save_versioned(actor, case, expected_version, before, {})
    return case


@transaction.atomic
def set_lead_agency(
    *, actor: User, case_pk: int, expected_version: int, lead_agency: Agency | None
) -> Case:
    """Make another agency lead the case."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    if lead_agency is None or not lead_agency.is_active:
        raise ValidationError({"lead_agency": "Select the lead agency"})
    if lead_agency.pk == case.lead_agency_id:
        return case
    before = _case_values(case)
    case.lead_agency = lead_agency
    _save_versioned(actor, case, expected_version, before, {})
    return case


@transaction.atomic
def set_restricted(
    *, actor: User, case_pk: int, expected_version: int, restricted: bool, reason: str
) -> Case:
    """Mark the case restricted (anyone not working on it must give a reason to open it).
    Closed cases may be restricted too. Lifting a restriction needs a supervisor's or the
    MACE chair's approval: ``request_restriction_lift``."""
    case = _case_for_change(actor, Action.CASE_RESTRICT, case_pk, must_be_open=False)
    _check_version(case, expected_version)
    errors: dict[str, str] = {}
    if not restricted and case.is_restricted:
        raise ValidationError(
            "Lifting a restriction needs a supervisor's or the MACE chair's approval: "
            "ask for it instead"
        )
    if restricted == case.is_restricted:
        errors[NON_FIELD_ERRORS] = (
            "The case is already restricted" if restricted else "The case is not restricted"
        )
    reason = _require_text(
        errors, "reason", reason,
        "Enter why the case is being restricted" if restricted
        else "Enter why the restriction is being lifted",
    )
    _raise_if(errors)
    before = _case_values(case)
    case.is_restricted = restricted
    case.restriction_reason = reason
    _save_versioned(actor, case, expected_version, before, {"reason": reason})
    return case


# --- Changes that need approval: closing, lowering the tier, lifting a restriction ---
#
# A worker asks (``request_...``); a supervisor or the MACE chair who did not ask approves
# or rejects it with a comment (``decide_case_request``). Approval applies the change in
# the same transaction, checked against the version of the case the decider saw.

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


def is_lowering(from_tier: str, to_tier: str) -> bool:
    """Whether moving from one tier to another lowers the risk (High to Medium or Low,
    Medium to Low)."""
    if to_tier not in RiskTier.values or from_tier not in RiskTier.values:
        return False
    return RISK_TIER_RANK[RiskTier(to_tier)] < RISK_TIER_RANK[RiskTier(from_tier)]


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



# --- A new referral joined the open case ---------------------------------------------


@transaction.atomic
def record_referral_joined(
    *,
    actor: User,
    case: Case,
    referral_reference: str,
    referring_agency: Agency,
    joined_at: dt.datetime,
    brag: Brag | str = "",
    risk_tier: RiskTier | str = "",
) -> ReferralJoined:
    """Record that a triage decision joined a new referral to the child's open case, with
    triage's rating and tier against the case's, so the case prompts its key worker to
    review the tier. Called by the triage decision, in its transaction; audited on the
    case."""
    policy.require(actor, Action.CASE_OPEN)
    if not case.is_open:
        raise ValidationError(f"Case {case.reference} is closed: a referral cannot join it")
    if brag and brag not in Brag.values:
        raise ValidationError({"brag": "Select a BRAG rating"})
    if risk_tier and risk_tier not in RiskTier.values:
        raise ValidationError({"risk_tier": "Select a risk tier"})
    joined = ReferralJoined.objects.create(
        case=case, referral_reference=referral_reference, referring_agency=referring_agency,
        joined_at=joined_at, recorded_by=actor, brag=brag, risk_tier=risk_tier,
        case_tier=case.risk_tier,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "referral_joined": {
            "id": joined.pk, "referral": referral_reference,
            "referring_agency": referring_agency.name, "brag": brag,
            "risk_tier": risk_tier, "case_tier": case.risk_tier,
        },
    })
    return joined


def _tier_short(tier: str) -> str:
    """"High" for "High – being exploited"."""
    return str(RiskTier(tier).label).split(" –")[0]


def _acknowledge_joined_referrals(actor: User, case: Case, outcome: JoinedReferralReview,
                                  note: str) -> list[int]:
    """Mark every referral that joined the case and waits for a review as reviewed (a
    change of tier reviews them all). Returns their ids, for the change's audit entry."""
    waiting = list(ReferralJoined.objects.select_for_update().filter(
        case=case, acknowledged_at__isnull=True).values_list("pk", flat=True))
    if waiting:
        ReferralJoined.objects.filter(pk__in=waiting).update(
            acknowledged_by=actor, acknowledged_at=timezone.now(), outcome=outcome,
            outcome_note=note, version=F("version") + 1,
        )
    return waiting


@transaction.atomic
def keep_tier_after_referral(
    *, actor: User, joined_pk: int, expected_version: int, reason: str
) -> ReferralJoined:
    """The key worker reviewed the tier against the new referral and keeps it: the
    reason is kept, audited and on the chronology. Only those who may change the case's
    tier may; once only."""
    joined: ReferralJoined = _sub_record(
        actor, Action.CASE_CHANGE, ReferralJoined.objects.all(), joined_pk)
    if joined.is_acknowledged or joined.version != expected_version:
        by = joined.acknowledged_by.display_name if joined.acknowledged_by else "someone else"
        raise ValidationError(
            f"The tier has already been reviewed after referral {joined.referral_reference}, "
            f"by {by}. Nothing has been saved.")
    errors: dict[str, str] = {}
    reason = _require_text(errors, "reason", reason,
                           "Enter why the risk tier stays as it is")
    _raise_if(errors)
    joined.acknowledged_by, joined.acknowledged_at = actor, timezone.now()
    joined.outcome = JoinedReferralReview.TIER_KEPT
    joined.outcome_note = reason
    joined.version += 1
    joined.save(update_fields=["acknowledged_by", "acknowledged_at", "outcome",
                               "outcome_note", "version"])
    _audit_case(actor, joined.case, EventType.CHANGE, {
        "referral_joined_reviewed": {
            "id": joined.pk, "referral": joined.referral_reference,
            "outcome": joined.outcome, "risk_tier": joined.case.risk_tier, "reason": reason,
        },
    })
    return joined


# --- Workers, advocates and sharing --------------------------------------------------


@transaction.atomic
def allocate_worker(*, actor: User, case_pk: int, user: User | None) -> CaseAllocation:
    """Allocate a member of staff (usually from a partner agency) to work on the case."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    if user is None:
        raise ValidationError({"user": "Select who to allocate"})
    if not _is_case_worker(user):
        raise ValidationError(
            {"user": f"{user.display_name} does not work on cases: choose someone who does"}
        )
    if case.allocations.filter(user=user).exists():
        raise ValidationError({"user": f"{user.display_name} is already allocated to this case"})
    allocation = CaseAllocation.objects.create(case=case, user=user, allocated_by=actor)
    _audit_case(actor, case, EventType.CHANGE, {
        "allocated": {"allocation": allocation.pk, "user": user.pk,
                      "username": user.get_username()},
    })
    return allocation


@transaction.atomic
def unallocate_worker(*, actor: User, allocation_pk: int) -> None:
    allocation: CaseAllocation = _sub_record(
        actor, Action.CASE_CHANGE, CaseAllocation.objects.select_related("user"),
        allocation_pk,
    )
    case = allocation.case
    detail = {"unallocated": {"allocation": allocation.pk, "user": allocation.user_id,
                              "username": allocation.user.get_username()}}
    allocation.delete()
    _audit_case(actor, case, EventType.CHANGE, detail)


@transaction.atomic
def share_case(*, actor: User, case_pk: int, agency: Agency | None, reason: str) -> CaseShare:
    """Share the case with a partner agency, whose case workers may then see it."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    errors: dict[str, str] = {}
    if agency is None:
        errors["agency"] = "Select the agency to share the case with"
    elif agency.pk == case.lead_agency_id:
        errors["agency"] = f"{agency.name} leads the case: it can already see it"
    elif case.shares.filter(agency=agency).exists():
        errors["agency"] = f"The case is already shared with {agency.name}"
    reason = _require_text(errors, "reason", reason, "Enter why the case is being shared")
    _raise_if(errors)
    agency = cast(Agency, agency)
    share = CaseShare.objects.create(case=case, agency=agency, shared_by=actor, reason=reason)
    _audit_case(actor, case, EventType.CHANGE, {
        "shared_with": {"share": share.pk, "agency": agency.pk, "name": agency.name},
        "reason": reason,
    })
    return share


@transaction.atomic
def stop_sharing_case(*, actor: User, share_pk: int) -> None:
    share: CaseShare = _sub_record(
        actor, Action.CASE_CHANGE, CaseShare.objects.select_related("agency"), share_pk
    )
    case = share.case
    detail = {"stopped_sharing_with": {"share": share.pk, "agency": share.agency_id,
                                       "name": share.agency.name}}
    share.delete()
    _audit_case(actor, case, EventType.CHANGE, detail)


@transaction.atomic
def change_advocate(
    *,
    actor: User,
    case_pk: int,
    advocate: User | None,
    starts_on: dt.date | None,
    end_reason: str = "",
) -> AdvocateAllocation:
    """Allocate a victim advocate to the child. A current advocate's allocation ends (with
    the reason, the day the new one starts) and a new one begins, so every change of
    advocate is counted for continuity."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    errors: dict[str, str] = {}
    current = case.advocacy.filter(ended_on__isnull=True).select_related("advocate").first()
    if advocate is None:
        errors["advocate"] = "Select the victim advocate"
    elif Role.VICTIM_ADVOCATE not in advocate.role_codes or not advocate.is_active:
        errors["advocate"] = f"{advocate.display_name} is not a victim advocate"
    elif current is not None and current.advocate_id == advocate.pk:
        errors["advocate"] = f"{advocate.display_name} is already the child's advocate"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the advocate starts"
    else:
        _not_in_future(errors, "starts_on", starts_on,
                       "The date the advocate starts must be today or in the past")
        if "starts_on" not in errors and current is not None and starts_on < current.started_on:
            errors["starts_on"] = (
                "The date the advocate starts must be on or after "
                f"{current.started_on:%d/%m/%Y}, when the current advocate started"
            )
    end_reason = (end_reason or "").strip()
    if current is not None and not end_reason:
        errors["end_reason"] = (
            f"Enter why {current.advocate.display_name} is no longer the child's advocate"
        )
    _raise_if(errors)
    advocate, starts_on = cast(User, advocate), cast(dt.date, starts_on)
    if current is not None:
        current.ended_on = starts_on
        current.end_reason = end_reason[:200]
        current.save(update_fields=["ended_on", "end_reason"])
    allocation = AdvocateAllocation.objects.create(
        case=case, advocate=advocate, started_on=starts_on, allocated_by=actor,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "advocate": {
            "old": current.advocate_id if current else None,
            "new": advocate.pk,
            "allocation": allocation.pk,
            "starts_on": starts_on,
            "end_reason": end_reason,
        },
    })
    return allocation


@transaction.atomic
def end_advocacy(
    *, actor: User, case_pk: int, ended_on: dt.date | None, reason: str
) -> AdvocateAllocation:
    """End the current victim advocate's allocation, with the reason (for example after
    the trial). Advocacy does not end when the case closes, so this works on a closed
    case too."""
    case = _case_for_change(actor, Action.CASE_ADVOCACY_END, case_pk, must_be_open=False)
    current = case.advocacy.select_for_update().filter(ended_on__isnull=True).first()
    if current is None:
        raise ValidationError("The child has no victim advocate allocated")
    errors: dict[str, str] = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date the advocacy ended"
    else:
        _not_in_future(errors, "ended_on", ended_on,
                       "The date the advocacy ended must be today or in the past")
        if "ended_on" not in errors and ended_on < current.started_on:
            errors["ended_on"] = (
                "The date the advocacy ended must be on or after "
                f"{current.started_on:%d/%m/%Y}, when it started"
            )
    reason = _require_text(errors, "reason", reason, "Enter why the advocacy is ending")
    _raise_if(errors)
    current.ended_on = ended_on
    current.end_reason = reason[:200]
    current.save(update_fields=["ended_on", "end_reason"])
    _audit_case(actor, case, EventType.CHANGE, {
        "advocacy_ended": {"allocation": current.pk, "advocate": current.advocate_id,
                           "ended_on": ended_on, "reason": reason},
    })
    return current


# --- Recording work: plan, contacts, missing episodes, outcomes ----------------------


@dataclass(frozen=True)
class PartnerOwner:
    """A named person at a partner agency who owns a plan item (for example a school's
    designated safeguarding lead). A name on the plan, not a user of the hub: owning the
    action gives them no access to the case."""

    name: str = ""
    role: str = ""
    agency: str = ""
    contact: str = ""

    def stripped(self) -> PartnerOwner:
        return PartnerOwner(name=self.name.strip()[:200], role=self.role.strip()[:200],
                            agency=self.agency.strip()[:200], contact=self.contact.strip()[:300])


def _check_owner(errors: dict[str, str], case: Case, user: User | None,
                 owner_agency: Agency | None, partner_owner: PartnerOwner | None
                 ) -> tuple[User | None, Agency | None, PartnerOwner]:
    """Exactly one kind of owner: a member of hub staff who can see the case (acting for
    ``owner_agency``, or else their own), or a partner agency's named person. The owner
    to save is (user, agency, an empty partner) or (None, None, the partner); errors are
    keyed by the argument at fault."""
    no_partner = PartnerOwner()
    partner = partner_owner.stripped() if partner_owner is not None else None
    if user is not None and partner is not None and partner != no_partner:
        errors["owner_kind"] = (
            "An action has one owner: choose either a member of hub staff or someone at a "
            "partner agency"
        )
        return None, None, no_partner
    if partner is not None:
        if not partner.name:
            errors["partner_owner_name"] = "Enter the name of the person who owns this action"
        if not partner.role:
            errors["partner_owner_role"] = "Enter their role, for example designated " \
                "safeguarding lead"
        if not partner.agency:
            errors["partner_owner_agency"] = "Enter their agency, for example the school"
        if not partner.contact:
            errors["partner_owner_contact"] = (
                "Enter a phone number or email address, so the hub can chase the action"
            )
        return None, None, partner
    if user is None:
        errors["owner"] = "Select who owns this action: every plan item needs a named owner"
        return None, owner_agency, no_partner
    if not user.is_active:
        errors["owner"] = f"{user.display_name} no longer has an account: choose someone else"
        return user, owner_agency, no_partner
    if not policy.can(user, Action.CASE_VIEW, case):
        errors["owner"] = (
            f"{user.display_name} cannot see this case: share it with their agency or "
            "allocate them to it first"
        )
    agency = owner_agency or user.agency
    if agency is None:
        errors["owner_agency"] = "Select the owner's agency"
    return user, agency, no_partner


def _plan_item_values(item: PlanItem) -> dict[str, Any]:
    return {
        "action": item.action,
        "owner": item.owner_id,
        "owner_agency": item.owner_agency_id,
        "partner_owner_name": item.partner_owner_name,
        "partner_owner_role": item.partner_owner_role,
        "partner_owner_agency": item.partner_owner_agency,
        "partner_owner_contact": item.partner_owner_contact,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "status": item.status,
        "completed_on": item.completed_on.isoformat() if item.completed_on else None,
    }


def _set_owner(item: PlanItem, user: User | None, agency: Agency | None,
               partner: PartnerOwner) -> None:
    item.owner, item.owner_agency = user, agency
    item.partner_owner_name, item.partner_owner_role = partner.name, partner.role
    item.partner_owner_agency, item.partner_owner_contact = partner.agency, partner.contact


@transaction.atomic
def add_plan_item(
    *,
    actor: User,
    case_pk: int,
    action: str,
    due_on: dt.date | None,
    owner: User | None = None,
    owner_agency: Agency | None = None,
    partner_owner: PartnerOwner | None = None,
) -> PlanItem:
    """Add an action to the child's safeguarding plan, owned by a named person: a member
    of hub staff who can see the case (``owner``), or a named person at a partner agency
    (``partner_owner``), never both."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    action = _require_text(errors, "action", action, "Enter the action")
    user, agency, partner = _check_owner(errors, case, owner, owner_agency, partner_owner)
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The date the action is due must be today or in the future"
    _raise_if(errors)
    item = PlanItem(case=case, action=action, due_on=cast(dt.date, due_on),
                    created_at=timezone.now(), created_by=actor)
    _set_owner(item, user, agency, partner)
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "plan_item": item.pk, "added": True, "changes": changed_values({}, _plan_item_values(item)),
    })
    return item


@transaction.atomic
def update_plan_item(
    *,
    actor: User,
    plan_item_pk: int,
    action: str,
    due_on: dt.date | None,
    owner: User | None = None,
    owner_agency: Agency | None = None,
    partner_owner: PartnerOwner | None = None,
) -> PlanItem:
    """Change an open plan item's action, owner or due date."""
    item: PlanItem = _sub_record(
        actor, Action.CASE_RECORD_WORK, PlanItem.objects.all(), plan_item_pk
    )
    case = item.case
    errors: dict[str, str] = {}
    if not item.is_open:
        raise ValidationError(
            f"This plan item is {item.get_status_display().lower()}: it can no longer be changed"
        )
    action = _require_text(errors, "action", action, "Enter the action")
    user, agency, partner = _check_owner(errors, case, owner, owner_agency, partner_owner)
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on != item.due_on and due_on < timezone.localdate():
        errors["due_on"] = "The date the action is due must be today or in the future"
    _raise_if(errors)
    before = _plan_item_values(item)
    item.action, item.due_on = action, cast(dt.date, due_on)
    _set_owner(item, user, agency, partner)
    changes = changed_values(before, _plan_item_values(item))
    if not changes:
        return item
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {"plan_item": item.pk, "changes": changes})
    return item


@transaction.atomic
def complete_plan_item(
    *,
    actor: User,
    plan_item_pk: int,
    completed_on: dt.date | None,
    status: PlanItemStatus | str = PlanItemStatus.DONE,
    note: str = "",
) -> PlanItem:
    """Mark a plan item done (or cancelled, with a note saying why)."""
    item: PlanItem = _sub_record(
        actor, Action.CASE_RECORD_WORK, PlanItem.objects.all(), plan_item_pk
    )
    case = item.case
    errors: dict[str, str] = {}
    if not item.is_open:
        raise ValidationError(f"This plan item is already {item.get_status_display().lower()}")
    if status not in (PlanItemStatus.DONE, PlanItemStatus.CANCELLED):
        errors["status"] = "Select whether the action was done or cancelled"
    note = (note or "").strip()
    if status == PlanItemStatus.CANCELLED and not note:
        errors["note"] = "Enter why the action was cancelled"
    if completed_on is None:
        errors["completed_on"] = "Enter the date"
    else:
        _not_in_future(errors, "completed_on", completed_on,
                       "The date must be today or in the past")
        created_on = timezone.localdate(item.created_at)
        if "completed_on" not in errors and completed_on < created_on:
            errors["completed_on"] = (
                f"The date must be on or after {created_on:%d/%m/%Y}, when the action was added"
            )
    _raise_if(errors)
    before = _plan_item_values(item)
    item.status = PlanItemStatus(status)
    item.completed_on = completed_on
    item.completed_at = timezone.now()
    item.completed_by = actor
    item.completion_note = note
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "plan_item": item.pk, "changes": changed_values(before, _plan_item_values(item)),
        "note": note,
    })
    return item


def advocacy_service_of(actor: User) -> Agency | None:
    """The advocacy service a contact the actor records belongs to: a victim advocate's
    agency (their notes are confidential to it), or none."""
    if Role.VICTIM_ADVOCATE in actor.role_codes:
        return actor.agency
    return None


@transaction.atomic
def record_contact(
    *,
    actor: User,
    case_pk: int,
    occurred_at: dt.datetime | None,
    kind: ContactKind | str,
    with_whom: str,
    summary: str,
    child_seen: SeenAnswer | str = "",
    child_seen_alone: SeenAnswer | str = "",
    child_words: str = "",
) -> Contact:
    """Log a contact with the child, their family or a professional: whether the child
    was seen (and if so whether alone), and the child's own words and wishes. Seen alone
    is only asked when the child was seen; otherwise it is "not applicable"."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    if occurred_at is None:
        errors["occurred_at"] = "Enter the date and time of the contact"
    _not_in_future(errors, "occurred_at", occurred_at,
                   "The date and time of the contact must be in the past")
    if kind not in ContactKind.values:
        errors["kind"] = "Select the kind of contact"
    with_whom = _require_text(errors, "with_whom", with_whom, "Enter who the contact was with")
    summary = _require_text(errors, "summary", summary, "Enter a summary of the contact")
    if child_seen not in SeenAnswer.values:
        errors["child_seen"] = "Select whether the child was seen"
    elif child_seen != SeenAnswer.YES:
        child_seen_alone = SeenAnswer.NOT_APPLICABLE
    elif child_seen_alone not in (SeenAnswer.YES, SeenAnswer.NO):
        errors["child_seen_alone"] = "Select whether the child was seen alone"
    _raise_if(errors)
    occurred_at = cast(dt.datetime, occurred_at)
    contact = Contact.objects.create(
        case=case, occurred_at=occurred_at, kind=ContactKind(kind), with_whom=with_whom[:200],
        summary=summary, recorded_by=actor, advocacy_service=advocacy_service_of(actor),
        child_seen=SeenAnswer(child_seen), child_seen_alone=SeenAnswer(child_seen_alone),
        child_words=(child_words or "").strip(),
    )
    # Whether seen and the child's words are notes of the contact: an advocate's stay with
    # the advocacy service, so the audit row names only that they were recorded.
    _audit_case(actor, case, EventType.CHANGE, {
        "contact": contact.pk, "added": True, "kind": contact.kind,
        "occurred_at": occurred_at,
        "confidential_to_advocacy": contact.confidential_to_advocacy,
        "child_words_recorded": bool(contact.child_words),
    })
    return contact


@dataclass(frozen=True)
class ReturnInterview:
    """What is known of the return home interview: its offer (when, by whom, whether by
    an independent person), the child's answer, and, if held, when and what came of it."""

    offered_at: dt.datetime | None = None
    offered_by: str = ""
    offered_by_agency: str = ""
    offerer: str = ""
    response: str = ""
    held_at: dt.datetime | None = None
    outcome: str = ""


def _check_episode_times(
    errors: dict[str, str],
    went_missing_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    interview: ReturnInterview,
) -> None:
    if went_missing_at is None:
        errors["went_missing_at"] = "Enter the date and time the child went missing"
    _not_in_future(errors, "went_missing_at", went_missing_at,
                   "The date and time the child went missing must be in the past")
    _not_in_future(errors, "returned_at", returned_at,
                   "The date and time the child returned must be in the past")
    _not_in_future(errors, "interview_offered_at", interview.offered_at,
                   "The date and time the interview was offered must be in the past")
    _not_in_future(errors, "return_interview_at", interview.held_at,
                   "The date and time of the return home interview must be in the past")
    if (went_missing_at and returned_at and "returned_at" not in errors
            and returned_at < went_missing_at):
        errors["returned_at"] = (
            "The date and time the child returned must be after they went missing"
        )
    offered_at = interview.offered_at
    if offered_at and "interview_offered_at" not in errors:
        if returned_at is None:
            errors["interview_offered_at"] = (
                "Enter when the child returned before recording the offer of an interview"
            )
        elif offered_at < returned_at:
            errors["interview_offered_at"] = (
                "The interview must be offered after the child returned"
            )
    if offered_at is None:
        said_more = interview.offered_by.strip() or interview.offerer or interview.response
        if said_more and "interview_offered_at" not in errors:
            errors["interview_offered_at"] = (
                "Enter when the interview was offered, to record who offered it and the "
                "child's answer"
            )
    else:
        if not interview.offered_by.strip():
            errors["interview_offered_by"] = "Enter the name of the person who offered it"
        if interview.offerer not in InterviewOfferer.values:
            errors["interview_offerer"] = "Select whether they were independent"
    if interview.response and interview.response not in InterviewResponse.values:
        errors["interview_response"] = "Select whether the child accepted or declined"
    held_at = interview.held_at
    if held_at and "return_interview_at" not in errors:
        if interview.response != InterviewResponse.ACCEPTED:
            errors["return_interview_at"] = (
                "Record that the child accepted the interview before recording it as held"
                if interview.response != InterviewResponse.DECLINED
                else "The child declined the interview: it cannot be recorded as held"
            )
        elif offered_at is not None and held_at < offered_at:
            errors["return_interview_at"] = (
                "The return home interview must be after it was offered"
            )
    if interview.outcome.strip() and held_at is None and "return_interview_at" not in errors:
        errors["return_interview_at"] = "Enter when the interview was held to record its outcome"


def _episode_values(episode: MissingEpisode) -> dict[str, Any]:
    def iso(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "child": episode.child_id,
        "case": episode.case_id,
        "went_missing_at": iso(episode.went_missing_at),
        "returned_at": iso(episode.returned_at),
        "interview_offered_at": iso(episode.interview_offered_at),
        "interview_offered_by": episode.interview_offered_by,
        "interview_offered_by_agency": episode.interview_offered_by_agency,
        "interview_offerer": episode.interview_offerer,
        "interview_response": episode.interview_response,
        "return_interview_at": iso(episode.return_interview_at),
        "interview_outcome": episode.interview_outcome,
        "notes": episode.notes,
        "police_reference": episode.police_reference,
        "police_risk_grade": episode.police_risk_grade,
    }


@dataclass(frozen=True)
class PoliceReport:
    """The police missing person report: its reference and the police risk grade
    (``PoliceRiskGrade``; blank when not known)."""

    reference: str = ""
    risk_grade: str = ""


def _check_police_report(errors: dict[str, str], report: PoliceReport) -> None:
    if report.risk_grade and report.risk_grade not in PoliceRiskGrade.values:
        errors["police_risk_grade"] = "Select the police risk grade, or not known"
    if len(report.reference.strip()) > 50:
        errors["police_reference"] = "The police reference must be 50 characters or fewer"


def _apply_episode(episode: MissingEpisode, went_missing_at: dt.datetime,
                   returned_at: dt.datetime | None, interview: ReturnInterview,
                   notes: str, police: PoliceReport) -> None:
    episode.police_reference = police.reference.strip()
    episode.police_risk_grade = police.risk_grade
    episode.went_missing_at = went_missing_at
    episode.returned_at = returned_at
    episode.interview_offered_at = interview.offered_at
    episode.interview_offered_by = interview.offered_by.strip()[:200]
    episode.interview_offered_by_agency = interview.offered_by_agency.strip()[:200]
    episode.interview_offerer = interview.offerer if interview.offered_at else ""
    episode.interview_response = interview.response
    episode.return_interview_at = interview.held_at
    episode.interview_outcome = interview.outcome.strip()
    episode.notes = (notes or "").strip()


def _audit_episode(actor: User, episode: MissingEpisode, detail: dict[str, Any]) -> None:
    """An episode is the child's: the change is audited against the child, and against
    the case it was recorded with, if any (so each record's history shows it)."""
    record_event(event_type=EventType.CHANGE, actor=actor, record=episode.child,
                 detail={"missing_episode": episode.pk, **detail})
    if episode.case is not None:
        _audit_case(actor, episode.case, EventType.CHANGE,
                    {"missing_episode": episode.pk, **detail})


def _child_for_episode(actor: User, child_pk: int) -> Person:
    """The child, locked: 404 if the actor may not know them, 403 if they may see them
    but not record missing episodes."""
    return policy.get_or_404(actor, Action.MISSING_EPISODE_RECORD,
                             Person.objects.select_for_update(), pk=child_pk)


@transaction.atomic
def record_missing_episode(
    *,
    actor: User,
    went_missing_at: dt.datetime | None,
    child_pk: int | None = None,
    case_pk: int | None = None,
    returned_at: dt.datetime | None = None,
    interview: ReturnInterview | None = None,
    notes: str = "",
    police: PoliceReport | None = None,
) -> MissingEpisode:
    """Record a time the child went missing (and, if known, their return and the return
    home interview, to be offered within ``RETURN_INTERVIEW_HOURS`` of the return).

    From the child's record (``child_pk``), with or without a case: the episode is linked
    to the child's open case, if they have one, for context. From a case (``case_pk``):
    linked to that case."""
    interview = interview or ReturnInterview()
    if case_pk is not None:
        case: Case | None = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
        child = cast(Case, case).child
    elif child_pk is not None:
        child = _child_for_episode(actor, child_pk)
        case = Case.objects.filter(child=child, status=CaseStatus.OPEN).first()
    else:
        raise ValueError("Name the child or the case")
    errors: dict[str, str] = {}
    _check_episode_times(errors, went_missing_at, returned_at, interview)
    police = police or PoliceReport()
    _check_police_report(errors, police)
    still_missing = MissingEpisode.objects.filter(
        child=child, returned_at__isnull=True
    ).first()
    if still_missing is not None and "went_missing_at" not in errors:
        errors["went_missing_at"] = (
            "The child is already recorded as missing since "
            f"{timezone.localtime(still_missing.went_missing_at):%d/%m/%Y %H:%M}: "
            "record their return first"
        )
    _raise_if(errors)
    episode = MissingEpisode(child=child, case=case, recorded_by=actor)
    _apply_episode(episode, cast(dt.datetime, went_missing_at), returned_at, interview, notes,
                   police)
    episode.save()
    _audit_episode(actor, episode, {
        "added": True, "changes": changed_values({}, _episode_values(episode)),
    })
    return episode


@transaction.atomic
def update_missing_episode(
    *,
    actor: User,
    episode_pk: int,
    went_missing_at: dt.datetime | None,
    returned_at: dt.datetime | None,
    interview: ReturnInterview | None = None,
    notes: str = "",
    via_case_pk: int | None = None,
    police: PoliceReport | None = None,
) -> MissingEpisode:
    """Record the child's return and the return home interview (offer, answer, held,
    outcome), or correct the times. Through the child's record, or through a case of the
    child (``via_case_pk``), whose access rule then applies."""
    interview = interview or ReturnInterview()
    found = MissingEpisode.objects.filter(pk=episode_pk).values_list("child_id", flat=True)
    child_id = found.first()
    if child_id is None:
        raise Http404("No such record")
    if via_case_pk is not None:
        via = _case_for_change(actor, Action.CASE_RECORD_WORK, via_case_pk)
        if via.child_id != child_id:
            raise Http404("No such record")
    else:
        _child_for_episode(actor, child_id)
    if not visible_episodes(actor, child_id, opened_case_pk=via_case_pk).filter(
            pk=episode_pk).exists():
        raise Http404("No such record")
    episode = MissingEpisode.objects.select_for_update(of=("self",)).select_related(
        "child", "case").get(pk=episode_pk)
    errors: dict[str, str] = {}
    _check_episode_times(errors, went_missing_at, returned_at, interview)
    # Left out, the police report stays as recorded (callers that do not ask about it).
    police = police or PoliceReport(episode.police_reference, episode.police_risk_grade)
    _check_police_report(errors, police)
    _raise_if(errors)
    before = _episode_values(episode)
    _apply_episode(episode, cast(dt.datetime, went_missing_at), returned_at, interview, notes,
                   police)
    changes = changed_values(before, _episode_values(episode))
    if not changes:
        return episode
    episode.save()
    _audit_episode(actor, episode, {"changes": changes})
    return episode


@transaction.atomic
def record_outcome(
    *,
    actor: User,
    case_pk: int,
    kind: OutcomeKind | str,
    recorded_on: dt.date | None,
    note: str = "",
) -> CaseOutcome:
    """Record a safeguarding outcome for the child."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    if kind not in OutcomeKind.values:
        errors["kind"] = "Select the outcome"
    note = (note or "").strip()
    if kind == OutcomeKind.OTHER and not note:
        errors["note"] = "Describe the outcome"
    if recorded_on is None:
        errors["recorded_on"] = "Enter the date of the outcome"
    _not_in_future(errors, "recorded_on", recorded_on,
                   "The date of the outcome must be today or in the past")
    _raise_if(errors)
    recorded_on = cast(dt.date, recorded_on)
    outcome = CaseOutcome.objects.create(
        case=case, kind=OutcomeKind(kind), recorded_on=recorded_on, note=note, recorded_by=actor,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "outcome": outcome.pk, "added": True, "kind": outcome.kind, "recorded_on": recorded_on,
    })
    return outcome


# --- National Referral Mechanism -----------------------------------------------------


def _nrm_values(nrm: NrmReferral) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "referred_on": day(nrm.referred_on),
        "first_responder_organisation": nrm.first_responder_organisation,
        "referred_by": nrm.referred_by,
        "reasonable_grounds_on": day(nrm.reasonable_grounds_on),
        "reasonable_grounds": nrm.reasonable_grounds,
        "conclusive_grounds_on": day(nrm.conclusive_grounds_on),
        "conclusive_grounds": nrm.conclusive_grounds,
    }


@dataclass(frozen=True)
class NrmDetails:
    """What is known of a National Referral Mechanism referral: who referred and when,
    and each decision (date and result) once it has been made."""

    referred_on: dt.date | None
    first_responder_organisation: str
    referred_by: str
    reasonable_grounds_on: dt.date | None = None
    reasonable_grounds: str = ""
    conclusive_grounds_on: dt.date | None = None
    conclusive_grounds: str = ""


def _check_nrm(details: NrmDetails) -> NrmDetails:
    """The rules of the mechanism's order: each decision has a date and a result, none
    is in the future, reasonable grounds come on or after the referral, and conclusive
    grounds on or after a positive reasonable-grounds decision."""
    errors: dict[str, str] = {}
    if details.referred_on is None:
        errors["referred_on"] = "Enter the date of the NRM referral"
    _not_in_future(errors, "referred_on", details.referred_on,
                   "The date of the NRM referral must be today or in the past")
    organisation = _require_text(
        errors, "first_responder_organisation", details.first_responder_organisation,
        "Enter the first responder organisation that made the referral")
    referred_by = _require_text(errors, "referred_by", details.referred_by,
                                "Enter who made the referral")
    stages = (
        ("reasonable_grounds", details.reasonable_grounds_on, details.reasonable_grounds,
         "reasonable-grounds"),
        ("conclusive_grounds", details.conclusive_grounds_on, details.conclusive_grounds,
         "conclusive-grounds"),
    )
    for name, on, result, words in stages:
        if result and result not in NrmDecision.values:
            errors[name] = f"Select whether the {words} decision was positive or negative"
        elif result and on is None:
            errors[f"{name}_on"] = f"Enter the date of the {words} decision"
        elif on is not None and not result:
            errors[name] = f"Select whether the {words} decision was positive or negative"
        _not_in_future(errors, f"{name}_on", on,
                       f"The date of the {words} decision must be today or in the past")
    rg_on, cg_on = details.reasonable_grounds_on, details.conclusive_grounds_on
    if (rg_on is not None and details.referred_on is not None
            and "reasonable_grounds_on" not in errors and rg_on < details.referred_on):
        errors["reasonable_grounds_on"] = (
            "The reasonable-grounds decision cannot be before the referral, "
            f"{details.referred_on:%d/%m/%Y}")
    if (details.conclusive_grounds or cg_on is not None) and "conclusive_grounds" not in errors:
        if details.reasonable_grounds != NrmDecision.POSITIVE:
            errors["conclusive_grounds"] = (
                "A conclusive-grounds decision follows a positive reasonable-grounds "
                "decision: record that first")
        elif (cg_on is not None and rg_on is not None
              and "conclusive_grounds_on" not in errors and cg_on < rg_on):
            errors["conclusive_grounds_on"] = (
                "The conclusive-grounds decision cannot be before the reasonable-grounds "
                f"decision, {rg_on:%d/%m/%Y}")
    _raise_if(errors)
    return NrmDetails(
        referred_on=details.referred_on, first_responder_organisation=organisation,
        referred_by=referred_by,
        reasonable_grounds_on=rg_on if details.reasonable_grounds else None,
        reasonable_grounds=details.reasonable_grounds,
        conclusive_grounds_on=cg_on if details.conclusive_grounds else None,
        conclusive_grounds=details.conclusive_grounds,
    )


def _apply_nrm(nrm: NrmReferral, details: NrmDetails) -> None:
    nrm.referred_on = cast(dt.date, details.referred_on)
    nrm.first_responder_organisation = details.first_responder_organisation
    nrm.referred_by = details.referred_by
    nrm.reasonable_grounds_on = details.reasonable_grounds_on
    nrm.reasonable_grounds = details.reasonable_grounds
    nrm.conclusive_grounds_on = details.conclusive_grounds_on
    nrm.conclusive_grounds = details.conclusive_grounds


@transaction.atomic
def record_nrm_referral(*, actor: User, case_pk: int, details: NrmDetails) -> NrmReferral:
    """Record that the child was referred into the National Referral Mechanism (and any
    decisions already made)."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    checked = _check_nrm(details)
    nrm = NrmReferral(case=case, recorded_by=actor)
    _apply_nrm(nrm, checked)
    nrm.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "nrm_referral": nrm.pk, "added": True,
        "changes": changed_values({}, _nrm_values(nrm)),
    })
    return nrm


@transaction.atomic
def update_nrm_referral(*, actor: User, nrm_pk: int, details: NrmDetails) -> NrmReferral:
    """Record a decision as it arrives, or correct the referral's details."""
    nrm: NrmReferral = _sub_record(actor, Action.CASE_RECORD_WORK, NrmReferral.objects.all(),
                                   nrm_pk)
    checked = _check_nrm(details)
    before = _nrm_values(nrm)
    _apply_nrm(nrm, checked)
    changes = changed_values(before, _nrm_values(nrm))
    if not changes:
        return nrm
    nrm.save()
    _audit_case(actor, nrm.case, EventType.CHANGE, {"nrm_referral": nrm.pk, "changes": changes})
    return nrm


# --- Risk assessments ---------------------------------------------------------------

# Ratings whose note must say what they rest on.
RATINGS_NEEDING_A_NOTE = frozenset({DomainRating.MEDIUM, DomainRating.HIGH})


@transaction.atomic
def record_risk_assessment(
    *,
    actor: User,
    case_pk: int,
    assessed_on: dt.date | None,
    ratings: Mapping[str, tuple[str, str]],
    judgement: RiskTier | str,
    summary: str,
) -> RiskAssessment:
    """Record a structured exploitation risk assessment: every domain of the indicator
    catalogue rated (``ratings``: domain -> (rating, note), a note required for a Medium
    or High rating), the assessor's judgement of the risk tier and a summary. The next
    review is set by tier (``cases.reviews``). The case's own tier is not changed: a
    judgement that differs is shown beside it, and the tier is changed on its own."""
    case = _case_for_change(actor, Action.CASE_ASSESS_RISK, case_pk)
    errors: dict[str, str] = {}
    domains = assessment_domains()
    known = {code for code, _ in domains}
    unknown = sorted(set(ratings) - known)
    if unknown:
        errors[NON_FIELD_ERRORS] = f"No such domain of the indicator catalogue: {unknown}"
    cleaned: list[tuple[str, DomainRating, str]] = []
    for code, label in domains:
        rating, note = ratings.get(code, ("", ""))
        note = (note or "").strip()
        if rating not in DomainRating.values:
            errors[f"rating_{code}"] = f"Select the level of concern about {label.lower()}"
            continue
        if rating in RATINGS_NEEDING_A_NOTE and not note:
            errors[f"note_{code}"] = (
                f"Enter what the {DomainRating(rating).label.lower()} rating for "
                f"{label.lower()} rests on"
            )
        cleaned.append((code, DomainRating(rating), note))
    if judgement not in RiskTier.values:
        errors["judgement"] = "Select your judgement of the child's risk tier"
    summary = _require_text(errors, "summary", summary, "Enter a summary of the assessment")
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    else:
        _not_in_future(errors, "assessed_on", assessed_on,
                       "The date of the assessment must be today or in the past")
        opened_on = timezone.localdate(case.opened_at)
        if "assessed_on" not in errors and assessed_on < opened_on:
            errors["assessed_on"] = (
                f"The date of the assessment must be on or after {opened_on:%d/%m/%Y}, "
                "when the case opened"
            )
    _raise_if(errors)
    assessed_on = cast(dt.date, assessed_on)
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=assessed_on, assessed_by=actor, recorded_at=timezone.now(),
        judgement=RiskTier(judgement), case_tier=case.risk_tier, summary=summary,
        next_review_on=next_review_on(assessed_on, judgement, case.risk_tier),
    )
    RiskAssessmentRating.objects.bulk_create([
        RiskAssessmentRating(assessment=assessment, domain=code, rating=rating, note=note)
        for code, rating, note in cleaned
    ])
    _audit_case(actor, case, EventType.CHANGE, {
        "risk_assessment": assessment.pk, "added": True,
        "assessed_on": assessed_on, "judgement": assessment.judgement,
        "case_tier": assessment.case_tier, "next_review_on": assessment.next_review_on,
        "ratings": {code: rating.value for code, rating, _ in cleaned},
    })
    return assessment
