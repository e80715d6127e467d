"""A select's options are drawn in Python (``govuk_select_options``); the field's markup
must stay character for character what the template that drew them wrote
(the field template with the loop over the options put back, as the reference)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django import forms
from django.template import Context, Engine

from macehub.ui.templatetags import govuk

FIELD = Path(__file__).parent.parent / "templates" / "components" / "field.html"
DRAWN_IN_PYTHON = "{% govuk_select_options options %}"
# The loop the template drew the options with, before the tag drew them.
AS_A_LOOP = ('{% for option in options %}<option value="{{ option.value }}"'
             '{% if option.checked %} selected{% endif %}>{{ option.label }}</option>\n'
             '    {% endfor %}')
REFERENCE = FIELD.read_text().replace(DRAWN_IN_PYTHON, AS_A_LOOP)


class Filters(forms.Form):
    area = forms.ChoiceField(required=False, choices=[
        ("", "Any area"), ("E1", "Northtown <East> & \"West\""), ("E2", "Southtown")])
    grouped = forms.ChoiceField(choices=[
        ("Counties", [("c1", "Northshire"), ("c2", "Fen & Marsh")]),
        ("Wards", [("w1", "Abbey <ward>")]),
        ("x", "Ungrouped"),
    ])
    many = forms.MultipleChoiceField(required=False, choices=[("1", "One"), ("2", "Two")])
    tier = forms.TypedChoiceField(choices=[(1, "Low"), (2, "High")], coerce=int)


@pytest.mark.parametrize("data", [
    None,
    {"area": "E1", "grouped": "w1", "many": ["1", "2"], "tier": "2"},
    {"area": "nowhere", "grouped": "", "tier": "9"},  # not a choice: errors shown
], ids=["unbound", "chosen", "errors"])
def test_selects_draw_what_the_template_drew(data: dict[str, Any] | None) -> None:
    form = Filters(data)
    form.is_valid()
    assert FIELD.read_text().count(DRAWN_IN_PYTHON) == 1
    engine = Engine.get_default()
    for field in form:
        context = {"field": field, "label_class": "", "is_page_heading": False,
                   "input_class": "", "legend_class": ""}
        drawn = engine.get_template("components/field.html").render(Context(context))
        assert drawn == engine.from_string(REFERENCE).render(Context(context))
        assert "<option" in drawn


def _as_the_browser_reads(markup: str) -> str:
    """Markup less the whitespace between tags (between a select's options the browser
    ignores it)."""
    return re.sub(r">\s+<", "><", markup).strip()


@pytest.mark.parametrize("data", [None, {"area": "E2", "grouped": "x", "tier": "1"}],
                         ids=["unbound", "chosen"])
def test_options_outside_a_group_are_drawn_as_one_run(data: dict[str, Any] | None) -> None:
    """Django gives each option outside a group a group of its own; the runs of them are
    drawn as one (one loop of the field template, not one per option). Against a group
    for each option, as the field was given them before: the same options, groups and
    order, only fewer blank lines between them."""
    form = Filters(data)
    form.is_valid()
    engine = Engine.get_default()
    for field in form:
        context = {"field": field, "label_class": "", "is_page_heading": False,
                   "input_class": "", "legend_class": ""}
        drawn = engine.get_template("components/field.html").render(Context(context))
        with mock.patch.object(govuk, "_options", _one_group_per_option):
            before = engine.get_template("components/field.html").render(Context(context))
        assert _as_the_browser_reads(drawn) == _as_the_browser_reads(before)
        if field.name == "area":
            assert drawn.count("\n") < before.count("\n")  # the runs really are merged


def _one_group_per_option(widget_context: dict[str, Any]) -> list[tuple[str | None, Any]]:
    return [
        (group_name, [govuk.Option(
            id=str(option["attrs"].get("id", "")), name=option["name"],
            value="" if option["value"] is None else str(option["value"]),
            label=str(option["label"]), checked=bool(option["selected"]))
            for option in group_options])
        for group_name, group_options, _index in widget_context["optgroups"]
    ]


@pytest.mark.parametrize("autoescape", [True, False], ids=["escaped", "not escaped"])
def test_text_is_written_as_the_template_language_writes_it(autoescape: bool) -> None:
    """Text takes a short way past the template language's localising (it is neither a
    number nor a time): the very string ``{{ value }}`` writes, escaped or not."""
    from django.template.base import render_value_in_context
    from django.utils.safestring import mark_safe

    context = Context(autoescape=autoescape)
    values: list[Any] = ["", "Northtown", "<East> & \"West\" 'n'", mark_safe("<b>safe</b>")]
    for value in values:
        written = govuk._shown(value, context)
        expected = str(render_value_in_context(value, context))
        assert written == expected
        assert type(written) is type(expected)
    assert govuk._shown("<a>", Context(autoescape=True)) == "&lt;a&gt;"
