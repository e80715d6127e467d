"""Partner checks: triage asks partner agencies what they hold about the child, each due
by the clock of the referral's rating, and each agency returns what it holds."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.service_errors import ServiceRefused
from macehub.referrals import selectors
from macehub.referrals.clocks import partner_check_clock
from macehub.referrals.codes import PartnerCheckResult
from macehub.referrals.models import PartnerCheck, Referral
from macehub.referrals.services.referral_versions import PARTNER_CHECK_VERSIONING


@transaction.atomic
def request_partner_checks(
    *,
    actor: User,
    referral_pk: int,
    agency_ids: Sequence[int],
    question: str = "",
    request: HttpRequest | None = None,
) -> list[PartnerCheck]:
    """Ask each agency to check what it holds about the referral's child. Each check is
    due by the referral's partner-check clock (its rating), counted from now."""
    referral = policy.get_or_404(
        actor, Action.PARTNER_CHECK_REQUEST,
        Referral.objects.select_for_update(of=("self",)), pk=referral_pk,
    )
    wanted = list(dict.fromkeys(agency_ids))
    if not wanted:
        raise ServiceRefused("Select the agencies to ask", field="agencies")
    agencies = {a.pk: a for a in selectors.partner_check_agencies().filter(pk__in=wanted)}
    if len(agencies) != len(wanted):
        raise ServiceRefused(
            "Choose agencies from the list: only agencies with hub members can return checks",
            field="agencies",
        )
    waiting = set(PartnerCheck.objects.filter(
        referral=referral, agency_id__in=wanted, returned_at__isnull=True,
    ).values_list("agency_id", flat=True))
    if waiting:
        names = ", ".join(sorted(agencies[pk].name for pk in waiting))
        raise ServiceRefused(
            f"{names} {'has' if len(waiting) == 1 else 'have'} already been asked and "
            "not yet replied", field="agencies",
        )
    now = timezone.now()
    clock = partner_check_clock(referral.partner_check_brag)
    checks = []
    for pk in wanted:
        check = PartnerCheck.objects.create(
            referral=referral, agency=agencies[pk], question=question.strip(),
            requested_by=actor, requested_at=now, brag=referral.partner_check_brag,
            due_at=clock.due_at(now),
        )
        record_event(
            event_type=EventType.CREATE,
            actor=actor,
            record=check,
            detail={
                "referral": referral.reference,
                "agency": agencies[pk].name,
                "question": check.question,
                "rating": referral.partner_check_brag,
                "clock": clock.label,
                "due_at": check.due_at.isoformat(),
            },
            request=request,
        )
        checks.append(check)
    return checks


@transaction.atomic
def return_partner_check(
    *,
    actor: User,
    check_pk: int,
    expected_version: int,
    result: PartnerCheckResult | str,
    summary: str = "",
    request: HttpRequest | None = None,
) -> PartnerCheck:
    """Record what the agency holds about the child (a summary), or that it holds
    nothing. Only the named agency's hub members may; once only."""
    check = policy.get_or_404(
        actor, Action.PARTNER_CHECK_RETURN,
        PartnerCheck.objects.select_for_update(of=("self",)).select_related("referral"),
        pk=check_pk,
    )
    if check.is_returned:
        raise ServiceRefused(
            "This check has already been returned by someone else. Your reply has not been "
            "saved: read what they returned."
        )
    # Not returned, yet changed: triage's rating moved its due time meanwhile.
    PARTNER_CHECK_VERSIONING.check(check, expected_version)
    if str(result) not in PartnerCheckResult.values:
        raise ServiceRefused("Select whether your agency holds information",
                             field="result")
    summary = summary.strip()
    if result == PartnerCheckResult.INFORMATION_HELD and not summary:
        raise ServiceRefused("Enter a summary of the information your agency holds",
                             field="summary")
    if result == PartnerCheckResult.NOTHING_HELD:
        summary = ""
    check.returned_at = timezone.now()
    check.returned_by = actor
    check.result = PartnerCheckResult(result)
    check.summary = summary
    PARTNER_CHECK_VERSIONING.save(check, expected_version=expected_version, update_fields=[
        "returned_at", "returned_by", "result", "summary"])
    record_event(
        event_type=EventType.CHANGE,
        actor=actor,
        record=check,
        detail={
            "changes": {
                "result": {"old": "", "new": check.result},
                "summary": {"old": "", "new": check.summary},
                "returned_at": {"old": None, "new": check.returned_at.isoformat()},
            },
            "referral": check.referral.reference,
            "due_at": check.due_at.isoformat(),
            "in_time": check.returned_in_time,
            "version": check.version,
        },
        request=request,
    )
    return check
