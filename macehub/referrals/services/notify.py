"""Telling the referrer their referral has been decided, once the decision is committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.models import Referral

logger = logging.getLogger(__name__)


def notify_referrer_of_decision(*, referral_pk: int) -> bool:
    """E-mail the referrer that their referral has been decided, and note when.

    Runs after the decision is committed. The message gives the reference, that a
    decision was made and the outcome in plain words; nothing else about the child.
    """
    referral = Referral.objects.select_related("referrer").get(pk=referral_pk)
    address = referral.referrer.email
    if not address or not referral.outcome:
        return False
    context = {
        "reference": referral.reference,
        "received_at": referral.received_at,
        "outcome": TriageOutcome(referral.outcome).label,
        "outcome_in_plain_words": referral.outcome_in_plain_words,
        "referrer_name": referral.referrer.display_name,
        "hub_name": settings.HUB_TEAM_LABEL,
    }
    try:
        send_mail(
            subject=f"Referral {referral.reference}: the MACE hub has made a decision",
            message=render_to_string("referrals/email/decision_made.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    except Exception:  # the decision stands; the referrer can still see it on screen
        logger.exception("Could not e-mail the referrer of %s", referral.reference)
        return False
    notified_at = timezone.now()
    with transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(referrer_notified_at=notified_at)
        record_event(
            event_type=EventType.CHANGE,
            actor=None,
            actor_username="system",
            record=referral,
            detail={
                "changes": {"referrer_notified_at": {
                    "old": referral.referrer_notified_at, "new": notified_at}},
                "notified": "referrer by e-mail",
            },
        )
    return True
