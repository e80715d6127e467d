"""The checks every case service makes: the case (or a row of it) fetched and locked
through the access policy, input checked and refused keyed by the argument at fault, and
the change audited against the case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.codes import ExploitationType
from macehub.cases.models import Case


def _case_for_change(actor: User, action: Action, case_pk: int, *, must_be_open: bool = True
                     ) -> Case:
    """The case, locked for the rest of the transaction: 404 if the actor may not know
    it exists, 403 if they may see it but not take this action."""
    case = policy.get_or_404(actor, action, Case.objects.select_for_update(), pk=case_pk)
    if must_be_open and not case.is_open:
        raise ValidationError(f"Case {case.reference} is closed: it can no longer be changed")
    return case


def _sub_record(actor: User, action: Action, queryset: QuerySet[Any], pk: int) -> Any:
    """A row that belongs to a case, fetched through the case's access rule (404 unless
    the actor may know the case exists); its ``case`` is the locked, checked case."""
    row = queryset.select_for_update().filter(pk=pk).first()
    if row is None:
        raise Http404("No such record")
    row.case = _case_for_change(actor, action, row.case_id)
    return row


def _require_text(errors: dict[str, str], name: str, value: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        errors[name] = message
    return text


def _not_in_future(errors: dict[str, str], name: str, value: dt.datetime | dt.date | None,
                   message: str) -> None:
    if value is None or name in errors:
        return
    if isinstance(value, dt.datetime):
        if value > timezone.now():
            errors[name] = message
    elif value > timezone.localdate():
        errors[name] = message


def _raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _is_case_worker(user: User) -> bool:
    return user.is_active and policy.allows(user, Action.CASE_VIEW)


def _audit_case(actor: User, case: Case, event_type: EventType, detail: dict[str, Any],
                purpose: str = "") -> None:
    record_event(event_type=event_type, actor=actor, record=case, detail=detail,
                 purpose=purpose)


def _checked_types(types: Sequence[str]) -> list[str]:
    """Exploitation types as stored: one or more from the code list, in its order."""
    unknown = [value for value in types if value not in ExploitationType.values]
    if unknown:
        raise ValidationError({"exploitation_types": (
            f"{', '.join(map(repr, unknown))}: choose the type of exploitation from the list")})
    if not types:
        raise ValidationError({"exploitation_types": "Select the type of exploitation"})
    return [value for value in ExploitationType.values if value in set(types)]
