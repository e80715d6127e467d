"""The steps a referral of sexual activity with a child aged 12 or under prompts at once
(the police told, a strategy discussion held), each recorded as done or not."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values, record_event
from macehub.core.service_errors import ServiceRefused
from macehub.referrals.codes import ImmediateStepKind
from macehub.referrals.models import ImmediateStep, Referral


@transaction.atomic
def record_immediate_step(
    *,
    actor: User,
    referral_pk: int,
    kind: ImmediateStepKind | str,
    done: bool,
    done_at: dt.datetime | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> ImmediateStep:
    """Record whether a step the referral prompted was taken (telling the police, a
    strategy discussion): done, and when; or not done, and why. Recorded again, it
    replaces the earlier answer; both are in the audit log."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    if str(kind) not in ImmediateStepKind.values:
        raise ServiceRefused("Choose the step from the list")
    if not referral.prompts_immediate_steps:
        raise ServiceRefused("This referral does not prompt that step")
    note = note.strip()
    now = timezone.now()
    if done:
        if done_at is None or timezone.is_naive(done_at):
            raise ServiceRefused("Enter when it was done", field="done_on")
        if done_at > now:
            raise ServiceRefused("When it was done must be now or in the past", field="done_on")
        if done_at < referral.received_at.replace(second=0, microsecond=0):
            raise ServiceRefused("When it was done must be after the referral was received",
                                 field="done_on")
    else:
        done_at = None
        if not note:
            raise ServiceRefused("Enter why it has not been done", field="note")
    step = ImmediateStep.objects.select_for_update().filter(
        referral=referral, kind=kind).first()
    before = _step_values(step) if step else {}
    if step is None:
        step = ImmediateStep(referral=referral, kind=ImmediateStepKind(kind))
    else:
        step.version += 1
    step.done, step.done_at, step.note = done, done_at, note
    step.recorded_by, step.recorded_at = actor, now
    step.save()
    record_event(
        event_type=EventType.CHANGE if before else EventType.CREATE,
        actor=actor,
        record=step,
        detail={"referral": referral.reference, "kind": step.kind,
                "changes": changed_values(before, _step_values(step))},
        request=request,
    )
    return step


def _step_values(step: ImmediateStep) -> dict[str, Any]:
    return {"done": step.done,
            "done_at": step.done_at.isoformat() if step.done_at else None,
            "note": step.note}
