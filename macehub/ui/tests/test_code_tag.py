"""``{% code_tag %}`` draws any code-list value as the GOV.UK tag its code list declares."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import engines


def render(source: str, context: dict[str, Any] | None = None) -> str:
    return engines["django"].from_string("{% load govuk %}" + source).render(context or {})


@pytest.mark.parametrize(
    ("code_list", "value", "html"),
    [
        ("risk_tier", "high", '<strong class="govuk-tag govuk-tag--red">High</strong>'),
        ("risk_tier", "low", '<strong class="govuk-tag govuk-tag--yellow">Low</strong>'),
        ("brag", "blue", '<strong class="govuk-tag">Blue</strong>'),
        ("handling_code", "C",
         '<strong class="govuk-tag govuk-tag--orange">C – conditions</strong>'),
        ("referral_status", "decided",
         '<strong class="govuk-tag govuk-tag--green">Decided</strong>'),
        ("missing_episode_state", "offer_overdue",
         '<strong class="govuk-tag govuk-tag--red">Interview offer overdue</strong>'),
        # A value that has left the code list is shown as stored, in grey.
        ("risk_tier", "extreme", '<strong class="govuk-tag govuk-tag--grey">extreme</strong>'),
    ],
)
def test_code_tag_draws_the_declared_colour_and_short_label(
    code_list: str, value: str, html: str
) -> None:
    assert render("{% code_tag code_list value %}",
                  {"code_list": code_list, "value": value}).strip() == html


def test_code_tag_full_label_classes_and_blank_value() -> None:
    assert render('{% code_tag "brag" "red" label="full" classes="app-x" %}').strip() == (
        '<strong class="govuk-tag govuk-tag--red app-x">Red – possible child protection '
        "concern</strong>"
    )
    assert render('{% code_tag "risk_tier" value %}', {"value": None}) == ""
    assert render('{{ tier|code_short_label:"risk_tier"|lower }}', {"tier": "medium"}) == "medium"


def test_a_code_list_tag_is_drawn_once_and_reused() -> None:
    from macehub.ui.templatetags.govuk import _code_list_tag

    _code_list_tag.cache_clear()
    first = render('{% code_tag "risk_tier" "high" %}{% code_tag "risk_tier" "high" %}')
    assert first.count('<strong class="govuk-tag govuk-tag--red">High</strong>') == 2
    assert _code_list_tag.cache_info().hits == 1
    # Different classes or label wording are different tags.
    assert "app-x" in render('{% code_tag "risk_tier" "high" classes="app-x" %}')
    assert _code_list_tag.cache_info().misses == 2
