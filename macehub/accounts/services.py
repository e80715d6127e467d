"""Changes to agencies, teams and users: each in one transaction, each audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict

from macehub.accounts.models import Agency, RoleAssignment, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event

_AUDITED_USER_FIELDS = ("username", "first_name", "last_name", "email", "job_title",
                        "agency", "team", "is_active")


def _snapshot(record: Agency | Team | User, fields: Iterable[str] | None = None) -> dict[str, Any]:
    data = model_to_dict(record, fields=list(fields) if fields else None)
    if isinstance(record, User):
        data["roles"] = sorted(record.role_codes)
    return data


@transaction.atomic
def save_agency(*, actor: User, agency: Agency) -> Agency:
    """Create or change an agency (the form has already validated it)."""
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
    creating = team.pk is None
    before = {} if creating else _snapshot(Team.objects.get(pk=team.pk))
    team.save()
    record_event(
        event_type=EventType.CREATE if creating else EventType.CHANGE,
        actor=actor,
        record=team,
        detail={"changes": changed_values(before, _snapshot(team))},
    )
    return team


@transaction.atomic
def save_user(
    *, actor: User, user: User, roles: Iterable[Role | str], password: str | None = None
) -> User:
    """Create or change a user account and set exactly the roles given."""
    creating = user.pk is None
    before = {} if creating else _snapshot(User.objects.get(pk=user.pk), _AUDITED_USER_FIELDS)
    if creating:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
    user.save()
    wanted = {Role(role) for role in roles}
    user.role_assignments.exclude(role__in=wanted).delete()
    held = set(user.role_assignments.values_list("role", flat=True))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role) for role in sorted(wanted - held)
    )
    user.forget_cached_roles()
    record_event(
        event_type=EventType.CREATE if creating else EventType.CHANGE,
        actor=actor,
        record=user,
        detail={"changes": changed_values(before, _snapshot(user, _AUDITED_USER_FIELDS))},
    )
    return user
