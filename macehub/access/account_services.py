"""Changes to agencies, teams and users: each in one transaction, each audited (in
``access`` because each asks the policy; the models stay in ``accounts``).

A user's *access* is their roles, agency, team and whether they can sign in
(``UserAccess``). Three rules guard it, here rather than in the forms, so that no page,
command or API can step round them:

- nobody changes their own access: an administrator who could would need nobody's
  agreement to read anything (the refusal is itself audited);
- a change that grants what ``access.policy.grants_needing_approval`` names (a role that
  reads intelligence, information governance or administration; hub team membership)
  does not apply: it becomes a ``RoleChangeRequest`` that a second administrator, neither
  the requester nor the user, approves or rejects with a comment. Approval applies it in
  one transaction, and only if the user's access is still what it was when asked
  (``RoleChangeStale`` otherwise); the user's other details apply at once either way;
- a user without an agency holds no role (``ROLES_HELD_WITHOUT_AGENCY``).

Bad input raises ``django.core.exceptions.ValidationError`` keyed by the argument at fault,
before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import (
    NO_AGENCY_MESSAGE,
    Agency,
    RoleAssignment,
    RoleChangeRequest,
    Team,
    User,
    UserAccess,
)
from macehub.accounts.roles import Role, RoleChangeStatus
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event

_AUDITED_USER_FIELDS = ("username", "first_name", "last_name", "email", "job_title",
                        "agency", "team", "is_active")

REASON_NEEDED_MESSAGE = (
    "Enter why the user needs this access – the administrator who approves it will read it"
)
COMMENT_NEEDED_MESSAGE = "Enter a comment on your decision"
HUB_TEAM_WITH_MEMBERS_MESSAGE = (
    "This team has members, so it cannot be made a hub team: add a hub team and move "
    "people into it, which a second administrator approves"
)


@dataclass(frozen=True)
class UserSaved:
    """What ``save_user`` did: ``request`` is the change of access waiting for a second
    administrator, when the change needed one (the user's other details are saved)."""

    user: User
    request: RoleChangeRequest | None


class OwnAccessRefused(ValidationError):
    """An administrator tried to change their own roles, agency, team or sign-in."""


class RoleChangeStale(Exception):
    """The user's access changed after the request was made: approving it would undo that
    change. ``differences`` are (what, when requested, now), in words."""

    def __init__(self, request: RoleChangeRequest,
                 differences: list[tuple[str, str, str]]) -> None:
        super().__init__("The user's access has changed since the request was made")
        self.request = request
        self.differences = differences


def _snapshot(record: Agency | Team | User, fields: Iterable[str] | None = None) -> dict[str, Any]:
    data = model_to_dict(record, fields=list(fields) if fields else None)
    if isinstance(record, User):
        data["roles"] = sorted(record.role_codes)
    return data


def _access_values(access: UserAccess) -> dict[str, Any]:
    """A user's access as ``_snapshot`` words it, for old and new values in the audit log."""
    return {"roles": sorted(access.roles), "agency": access.agency_id,
            "team": access.team_id, "is_active": access.is_active}


def _stored_access(user_pk: int) -> tuple[User, UserAccess]:
    """The user as stored, locked until the transaction ends, and their access."""
    stored = User.objects.select_for_update(of=("self",)).select_related("team").get(pk=user_pk)
    roles = frozenset(RoleAssignment.objects.filter(user_id=user_pk).values_list("role", flat=True))
    return stored, UserAccess(roles, stored.agency_id, stored.team_id, stored.is_active)


def _in_hub_team(team_id: int | None) -> bool:
    return team_id is not None and Team.objects.filter(pk=team_id, is_hub_team=True).exists()


def _new_grants(before: UserAccess, after: UserAccess) -> frozenset[str]:
    return (
        policy.grants_needing_approval(after, in_hub_team=_in_hub_team(after.team_id))
        - policy.grants_needing_approval(before, in_hub_team=_in_hub_team(before.team_id))
    )


def _set_roles(user: User, roles: frozenset[str]) -> None:
    user.role_assignments.exclude(role__in=roles).delete()
    held = set(user.role_assignments.values_list("role", flat=True))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role) for role in sorted(roles - held)
    )
    user.forget_cached_roles()


