"""Saves of the case itself are versioned: a save from an older version is refused with
what the others changed (``core.versioning.EditConflict``), read from the audit log and
worded as the case page names its fields."""

from __future__ import annotations

from typing import Any

from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values
from macehub.cases.codes import (
    CaseStatus,
    RiskTier,
    closure_reason_label,
    exploitation_model_label,
    exploitation_type_labels,
)
from macehub.cases.models import Case
from macehub.cases.services.checks import _audit_case
from macehub.core.versioning import BLANK, FieldChange, Versioning

# The fields of the case itself that are versioned, as the conflict message names them.
CASE_FIELD_LABELS = {
    "risk_tier": "Risk tier",
    "lead_agency": "Lead agency",
    "key_worker": "Key worker",
    "is_restricted": "Restricted",
    "status": "Status",
    "closure_reason": "Reason for closing",
    "exploitation_types": "Type of exploitation",
    "exploitation_model": "Exploitation model",
}


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "risk_tier": case.risk_tier,
        "lead_agency": case.lead_agency_id,
        "key_worker": case.key_worker_id,
        "is_restricted": case.is_restricted,
        "status": case.status,
        "closure_reason": case.closure_reason,
        "exploitation_types": list(case.exploitation_types),
        "exploitation_model": case.exploitation_model,
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
    if name == "exploitation_model":
        return exploitation_model_label(value)
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
