"""Changing child safeguarding cases: one transaction each, each audited."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.models import Case, RiskTierChange
from macehub.people.models import Person
from macehub.referrals.codes import RiskTier
from macehub.referrals.models import Referral


class CaseAlreadyOpen(Exception):
    """The child already has an open case; a second one would split their record."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"{case.child} already has an open case, {case.reference}")
        self.case = case


def _next_reference(year: int) -> str:
    prefix = f"CASE-{year}-"
    last = (
        Case.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(prefix)) + 1 if last else 1
    return f"{prefix}{number:06d}"


@transaction.atomic
def open_case(
    *,
    actor: User,
    child: Person,
    risk_tier: RiskTier | str,
    lead_agency: Agency,
    reason: str,
    referral: Referral | None = None,
    key_worker: User | None = None,
) -> Case:
    """Open a MACE case for a child, usually from a triage decision."""
    policy.require(actor, Action.CASE_OPEN)
    existing = Case.objects.filter(child=child, status="open").first()
    if existing is not None:
        raise CaseAlreadyOpen(existing)
    now = timezone.now()
    case = Case.objects.create(
        reference=_next_reference(timezone.localdate(now).year),
        child=child,
        referral=referral,
        opened_at=now,
        opened_by=actor,
        lead_agency=lead_agency,
        key_worker=key_worker,
        risk_tier=RiskTier(risk_tier),
    )
    RiskTierChange.objects.create(
        case=case, from_tier="", to_tier=case.risk_tier, changed_at=now, changed_by=actor,
        reason=reason,
    )
    record_event(
        event_type=EventType.CREATE,
        actor=actor,
        record=case,
        detail={
            "child": child.pk,
            "referral": referral.pk if referral else None,
            "risk_tier": case.risk_tier,
            "lead_agency": lead_agency.pk,
            "reason": reason,
        },
    )
    return case
