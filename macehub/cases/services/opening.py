"""Opening a MACE case for a child, usually from a triage decision: one open case per
child, so their record is never split."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.cases.codes import RiskTier, default_exploitation_types
from macehub.cases.models import Case, RiskTierChange
from macehub.cases.services.checks import _checked_types
from macehub.core.references import save_with_reference
from macehub.people.models import Person


class CaseAlreadyOpen(Exception):
    """The child already has an open case; a second one would split their record."""

    def __init__(self, case: Case) -> None:
        super().__init__(f"{case.child} already has an open case, {case.reference}")
        self.case = case


@transaction.atomic
def open_case(
    *,
    actor: User,
    child: Person,
    risk_tier: RiskTier | str,
    lead_agency: Agency,
    reason: str,
    referral_reference: str = "",
    key_worker: User | None = None,
    exploitation_types: Sequence[str] | None = None,
) -> Case:
    """Open a MACE case for a child, usually from a triage decision (which passes the
    referral's reference and its exploitation types; the referral then points at the
    case). The case takes the exploitation types given, else child sexual
    exploitation."""
    policy.require(actor, Action.CASE_OPEN)
    existing = Case.objects.filter(child=child, status="open").first()
    if existing is not None:
        raise CaseAlreadyOpen(existing)
    if exploitation_types is None:
        exploitation_types = default_exploitation_types()
    types = _checked_types(exploitation_types)
    now = timezone.now()
    case = Case(
        exploitation_types=types,
        child=child,
        opened_at=now,
        opened_by=actor,
        lead_agency=lead_agency,
        key_worker=key_worker,
        risk_tier=RiskTier(risk_tier),
    )
    save_with_reference(case, kind="CASE", year=timezone.localdate(now).year)
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
            "referral": referral_reference or None,
            "risk_tier": case.risk_tier,
            "exploitation_types": case.exploitation_types,
            "lead_agency": lead_agency.pk,
            "reason": reason,
        },
    )
    return case
