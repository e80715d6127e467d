"""The tag component is drawn in Python (``govuk.draw_tag``); its markup must stay
character for character what the template that drew it wrote (``tag_as_a_template.html``
beside this module: that template, kept as the reference), however it is asked for."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Engine
from django.utils.safestring import mark_safe

from macehub.ui import cells
from macehub.ui.templatetags.govuk import code_tag

REFERENCE = Path(__file__).with_name("tag_as_a_template.html").read_text()

TAGS: list[dict[str, Any]] = [
    {"text": "High risk", "colour": "red"},
    {"text": "Plain"},
    {"text": "Under <13> & \"more\"", "colour": "red", "classes": "govuk-!-margin-top-1"},
    {"text": mark_safe("<em>safe</em>"), "colour": "", "classes": ""},
    {"text": 12, "colour": "grey", "classes": "a<b"},
    {"text": None, "colour": None, "classes": None},
    {"text": dt.date(2026, 12, 3), "colour": 'x"y'},
    {},
]


def _reference(params: dict[str, Any]) -> str:
    return Engine.get_default().from_string(REFERENCE).render(Context(params))


@pytest.mark.parametrize("params", TAGS, ids=range(len(TAGS)))
def test_the_component_and_the_tag_draw_what_the_template_drew(params: dict[str, Any]) -> None:
    expected = _reference(params)
    assert "govuk-tag" in expected
    engine = Engine.get_default()
    assert engine.get_template("components/tag.html").render(Context(params)) == expected
    given = " ".join(f"{name}={name}" for name in params)
    include = '{% include "components/tag.html" ' + (f"with {given} " if given else "") + "%}"
    assert engine.from_string(include).render(Context(params)) == expected
    written = "{% load govuk %}{% govuk_tag text colour=colour classes=classes %}"
    assert engine.from_string(written).render(Context(params)) == expected


def test_tags_built_in_python_draw_the_same() -> None:
    assert cells.tag("Overdue", "red") == _reference({"text": "Overdue", "colour": "red"})
    assert code_tag("risk_tier", "gone-from-the-list") == _reference(
        {"text": "gone-from-the-list", "colour": "grey", "classes": ""})
