"""Information a referrer adds to their referral after sending it, before or after the
decision: kept as written, audited by its length."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused
from macehub.referrals.models import Referral, ReferralAddition

MAX_ADDITION_LENGTH = 10_000


@transaction.atomic
def add_referral_information(
    *,
    actor: User,
    referral_pk: int,
    text: str,
    request: HttpRequest | None = None,
) -> ReferralAddition:
    """Append what the referrer has learnt since sending their referral. Only the
    referrer, on their own referral; what was sent is never edited. Triage sees it on
    the referral, marked when it came after the decision."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_ADD_INFORMATION,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    text = text.strip()
    if not text:
        raise ServiceRefused("Enter the information you want to add", field="text")
    if len(text) > MAX_ADDITION_LENGTH:
        raise ServiceRefused("The information must be 10,000 characters or fewer",
                             field="text")
    addition = ReferralAddition.objects.create(
        referral=referral, text=text, added_by=actor, added_at=timezone.now(),
    )
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        purpose="Information added by the referrer",
        detail={
            "reference": referral.reference,
            "addition": addition.pk,
            "added_at": addition.added_at.isoformat(),
            "characters": len(text),
            "after_decision": referral.decided_at is not None,
        },
        request=request,
    )
    return addition