def _apply_access(user: User, access: UserAccess, **save_options: Any) -> None:
    """Save the user with exactly this access. The roles go first on an existing account:
    the user's own check refuses an agency-less account that still holds roles."""
    user.agency_id, user.team_id, user.is_active = (
        access.agency_id, access.team_id, access.is_active
    )
    if user.pk is None:
        user.save(**save_options)
        _set_roles(user, access.roles)
    else:
        _set_roles(user, access.roles)
        user.save(**save_options)


def _own_access_messages(before: UserAccess, wanted: UserAccess) -> dict[str, str]:
    messages = {}
    if before.roles != wanted.roles:
        messages["roles"] = "You cannot change your own roles – ask another administrator"
    if before.agency_id != wanted.agency_id:
        messages["agency"] = "You cannot change your own agency – ask another administrator"
    if before.team_id != wanted.team_id:
        messages["team"] = "You cannot change your own team – ask another administrator"
    if before.is_active != wanted.is_active:
        messages["is_active"] = (
            "You cannot switch off your own account – ask another administrator"
            if before.is_active
            else "You cannot switch on your own account – ask another administrator"
        )
    return messages


@transaction.atomic
def save_agency(*, actor: User, agency: Agency) -> Agency:
    """Create or change an agency (the form has already validated it)."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    creating = agency.pk is None
    before = {} if creating else _snapshot(Agency.objects.get(pk=agency.pk))
    agency.save()
    record_event(
        event_type=EventType.CREATE if creating else EventType.CHANGE,
        actor=actor,
        record=agency,
        detail={"changes": changed_values(before, _snapshot(agency))},
    )
    return agency


@transaction.atomic
def save_team(*, actor: User, team: Team) -> Team:
    """Create or change a team. A team with members cannot become a hub team: that would
    grant every member hub membership without a second administrator."""
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    creating = team.pk is None
    stored = None if creating else Team.objects.select_for_update().get(pk=team.pk)
    if team.is_hub_team and stored is not None and not stored.is_hub_team \
            and stored.members.exists():
        raise ValidationError({"is_hub_team": HUB_TEAM_WITH_MEMBERS_MESSAGE})
    before = {} if stored is None else _snapshot(stored)
    team.save()
    record_event(
        event_type=EventType.CREATE if creating else EventType.CHANGE,
        actor=actor,
        record=team,
        detail={"changes": changed_values(before, _snapshot(team))},
    )
    return team


def save_user(
    *,
    actor: User,
    user: User,
    roles: Iterable[Role | str],
    password: str | None = None,
    reason: str = "",
) -> UserSaved:
    """Create or change a user account with exactly the roles given, or, when the change
    of access needs a second administrator, save the other details and ask for it.
    ``reason`` says why the user needs the access (required when it needs approval)."""
    try:
        return _save_user(actor=actor, user=user, roles=roles, password=password,
                          reason=reason)
    except OwnAccessRefused as refusal:
        # Written after the refused transaction rolled back, so the attempt is kept.
        record_event(
            event_type=EventType.PERMISSION_DENIED,
            actor=actor,
            record=user,
            detail={"reason": "An administrator may not change their own access",
                    "fields": sorted(refusal.message_dict)},
        )
        raise


@transaction.atomic
def _save_user(
    *, actor: User, user: User, roles: Iterable[Role | str], password: str | None, reason: str
) -> UserSaved:
    policy.require(actor, Action.ACCOUNTS_MANAGE)
    wanted = UserAccess(frozenset(str(Role(role)) for role in roles), user.agency_id,
                        user.team_id, user.is_active)
    creating = user.pk is None
    if creating:
        before: dict[str, Any] = {}
        # A new account starts with no access; the access asked for is the change.
        before_access = UserAccess(frozenset(), None, None, wanted.is_active)
    else:
        stored, before_access = _stored_access(user.pk)
        before = _snapshot(stored, _AUDITED_USER_FIELDS)
        if user.pk == actor.pk and wanted != before_access:
            raise OwnAccessRefused(_own_access_messages(before_access, wanted))

    errors: dict[str, str] = {}
    if wanted.roles_needing_agency():
        errors["agency"] = NO_AGENCY_MESSAGE
    if user.team_id is not None and user.team is not None \
            and user.team.agency_id != wanted.agency_id:
        errors["team"] = "Select a team that belongs to the user's agency"
    grants = _new_grants(before_access, wanted)
    reason = reason.strip()
    if grants and not reason:
        errors["reason"] = REASON_NEEDED_MESSAGE
    if errors:
        raise ValidationError(errors)

    if creating:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    request = None
    if grants:
        # The details now; the access when a second administrator approves it.
        _apply_access(user, before_access)
        request = RoleChangeRequest.between(
            before_access, wanted, subject=user, requested_by=actor,
            requested_at=timezone.now(), reason=reason,
        )
        request.save()
    else:
        _apply_access(user, wanted)
    details = changed_values(before, _snapshot(user, _AUDITED_USER_FIELDS))
    if creating or details or request is None:
        record_event(
            event_type=EventType.CREATE if creating else EventType.CHANGE,
            actor=actor,
            record=user,
            detail={"changes": details},
        )
    if request is not None:
        record_event(
            event_type=EventType.ROLE_CHANGE_REQUESTED,
            actor=actor,
            record=user,
            detail={
                "request": request.pk,
                "changes": changed_values(_access_values(before_access),
                                          _access_values(wanted)),
                "needs_approval_for": sorted(grants),
                "reason": reason,
            },
        )
    return UserSaved(user, request)


def _request_for_decision(actor: User, request_pk: int, comment: str
                          ) -> tuple[RoleChangeRequest, str]:
    """The request, locked, if this administrator may decide it (403 for their own or
    one about themselves, 404 for those who may not see requests), still waiting, with a
    comment."""
    request = policy.get_or_404(
        actor, Action.ROLE_CHANGE_DECIDE,
        RoleChangeRequest.objects.select_for_update(of=("self",)), pk=request_pk,
    )
    if not request.is_pending:
        raise ValidationError(
            f"This request has already been {request.get_status_display().lower()} by "
            f"{request.decided_by.display_name if request.decided_by else 'someone else'}"
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": COMMENT_NEEDED_MESSAGE})
    return request, comment


def _close(request: RoleChangeRequest, actor: User, status: RoleChangeStatus,
           comment: str) -> None:
    now = timezone.now()
    closed = RoleChangeRequest.objects.filter(
        pk=request.pk, status=RoleChangeStatus.PENDING
    ).update(status=status, decided_by=actor, decided_at=now, decision_comment=comment)
    if not closed:  # decided by someone else in between, on an engine without row locks
        raise ValidationError("This request has just been decided by someone else")
    request.refresh_from_db()


@transaction.atomic
def approve_role_change(*, actor: User, request_pk: int, comment: str) -> RoleChangeRequest:
    """Apply a change of access another administrator asked for, if the user's access is
    still what it was when they asked; otherwise refuse with ``RoleChangeStale``."""
    request, comment = _request_for_decision(actor, request_pk, comment)
    subject, now_access = _stored_access(request.subject_id)
    if now_access != request.old_access:
        raise RoleChangeStale(
            request, RoleChangeRequest.between(request.old_access, now_access).changes()
        )
    wanted = request.new_access
    if wanted.roles_needing_agency():
        raise ValidationError(NO_AGENCY_MESSAGE)
    before = _snapshot(subject, _AUDITED_USER_FIELDS)
    _apply_access(subject, wanted, update_fields=["agency", "team", "is_active"])
    _close(request, actor, RoleChangeStatus.APPROVED, comment)
    record_event(
        event_type=EventType.ROLE_CHANGE_APPROVED,
        actor=actor,
        record=subject,
        detail={
            "request": request.pk,
            "requested_by": request.requested_by.username,
            "changes": changed_values(before, _snapshot(subject, _AUDITED_USER_FIELDS)),
            "comment": comment,
        },
    )
    return request


@transaction.atomic
def reject_role_change(*, actor: User, request_pk: int, comment: str) -> RoleChangeRequest:
    """Close a change of access without applying it."""
    request, comment = _request_for_decision(actor, request_pk, comment)
    _close(request, actor, RoleChangeStatus.REJECTED, comment)
    record_event(
        event_type=EventType.ROLE_CHANGE_REJECTED,
        actor=actor,
        record=request.subject,
        detail={
            "request": request.pk,
            "requested_by": request.requested_by.username,
            "changes": changed_values(_access_values(request.old_access),
                                      _access_values(request.new_access)),
            "comment": comment,
        },
    )
    return request
