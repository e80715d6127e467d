"""What cases put in people's work queues (see ``macehub.core.work_queue``): the plan
items a person owns that are due soon or overdue, the return home interviews due or
overdue on the cases they work on, and the requests for approval a supervisor or the
MACE chair may decide."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.accounts.templatetags.govuk import govuk_datetime
from macehub.cases import selectors
from macehub.cases.codes import RISK_TIER_TAG_COLOURS, CaseStatus, PlanItemStatus
from macehub.cases.models import Case, MissingEpisode, PlanItem
from macehub.core.work_queue import HIGH, NORMAL, WorkItem, work_queue_source
from macehub.referrals.codes import RiskTier, short_label

CASE_RECORD = "cases.case"
# Plan items due within this many days are shown before they are overdue.
PLAN_ITEMS_AHEAD_DAYS = 14
# A return home interview not held this long after the return has passed its use as a
# work item (it still counts as overdue in the case and the performance figures).
RETURN_INTERVIEWS_WITHIN_DAYS = 28


def _needs_reason(user: User) -> Exists:
    """The case is restricted and the user does not work on it: the child is not named
    here, and opening the case asks why (as the case list does)."""
    return Exists(Case.objects.filter(pk=OuterRef("case_id")).filter(
        policy.reason_required(user)))


def _open_cases(user: User, action: Action) -> QuerySet[Case]:
    return policy.scope(user, action, Case.objects.filter(status=CaseStatus.OPEN))


def _case_title(case: Case, needs_reason: bool) -> str:
    if needs_reason:
        return f"{case.reference}: restricted case"
    return f"{case.reference}: {case.child.full_name}"


def _tier_tag(case: Case) -> str:
    return f"{short_label(RiskTier(case.risk_tier))} risk"


@work_queue_source("plan_items", label="Plan items", order=40)
def plan_items_due(user: User, now: dt.datetime) -> list[WorkItem]:
    """Open plan items the user owns, due within two weeks or overdue, on open cases
    they may see."""
    horizon = timezone.localdate(now) + dt.timedelta(days=PLAN_ITEMS_AHEAD_DAYS)
    items = (
        PlanItem.objects.filter(
            owner=user, status=PlanItemStatus.OPEN, due_on__lte=horizon,
            case__in=_open_cases(user, Action.CASE_VIEW),
        )
        .select_related("case", "case__child")
        .annotate(needs_reason=_needs_reason(user))
        .order_by("due_on", "pk")
    )
    return [
        WorkItem(
            kind="Plan item",
            title=_case_title(item.case, item.needs_reason),
            link=reverse("cases:plan", args=[item.case_id]),
            action="Open the plan",
            detail=f"Action: {item.action}",
            due_on=item.due_on,
            urgency=NORMAL,
            names_record=(CASE_RECORD, item.case_id),
            tag=_tier_tag(item.case),
            tag_colour=RISK_TIER_TAG_COLOURS[item.case.risk_tier],
        )
        for item in items
    ]


@work_queue_source("return_interviews", label="Return home interviews", order=30)
def return_interviews_due(user: User, now: dt.datetime) -> list[WorkItem]:
    """Children back from a missing episode in the last four weeks who have not yet been
    offered a return home interview (a declined offer is not due), on open cases the
    user works on (key worker, allocated, current advocate) and may record work on."""
    worked_on = Case.objects.filter(
        Q(key_worker=user) | Q(allocations__user=user)
        | Q(advocacy__advocate=user, advocacy__ended_on__isnull=True)
    ).values("pk")
    episodes = (
        MissingEpisode.objects.filter(
            returned_at__isnull=False, interview_offered_at__isnull=True,
            returned_at__gte=now - dt.timedelta(days=RETURN_INTERVIEWS_WITHIN_DAYS),
            case__in=_open_cases(user, Action.CASE_RECORD_WORK).filter(pk__in=worked_on),
        )
        .select_related("case", "case__child")
        .annotate(needs_reason=_needs_reason(user))
        .order_by("returned_at", "pk")
    )
    def case_of(episode: MissingEpisode) -> Case:
        # Only episodes recorded with a case are listed here (``case__in`` above).
        return cast(Case, episode.case)

    return [
        WorkItem(
            kind="Return home interview",
            title=_case_title(case_of(episode), episode.needs_reason),
            link=reverse("cases:edit_missing_episode", args=[episode.case_id, episode.pk]),
            action="Record the offer of an interview",
            detail=f"Back from missing {govuk_datetime(episode.returned_at)}.",
            due_at=episode.return_interview_due_at,
            urgency=HIGH,
            names_record=(CASE_RECORD, case_of(episode).pk),
            tag=_tier_tag(case_of(episode)),
            tag_colour=RISK_TIER_TAG_COLOURS[case_of(episode).risk_tier],
        )
        for episode in episodes
    ]


@work_queue_source("case_decisions", label="Approvals", order=35)
def case_decisions_to_make(user: User, now: dt.datetime) -> list[WorkItem]:
    """Requests to close a case, lower its risk tier or lift its restriction that this
    supervisor or chair may approve or reject (never one they asked for), oldest first."""
    requests = selectors.decision_requests_awaiting(user).annotate(
        needs_reason=_needs_reason(user))
    return [
        WorkItem(
            kind="Approval",
            title=_case_title(request.case, request.needs_reason),
            link=reverse("cases:decide", args=[request.pk]),
            action="Approve or reject",
            detail=f"{request.get_kind_display()}: asked by "
                   f"{request.requested_by.display_name} on "
                   f"{govuk_datetime(request.requested_at)}",
            waiting_since=request.requested_at,
            urgency=NORMAL,
            names_record=(CASE_RECORD, request.case_id),
            tag=_tier_tag(request.case),
            tag_colour=RISK_TIER_TAG_COLOURS[request.case.risk_tier],
        )
        for request in requests
    ]
