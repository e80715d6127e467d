"""Screening: the score, each rule, the thresholds, and that ethnicity, nationality and
religion can never be inputs."""

from __future__ import annotations

import inspect

import pytest

from macehub.cases.codes import Brag, RiskTier
from macehub.referrals.screening import (
    MISSING_EPISODES_CAP,
    ScreenedIndicator,
    screen_referral,
)

THRESHOLDS = {"high": 10, "medium": 5, "low": 1, "high_indicators_for_high": 2}

STI = ScreenedIndicator("HEALTH_STI", "Sexually transmitted infection", 3)
VEHICLES = ScreenedIndicator("GROOMING_VEHICLES", "Seen in vehicles driven by unknown adults", 3)
SELF_HARM = ScreenedIndicator("HEALTH_SELF_HARM", "Self-harm or suicidal thoughts", 2)
GIFTS = ScreenedIndicator("GROOMING_GIFTS", "Unexplained gifts or money", 2)
OFFENDING = ScreenedIndicator("BEHAVIOUR_OFFENDING", "Offending", 2)
TRUANCY = ScreenedIndicator("BEHAVIOUR_TRUANCY", "Truancy", 1)
PHONE = ScreenedIndicator("GROOMING_PHONE", "Late-night phone use", 1)


def screen(*indicators: ScreenedIndicator, age: int | None = 15, disclosure: bool = False,
           immediate_risk: bool = False, thresholds: dict[str, int] | None = None,
           missing: int = 0, sexual_activity: bool = False):
    return screen_referral(indicators=indicators, child_age=age, disclosure=disclosure,
                           immediate_risk=immediate_risk, thresholds=thresholds or THRESHOLDS,
                           missing_episodes=missing, sexual_activity=sexual_activity)


def rules(screening) -> list[str]:
    return [reason.code for reason in screening.reasons if reason.kind == "rule"]


def test_no_indicators_is_blue_with_no_tier() -> None:
    result = screen()
    assert (result.score, result.tier, result.brag) == (0, None, Brag.BLUE)
    assert rules(result) == ["no_indicators", "tier_to_brag"]


def test_the_score_is_the_sum_of_the_weights_and_each_indicator_is_a_reason() -> None:
    result = screen(TRUANCY, GIFTS, PHONE)
    assert result.score == 4
    indicator_reasons = [r for r in result.reasons if r.kind == "indicator"]
    assert [(r.code, r.weight) for r in indicator_reasons] == [
        ("GROOMING_GIFTS", 2), ("GROOMING_PHONE", 1), ("BEHAVIOUR_TRUANCY", 1)]
    assert indicator_reasons[0].text == "Unexplained gifts or money (Medium, weight 2)"


def test_an_indicator_given_twice_counts_once() -> None:
    assert screen(GIFTS, GIFTS).score == 2


@pytest.mark.parametrize(
    ("indicators", "tier", "brag", "rule"),
    [
        ((TRUANCY,), RiskTier.LOW, Brag.GREEN, "score_low"),  # 1: the Low threshold
        ((GIFTS, SELF_HARM), RiskTier.LOW, Brag.GREEN, "score_low"),  # 4: just below Medium
        ((GIFTS, SELF_HARM, TRUANCY), RiskTier.MEDIUM, Brag.AMBER, "score_medium"),  # 5
        ((STI, GIFTS, SELF_HARM, OFFENDING), RiskTier.MEDIUM, Brag.AMBER, "score_medium"),  # 9
        ((STI, GIFTS, SELF_HARM, OFFENDING, TRUANCY), RiskTier.HIGH, Brag.RED,
         "score_high"),  # 10
    ],
)
def test_the_tier_follows_the_score_thresholds(indicators, tier, brag, rule) -> None:
    result = screen(*indicators)
    assert (result.tier, result.brag) == (tier, brag)
    assert rule in rules(result)


def test_thresholds_come_from_the_setting_passed_in() -> None:
    lower = {"high": 4, "medium": 2, "low": 1, "high_indicators_for_high": 5}
    assert screen(GIFTS, SELF_HARM, thresholds=lower).tier == RiskTier.HIGH
    assert screen(GIFTS, SELF_HARM).tier == RiskTier.LOW


def test_two_high_weight_indicators_make_the_tier_high_whatever_the_score() -> None:
    result = screen(STI, VEHICLES)  # score 6: Medium by score
    assert (result.score, result.tier, result.brag) == (6, RiskTier.HIGH, Brag.RED)
    assert rules(result) == ["score_medium", "high_indicators", "tier_to_brag"]


@pytest.mark.parametrize("age", [10, 13])
def test_a_child_aged_13_or_under_with_one_high_indicator_is_high(age: int) -> None:
    result = screen(STI, age=age)  # score 3: Low by score
    assert (result.tier, result.brag) == (RiskTier.HIGH, Brag.RED)
    assert "young_child" in rules(result)
    assert any(f"The child is {age}" in r.text for r in result.reasons)


