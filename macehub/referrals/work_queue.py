"""What referrals put in people's work queues (see ``macehub.core.work_queue``): the
referrals awaiting a triage decision, most serious rating first, for those who triage,
and the decided referrals whose referrer was not told (the notification failed); and,
for referrers, the outcomes of their own referrals that they have not yet read."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast
from django.urls import reverse

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag, short_label
from macehub.core.work_queue import (
    HIGH,
    LOW,
    NORMAL,
    URGENT,
    Waiting,
    WorkItem,
    WorkSelection,
    is_overdue,
    place_in_queue,
    work_queue_source,
)
from macehub.referrals import selectors
from macehub.referrals.clocks import decision_clock, partner_check_clock
from macehub.referrals.codes import ReferralStatus
from macehub.referrals.models import PartnerCheck, Referral
from macehub.ui.formatting import govuk_datetime

REFERRAL_RECORD = "referrals.referral"
# The rating sets how urgent the decision is: a Red referral is a possible child
# protection concern, so it comes first whatever the others' clocks say.
BRAG_URGENCY = {Brag.RED: URGENT, Brag.AMBER: HIGH, Brag.GREEN: NORMAL, Brag.BLUE: LOW}
# How long a decided referral stays in its referrer's queue if they do not open it.
OUTCOME_NEWS_DAYS = 28


@work_queue_source("triage", label="Referrals to triage", order=10,
                   everything="referrals:queue")
def referrals_to_triage(user: User, now: dt.datetime) -> WorkSelection:
    """Undecided referrals the user may triage: Red first, then the least time left.
    Each drawn only when shown."""
    referrals = policy.scope(
        user, Action.REFERRAL_TRIAGE,
        Referral.objects.filter(status=ReferralStatus.AWAITING_TRIAGE)).order_by(
        "decision_due_at", "pk")
    waiting = [
        Waiting(place=place_in_queue(now, urgency=BRAG_URGENCY[Brag(brag)], due_at=due_at),
                overdue=is_overdue(now, due_at=due_at), key=pk)
        for pk, brag, due_at in referrals.values_list(
            "pk", "partner_check_brag", "decision_due_at")]

    def draw(pks: list[Any]) -> list[WorkItem | None]:
        # A referral decided since the queue was read is no longer drawn: None.
        drawn = {referral.pk: referral for referral in referrals.filter(pk__in=pks)
                 .select_related("child", "referrer_agency", "picked_up_by")}
        return [_referral_to_triage(drawn[pk], user) if pk in drawn else None for pk in pks]

    return WorkSelection(waiting=waiting, draw=draw)


def _referral_to_triage(referral: Referral, user: User) -> WorkItem:
    brag = Brag(referral.partner_check_brag)
    return WorkItem(
        kind="Referral to triage",
        title=f"{referral.reference}: {referral.child.full_name}",
        link=reverse("referrals:decide", args=[referral.pk]),
        action="Record the triage decision",
        detail=f"From {referral.referrer_agency.name}, received "
               f"{govuk_datetime(referral.received_at)}. Decision "
               f"{decision_clock().label} of receipt; partner information "
               f"{partner_check_clock(brag).label}."
               + _picked_up(referral, user),
        due_at=referral.decision_due_at,
        urgency=BRAG_URGENCY[brag],
        tag=short_label(brag),
        tag_colour=brag.tag_colour,
        names_record=(REFERRAL_RECORD, referral.pk),
    )


def _picked_up(referral: Referral, user: User) -> str:
    """Who is working on it, so two people do not pick up the same referral."""
    holder = referral.picked_up_by
    if holder is None:
        return ""
    who = "you" if holder.pk == user.pk else holder.display_name
    return f" Picked up by {who} at {govuk_datetime(referral.picked_up_at)}."


@work_queue_source("referral_outcomes", label="Outcomes of your referrals", order=90,
                   everything="referrals:mine")
def referral_outcomes(user: User, now: dt.datetime) -> list[WorkItem]:
    """The user's own referrals decided in the last few weeks that they have not opened
    since the decision."""
    opened_since_decision = AuditEvent.objects.filter(
        event_type=EventType.VIEW, actor_id=user.pk, record_type=REFERRAL_RECORD,
        record_id=Cast(OuterRef("pk"), CharField()), occurred_at__gte=OuterRef("decided_at"),
    )
    decided = Referral.objects.filter(
        status=ReferralStatus.DECIDED, decided_at__gte=now - dt.timedelta(days=OUTCOME_NEWS_DAYS)
    ).exclude(Exists(opened_since_decision)).select_related("child")
    referrals = policy.scope(user, Action.REFERRAL_VIEW_OWN, decided).order_by("-decided_at")
    return [
        WorkItem(
            kind="Referral outcome",
            title=f"{referral.reference}: {referral.child.full_name}",
            link=reverse("referrals:mine_detail", args=[referral.pk]),
            action="Read the outcome",
            detail=f"Decided {govuk_datetime(referral.decided_at)}: "
                   f"{referral.get_outcome_display()}.",
            waiting_since=referral.decided_at,
            urgency=LOW,
            names_record=(REFERRAL_RECORD, referral.pk),
        )
        for referral in referrals
    ]


@work_queue_source("referrer_not_told", label="Referrers not told", order=15)
def referrers_not_told(user: User, now: dt.datetime) -> list[WorkItem]:
    """Referrals decided in the last few weeks whose referrer has an e-mail address but
    was not told the decision (the notification failed), for those who triage: send it
    again, or telephone them. Older ones stay marked on the referral's page."""
    untold = (Referral.objects.filter(
        status=ReferralStatus.DECIDED, referrer_notified_at__isnull=True,
        decided_at__gte=now - dt.timedelta(days=OUTCOME_NEWS_DAYS))
        .exclude(outcome="").exclude(referrer__email="")
        .select_related("child", "referrer", "referrer_agency"))
    referrals = policy.scope(user, Action.REFERRAL_TRIAGE, untold).order_by("decided_at", "pk")
    return [
        WorkItem(
            kind="Referrer not told",
            title=f"{referral.reference}: {referral.child.full_name}",
            link=reverse("referrals:detail", args=[referral.pk]),
            action="Send the decision to the referrer again",
            detail=f"Decided {govuk_datetime(referral.decided_at)}: "
                   f"{referral.get_outcome_display()}. The e-mail to "
                   f"{referral.referrer.display_name} ({referral.referrer_agency.name}) "
                   f"could not be sent.",
            waiting_since=referral.decided_at,
            urgency=HIGH,
            names_record=(REFERRAL_RECORD, referral.pk),
        )
        for referral in referrals
    ]


