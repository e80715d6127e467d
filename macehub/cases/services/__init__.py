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

One module per kind of change, each importable from here:

- ``opening``: opening a case for a child;
- ``case_details``: the case itself (risk tier, exploitation types, key worker, lead
  agency, restriction), versioned through ``case_versions``;
- ``decisions``: what needs a supervisor's or the chair's approval (closing, lowering
  the tier, lifting a restriction);
- ``joined_referrals``: a new referral joined the open case, and the tier's review;
- ``allocation``: workers, victim advocates and sharing with partner agencies;
- ``plans``, ``contacts``, ``missing_episodes``, ``outcomes``, ``nrm``,
  ``risk_assessments``: the work recorded on the case;
- ``checks``: the fetching, locking and input checks every one of them makes.
"""

from __future__ import annotations

from macehub.cases.services.allocation import (
    allocate_worker,
    change_advocate,
    end_advocacy,
    share_case,
    stop_sharing_case,
    unallocate_worker,
)
from macehub.cases.services.case_details import (
    change_exploitation_types,
    change_risk_tier,
    is_lowering,
    set_key_worker,
    set_lead_agency,
    set_restricted,
)
from macehub.cases.services.case_versions import CASE_FIELD_LABELS, CASE_VERSIONING, changes_since
from macehub.cases.services.contacts import advocacy_service_of, record_contact
from macehub.cases.services.decisions import (
    DECISION_COMMENT_NEEDED,
    PENDING_ALREADY,
    decide_case_request,
    request_case_closure,
    request_restriction_lift,
    request_risk_tier_lowering,
)
from macehub.cases.services.joined_referrals import (
    JOINED_VERSIONING,
    keep_tier_after_referral,
    record_referral_joined,
)
from macehub.cases.services.missing_episodes import (
    EpisodePlaces,
    PoliceReport,
    ReturnInterview,
    record_missing_episode,
    update_missing_episode,
)
from macehub.cases.services.nrm import NrmDetails, record_nrm_referral, update_nrm_referral
from macehub.cases.services.opening import CaseAlreadyOpen, open_case
from macehub.cases.services.outcomes import record_outcome
from macehub.cases.services.plans import (
    PartnerOwner,
    add_plan_item,
    complete_plan_item,
    update_plan_item,
)
from macehub.cases.services.risk_assessments import RATINGS_NEEDING_A_NOTE, record_risk_assessment

__all__ = [
    "CASE_FIELD_LABELS",
    "CASE_VERSIONING",
    "DECISION_COMMENT_NEEDED",
    "JOINED_VERSIONING",
    "PENDING_ALREADY",
    "RATINGS_NEEDING_A_NOTE",
    "CaseAlreadyOpen",
    "EpisodePlaces",
    "NrmDetails",
    "PartnerOwner",
    "PoliceReport",
    "ReturnInterview",
    "add_plan_item",
    "advocacy_service_of",
    "allocate_worker",
    "change_advocate",
    "change_exploitation_types",
    "change_risk_tier",
    "changes_since",
    "complete_plan_item",
    "decide_case_request",
    "end_advocacy",
    "is_lowering",
    "keep_tier_after_referral",
    "open_case",
    "record_contact",
    "record_missing_episode",
    "record_nrm_referral",
    "record_outcome",
    "record_referral_joined",
    "record_risk_assessment",
    "request_case_closure",
    "request_restriction_lift",
    "request_risk_tier_lowering",
    "set_key_worker",
    "set_lead_agency",
    "set_restricted",
    "share_case",
    "stop_sharing_case",
    "unallocate_worker",
    "update_missing_episode",
    "update_nrm_referral",
    "update_plan_item",
]
