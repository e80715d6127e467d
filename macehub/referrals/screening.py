"""Screening a referral: a transparent score and a suggested risk tier and BRAG rating.

A suggestion only: a triage officer decides, and overriding the suggestion needs a
reason. Every part of the suggestion is explained by ``Screening.reasons``: each
indicator with its weight, and each rule that was applied, in the order applied.

The rules (DOMAIN.md, "Referral and screening"; thresholds from
``settings.SCREENING_THRESHOLDS``):

1. The score is the sum of the weights of the indicators seen (Low 1, Medium 2, High 3),
   plus one for each time the referrer says the child went missing in the last 30 days,
   counted up to ``MISSING_EPISODES_CAP`` (5) so that the count alone can make the tier
   Medium but never High: going missing is one sign among others, and the "going
   missing" indicator counts as well when the referrer ticks it.
2. The tier follows the score: at or above ``high`` is High, ``medium`` Medium, ``low``
   Low; below ``low`` (no indicators) there is no tier.
3. ``high_indicators_for_high`` or more High-weight indicators make the tier High,
   whatever the score.
4. For a child aged 13 or under, any one High-weight indicator is treated as a sign of
   CSE: the tier is High.
5. A disclosure makes the tier High and the rating Red.
6. The rating follows the tier (High Red, Medium Amber, Low Green, no tier Blue) ...
7. ... and immediate risk makes it Red.
8. Sexual activity with a child aged 12 or under is rape in law (Sexual Offences Act
   2003 s.5): the rating is Red, and the police must be told at once and a strategy
   discussion held (``UNDER_13_RULE``: the referral prompts both).

The function takes only what these rules need. Ethnicity, nationality and religion are
not parameters, so no caller can make them count; ``services.screening_for`` builds
the inputs from a child's record and a test proves those never change the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from macehub.cases.codes import RISK_TIER_RANK, Brag, RiskTier, short_label

HIGH_WEIGHT = 3
MISSING_EPISODE_POINTS = 1  # added to the score for each missing episode ...
MISSING_EPISODES_CAP = 5  # ... counted up to this many episodes
YOUNG_CHILD_MAX_AGE = 13
# Sexual Offences Act 2003 s.5: a child under 13 cannot consent.
RAPE_OF_A_CHILD_MAX_AGE = 12
UNDER_13_RULE = "under_13_sexual_activity"
THRESHOLD_KEYS = ("high", "medium", "low", "high_indicators_for_high")
WEIGHT_LABELS = {1: "Low", 2: "Medium", 3: "High"}
TIER_TO_BRAG = {RiskTier.HIGH: Brag.RED, RiskTier.MEDIUM: Brag.AMBER, RiskTier.LOW: Brag.GREEN}


@dataclass(frozen=True)
class ScreenedIndicator:
    """What screening needs to know of an indicator: nothing about the child."""

    code: str
    label: str
    weight: int


@dataclass(frozen=True)
class ScreeningReason:
    """One line of the explanation: an indicator that counted, or a rule applied."""

    kind: str  # "indicator" or "rule"
    text: str
    code: str = ""  # the indicator's code, or the rule's name
    weight: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "text": self.text, "weight": self.weight}


@dataclass(frozen=True)
class Screening:
    score: int
    tier: RiskTier | None
    brag: Brag
    reasons: tuple[ScreeningReason, ...] = field(default_factory=tuple)

    @property
    def tier_value(self) -> str:
        """The tier as stored on a referral ("" for no tier)."""
        return self.tier.value if self.tier else ""

    def reasons_json(self) -> list[dict[str, Any]]:
        return [reason.as_json() for reason in self.reasons]


def _checked_thresholds(thresholds: Mapping[str, int]) -> dict[str, int]:
    missing = [key for key in THRESHOLD_KEYS if key not in thresholds]
    if missing:
        raise ValueError(f"Screening thresholds are missing {', '.join(missing)}")
    values = {key: int(thresholds[key]) for key in THRESHOLD_KEYS}
    if not 0 < values["low"] <= values["medium"] <= values["high"]:
        raise ValueError("Screening thresholds must rise: 0 < low <= medium <= high")
    if values["high_indicators_for_high"] < 1:
        raise ValueError("high_indicators_for_high must be 1 or more")
    return values


def _raise_tier(current: RiskTier | None, to: RiskTier) -> RiskTier:
    if current is None or RISK_TIER_RANK[to] > RISK_TIER_RANK[current]:
        return to
    return current


def screen_referral(
    *,
    indicators: Sequence[ScreenedIndicator],
    child_age: int | None,
    disclosure: bool,
    immediate_risk: bool,
    thresholds: Mapping[str, int],
    missing_episodes: int = 0,
    sexual_activity: bool = False,
) -> Screening:
    """Score a referral and suggest a risk tier and BRAG rating, with the reasons."""
    limits = _checked_thresholds(thresholds)
    seen = sorted(
        {indicator.code: indicator for indicator in indicators}.values(),
        key=lambda indicator: (-indicator.weight, indicator.label),
    )
    reasons = [
        ScreeningReason(
            kind="indicator",
            code=indicator.code,
            weight=indicator.weight,
            text=f"{indicator.label} ({WEIGHT_LABELS.get(indicator.weight, '?')}, "
            f"weight {indicator.weight})",
        )
        for indicator in seen
    ]
    score = sum(indicator.weight for indicator in seen)
    high_weight = [indicator for indicator in seen if indicator.weight >= HIGH_WEIGHT]

    def rule(code: str, text: str) -> None:
        reasons.append(ScreeningReason(kind="rule", code=code, text=text))

    if missing_episodes < 0:
        raise ValueError("The number of missing episodes cannot be negative")
    if missing_episodes:
        counted = min(missing_episodes, MISSING_EPISODES_CAP)
        points = counted * MISSING_EPISODE_POINTS
        score += points
        times = "once" if missing_episodes == 1 else f"{missing_episodes} times"
        capped = (f", counted up to {MISSING_EPISODES_CAP} episodes"
                  if missing_episodes > MISSING_EPISODES_CAP else "")
        rule("missing_episodes",
             f"Missing {times} in the last 30 days: {points} added to the score "
             f"({MISSING_EPISODE_POINTS} for each episode{capped})")

    tier: RiskTier | None = None
    if score >= limits["high"]:
        tier = RiskTier.HIGH
        rule("score_high", f"Score {score} is at or above the High threshold of "
                           f"{limits['high']}: tier High")
    elif score >= limits["medium"]:
        tier = RiskTier.MEDIUM
        rule("score_medium", f"Score {score} is at or above the Medium threshold of "
                             f"{limits['medium']}: tier Medium")
    elif score >= limits["low"]:
        tier = RiskTier.LOW
        rule("score_low", f"Score {score} is at or above the Low threshold of "
                          f"{limits['low']}: tier Low")
    elif missing_episodes:
        rule("score_none", f"Score {score} is below the Low threshold of "
                           f"{limits['low']}: no risk tier")
    else:
        rule("no_indicators", "No indicators: no risk tier")

    if len(high_weight) >= limits["high_indicators_for_high"] and tier != RiskTier.HIGH:
        tier = RiskTier.HIGH
        rule("high_indicators", f"{len(high_weight)} High-weight indicators (the rule is "
                                f"{limits['high_indicators_for_high']} or more): tier High")

    if child_age is not None and child_age <= YOUNG_CHILD_MAX_AGE and high_weight:
        if tier != RiskTier.HIGH:
            tier = RiskTier.HIGH
            rule("young_child", f"The child is {child_age}: for a child aged "
                                f"{YOUNG_CHILD_MAX_AGE} or under, a High-weight indicator "
                                "is treated as a sign of CSE: tier High")
        else:
            rule("young_child", f"The child is {child_age}: for a child aged "
                                f"{YOUNG_CHILD_MAX_AGE} or under, a High-weight indicator "
                                "is treated as a sign of CSE (tier already High)")

    if disclosure:
        tier = _raise_tier(tier, RiskTier.HIGH)
        rule("disclosure", "The child has made a disclosure: tier High and rating Red")

    brag = TIER_TO_BRAG[tier] if tier else Brag.BLUE
    rule("tier_to_brag", f"Rating {short_label(brag)} follows from "
                         f"{'tier ' + short_label(tier) if tier else 'no tier'}")
    if disclosure:
        brag = Brag.RED
    if immediate_risk:
        if brag != Brag.RED:
            brag = Brag.RED
            rule("immediate_risk", "The child is at immediate risk: rating Red")
        else:
            rule("immediate_risk", "The child is at immediate risk: rating Red (already Red)")
    if sexual_activity and child_age is not None and child_age <= RAPE_OF_A_CHILD_MAX_AGE:
        brag = Brag.RED
        rule(UNDER_13_RULE,
             f"Sexual activity with a child aged {child_age} is rape in law (Sexual Offences "
             "Act 2003 s.5): rating Red; notify the police now and hold a strategy "
             "discussion")

    return Screening(score=score, tier=tier, brag=brag, reasons=tuple(reasons))
