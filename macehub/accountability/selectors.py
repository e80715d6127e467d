"""Reading the tracker, scoped through ``access.policy``: inspections with their
recommendations, each recommendation with its actions, linked measures and histories,
one's own actions, and published progress statements."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accountability.codes import ActionStatus
from macehub.accountability.models import (
    ImprovementAction,
    Inspection,
    ProgressStatement,
    Recommendation,
    StatusChange,
)
from macehub.accounts.models import User


def inspections(user: User) -> QuerySet[Inspection]:
    return policy.scope(user, Action.INSPECTION_VIEW, Inspection.objects.annotate(
        findings=Count("recommendations", distinct=True),
        closed=Count("recommendations", distinct=True,
                     filter=Q(recommendations__status__in=["completed", "evidenced"])),
    ))


def inspection_for(user: User, inspection_pk: int,
                   action: Action = Action.INSPECTION_VIEW) -> Inspection:
    return policy.get_or_404(user, action, Inspection.objects.select_related("created_by"),
                             pk=inspection_pk)


def recommendations_of(inspection: Inspection, today: dt.date) -> QuerySet[Recommendation]:
    """An inspection's findings, recommendations first, with their actions counted (and
    the overdue ones) and the day the last action falls due."""
    return inspection.recommendations.annotate(
        action_count=Count("actions"),
        done_count=Count("actions", filter=Q(actions__status=ActionStatus.DONE)),
        overdue_count=Count("actions", filter=Q(actions__status=ActionStatus.OPEN,
                                                actions__due_on__lt=today)),
        last_due=Max("actions__due_on"),
    ).order_by("-kind", "number")


def recommendation_for(user: User, recommendation_pk: int,
                       action: Action = Action.INSPECTION_VIEW) -> Recommendation:
    return policy.get_or_404(
        user, action,
        Recommendation.objects.select_related("inspection").prefetch_related(
            Prefetch("actions", ImprovementAction.objects.select_related("owner", "agency")),
            "metric_links",
            Prefetch("status_changes", StatusChange.objects.select_related("changed_by")),
            "assessment_changes__assessed_by"),
        pk=recommendation_pk)


def actions_owned(user: User) -> QuerySet[ImprovementAction]:
    """The user's own actions, open ones first by due date."""
    return policy.scope(user, Action.IMPROVEMENT_ACTION_VIEW, ImprovementAction.objects.filter(
        owner=user)).select_related("recommendation__inspection", "agency").order_by(
        "-status", "due_on", "pk")


def open_actions_owned(user: User) -> QuerySet[ImprovementAction]:
    return actions_owned(user).filter(status=ActionStatus.OPEN).order_by("due_on", "pk")


def action_for(user: User, action_pk: int,
               action: Action = Action.IMPROVEMENT_ACTION_VIEW) -> ImprovementAction:
    return policy.get_or_404(user, action, ImprovementAction.objects.select_related(
        "recommendation__inspection", "agency", "owner"), pk=action_pk)


def statements_of(inspection: Inspection) -> QuerySet[ProgressStatement]:
    return inspection.statements.select_related("inspection")


def published_statements(user: User) -> QuerySet[ProgressStatement]:
    policy.require(user, Action.PROGRESS_STATEMENT_VIEW)
    return ProgressStatement.objects.select_related("inspection")


def statement_for(user: User, statement_pk: int) -> ProgressStatement:
    return policy.get_or_404(user, Action.PROGRESS_STATEMENT_VIEW,
                             ProgressStatement.objects.select_related("inspection"),
                             pk=statement_pk)
