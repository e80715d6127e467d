"""The child's safeguarding plan: actions, each owned by a named person (a member of hub
staff who can see the case, or a named person at a partner agency), due by a date, and
done or cancelled with a note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values
from macehub.cases.codes import PlanItemStatus
from macehub.cases.models import Case, PlanItem
from macehub.cases.services.checks import (
    _audit_case,
    _case_for_change,
    _not_in_future,
    _raise_if,
    _require_text,
    _sub_record,
)


@dataclass(frozen=True)
class PartnerOwner:
    """A named person at a partner agency who owns a plan item (for example a school's
    designated safeguarding lead). A name on the plan, not a user of the hub: owning the
    action gives them no access to the case."""

    name: str = ""
    role: str = ""
    agency: str = ""
    contact: str = ""

    def stripped(self) -> PartnerOwner:
        return PartnerOwner(name=self.name.strip()[:200], role=self.role.strip()[:200],
                            agency=self.agency.strip()[:200], contact=self.contact.strip()[:300])


def _check_owner(errors: dict[str, str], case: Case, user: User | None,
                 owner_agency: Agency | None, partner_owner: PartnerOwner | None
                 ) -> tuple[User | None, Agency | None, PartnerOwner]:
    """Exactly one kind of owner: a member of hub staff who can see the case (acting for
    ``owner_agency``, or else their own), or a partner agency's named person. The owner
    to save is (user, agency, an empty partner) or (None, None, the partner); errors are
    keyed by the argument at fault."""
    no_partner = PartnerOwner()
    partner = partner_owner.stripped() if partner_owner is not None else None
    if user is not None and partner is not None and partner != no_partner:
        errors["owner_kind"] = (
            "An action has one owner: choose either a member of hub staff or someone at a "
            "partner agency"
        )
        return None, None, no_partner
    if partner is not None:
        if not partner.name:
            errors["partner_owner_name"] = "Enter the name of the person who owns this action"
        if not partner.role:
            errors["partner_owner_role"] = "Enter their role, for example designated " \
                "safeguarding lead"
        if not partner.agency:
            errors["partner_owner_agency"] = "Enter their agency, for example the school"
        if not partner.contact:
            errors["partner_owner_contact"] = (
                "Enter a phone number or email address, so the hub can chase the action"
            )
        return None, None, partner
    if user is None:
        errors["owner"] = "Select who owns this action: every plan item needs a named owner"
        return None, owner_agency, no_partner
    if not user.is_active:
        errors["owner"] = f"{user.display_name} no longer has an account: choose someone else"
        return user, owner_agency, no_partner
    if not policy.can(user, Action.CASE_VIEW, case):
        errors["owner"] = (
            f"{user.display_name} cannot see this case: share it with their agency or "
            "allocate them to it first"
        )
    agency = owner_agency or user.agency
    if agency is None:
        errors["owner_agency"] = "Select the owner's agency"
    return user, agency, no_partner


def _plan_item_values(item: PlanItem) -> dict[str, Any]:
    return {
        "action": item.action,
        "owner": item.owner_id,
        "owner_agency": item.owner_agency_id,
        "partner_owner_name": item.partner_owner_name,
        "partner_owner_role": item.partner_owner_role,
        "partner_owner_agency": item.partner_owner_agency,
        "partner_owner_contact": item.partner_owner_contact,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "status": item.status,
        "completed_on": item.completed_on.isoformat() if item.completed_on else None,
    }


def _set_owner(item: PlanItem, user: User | None, agency: Agency | None,
               partner: PartnerOwner) -> None:
    item.owner, item.owner_agency = user, agency
    item.partner_owner_name, item.partner_owner_role = partner.name, partner.role
    item.partner_owner_agency, item.partner_owner_contact = partner.agency, partner.contact


@transaction.atomic
def add_plan_item(
    *,
    actor: User,
    case_pk: int,
    action: str,
    due_on: dt.date | None,
    owner: User | None = None,
    owner_agency: Agency | None = None,
    partner_owner: PartnerOwner | None = None,
) -> PlanItem:
    """Add an action to the child's safeguarding plan, owned by a named person: a member
    of hub staff who can see the case (``owner``), or a named person at a partner agency
    (``partner_owner``), never both."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    errors: dict[str, str] = {}
    action = _require_text(errors, "action", action, "Enter the action")
    user, agency, partner = _check_owner(errors, case, owner, owner_agency, partner_owner)
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on < timezone.localdate():
        errors["due_on"] = "The date the action is due must be today or in the future"
    _raise_if(errors)
    item = PlanItem(case=case, action=action, due_on=cast(dt.date, due_on),
                    created_at=timezone.now(), created_by=actor)
    _set_owner(item, user, agency, partner)
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "plan_item": item.pk, "added": True, "changes": changed_values({}, _plan_item_values(item)),
    })
    return item


