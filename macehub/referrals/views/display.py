"""How a referral reads on the hub's pages: its rating and tier tags and clocks, its
indicators by domain, its partner checks and the steps it prompts at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from macehub.access.actions import Action
from macehub.access.policy import can
from macehub.access.typing import HubRequest
from macehub.cases.codes import (
    BRAG_TAG_COLOURS,
    RISK_TIER_TAG_COLOURS,
    Brag,
    IndicatorDomain,
    RiskTier,
    short_label,
)
from macehub.cases.models import Case, Indicator
from macehub.referrals import selectors
from macehub.referrals.clocks import TimeLeft, decision_clock, partner_check_clock
from macehub.referrals.codes import ImmediateStepKind, OnlinePlatform
from macehub.referrals.forms import DOMAIN_LEGENDS
from macehub.referrals.models import ImmediateStep, PartnerCheck, Referral

PAGE_SIZE = 25


def _tags(referral: Referral, now: Any) -> dict[str, Any]:
    brag = Brag(referral.brag or referral.suggested_brag)
    tier = referral.risk_tier if referral.is_decided else referral.suggested_tier
    return {
        "referral": referral,
        "brag": brag,
        "brag_label": short_label(brag),
        "brag_colour": BRAG_TAG_COLOURS[brag],
        "tier_label": short_label(RiskTier(tier)) if tier else "No tier",
        "tier_colour": RISK_TIER_TAG_COLOURS.get(RiskTier(tier), "grey") if tier else "grey",
        # The two clocks: the decision (one working day) and the partner checks (by
        # the rating).
        "time_left": TimeLeft(due_at=referral.decision_due_at, now=now),
        "clock": decision_clock(),
        "check_time_left": TimeLeft(due_at=referral.partner_checks_due_at, now=now),
        "check_clock": partner_check_clock(referral.partner_check_brag),
        "check_brag_label": short_label(Brag(referral.partner_check_brag)),
    }


def _indicator_groups(indicators: list[Indicator]) -> list[dict[str, Any]]:
    groups: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.domain, []).append(indicator)
    return [
        {"legend": DOMAIN_LEGENDS.get(IndicatorDomain(domain), domain), "indicators": items}
        for domain, items in sorted(
            groups.items(), key=lambda item: list(IndicatorDomain.values).index(item[0])
        )
    ]


def case_url(case: Case | None) -> str:
    """The case's page, once the cases app routes one."""
    if case is None:
        return ""
    try:
        return reverse("cases:detail", kwargs={"case_pk": case.pk})
    except NoReverseMatch:
        return ""


def _referral_context(request: HubRequest, referral: Referral) -> dict[str, Any]:
    reasons = referral.screening_reasons or []
    return {
        **_tags(referral, timezone.now()),
        "suggested_brag_label": short_label(Brag(referral.suggested_brag)),
        "suggested_brag_colour": BRAG_TAG_COLOURS[Brag(referral.suggested_brag)],
        "suggested_tier_label": (short_label(RiskTier(referral.suggested_tier))
                                 if referral.suggested_tier else "No tier"),
        "suggested_tier_colour": RISK_TIER_TAG_COLOURS.get(RiskTier(referral.suggested_tier))
        if referral.suggested_tier else "grey",
        "indicator_reasons": [r for r in reasons if r.get("kind") == "indicator"],
        "rule_reasons": [r for r in reasons if r.get("kind") == "rule"],
        "indicator_groups": _indicator_groups(list(referral.indicators.all())),
        "platforms": [OnlinePlatform(p).label for p in referral.online_platforms
                      if p in OnlinePlatform.values],
        "child_age": referral.child.age_on(timezone.localdate(referral.received_at)),
        "can_see_child": can(request.user, Action.PERSON_VIEW, referral.child),
        "case_url": case_url(referral.case),
        "partner_checks": _check_rows(selectors.checks_on_referral(request.user, referral),
                                      timezone.now()),
        "can_request_checks": can(request.user, Action.PARTNER_CHECK_REQUEST, referral),
        "immediate_steps": _immediate_steps(referral),
        "can_record_steps": can(request.user, Action.REFERRAL_TRIAGE, referral),
    }


def _check_rows(checks: list[PartnerCheck], now: dt.datetime) -> list[dict[str, Any]]:
    """Each check with where it stands: back (in time or late), outstanding, overdue."""
    return [{"check": check, "time_left": TimeLeft(due_at=check.due_at, now=now),
             "is_overdue": check.is_overdue(now)} for check in checks]


def _immediate_steps(referral: Referral) -> list[dict[str, Any]]:
    """For a referral of sexual activity with a child aged 12 or under: each step it
    prompts, and what has been recorded of it (nothing yet, done, or not done)."""
    if not referral.prompts_immediate_steps:
        return []
    recorded = {step.kind: step for step in
                ImmediateStep.objects.filter(referral=referral).select_related("recorded_by")}
    return [{"kind": kind, "step": recorded.get(kind.value)} for kind in ImmediateStepKind]
