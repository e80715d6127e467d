"""Safeguarding outcomes recorded for the child on their case."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import transaction

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.cases.codes import OutcomeKind
from macehub.cases.models import CaseOutcome
from macehub.cases.services.checks import _audit_case, _case_for_change, _not_in_future, _raise_if


@transaction.atomic
def record_outcome(
    *,
    actor: User,
    case_pk: int,
    kind: OutcomeKind | str,
    recorded_on: dt.date | None,
    note: str = "",
) -> CaseOutcome:
    """Record a safeguarding outcome for the child."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    if kind not in OutcomeKind.values:
        errors["kind"] = "Select the outcome"
    note = (note or "").strip()
    if kind == OutcomeKind.OTHER and not note:
        errors["note"] = "Describe the outcome"
    if recorded_on is None:
        errors["recorded_on"] = "Enter the date of the outcome"
    _not_in_future(errors, "recorded_on", recorded_on,
                   "The date of the outcome must be today or in the past")
    _raise_if(errors)
    recorded_on = cast(dt.date, recorded_on)
    outcome = CaseOutcome.objects.create(
        case=case, kind=OutcomeKind(kind), recorded_on=recorded_on, note=note, recorded_by=actor,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "outcome": outcome.pk, "added": True, "kind": outcome.kind, "recorded_on": recorded_on,
    })
    return outcome