@transaction.atomic
def update_plan_item(
    *,
    actor: User,
    plan_item_pk: int,
    action: str,
    due_on: dt.date | None,
    owner: User | None = None,
    owner_agency: Agency | None = None,
    partner_owner: PartnerOwner | None = None,
) -> PlanItem:
    """Change an open plan item's action, owner or due date."""
    item: PlanItem = _sub_record(
        actor, Action.CASE_RECORD_WORK, PlanItem.objects.all(), plan_item_pk
    )
    case = item.case
    errors: dict[str, str] = {}
    if not item.is_open:
        raise ValidationError(
            f"This plan item is {item.get_status_display().lower()}: it can no longer be changed"
        )
    action = _require_text(errors, "action", action, "Enter the action")
    user, agency, partner = _check_owner(errors, case, owner, owner_agency, partner_owner)
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due"
    elif due_on != item.due_on and due_on < timezone.localdate():
        errors["due_on"] = "The date the action is due must be today or in the future"
    _raise_if(errors)
    before = _plan_item_values(item)
    item.action, item.due_on = action, cast(dt.date, due_on)
    _set_owner(item, user, agency, partner)
    changes = changed_values(before, _plan_item_values(item))
    if not changes:
        return item
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {"plan_item": item.pk, "changes": changes})
    return item


@transaction.atomic
def complete_plan_item(
    *,
    actor: User,
    plan_item_pk: int,
    completed_on: dt.date | None,
    status: PlanItemStatus | str = PlanItemStatus.DONE,
    note: str = "",
) -> PlanItem:
    """Mark a plan item done (or cancelled, with a note saying why)."""
    item: PlanItem = _sub_record(
        actor, Action.CASE_RECORD_WORK, PlanItem.objects.all(), plan_item_pk
    )
    case = item.case
    errors: dict[str, str] = {}
    if not item.is_open:
        raise ValidationError(f"This plan item is already {item.get_status_display().lower()}")
    if status not in (PlanItemStatus.DONE, PlanItemStatus.CANCELLED):
        errors["status"] = "Select whether the action was done or cancelled"
    note = (note or "").strip()
    if status == PlanItemStatus.CANCELLED and not note:
        errors["note"] = "Enter why the action was cancelled"
    if completed_on is None:
        errors["completed_on"] = "Enter the date"
    else:
        _not_in_future(errors, "completed_on", completed_on,
                       "The date must be today or in the past")
        created_on = timezone.localdate(item.created_at)
        if "completed_on" not in errors and completed_on < created_on:
            errors["completed_on"] = (
                f"The date must be on or after {created_on:%d/%m/%Y}, when the action was added"
            )
    _raise_if(errors)
    before = _plan_item_values(item)
    item.status = PlanItemStatus(status)
    item.completed_on = completed_on
    item.completed_at = timezone.now()
    item.completed_by = actor
    item.completion_note = note
    item.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "plan_item": item.pk, "changes": changed_values(before, _plan_item_values(item)),
        "note": note,
    })
    return item
