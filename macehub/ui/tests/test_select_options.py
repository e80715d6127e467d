"""A select's options are drawn in Python (``govuk_select_options``); the field's markup
must stay character for character what the template that drew them wrote
(the field template with the loop over the options put back, as the reference)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.template import Context, Engine

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
