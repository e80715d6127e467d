"""What cases put in people's work queues (see ``macehub.core.work_queue``): the plan
items a person owns that are due soon or overdue (and the overdue ones a partner agency
owns, for the case's key worker to chase), the return home interviews still to be
offered for the children they work with, the risk reviews due on their cases, the tier
reviews a new referral joining a case asks of its key worker, and the requests for
approval a supervisor or the MACE chair may decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.cases import selectors
from macehub.cases.codes import Brag, CaseStatus, PlanItemStatus, RiskTier, short_label
from macehub.cases.models import Case, PlanItem
from macehub.cases.selectors import RiskReviewStatus
from macehub.core.work_queue import (
    HIGH,
    NORMAL,
    Waiting,
    WorkItem,
    WorkSelection,
    day_clocks,
    work_queue_source,
)
from macehub.ui.formatting import govuk_datetime

CASE_RECORD = "cases.case"
PERSON_RECORD = "people.person"
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
def plan_items_due(user: User, now: dt.datetime) -> WorkSelection:
    """Open plan items the user owns, due within two weeks or overdue, on open cases
    they may see; and, for the key worker, the overdue items a partner agency's named
    person owns (a partner has no work queue: the hub chases them). Each drawn only
    when shown."""
    items = _plan_items(user, now)
    clock = day_clocks(now, urgency=NORMAL)
    waiting = []
    for pk, due_on in items.values_list("pk", "due_on"):
        place, overdue = clock(due_on)
        waiting.append(Waiting(place=place, overdue=overdue, key=pk))

    def draw(pks: list[Any]) -> list[WorkItem | None]:
        drawn = {item.pk: item for item in items.filter(pk__in=pks)
                 .select_related("case", "case__child").annotate(
                     needs_reason=_needs_reason(user))}
        return [_plan_item(drawn[pk]) if pk in drawn else None for pk in pks]

    return WorkSelection(waiting=waiting, draw=draw)


def _plan_items(user: User, now: dt.datetime) -> QuerySet[PlanItem]:
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=PLAN_ITEMS_AHEAD_DAYS)
    return PlanItem.objects.filter(
        Q(owner=user, due_on__lte=horizon)
        | Q(owner__isnull=True, case__key_worker=user, due_on__lt=today),
        status=PlanItemStatus.OPEN,
        case__in=_open_cases(user, Action.CASE_VIEW),
    ).order_by("due_on", "pk")


def _plan_item(item: Any) -> WorkItem:
    return WorkItem(
        kind="Plan item",
        title=_case_title(item.case, item.needs_reason),
        link=reverse("cases:plan", args=[item.case_id]),
        action="Open the plan",
        detail=_plan_item_detail(item),
        due_on=item.due_on,
        urgency=NORMAL,
        names_record=(CASE_RECORD, item.case_id),
        tag=_tier_tag(item.case),
        tag_colour=RiskTier(item.case.risk_tier).tag_colour,
    )


def _plan_item_detail(item: PlanItem) -> str:
    if item.owner_id is not None:
        return f"Action: {item.action}"
    role = f", {item.partner_owner_role}" if item.partner_owner_role else ""
    return (f"Action: {item.action}. Owned by {item.partner_owner_name}{role} "
            f"({item.partner_owner_agency}): chase them on {item.partner_owner_contact}")


@work_queue_source("return_interviews", label="Return home interviews", order=30)
def return_interviews_to_offer(user: User, now: dt.datetime) -> list[WorkItem]:
    """Children back from a missing episode in the last four weeks who have not yet been
    offered a return home interview (a declined offer is not due): the episodes recorded
    with an open case the user works on (key worker, allocated, current advocate), and
    those recorded without a case by the user. Read through ``selectors``: only children
    the user may see, never an episode of a restricted case they do not work on."""
    # The ones they work with, picked in the query: everyone else's (every child's, for
    # a supervisor at national scale) are not read.
    worked_on = _open_cases(user, Action.CASE_RECORD_WORK).filter(selectors.works_on(user))
    episodes = [view.episode for view in selectors.return_interviews_due(
        user, now, returned_since=now - dt.timedelta(days=RETURN_INTERVIEWS_WITHIN_DAYS),
        among=Q(case__in=worked_on.values("pk")) | Q(case__isnull=True, recorded_by=user))]
    items = []
    for episode in episodes:
        case = episode.case
        if case is None:
            link = reverse("cases:child_edit_missing_episode",
                           args=[episode.child_id, episode.pk])
            names: tuple[str, int] = (PERSON_RECORD, episode.child_id)
            tag, colour = "No MACE case", "grey"
        else:
            link = reverse("cases:edit_missing_episode", args=[case.pk, episode.pk])
            names = (CASE_RECORD, case.pk)
            tag, colour = _tier_tag(case), RiskTier(case.risk_tier).tag_colour
        title = (f"{case.reference}: {episode.child.full_name}" if case is not None
                 else episode.child.full_name)
        items.append(WorkItem(
            kind="Return home interview",
            title=title,
            link=link,
            action="Record the offer of an interview",
            detail=f"Back from missing {govuk_datetime(episode.returned_at)}. The "
                   f"interview is to be offered within {settings.RETURN_INTERVIEW_HOURS} "
                   "hours of the return.",
            due_at=episode.return_interview_due_at,
            urgency=HIGH,
            names_record=names,
            tag=tag,
            tag_colour=colour,
        ))
    return items


@work_queue_source("risk_reviews", label="Risk reviews", order=38,
                   everything="cases:risk_reviews")
def risk_reviews_to_do(user: User, now: dt.datetime) -> WorkSelection:
    """Risk assessments due or overdue (a case never assessed is due from its opening) on
    the open cases the user works on; a supervisor or MACE chair, who oversees the hub's
    cases, also sees every overdue review of the cases they may see (thousands, at
    national scale: each is drawn only when shown)."""
    if not policy.allows(user, Action.CASE_ASSESS_RISK):
        return WorkSelection(waiting=[], draw=_risk_review_items(user, now))
    oversees = policy.allows(user, Action.CASE_DECIDE)
    waiting = []
    clock = day_clocks(now, urgency=NORMAL)
    for review in selectors.risk_review_dates(user, now, worked_on_only=not oversees):
        place, overdue = clock(review.due_on)
        if review.user_works_on or (oversees and overdue):
            waiting.append(Waiting(place=place, overdue=overdue, key=review.case_pk))
    return WorkSelection(waiting=waiting, draw=_risk_review_items(user, now))


def _risk_review_items(user: User, now: dt.datetime
                       ) -> Callable[[list[Any]], list[WorkItem | None]]:
    def draw(case_pks: list[Any]) -> list[WorkItem | None]:
        reviews = {review.case.pk: review
                   for review in selectors.risk_reviews_due(user, now, of_cases=case_pks)}
        return [_risk_review_item(reviews[pk]) if pk in reviews else None
                for pk in case_pks]

    return draw


def _risk_review_item(review: RiskReviewStatus) -> WorkItem:
    case = review.case
    return WorkItem(
        kind="Risk review",
        title=_case_title(case, review.name_hidden),
        link=reverse("cases:risk_assessments", args=[case.pk]),
        action="Record a risk assessment",
        detail=("Never assessed since the case opened." if review.assessed_on is None
                else f"Last assessed {review.assessed_on:%-d %B %Y}."),
        due_on=review.due_on,
        urgency=NORMAL,
        names_record=(CASE_RECORD, case.pk),
        tag=_tier_tag(case),
        tag_colour=RiskTier(case.risk_tier).tag_colour,
    )


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
            tag_colour=RiskTier(request.case.risk_tier).tag_colour,
        )
        for request in requests
    ]


@work_queue_source("tier_reviews", label="Tier reviews", order=37)
def tier_reviews_to_do(user: User, now: dt.datetime) -> list[WorkItem]:
    """"Review the tier: a new referral joined": for the case's key worker, or a
    supervisor when the case has none, until the tier is changed or kept with a reason."""
    items = []
    for joined in selectors.tier_reviews_due(user):
        case = joined.case
        rating = ", ".join(part for part in (
            joined.brag_name, f"{joined.triage_tier_name} risk" if joined.risk_tier else "")
            if part)
        items.append(WorkItem(
            kind="Tier review",
            title=_case_title(case, bool(getattr(joined, "needs_reason", False))),
            link=reverse("cases:detail", args=[case.pk]),
            action="Review the tier: a new referral joined",
            detail=f"Referral {joined.referral_reference} from {joined.referring_agency.name}: "
                   f"triage rated it {rating or 'without a rating'}; the case is "
                   f"{short_label(RiskTier(case.risk_tier)).lower()} risk.",
            waiting_since=joined.joined_at,
            urgency=HIGH if joined.brag == Brag.RED else NORMAL,
            names_record=(CASE_RECORD, case.pk),
            tag=short_label(Brag(joined.brag)) if joined.brag else _tier_tag(case),
            tag_colour=Brag(joined.brag).tag_colour if joined.brag
            else RiskTier(case.risk_tier).tag_colour,
        ))
    return items
