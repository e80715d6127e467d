"""Picking a referral up, so two officers do not work the same one: taken, taken over
(only on an explicit confirmation) or released, each a versioned save."""

from __future__ import annotations

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
from macehub.referrals.models import Referral
from macehub.referrals.services.referral_versions import REFERRAL_VERSIONING

PICK_UP_FIELDS = ("picked_up_by", "picked_up_at")


class PickedUpByOther(ServiceRefused):
    """Someone else has the referral: taking it over needs an explicit confirmation. A
    refusal of its own because the pick-up page answers it with the confirmation page,
    not an error."""

    def __init__(self, referral: Referral) -> None:
        holder = referral.picked_up_by
        super().__init__(f"{holder.display_name if holder else 'Someone else'} has already "
                         "picked up this referral")
        self.referral = referral


def _pick_up_values(referral: Referral) -> dict[str, Any]:
    holder = referral.picked_up_by
    return {"picked_up_by": holder.display_name if holder else None,
            "picked_up_at": referral.picked_up_at.isoformat() if referral.picked_up_at
            else None}


def _referral_to_pick_up(actor: User, referral_pk: int, expected_version: int) -> Referral:
    """The referral, locked, for one who may triage it: 404 if they may not know it
    exists, 403 if they may read but not triage it; refused once decided, or if it
    changed since the user saw it."""
    referral = policy.get_or_404(
        actor, Action.REFERRAL_TRIAGE,
        Referral.objects.select_for_update(of=("self",)).select_related("picked_up_by"),
        pk=referral_pk,
    )
    if referral.is_decided:
        raise ServiceRefused(f"{referral.reference} has been decided: there is nothing left "
                             "to pick up")
    REFERRAL_VERSIONING.check(referral, expected_version, message=(
        f"{referral.reference} has changed since you opened it"
        + (f": {referral.picked_up_by.display_name} has picked it up"
           if referral.picked_up_by else "")
        + ". Nothing has been saved: check it, then try again."
    ))
    return referral


def _save_pick_up(actor: User, referral: Referral, before: dict[str, Any],
                  detail: dict[str, Any], request: HttpRequest | None) -> Referral:
    # Checked against the version the user saw when the referral was fetched, locked.
    REFERRAL_VERSIONING.save(referral, expected_version=referral.version,
                             update_fields=PICK_UP_FIELDS)
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=referral,
        detail={"changes": changed_values(before, _pick_up_values(referral)),
                "version": referral.version, **detail},
        request=request,
    )
    return referral


@transaction.atomic
def pick_up_referral(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    take_over: bool = False,
    request: HttpRequest | None = None,
) -> Referral:
    """Pick up a referral awaiting triage, so others see it is being worked on. If
    someone else has it, it is refused (``PickedUpByOther``) unless the user confirmed
    they are taking it over: then the earlier picker is named in the audit entry."""
    referral = _referral_to_pick_up(actor, referral_pk, expected_version)
    holder = referral.picked_up_by
    if holder is not None and holder.pk == actor.pk:
        return referral
    if holder is not None and not take_over:
        raise PickedUpByOther(referral)
    before = _pick_up_values(referral)
    referral.picked_up_by, referral.picked_up_at = actor, timezone.now()
    detail: dict[str, Any] = {"picked_up": "taken over" if holder is not None else "picked up"}
    if holder is not None:
        detail["taken_over_from"] = holder.display_name
    return _save_pick_up(actor, referral, before, detail, request)


@transaction.atomic
def release_referral(
    *,
    actor: User,
    referral_pk: int,
    expected_version: int,
    request: HttpRequest | None = None,
) -> Referral:
    """Put a referral the user picked up back for anyone to pick up."""
    referral = _referral_to_pick_up(actor, referral_pk, expected_version)
    if referral.picked_up_by_id != actor.pk:
        raise ServiceRefused("Only the person who picked up a referral can release it")
    before = _pick_up_values(referral)
    referral.picked_up_by, referral.picked_up_at = None, None
    return _save_pick_up(actor, referral, before, {"picked_up": "released"}, request)
