"""Code lists carry their own short label and tag colour, declared once and checked."""

from __future__ import annotations

import pytest

from macehub.cases.codes import Brag, RiskTier
from macehub.core.codes import CodeList, code_display, code_list_named, short_label, tag_colour


@code_display("test_alert_level", tag_colours={"severe": "red", "calm": ""},
              short_labels={"calm": "All calm"})
class AlertLevel(CodeList):
    SEVERE = "severe", "Severe – act now"
    CALM = "calm", "Calm – nothing to do"
    UNUSUAL = "unusual", "Unusual"


def test_short_label_is_the_label_before_its_explanation_unless_declared() -> None:
    assert AlertLevel.SEVERE.short_label == "Severe"
    assert AlertLevel.CALM.short_label == "All calm"
    assert AlertLevel.UNUSUAL.short_label == "Unusual"
    assert Brag.RED.short_label == "Red"
    assert RiskTier.MEDIUM.short_label == "Medium"


def test_tag_colour_is_declared_or_the_default() -> None:
    assert AlertLevel.SEVERE.tag_colour == "red"
    assert AlertLevel.CALM.tag_colour == ""  # GOV.UK's default blue tag
    assert AlertLevel.UNUSUAL.tag_colour == "grey"
    assert AlertLevel.tag_colours() == {"severe": "red", "calm": "", "unusual": "grey"}
    assert RiskTier.tag_colours() == {"high": "red", "medium": "orange", "low": "yellow"}


def test_stored_values_are_looked_up_by_the_list_name() -> None:
    assert code_list_named("test_alert_level") is AlertLevel
    assert tag_colour("risk_tier", "high") == "red"
    assert short_label("brag", "amber") == "Amber"
    # A blank value or one that has left the list: grey, shown as stored.
    assert tag_colour("risk_tier", "") == "grey"
    assert tag_colour("risk_tier", "extreme") == "grey"
    assert short_label("risk_tier", "extreme") == "extreme"
    with pytest.raises(LookupError):
        code_list_named("no_such_list")


def test_a_colour_for_a_value_the_list_lacks_fails_at_declaration() -> None:
    with pytest.raises(ValueError, match=r"has no value \['amber'\] to give a tag colour"):
        @code_display("test_typo", tag_colours={"amber": "orange"})
        class Typo(CodeList):
            RED = "red", "Red"


def test_two_lists_cannot_share_a_name() -> None:
    with pytest.raises(ValueError, match="Two code lists are called 'risk_tier'"):
        @code_display("risk_tier")
        class OtherTier(CodeList):
            HIGH = "high", "High"
