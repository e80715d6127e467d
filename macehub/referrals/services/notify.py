"""Telling the referrer their referral has been decided, once the decision is committed."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import date as format_date
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.notifications import NotificationNotSent, send_notification
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.models import Referral

logger = logging.getLogger(__name__)


def notify_referrer_of_decision(*, referral_pk: int) -> bool:
    """Notify the referrer that their referral has been decided, and note when.

    Runs after the decision is committed. The message gives the reference, that a
    decision was made and the outcome in plain words; nothing else about the child.
    """
    referral = Referral.objects.select_related("referrer").get(pk=referral_pk)
    address = referral.referrer.email
    if not address or not referral.outcome:
        return False
    personalisation = {
        "reference": referral.reference,
        "received_on": format_date(referral.received_at, "j F Y"),
        "outcome": TriageOutcome(referral.outcome).label,
        "outcome_in_plain_words": referral.outcome_in_plain_words,
        "referrer_name": referral.referrer.display_name,
        "hub_name": settings.HUB_TEAM_LABEL,
    }
    try:
        send_notification(to=address, template_key="referral_decided",
                          personalisation=personalisation)
    except NotificationNotSent:
        # The decision stands and the referrer sees it on screen; the referral's
        # "referrer notified" stays empty, so it shows that they were not told.
        logger.warning("Could not notify the referrer of %s", referral.reference)
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
