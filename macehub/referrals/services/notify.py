"""Telling the referrer their referral has been decided, once the decision is committed;
and, where that failed, sending it again when triage asks."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import date as format_date
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.notifications import NotificationNotSent, send_notification
from macehub.core.service_errors import ServiceRefused
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


def referrer_not_told(referral: Referral) -> bool:
    """The referral is decided, its referrer has an e-mail address, and they have not
    been told the decision (the notification failed): triage should send it again."""
    return (referral.is_decided and bool(referral.outcome)
            and bool(referral.referrer.email) and referral.referrer_notified_at is None)


def resend_decision_to_referrer(*, actor: User, referral_pk: int) -> bool:
    """Send the decision to a referrer who was not told it, when triage asks. True if it
    was sent; False if the notification failed again (the page then says to telephone
    the referrer).

    Not one transaction, unlike other services: the attempt is audited whether or not
    the notification goes, so the audit row must not be rolled back with a failure, and
    the message is not sent while a transaction holds the referral."""
    referral = policy.get_or_404(actor, Action.REFERRAL_TRIAGE,
                                 Referral.objects.select_related("referrer"), pk=referral_pk)
    if not referrer_not_told(referral):
        raise ServiceRefused("The referrer has been told the decision already, or has no "
                             "e-mail address to send it to")
    sent = notify_referrer_of_decision(referral_pk=referral.pk)
    record_event(event_type=EventType.CHANGE, actor=actor, record=referral, detail={
        "notification": "decision to the referrer, sent again",
        "sent": sent})
    return sent
