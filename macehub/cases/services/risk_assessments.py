"""Structured exploitation risk assessments: every domain of the indicator catalogue
rated, the assessor's judgement of the tier, and the next review set by tier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.cases.codes import DomainRating, RiskTier
from macehub.cases.models import RiskAssessment, RiskAssessmentRating
from macehub.cases.reviews import assessment_domains, next_review_on
from macehub.cases.services.checks import (
    _audit_case,
    _case_for_change,
    _not_in_future,
    _raise_if,
    _require_text,
)

# Ratings whose note must say what they rest on.
RATINGS_NEEDING_A_NOTE = frozenset({DomainRating.MEDIUM, DomainRating.HIGH})


@transaction.atomic
def record_risk_assessment(
    *,
    actor: User,
    case_pk: int,
    assessed_on: dt.date | None,
    ratings: Mapping[str, tuple[str, str]],
    judgement: RiskTier | str,
    summary: str,
) -> RiskAssessment:
    """Record a structured exploitation risk assessment: every domain of the indicator
    catalogue rated (``ratings``: domain -> (rating, note), a note required for a Medium
    or High rating), the assessor's judgement of the risk tier and a summary. The next
    review is set by tier (``cases.reviews``). The case's own tier is not changed: a
    judgement that differs is shown beside it, and the tier is changed on its own."""
    case = _case_for_change(actor, Action.CASE_ASSESS_RISK, case_pk)
    errors: dict[str, str] = {}
    domains = assessment_domains()
    known = {code for code, _ in domains}
    unknown = sorted(set(ratings) - known)
    if unknown:
        errors[NON_FIELD_ERRORS] = f"No such domain of the indicator catalogue: {unknown}"
    cleaned: list[tuple[str, DomainRating, str]] = []
    for code, label in domains:
        rating, note = ratings.get(code, ("", ""))
        note = (note or "").strip()
        if rating not in DomainRating.values:
            errors[f"rating_{code}"] = f"Select the level of concern about {label.lower()}"
            continue
        if rating in RATINGS_NEEDING_A_NOTE and not note:
            errors[f"note_{code}"] = (
                f"Enter what the {DomainRating(rating).label.lower()} rating for "
                f"{label.lower()} rests on"
            )
        cleaned.append((code, DomainRating(rating), note))
    if judgement not in RiskTier.values:
        errors["judgement"] = "Select your judgement of the child's risk tier"
    summary = _require_text(errors, "summary", summary, "Enter a summary of the assessment")
    if assessed_on is None:
        errors["assessed_on"] = "Enter the date of the assessment"
    else:
        _not_in_future(errors, "assessed_on", assessed_on,
                       "The date of the assessment must be today or in the past")
        opened_on = timezone.localdate(case.opened_at)
        if "assessed_on" not in errors and assessed_on < opened_on:
            errors["assessed_on"] = (
                f"The date of the assessment must be on or after {opened_on:%d/%m/%Y}, "
                "when the case opened"
            )
    _raise_if(errors)
    assessed_on = cast(dt.date, assessed_on)
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=assessed_on, assessed_by=actor, recorded_at=timezone.now(),
        judgement=RiskTier(judgement), case_tier=case.risk_tier, summary=summary,
        next_review_on=next_review_on(assessed_on, judgement, case.risk_tier),
    )
    RiskAssessmentRating.objects.bulk_create([
        RiskAssessmentRating(assessment=assessment, domain=code, rating=rating, note=note)
        for code, rating, note in cleaned
    ])
    _audit_case(actor, case, EventType.CHANGE, {
        "risk_assessment": assessment.pk, "added": True,
        "assessed_on": assessed_on, "judgement": assessment.judgement,
        "case_tier": assessment.case_tier, "next_review_on": assessment.next_review_on,
        "ratings": {code: rating.value for code, rating, _ in cleaned},
    })
    return assessment
