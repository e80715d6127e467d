"""The triage decision: checked against the triage rules, saved from the version the
officer started from, opening (or joining) the child's MACE case in the same
transaction, and moving the partner-check clock with the rating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event
from macehub.cases.codes import Brag, RiskTier, short_label
from macehub.cases.models import Case
from macehub.cases.services import CaseAlreadyOpen, open_case, record_referral_joined
from macehub.core.service_errors import ServiceRefused
from macehub.referrals.clocks import partner_check_clock
from macehub.referrals.codes import CHILDRENS_SOCIAL_CARE_OUTCOMES, ReferralStatus, TriageOutcome
from macehub.referrals.models import PartnerCheck, Referral
from macehub.referrals.services.notify import notify_referrer_of_decision
from macehub.referrals.services.pick_up import PICK_UP_FIELDS, _pick_up_values
from macehub.referrals.services.referral_versions import (
    PARTNER_CHECK_VERSIONING,
    REFERRAL_VERSIONING,
)
from macehub.referrals.services.submission import check_exploitation_types

DECISION_FIELDS = ("brag", "risk_tier", "override_reason", "outcome", "outcome_reason",
                   "decided_at", "decided_by", "status", "exploitation_types")


@dataclass(frozen=True)
class TriageDecision:
    brag: Brag | str
    risk_tier: RiskTier | str  # "" for no tier
    outcome: TriageOutcome | str
    outcome_reason: str
    decided_at: dt.datetime
    override_reason: str = ""
    # Triage may correct the types the referrer gave; None keeps them.
    exploitation_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TriageResult:
    referral: Referral
    case: Case | None = None
    case_opened: bool = False
    case_was_already_open: bool = False


def is_override(referral: Referral, brag: str, risk_tier: str) -> bool:
    return brag != referral.suggested_brag or risk_tier != referral.suggested_tier


def check_decision(referral: Referral, decision: TriageDecision, now: dt.datetime) -> dt.datetime:
    """Refuse a decision that breaks a rule (every broken rule at once, each keyed by the
    argument at fault); returns the decision time to store. The triage rules live here
    only: the decision form parses what was typed, and these decide.

    Times are entered to the minute, so a decision in the same minute as the referral
    arrived counts as at its arrival, not before it.
    """
    errors: dict[str, str] = {}
    brag, tier = str(decision.brag), str(decision.risk_tier)
    if brag not in Brag.values:
        errors["brag"] = "Select a BRAG rating"
    if tier and tier not in RiskTier.values:
        errors["risk_tier"] = "Select a risk tier, or 'No risk tier'"
    if str(decision.outcome) not in TriageOutcome.values:
        errors["outcome"] = "Select the outcome of triage"
    if not decision.outcome_reason.strip():
        errors["outcome_reason"] = "Enter the reason for the outcome"
    if ("brag" not in errors and "risk_tier" not in errors
            and is_override(referral, brag, tier) and not decision.override_reason.strip()):
        errors["override_reason"] = (
            f"Enter why you changed the suggestion ({_suggestion_words(referral)})")
    if decision.outcome == TriageOutcome.OPEN_MACE_CASE and not tier:
        errors.setdefault("risk_tier", "Select the risk tier the MACE case opens with")
    if decision.exploitation_types is not None:
        try:
            check_exploitation_types(decision.exploitation_types, field="exploitation_types")
        except ServiceRefused as refused:
            errors["exploitation_types"] = str(refused.message)
    decided_at = decision.decided_at
    if timezone.is_naive(decided_at):
        errors["decided_at"] = "Enter the date and time of the decision"
    elif decided_at > now:
        errors["decided_at"] = "The decision time must be now or in the past"
    elif decided_at < referral.received_at:
        if decided_at < referral.received_at.replace(second=0, microsecond=0):
            received = timezone.localtime(referral.received_at)
            errors["decided_at"] = (
                "The decision must be after the referral was received, on "
                f"{received.day} {received:%B %Y} at {received:%H:%M}")
        decided_at = referral.received_at
    if errors:
        raise ServiceRefused(errors)
    return decided_at


def _suggestion_words(referral: Referral) -> str:
    """The screening's suggestion as the override refusal names it: "rating Green, tier
    Low" (or "no tier")."""
    brag = (short_label(Brag(referral.suggested_brag)) if referral.suggested_brag in Brag.values
            else "none")
    tier = referral.suggested_tier
    return f"rating {brag}, " + (
        f"tier {short_label(RiskTier(tier))}" if tier in RiskTier.values else "no tier")


def _decision_values(referral: Referral) -> dict[str, Any]:
    return {
        "brag": referral.brag,
        "risk_tier": referral.risk_tier,
        "override_reason": referral.override_reason,
        "outcome": referral.outcome,
        "outcome_reason": referral.outcome_reason,
        "decided_at": referral.decided_at.isoformat() if referral.decided_at else None,
        "decided_by": referral.decided_by_id,
        "status": referral.status,
        "exploitation_types": list(referral.exploitation_types),
    }


