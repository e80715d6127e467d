"""Reads for the retention review pages, through the access policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, F, QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.governance.retention import ReviewItem, review_items
from macehub.governance.retention_codes import DisposalStatus
from macehub.governance.retention_models import (
    DisposalRequest,
    DisposalTombstone,
    LegalHold,
    RetentionRule,
)


def retention_rules(user: User) -> QuerySet[RetentionRule]:
    policy.require(user, Action.RETENTION_RULES_VIEW)
    return RetentionRule.objects.order_by("record_kind", "category")


def disposals_to_decide(user: User) -> QuerySet[DisposalRequest]:
    """Waiting requests this officer may decide: every one another officer asked for."""
    return policy.scope(user, Action.DISPOSAL_DECIDE, DisposalRequest.objects.filter(
        status=DisposalStatus.PENDING)).select_related("requested_by", "rule").order_by(
        "requested_at", "id")


def disposal_for(user: User, disposal_pk: int) -> DisposalRequest:
    return policy.get_or_404(user, Action.DISPOSAL_DECIDE, DisposalRequest.objects.select_related(
        "requested_by", "decided_by", "rule"), pk=disposal_pk)


def recent_tombstones(user: User, limit: int = 20) -> QuerySet[DisposalTombstone]:
    policy.require(user, Action.RETENTION_REVIEW)
    return DisposalTombstone.objects.select_related(
        "rule", "requested_by", "approved_by")[:limit]


def legal_holds(user: User) -> QuerySet[LegalHold]:
    policy.require(user, Action.LEGAL_HOLD_MANAGE)
    return LegalHold.objects.select_related("placed_by", "released_by").annotate(
        record_count=Count("records")).order_by(
        F("released_on").desc(nulls_first=True), "-placed_on", "-id")


def records_by_reference(references: Iterable[str], *, today: dt.date
                         ) -> tuple[list[ReviewItem], list[str]]:
    """The records under review with these references, and the references not found."""
    wanted = list(references)
    found = {item.reference.upper(): item for item in review_items(today=today)
             if item.reference.upper() in set(wanted)}
    return ([found[reference] for reference in wanted if reference in found],
            [reference for reference in wanted if reference not in found])
