"""How case states look: the GOV.UK tag colour and short wording of risk tiers, plan item
statuses, missing episodes and police risk grades (the mappings live once, in ``cases.codes``)."""

from __future__ import annotations

from django import template

from macehub.cases.codes import (
    DOMAIN_RATING_TAG_COLOURS,
    MISSING_EPISODE_TAG_COLOURS,
    PLAN_ITEM_TAG_COLOURS,
    POLICE_RISK_GRADE_TAG_COLOURS,
    RISK_TIER_TAG_COLOURS,
    DomainRating,
    MissingEpisodeState,
    PlanItemStatus,
    PoliceRiskGrade,
    RiskTier,
)

register = template.Library()


@register.filter
def tier_colour(tier: str) -> str:
    return RISK_TIER_TAG_COLOURS.get(tier, "grey")


@register.filter
def tier_name(tier: str) -> str:
    """'high' -> 'High' (the tier without its description)."""
    if tier not in RiskTier.values:
        return ""
    return str(RiskTier(tier).label).split(" –")[0]


@register.filter
def plan_colour(status: str) -> str:
    return PLAN_ITEM_TAG_COLOURS.get(PlanItemStatus(status), "grey")


@register.filter
def episode_colour(state: str) -> str:
    return MISSING_EPISODE_TAG_COLOURS.get(MissingEpisodeState(state), "grey")


@register.filter
def episode_label(state: str) -> str:
    return str(MissingEpisodeState(state).label)


@register.filter
def rating_colour(rating: str) -> str:
    return DOMAIN_RATING_TAG_COLOURS.get(DomainRating(rating), "grey") \
        if rating in DomainRating.values else "grey"


@register.filter
def police_grade_colour(grade: str) -> str:
    return POLICE_RISK_GRADE_TAG_COLOURS.get(PoliceRiskGrade(grade), "grey") \
        if grade in PoliceRiskGrade.values else "grey"