@work_queue_source("partner_checks", label="Partner checks", order=20,
                   everything="referrals:partner_checks")
def partner_checks_to_return(user: User, now: dt.datetime) -> WorkSelection:
    """Checks triage asked of the user's agency that nobody has returned yet, against the
    clock of the referral's rating: Red first, then the least time left. Each drawn
    only when shown."""
    waiting = [
        Waiting(place=place_in_queue(now, urgency=BRAG_URGENCY[Brag(brag)], due_at=due_at),
                overdue=is_overdue(now, due_at=due_at), key=pk)
        for pk, brag, due_at in selectors.partner_check_clocks(user)]

    def draw(pks: list[Any]) -> list[WorkItem | None]:
        drawn = {waiting.check.pk: waiting.check
                 for waiting in selectors.partner_checks_of(user, now, pks)}
        return [_partner_check(drawn[pk]) if pk in drawn else None for pk in pks]

    return WorkSelection(waiting=waiting, draw=draw)


def _partner_check(check: PartnerCheck) -> WorkItem:
    brag = Brag(check.brag)
    return WorkItem(
        kind="Partner check",
        title=f"{check.referral.reference}: {check.referral.child.full_name}",
        link=reverse("referrals:partner_check", args=[check.pk]),
        action=f"Check {check.agency.name}'s records and return what you hold",
        detail=(f"Asked by {check.requested_by.display_name} on "
                f"{govuk_datetime(check.requested_at)}, due "
                f"{partner_check_clock(brag).label} of the request."
                + (f" Question: {check.question}" if check.question else "")),
        due_at=check.due_at,
        urgency=BRAG_URGENCY[brag],
        tag=short_label(brag),
        tag_colour=brag.tag_colour,
        names_record=("referrals.partnercheck", check.pk),
    )
