"""Test builders for referrals (synthetic only): a referral as the intake would store it,
screened and clocked by the real rules, without walking the question pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.models import User
from macehub.cases.models import Indicator
from macehub.core.references import next_reference
from macehub.people.models import Person
from macehub.referrals.clocks import decision_clock, partner_check_clock
from macehub.referrals.codes import ExploitationModel, source_for_agency_kind
from macehub.referrals.models import Referral, ReferralIndicator
from macehub.referrals.services import screening_for


def make_referral(
    child: Person,
    referrer: User,
    *,
    indicator_codes: tuple[str, ...] = (),
    received_at: dt.datetime | None = None,
    disclosure: bool = False,
    immediate_risk: bool = False,
    sexual_activity: bool = False,
    **fields: Any,
) -> Referral:
    received_at = received_at or timezone.now() - dt.timedelta(hours=1)
    indicators = list(Indicator.objects.filter(code__in=indicator_codes))
    screening = screening_for(child=child, indicators=indicators, disclosure=disclosure,
                              immediate_risk=immediate_risk,
                              on=timezone.localdate(received_at),
                              sexual_activity=sexual_activity)
    values: dict[str, Any] = {
        "reference": next_reference(Referral, kind="REF",
                                    year=timezone.localtime(received_at).year),
        "child": child,
        "referrer": referrer,
        "referrer_agency": referrer.agency,
        "source": source_for_agency_kind(referrer.agency.kind if referrer.agency else ""),
        "received_at": received_at,
        "concerns": "Synthetic test concern: seen getting into cars with unknown adults.",
        "exploitation_model": ExploitationModel.NOT_KNOWN,
        "disclosure": disclosure,
        "immediate_risk": immediate_risk,
        "sexual_activity": sexual_activity,
        "screening_score": screening.score,
        "suggested_brag": screening.brag,
        "suggested_tier": screening.tier_value,
        "screening_reasons": screening.reasons_json(),
        "decision_due_at": decision_clock().due_at(received_at),
        "partner_check_brag": screening.brag,
        "partner_checks_due_at": partner_check_clock(screening.brag).due_at(received_at),
    }
    values.update(fields)
    referral = Referral.objects.create(**values)
    ReferralIndicator.objects.bulk_create(
        ReferralIndicator(referral=referral, indicator=indicator) for indicator in indicators
    )
    return referral
