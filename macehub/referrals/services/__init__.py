"""Changing referrals: submitting one, and recording the triage decision. One transaction
each, audited with what changed.

A submission creates the child's record (only if no existing record was chosen), the
referral with its reference, its indicators, the screening as it was shown and the
decision clock, all or nothing. A triage decision carries the version the officer
started from; if someone else decided in between, it is refused
(``core.versioning.EditConflict``) and nothing is overwritten. A decision to open a MACE
case opens it in the same transaction, and the referrer is e-mailed once the decision
has been committed.

One module per stage, each importable from here: ``submission`` (what a referrer sends,
and its screening), ``additions`` (information added after sending), ``pick_up`` (one
officer works a referral at a time), ``triage`` (the decision, versioned through
``referral_versions``), ``notify`` (telling the referrer), ``partner_checks`` and
``immediate_steps``.
"""

from __future__ import annotations

from macehub.referrals.services.additions import MAX_ADDITION_LENGTH, add_referral_information
from macehub.referrals.services.immediate_steps import record_immediate_step
from macehub.referrals.services.notify import (
    logger,
    notify_referrer_of_decision,
    referrer_not_told,
    resend_decision_to_referrer,
)
from macehub.referrals.services.partner_checks import request_partner_checks, return_partner_check
from macehub.referrals.services.pick_up import (
    PICK_UP_FIELDS,
    PickedUpByOther,
    pick_up_referral,
    release_referral,
)
from macehub.referrals.services.referral_versions import (
    PARTNER_CHECK_VERSIONING,
    REFERRAL_FIELD_LABELS,
    REFERRAL_VERSIONING,
)
from macehub.referrals.services.submission import (
    ChildAddress,
    ParentCarer,
    ReferralSubmission,
    check_exploitation_types,
    screening_for,
    submit_referral,
)
from macehub.referrals.services.triage import (
    CHECK_CLOCK_FIELDS,
    DECISION_FIELDS,
    TriageDecision,
    TriageResult,
    check_decision,
    is_override,
    record_triage_decision,
)

__all__ = [
    "CHECK_CLOCK_FIELDS",
    "DECISION_FIELDS",
    "MAX_ADDITION_LENGTH",
    "PARTNER_CHECK_VERSIONING",
    "PICK_UP_FIELDS",
    "REFERRAL_FIELD_LABELS",
    "REFERRAL_VERSIONING",
    "ChildAddress",
    "ParentCarer",
    "PickedUpByOther",
    "ReferralSubmission",
    "TriageDecision",
    "TriageResult",
    "add_referral_information",
    "check_decision",
    "check_exploitation_types",
    "is_override",
    "logger",
    "notify_referrer_of_decision",
    "pick_up_referral",
    "record_immediate_step",
    "record_triage_decision",
    "referrer_not_told",
    "release_referral",
    "request_partner_checks",
    "resend_decision_to_referrer",
    "return_partner_check",
    "screening_for",
    "submit_referral",
]