def test_the_age_rule_does_not_apply_at_14_or_without_a_high_indicator_or_an_age() -> None:
    assert screen(STI, age=14).tier == RiskTier.LOW
    assert screen(GIFTS, SELF_HARM, age=12).tier == RiskTier.LOW
    assert screen(STI, age=None).tier == RiskTier.LOW
    assert "young_child" not in rules(screen(STI, age=14))


def test_a_disclosure_makes_the_child_high_and_red_even_with_no_indicators() -> None:
    result = screen(disclosure=True)
    assert (result.tier, result.brag) == (RiskTier.HIGH, Brag.RED)
    assert "disclosure" in rules(result)


def test_immediate_risk_makes_the_rating_red_but_not_the_tier() -> None:
    result = screen(TRUANCY, immediate_risk=True)
    assert (result.tier, result.brag) == (RiskTier.LOW, Brag.RED)
    assert rules(result)[-1] == "immediate_risk"
    assert screen(immediate_risk=True).brag == Brag.RED


def test_reasons_serialise_for_storage() -> None:
    stored = screen(STI, GIFTS).reasons_json()
    assert stored[0] == {"kind": "indicator", "code": "HEALTH_STI", "weight": 3,
                         "text": "Sexually transmitted infection (High, weight 3)"}
    assert all(set(item) == {"kind", "code", "text", "weight"} for item in stored)


def test_sexual_activity_with_a_child_aged_12_is_red_and_prompts_the_police() -> None:
    result = screen(TRUANCY, age=12, sexual_activity=True)
    assert result.brag == Brag.RED
    assert rules(result)[-1] == "under_13_sexual_activity"
    assert "Sexual Offences Act 2003 s.5" in result.reasons[-1].text
    assert screen(age=7, sexual_activity=True).brag == Brag.RED  # no indicators at all


def test_a_13_year_old_is_not_made_red_by_the_under_13_rule() -> None:
    result = screen(TRUANCY, age=13, sexual_activity=True)
    assert result.brag == Brag.GREEN
    assert "under_13_sexual_activity" not in rules(result)
    # Nor is a child of 12 with no sexual activity recorded, nor one of unknown age.
    assert "under_13_sexual_activity" not in rules(screen(TRUANCY, age=12))
    assert screen(TRUANCY, age=None, sexual_activity=True).brag == Brag.GREEN


def test_thresholds_that_do_not_make_sense_are_refused() -> None:
    with pytest.raises(ValueError, match="missing"):
        screen(thresholds={"high": 10})
    with pytest.raises(ValueError, match="rise"):
        screen(thresholds={"high": 3, "medium": 5, "low": 1, "high_indicators_for_high": 2})


def test_ethnicity_nationality_and_religion_cannot_be_inputs() -> None:
    parameters = inspect.signature(screen_referral).parameters
    assert set(parameters) == {"indicators", "child_age", "disclosure", "immediate_risk",
                               "thresholds", "missing_episodes", "sexual_activity"}
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters.values())
    assert set(ScreenedIndicator.__dataclass_fields__) == {
        "code", "label", "weight"}
    for forbidden in ("ethnicity", "self_defined_ethnicity", "nationality", "religion"):
        with pytest.raises(TypeError):
            screen_referral(indicators=(), child_age=12, disclosure=False,
                            immediate_risk=False, thresholds=THRESHOLDS,
                            **{forbidden: "anything"})


def missing_reason(screening) -> str:
    found = [r.text for r in screening.reasons if r.code == "missing_episodes"]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("episodes", [1, 2, 3, 4, 5])
def test_each_missing_episode_adds_one_to_the_score(episodes: int) -> None:
    without = screen(TRUANCY)
    result = screen(TRUANCY, missing=episodes)
    assert result.score == without.score + episodes
    assert missing_reason(result) == (
        f"Missing {'once' if episodes == 1 else f'{episodes} times'} in the last 30 days: "
        f"{episodes} added to the score (1 for each episode)")


def test_the_missing_episodes_are_counted_up_to_the_cap_and_the_reason_says_so() -> None:
    assert MISSING_EPISODES_CAP == 5
    result = screen(missing=9)
    assert result.score == 5
    assert missing_reason(result) == (
        "Missing 9 times in the last 30 days: 5 added to the score "
        "(1 for each episode, counted up to 5 episodes)")
    assert screen(missing=99).score == screen(missing=MISSING_EPISODES_CAP).score


def test_missing_episodes_alone_can_make_a_child_medium_but_not_high() -> None:
    assert (screen(missing=2).tier, screen(missing=2).brag) == (RiskTier.LOW, Brag.GREEN)
    assert screen(missing=5).tier == RiskTier.MEDIUM
    assert screen(missing=50).tier == RiskTier.MEDIUM
    # With indicators, the episodes can carry the score over the High threshold.
    assert screen(STI, GIFTS).tier == RiskTier.MEDIUM
    assert screen(STI, GIFTS, missing=5).tier == RiskTier.HIGH


def test_no_missing_episodes_adds_nothing_and_no_reason() -> None:
    result = screen(TRUANCY, missing=0)
    assert result.score == 1
    assert "missing_episodes" not in rules(result)
    with pytest.raises(ValueError, match="negative"):
        screen(missing=-1)
