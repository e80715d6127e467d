"""Reading requests to change users' access, scoped through the access policy: what
information governance reviews and what administrators decide."""

from __future__ import annotations

from django.db.models import QuerySet

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import RoleChangeRequest, User
from macehub.accounts.roles import RoleChangeStatus


def _requests(user: User) -> QuerySet[RoleChangeRequest]:
    requests = RoleChangeRequest.objects.select_related(
        "subject", "requested_by", "decided_by", "old_agency", "new_agency", "old_team",
        "new_team",
    )
    return policy.scope(user, Action.ROLE_CHANGE_VIEW, requests)


def pending_role_changes(user: User) -> QuerySet[RoleChangeRequest]:
    """Requests waiting for a second administrator, oldest first (the queue's order)."""
    return _requests(user).filter(status=RoleChangeStatus.PENDING).order_by("requested_at", "id")


def decided_role_changes(user: User) -> QuerySet[RoleChangeRequest]:
    """Approved and rejected requests, most recently decided first."""
    return _requests(user).exclude(status=RoleChangeStatus.PENDING).order_by(
        "-decided_at", "-id"
    )


def pending_role_changes_for(user: User, subject: User) -> QuerySet[RoleChangeRequest]:
    """The requests waiting about one account, for its page."""
    return pending_role_changes(user).filter(subject=subject)


def decidable_ids(user: User, requests: QuerySet[RoleChangeRequest]) -> set[int]:
    """Which of these requests this user may approve or reject."""
    return set(
        policy.scope(user, Action.ROLE_CHANGE_DECIDE, requests).values_list("pk", flat=True)
    )


def role_change_for_view(user: User, request_pk: int) -> RoleChangeRequest:
    return policy.get_or_404(user, Action.ROLE_CHANGE_VIEW, _requests(user), pk=request_pk)


def role_change_for_decision(user: User, request_pk: int) -> RoleChangeRequest:
    return policy.get_or_404(user, Action.ROLE_CHANGE_DECIDE, _requests(user), pk=request_pk)
