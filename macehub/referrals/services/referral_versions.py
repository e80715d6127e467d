"""Saves of a referral's decision and of a partner check are versioned: a save from an
older version is refused with what the others changed, worded as the triage page names
it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.audit.history import saves_after
from macehub.cases.codes import Brag, RiskTier, exploitation_type_labels
from macehub.core.versioning import BLANK, Versioning, plain_words
from macehub.referrals.codes import TriageOutcome

# What a versioned save of a referral records, as the triage page names it; the
# decider, the status and the pick-up time go with the fields they belong to.
REFERRAL_FIELD_LABELS = {
    "brag": "BRAG rating", "risk_tier": "Risk tier", "override_reason": "Reason for change",
    "outcome": "Outcome", "outcome_reason": "Reason for the outcome",
    "decided_at": "Decided at", "exploitation_types": "Type of exploitation",
    "picked_up_by": "Picked up by",
}


def _referral_words(name: str, value: Any) -> str:
    if value in (None, "", []):
        return BLANK
    if name == "brag" and value in Brag.values:
        return str(Brag(value).label)
    if name == "risk_tier" and value in RiskTier.values:
        return str(RiskTier(value).label)
    if name == "outcome" and value in TriageOutcome.values:
        return str(TriageOutcome(value).label)
    if name == "exploitation_types" and isinstance(value, list):
        return ", ".join(exploitation_type_labels(value)) or BLANK
    if name in ("decided_at", "due_at") and isinstance(value, str):
        moment = timezone.localtime(dt.datetime.fromisoformat(value))
        return f"{moment.day} {moment:%B %Y at %H:%M}"
    return plain_words(value)


REFERRAL_VERSIONING = Versioning(history=saves_after, labels=REFERRAL_FIELD_LABELS,
                                 words=_referral_words)
PARTNER_CHECK_VERSIONING = Versioning(
    history=saves_after, words=_referral_words,
    labels={"due_at": "Due", "brag": "Rating", "result": "Result", "summary": "Summary"},
)
