"""Who works on the case: staff allocated to it, the child's victim advocate (whose
advocacy outlives the case), and the partner agencies it is shared with."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction

from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.cases.models import AdvocateAllocation, CaseAllocation, CaseShare
from macehub.cases.services.checks import (
    _audit_case,
    _case_for_change,
    _is_case_worker,
    _not_in_future,
    _raise_if,
    _require_text,
    _sub_record,
)


@transaction.atomic
def allocate_worker(*, actor: User, case_pk: int, user: User | None) -> CaseAllocation:
    """Allocate a member of staff (usually from a partner agency) to work on the case."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    if user is None:
        raise ValidationError({"user": "Select who to allocate"})
    if not _is_case_worker(user):
        raise ValidationError(
            {"user": f"{user.display_name} does not work on cases: choose someone who does"}
        )
    if case.allocations.filter(user=user).exists():
        raise ValidationError({"user": f"{user.display_name} is already allocated to this case"})
    allocation = CaseAllocation.objects.create(case=case, user=user, allocated_by=actor)
    _audit_case(actor, case, EventType.CHANGE, {
        "allocated": {"allocation": allocation.pk, "user": user.pk,
                      "username": user.get_username()},
    })
    return allocation


@transaction.atomic
def unallocate_worker(*, actor: User, allocation_pk: int) -> None:
    allocation: CaseAllocation = _sub_record(
        actor, Action.CASE_CHANGE, CaseAllocation.objects.select_related("user"),
        allocation_pk,
    )
    case = allocation.case
    detail = {"unallocated": {"allocation": allocation.pk, "user": allocation.user_id,
                              "username": allocation.user.get_username()}}
    allocation.delete()
    _audit_case(actor, case, EventType.CHANGE, detail)


@transaction.atomic
def share_case(*, actor: User, case_pk: int, agency: Agency | None, reason: str) -> CaseShare:
    """Share the case with a partner agency, whose case workers may then see it."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    errors: dict[str, str] = {}
    if agency is None:
        errors["agency"] = "Select the agency to share the case with"
    elif agency.pk == case.lead_agency_id:
        errors["agency"] = f"{agency.name} leads the case: it can already see it"
    elif case.shares.filter(agency=agency).exists():
        errors["agency"] = f"The case is already shared with {agency.name}"
    reason = _require_text(errors, "reason", reason, "Enter why the case is being shared")
    _raise_if(errors)
    agency = cast(Agency, agency)
    share = CaseShare.objects.create(case=case, agency=agency, shared_by=actor, reason=reason)
    _audit_case(actor, case, EventType.CHANGE, {
        "shared_with": {"share": share.pk, "agency": agency.pk, "name": agency.name},
        "reason": reason,
    })
    return share


@transaction.atomic
def stop_sharing_case(*, actor: User, share_pk: int) -> None:
    share: CaseShare = _sub_record(
        actor, Action.CASE_CHANGE, CaseShare.objects.select_related("agency"), share_pk
    )
    case = share.case
    detail = {"stopped_sharing_with": {"share": share.pk, "agency": share.agency_id,
                                       "name": share.agency.name}}
    share.delete()
    _audit_case(actor, case, EventType.CHANGE, detail)


@transaction.atomic
def change_advocate(
    *,
    actor: User,
    case_pk: int,
    advocate: User | None,
    starts_on: dt.date | None,
    end_reason: str = "",
) -> AdvocateAllocation:
    """Allocate a victim advocate to the child. A current advocate's allocation ends (with
    the reason, the day the new one starts) and a new one begins, so every change of
    advocate is counted for continuity."""
    case = _case_for_change(actor, Action.CASE_CHANGE, case_pk)
    errors: dict[str, str] = {}
    current = case.advocacy.filter(ended_on__isnull=True).select_related("advocate").first()
    if advocate is None:
        errors["advocate"] = "Select the victim advocate"
    elif Role.VICTIM_ADVOCATE not in advocate.role_codes or not advocate.is_active:
        errors["advocate"] = f"{advocate.display_name} is not a victim advocate"
    elif current is not None and current.advocate_id == advocate.pk:
        errors["advocate"] = f"{advocate.display_name} is already the child's advocate"
    if starts_on is None:
        errors["starts_on"] = "Enter the date the advocate starts"
    else:
        _not_in_future(errors, "starts_on", starts_on,
                       "The date the advocate starts must be today or in the past")
        if "starts_on" not in errors and current is not None and starts_on < current.started_on:
            errors["starts_on"] = (
                "The date the advocate starts must be on or after "
                f"{current.started_on:%d/%m/%Y}, when the current advocate started"
            )
    end_reason = (end_reason or "").strip()
    if current is not None and not end_reason:
        errors["end_reason"] = (
            f"Enter why {current.advocate.display_name} is no longer the child's advocate"
        )
    _raise_if(errors)
    advocate, starts_on = cast(User, advocate), cast(dt.date, starts_on)
    if current is not None:
        current.ended_on = starts_on
        current.end_reason = end_reason[:200]
        current.save(update_fields=["ended_on", "end_reason"])
    allocation = AdvocateAllocation.objects.create(
        case=case, advocate=advocate, started_on=starts_on, allocated_by=actor,
    )
    _audit_case(actor, case, EventType.CHANGE, {
        "advocate": {
            "old": current.advocate_id if current else None,
            "new": advocate.pk,
            "allocation": allocation.pk,
            "starts_on": starts_on,
            "end_reason": end_reason,
        },
    })
    return allocation


@transaction.atomic
def end_advocacy(
    *, actor: User, case_pk: int, ended_on: dt.date | None, reason: str
) -> AdvocateAllocation:
    """End the current victim advocate's allocation, with the reason (for example after
    the trial). Advocacy does not end when the case closes, so this works on a closed
    case too."""
    case = _case_for_change(actor, Action.CASE_ADVOCACY_END, case_pk, must_be_open=False)
    current = case.advocacy.select_for_update().filter(ended_on__isnull=True).first()
    if current is None:
        raise ValidationError("The child has no victim advocate allocated")
    errors: dict[str, str] = {}
    if ended_on is None:
        errors["ended_on"] = "Enter the date the advocacy ended"
    else:
        _not_in_future(errors, "ended_on", ended_on,
                       "The date the advocacy ended must be today or in the past")
        if "ended_on" not in errors and ended_on < current.started_on:
            errors["ended_on"] = (
                "The date the advocacy ended must be on or after "
                f"{current.started_on:%d/%m/%Y}, when it started"
            )
    reason = _require_text(errors, "reason", reason, "Enter why the advocacy is ending")
    _raise_if(errors)
    current.ended_on = ended_on
    current.end_reason = reason[:200]
    current.save(update_fields=["ended_on", "end_reason"])
    _audit_case(actor, case, EventType.CHANGE, {
        "advocacy_ended": {"allocation": current.pk, "advocate": current.advocate_id,
                           "ended_on": ended_on, "reason": reason},
    })
    return current
