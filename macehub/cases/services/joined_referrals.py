"""A new referral joined the child's open case: triage's rating and tier are kept against
the case's, so the case prompts its key worker to review the tier, and the review (a
change of tier, or keeping it with a reason) resolves the prompt."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.cases.codes import Brag, JoinedReferralReview, RiskTier
from macehub.cases.models import Case, ReferralJoined
from macehub.cases.services.checks import _audit_case, _raise_if, _require_text, _sub_record
from macehub.core.versioning import Versioning


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


# A joined referral is reviewed once; the review is audited against the case, and a
# refusal names who reviewed it (``_already_reviewed``), so there are no field changes to
# read back. A change of tier reviews it too, raising its version with the others.
JOINED_VERSIONING = Versioning(history=lambda _record, _version: (),
                               labels={"outcome": "Review of the risk tier"})


def _already_reviewed(joined: ReferralJoined) -> str:
    by = joined.acknowledged_by.display_name if joined.acknowledged_by else "someone else"
    return (f"The tier has already been reviewed after referral {joined.referral_reference}, "
            f"by {by}. Nothing has been saved.")


@transaction.atomic
def keep_tier_after_referral(
    *, actor: User, joined_pk: int, expected_version: int, reason: str
) -> ReferralJoined:
    """The key worker reviewed the tier against the new referral and keeps it: the
    reason is kept, audited and on the chronology. Only those who may change the case's
    tier may; once only."""
    joined: ReferralJoined = _sub_record(
        actor, Action.CASE_CHANGE, ReferralJoined.objects.all(), joined_pk)
    if joined.is_acknowledged:
        raise ValidationError(_already_reviewed(joined))
    JOINED_VERSIONING.check(joined, expected_version, message=_already_reviewed(joined))
    errors: dict[str, str] = {}
    reason = _require_text(errors, "reason", reason,
                           "Enter why the risk tier stays as it is")
    _raise_if(errors)
    joined.acknowledged_by, joined.acknowledged_at = actor, timezone.now()
    joined.outcome = JoinedReferralReview.TIER_KEPT
    joined.outcome_note = reason
    JOINED_VERSIONING.save(joined, expected_version=expected_version, update_fields=[
        "acknowledged_by", "acknowledged_at", "outcome", "outcome_note"])
    _audit_case(actor, joined.case, EventType.CHANGE, {
        "referral_joined_reviewed": {
            "id": joined.pk, "referral": joined.referral_reference,
            "outcome": joined.outcome, "risk_tier": joined.case.risk_tier, "reason": reason,
        },
    })
    return joined
