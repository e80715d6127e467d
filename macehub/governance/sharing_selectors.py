"""Reads of the register of sharing agreements, through the access policy (every
member of staff may read it: it holds no personal data)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.governance.sharing import (
    REVIEW_WARNING_DAYS,
    SharingAgreement,
    SharingAgreementQuerySet,
)


def _with_parties(agreements: QuerySet[SharingAgreement]) -> QuerySet[SharingAgreement]:
    return agreements.prefetch_related(
        Prefetch("parties", queryset=Agency.objects.order_by("name")))


def agreements_for(user: User, *, status: str, day: dt.date) -> QuerySet[SharingAgreement]:
    """The register, filtered by status on the day (empty: every agreement), the
    soonest review first."""
    return _with_parties(policy.scope(user, Action.SHARING_AGREEMENT_VIEW,
                                      SharingAgreement.objects.with_status_on(day, status)))


def agreement_for(user: User, agreement_pk: int,
                  action: Action = Action.SHARING_AGREEMENT_VIEW) -> SharingAgreement:
    return policy.get_or_404(user, action, _with_parties(SharingAgreement.objects.all()),
                             pk=agreement_pk)


def agreements_to_review(user: User, day: dt.date) -> SharingAgreementQuerySet:
    """Agreements in force whose review falls within ``REVIEW_WARNING_DAYS`` of the day
    or has passed, for the user who reviews them (information governance)."""
    if not policy.allows(user, Action.SHARING_AGREEMENT_MANAGE):
        return SharingAgreement.objects.none()
    return SharingAgreement.objects.in_force_on(day).filter(
        review_on__lte=day + dt.timedelta(days=REVIEW_WARNING_DAYS)).order_by("review_on")
