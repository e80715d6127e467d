"""Next actions: the short list at the top of a case's overview of what needs doing now,
each with a link to where it is done.

Each kind is a function registered with ``@next_action_kind``: it is given what the
overview has already worked out (``NextActionContext``: the case overview, the requests
waiting for a decision, and what the viewer may do) and yields ``NextAction`` items. It
must not query the database for each item: the overview has fetched what it needs. To
add a kind, write a function here (or in another app's ``next_actions.py``, found by
module discovery) and register it; the list is sorted overdue first, then by due date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from macehub.cases.codes import MissingEpisodeState
from macehub.cases.models import ReferralJoined
from macehub.cases.selectors import CaseOverview, PendingDecision
from macehub.core.registry import Registry


@dataclass(frozen=True)
class NextAction:
    kind: str
    text: str
    href: str
    due_on: dt.date | None = None
    overdue: bool = False


@dataclass(frozen=True)
class NextActionContext:
    overview: CaseOverview
    pending: list[PendingDecision]
    referrals_joined: list[ReferralJoined]
    can_change: bool
    can_record: bool
    can_assess_risk: bool

    @property
    def case_pk(self) -> int:
        return self.overview.case.pk

    def url(self, name: str, *args: int) -> str:
        return reverse(name, args=[self.case_pk, *args])


NextActionKind = Callable[[NextActionContext], Iterable[NextAction]]
NEXT_ACTION_KINDS: Registry[NextActionKind] = Registry("next action kind",
                                                      module_name="next_actions")


def next_action_kind(name: str) -> Callable[[NextActionKind], NextActionKind]:
    return NEXT_ACTION_KINDS.register(name)


def registered_kinds() -> dict[str, NextActionKind]:
    return dict(NEXT_ACTION_KINDS.items())


def next_actions(context: NextActionContext) -> list[NextAction]:
    """What needs doing on the case, overdue first, then soonest due."""
    items = [item for kind in registered_kinds().values() for item in kind(context)]
    items.sort(key=lambda item: (not item.overdue, item.due_on or dt.date.max))
    return items


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --- The kinds ----------------------------------------------------------------------


@next_action_kind("key_worker")
def no_key_worker(context: NextActionContext) -> Iterable[NextAction]:
    case = context.overview.case
    if case.is_open and case.key_worker_id is None:
        yield NextAction(
            kind="key_worker", text="Name a key worker",
            href=context.url("cases:change_key_worker" if context.can_change
                             else "cases:workers"))


@next_action_kind("advocate")
def no_advocate(context: NextActionContext) -> Iterable[NextAction]:
    if context.overview.case.is_open and context.overview.current_advocate is None:
        yield NextAction(
            kind="advocate", text="Allocate a victim advocate",
            href=context.url("cases:change_advocate" if context.can_change
                             else "cases:workers"))


@next_action_kind("return_interview")
def return_interviews_to_offer(context: NextActionContext) -> Iterable[NextAction]:
    """Each episode whose return home interview is still to be offered."""
    for view in context.overview.episodes:
        if view.state not in (MissingEpisodeState.OFFER_DUE, MissingEpisodeState.OFFER_OVERDUE):
            continue
        episode = view.episode
        due_at = view.interview_due_at
        editable = context.can_record and episode.case_id == context.case_pk
        yield NextAction(
            kind="return_interview",
            text="Offer a return home interview (missing from "
                 f"{timezone.localtime(episode.went_missing_at):%-d %B %Y})",
            href=(context.url("cases:edit_missing_episode", episode.pk) if editable
                  else context.url("cases:missing")),
            due_on=timezone.localdate(due_at) if due_at is not None else None,
            overdue=view.state == MissingEpisodeState.OFFER_OVERDUE,
        )


@next_action_kind("risk_review")
def risk_review(context: NextActionContext) -> Iterable[NextAction]:
    review = context.overview.risk_review
    if review is None or not review.is_due:
        return
    text = ("Review the risk: first assessment due" if review.never_assessed
            else "Review the risk")
    yield NextAction(
        kind="risk_review", text=text,
        href=context.url("cases:add_risk_assessment" if context.can_assess_risk
                         else "cases:risk_assessments"),
        due_on=review.due_on, overdue=review.is_overdue,
    )


@next_action_kind("plan_items")
def overdue_plan_items(context: NextActionContext) -> Iterable[NextAction]:
    overdue = context.overview.overdue_plan_items
    if overdue:
        yield NextAction(
            kind="plan_items", text=f"{_plural(len(overdue), 'plan item')} overdue",
            href=context.url("cases:plan"),
            due_on=min(item.due_on for item in overdue), overdue=True,
        )


@next_action_kind("referral_joined")
def referrals_joined(context: NextActionContext) -> Iterable[NextAction]:
    """Each new referral that joined the case and waits for its tier to be reviewed."""
    for joined in context.referrals_joined:
        yield NextAction(
            kind="referral_joined",
            text=f"Review the risk tier: referral {joined.referral_reference} from "
                 f"{joined.referring_agency.name} joined the case",
            href=f"#referral-joined-{joined.pk}",
            due_on=timezone.localdate(joined.joined_at),
        )


@next_action_kind("decision")
def decisions_waiting(context: NextActionContext) -> Iterable[NextAction]:
    """Each request waiting for a decision: to decide, for those who may; otherwise to
    know it is waiting (on the overview, where it is shown)."""
    for pending in context.pending:
        request = pending.request
        yield NextAction(
            kind="decision",
            text=(f"Decide: {request.asked_for}" if pending.can_decide
                  else f"Waiting for a decision: {request.asked_for}"),
            href=(reverse("cases:decide", args=[request.pk]) if pending.can_decide
                  else f"#pending-decision-{request.pk}"),
        )