@transaction.atomic
def record_triage_decision(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    decision: TriageDecision,
    request: HttpRequest | None = None,
) -> TriageResult:
    """Record (or change) the triage decision, unless someone else decided first."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)).select_related(
            "child", "case", "referrer_agency", "picked_up_by"),
        pk=referral_pk,
    )
    REFERRAL_VERSIONING.check(referral, expected_version)
    decided_at = check_decision(referral, decision, timezone.now())
    if actor.agency is None:
        raise ServiceRefused("Only staff of an agency can record a decision")
    if (decision.outcome in CHILDRENS_SOCIAL_CARE_OUTCOMES
            and not policy.can(actor, Action.REFERRAL_STATUTORY_OUTCOME, referral)):
        raise ServiceRefused(
            f"Only children's social care can record "
            f"'{TriageOutcome(decision.outcome).label}': it is the local authority's "
            "decision. Record the outcome your agency can, or ask a social care colleague "
            "in the hub.",
            field="outcome",
        )

    before = _decision_values(referral)
    referral.brag = Brag(decision.brag)
    referral.risk_tier = RiskTier(decision.risk_tier) if decision.risk_tier else ""
    referral.override_reason = (
        decision.override_reason.strip()
        if is_override(referral, referral.brag, referral.risk_tier) else ""
    )
    referral.outcome = TriageOutcome(decision.outcome)
    referral.outcome_reason = decision.outcome_reason.strip()
    referral.decided_at = decided_at
    referral.decided_by = actor
    referral.status = ReferralStatus.DECIDED
    if decision.exploitation_types is not None:
        referral.exploitation_types = check_exploitation_types(decision.exploitation_types)
    changes = changed_values(before, _decision_values(referral))
    if not changes:
        return TriageResult(referral=referral, case=referral.case)
    # A decided referral is nobody's to work on any more.
    pick_up_cleared = _pick_up_values(referral) if referral.picked_up_by_id else None
    referral.picked_up_by, referral.picked_up_at = None, None

    case, case_opened, already_open = referral.case, False, False
    if referral.outcome == TriageOutcome.OPEN_MACE_CASE and (
        case is None or case.status != "open"
    ):
        try:
            case = open_case(
                actor=actor,
                child=referral.child,
                risk_tier=referral.risk_tier,
                lead_agency=actor.agency,
                reason=referral.outcome_reason,
                referral_reference=referral.reference,
                exploitation_types=referral.exploitation_types,
            )
            case_opened = True
        except CaseAlreadyOpen as error:
            # One open case per child: the referral joins the case the hub already has,
            # and the case's key worker is asked to review its tier against triage's.
            case, already_open = error.case, True
            record_referral_joined(
                actor=actor, case=case, referral_reference=referral.reference,
                referring_agency=referral.referrer_agency, joined_at=decided_at,
                brag=referral.brag, risk_tier=referral.risk_tier,
            )
        referral.case = case

    check_clock = _partner_check_clock_follows_rating(actor, referral, request)
    REFERRAL_VERSIONING.save(referral, expected_version=expected_version, update_fields=[
        *DECISION_FIELDS, "case", *CHECK_CLOCK_FIELDS, *PICK_UP_FIELDS])
    if pick_up_cleared is not None:
        changes.update(changed_values(pick_up_cleared, _pick_up_values(referral)))
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        detail={
            "changes": changes,
            **({"partner_check_clock": check_clock} if check_clock else {}),
            "version": referral.version,
            "case": case.reference if case else None,
            "case_opened": case_opened,
            "case_already_open": already_open,
        },
        request=request,
    )
    if "outcome" in changes:
        referral_pk = referral.pk
        transaction.on_commit(lambda: notify_referrer_of_decision(referral_pk=referral_pk))
    return TriageResult(referral=referral, case=case, case_opened=case_opened,
                        case_was_already_open=already_open)


CHECK_CLOCK_FIELDS = ("partner_check_brag", "partner_checks_due_at")


def _partner_check_clock_follows_rating(
    actor: User, referral: Referral, request: HttpRequest | None
) -> dict[str, dict[str, Any]]:
    """When triage gives a rating other than the one the partner-check clock runs on, the
    clock follows it: the referral's partner-information due time, and the due time of
    every check still outstanding (each audited). The decision clock does not move: every
    referral is decided within one working day whatever its rating. Returns what changed
    on the referral, for its audit entry."""
    if not referral.brag or referral.brag == referral.partner_check_brag:
        return {}
    clock = partner_check_clock(referral.brag)
    before = {"partner_check_brag": referral.partner_check_brag,
              "partner_checks_due_at": referral.partner_checks_due_at.isoformat()}
    referral.partner_check_brag = referral.brag
    referral.partner_checks_due_at = clock.due_at(referral.received_at)
    outstanding = PartnerCheck.objects.select_for_update().filter(
        referral=referral, returned_at__isnull=True).order_by("pk")
    for check in outstanding:
        old_due = check.due_at
        check.due_at = clock.due_at(check.requested_at)
        check.brag = referral.brag
        PARTNER_CHECK_VERSIONING.save(check, expected_version=check.version,
                                      update_fields=["due_at", "brag"])
        record_event(
            event_type=EventType.CHANGE,
            actor=actor,
            record=check,
            detail={
                "changes": {
                    "due_at": {"old": old_due.isoformat(), "new": check.due_at.isoformat()},
                    "brag": {"old": before["partner_check_brag"], "new": check.brag},
                },
                "reason": f"The referral's rating changed from {before['partner_check_brag']} "
                          f"to {referral.brag}: the check is due {clock.label} of its request",
                "referral": referral.reference,
                "version": check.version,
            },
            request=request,
        )
    return changed_values(before, {
        "partner_check_brag": referral.partner_check_brag,
        "partner_checks_due_at": referral.partner_checks_due_at.isoformat(),
    })
