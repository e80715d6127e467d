"""National Referral Mechanism referrals: who referred the child and when, and each
decision (reasonable grounds, then conclusive grounds) in the mechanism's order."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import changed_values
from macehub.cases.codes import NrmDecision
from macehub.cases.models import NrmReferral
from macehub.cases.services.checks import (
    _audit_case,
    _case_for_change,
    _not_in_future,
    _raise_if,
    _require_text,
    _sub_record,
)


def _nrm_values(nrm: NrmReferral) -> dict[str, Any]:
    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "referred_on": day(nrm.referred_on),
        "first_responder_organisation": nrm.first_responder_organisation,
        "referred_by": nrm.referred_by,
        "reasonable_grounds_on": day(nrm.reasonable_grounds_on),
        "reasonable_grounds": nrm.reasonable_grounds,
        "conclusive_grounds_on": day(nrm.conclusive_grounds_on),
        "conclusive_grounds": nrm.conclusive_grounds,
    }


@dataclass(frozen=True)
class NrmDetails:
    """What is known of a National Referral Mechanism referral: who referred and when,
    and each decision (date and result) once it has been made."""

    referred_on: dt.date | None
    first_responder_organisation: str
    referred_by: str
    reasonable_grounds_on: dt.date | None = None
    reasonable_grounds: str = ""
    conclusive_grounds_on: dt.date | None = None
    conclusive_grounds: str = ""


def _check_nrm(details: NrmDetails) -> NrmDetails:
    """The rules of the mechanism's order: each decision has a date and a result, none
    is in the future, reasonable grounds come on or after the referral, and conclusive
    grounds on or after a positive reasonable-grounds decision."""
    errors: dict[str, str] = {}
    if details.referred_on is None:
        errors["referred_on"] = "Enter the date of the NRM referral"
    _not_in_future(errors, "referred_on", details.referred_on,
                   "The date of the NRM referral must be today or in the past")
    organisation = _require_text(
        errors, "first_responder_organisation", details.first_responder_organisation,
        "Enter the first responder organisation that made the referral")
    referred_by = _require_text(errors, "referred_by", details.referred_by,
                                "Enter who made the referral")
    stages = (
        ("reasonable_grounds", details.reasonable_grounds_on, details.reasonable_grounds,
         "reasonable-grounds"),
        ("conclusive_grounds", details.conclusive_grounds_on, details.conclusive_grounds,
         "conclusive-grounds"),
    )
    for name, on, result, words in stages:
        if result and result not in NrmDecision.values:
            errors[name] = f"Select whether the {words} decision was positive or negative"
        elif result and on is None:
            errors[f"{name}_on"] = f"Enter the date of the {words} decision"
        elif on is not None and not result:
            errors[name] = f"Select whether the {words} decision was positive or negative"
        _not_in_future(errors, f"{name}_on", on,
                       f"The date of the {words} decision must be today or in the past")
    rg_on, cg_on = details.reasonable_grounds_on, details.conclusive_grounds_on
    if (rg_on is not None and details.referred_on is not None
            and "reasonable_grounds_on" not in errors and rg_on < details.referred_on):
        errors["reasonable_grounds_on"] = (
            "The reasonable-grounds decision cannot be before the referral, "
            f"{details.referred_on:%d/%m/%Y}")
    if (details.conclusive_grounds or cg_on is not None) and "conclusive_grounds" not in errors:
        if details.reasonable_grounds != NrmDecision.POSITIVE:
            errors["conclusive_grounds"] = (
                "A conclusive-grounds decision follows a positive reasonable-grounds "
                "decision: record that first")
        elif (cg_on is not None and rg_on is not None
              and "conclusive_grounds_on" not in errors and cg_on < rg_on):
            errors["conclusive_grounds_on"] = (
                "The conclusive-grounds decision cannot be before the reasonable-grounds "
                f"decision, {rg_on:%d/%m/%Y}")
    _raise_if(errors)
    return NrmDetails(
        referred_on=details.referred_on, first_responder_organisation=organisation,
        referred_by=referred_by,
        reasonable_grounds_on=rg_on if details.reasonable_grounds else None,
        reasonable_grounds=details.reasonable_grounds,
        conclusive_grounds_on=cg_on if details.conclusive_grounds else None,
        conclusive_grounds=details.conclusive_grounds,
    )


def _apply_nrm(nrm: NrmReferral, details: NrmDetails) -> None:
    nrm.referred_on = cast(dt.date, details.referred_on)
    nrm.first_responder_organisation = details.first_responder_organisation
    nrm.referred_by = details.referred_by
    nrm.reasonable_grounds_on = details.reasonable_grounds_on
    nrm.reasonable_grounds = details.reasonable_grounds
    nrm.conclusive_grounds_on = details.conclusive_grounds_on
    nrm.conclusive_grounds = details.conclusive_grounds


@transaction.atomic
def record_nrm_referral(*, actor: User, case_pk: int, details: NrmDetails) -> NrmReferral:
    """Record that the child was referred into the National Referral Mechanism (and any
    decisions already made)."""
    case = _case_for_change(actor, Action.CASE_RECORD_WORK, case_pk)
    checked = _check_nrm(details)
    nrm = NrmReferral(case=case, recorded_by=actor)
    _apply_nrm(nrm, checked)
    nrm.save()
    _audit_case(actor, case, EventType.CHANGE, {
        "nrm_referral": nrm.pk, "added": True,
        "changes": changed_values({}, _nrm_values(nrm)),
    })
    return nrm


@transaction.atomic
def update_nrm_referral(*, actor: User, nrm_pk: int, details: NrmDetails) -> NrmReferral:
    """Record a decision as it arrives, or correct the referral's details."""
    nrm: NrmReferral = _sub_record(actor, Action.CASE_RECORD_WORK, NrmReferral.objects.all(),
                                   nrm_pk)
    checked = _check_nrm(details)
    before = _nrm_values(nrm)
    _apply_nrm(nrm, checked)
    changes = changed_values(before, _nrm_values(nrm))
    if not changes:
        return nrm
    nrm.save()
    _audit_case(actor, nrm.case, EventType.CHANGE, {"nrm_referral": nrm.pk, "changes": changes})
    return nrm
