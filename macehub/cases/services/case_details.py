"""Changes to the case itself that apply at once: raising the risk tier, the types of
exploitation, the key worker, the lead agency and restricting the case. Each is checked
against the version the user started from (``case_versions``). Lowering the tier and
lifting a restriction need approval (``decisions``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.cases.codes import RISK_TIER_RANK, ExploitationModel, JoinedReferralReview, RiskTier
from macehub.cases.models import Case, RiskTierChange
from macehub.cases.services.case_versions import _case_values, _check_version, _save_versioned
from macehub.cases.services.checks import (
    _case_for_change,
    _checked_types,
    _is_case_worker,
    _raise_if,
    _require_text,
)
from macehub.cases.services.joined_referrals import _acknowledge_joined_referrals, _tier_short
from macehub.training.checks import acknowledged_gaps
from macehub.training.codes import Allocation


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
    reason: str, exploitation_model: str | None = None,
) -> Case:
    """Record what types of exploitation the case is about (one or more) and, when given,
    its exploitation model ("" for not recorded), and why they changed: the old and new
    values and the reason are audited. ``exploitation_model=None`` leaves the model as it
    is."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    types = _checked_types(exploitation_types)
    errors: dict[str, str] = {}
    model = case.exploitation_model if exploitation_model is None else exploitation_model
    if model and model not in ExploitationModel.values:
        errors["exploitation_model"] = "Choose the exploitation model from the list"
    elif types == list(case.exploitation_types) and model == case.exploitation_model:
        errors["exploitation_types"] = (
            "These are already the case's types of exploitation: change at least one")
    reason = _require_text(errors, "reason", reason,
                           "Enter why the types of exploitation are changing")
    _raise_if(errors)
    before = _case_values(case)
    case.exploitation_types = types
    case.exploitation_model = model
    _save_versioned(actor, case, expected_version, before, {"reason": reason})
    return case


@transaction.atomic
def set_key_worker(
    *, actor: User, case_pk: int, expected_version: int, key_worker: User | None,
    acknowledged_missing_training: bool = False, missing_training_reason: str = "",
) -> Case:
    """Name the child's key worker (or none). Someone without the training a key worker
    needs is named only when the actor acknowledges it and says why
    (``training.checks``); the audit event records the courses missing and the reason."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    _check_version(case, expected_version)
    if key_worker is not None and not _is_case_worker(key_worker):
        raise ValidationError(
            {"key_worker": f"{key_worker.display_name} does not work on cases: choose someone "
                           "who does"}
        )
    if (key_worker.pk if key_worker else None) == case.key_worker_id:
        return case
    training_gaps = acknowledged_gaps(
        person=key_worker, allocation=Allocation.KEY_WORKER,
        acknowledged=acknowledged_missing_training,
        reason=missing_training_reason) if key_worker is not None else {}
    before = _case_values(case)
    case.key_worker = key_worker
    _save_versioned(actor, case, expected_version, before, training_gaps)
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


def is_lowering(from_tier: str, to_tier: str) -> bool:
    """Whether moving from one tier to another lowers the risk (High to Medium or Low,
    Medium to Low)."""
    if to_tier not in RiskTier.values or from_tier not in RiskTier.values:
        return False
    return RISK_TIER_RANK[RiskTier(to_tier)] < RISK_TIER_RANK[RiskTier(from_tier)]
