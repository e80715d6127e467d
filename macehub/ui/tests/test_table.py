"""The table component is drawn in Python (``govuk.draw_table``); its markup must stay
character for character what the template that drew it wrote (``table_as_a_template.html``
beside this module: that template, kept as the reference)."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Engine
from django.utils.html import format_html
from django.utils.safestring import mark_safe

REFERENCE = (Path(__file__).with_name("table_as_a_template.html")).read_text()

CELLS: list[Any] = [
    "Plain <text> & more",
    7,
    1234567,
    2.5,
    None,
    dt.date(2026, 12, 3),
    mark_safe("<strong>safe</strong>"),
    {"text": "A text cell <b>"},
    {"html": format_html("<a href='{}'>{}</a>", "/x?a=1&b=2", "Link & <more>")},
    {"html": "<em>not marked safe</em>"},
    {"text": "12", "format": "numeric", "classes": "govuk-!-width-one-quarter"},
    {"text": "Wide", "colspan": 2, "rowspan": 3},
    {"text": "Row head", "header": True, "classes": "app-x"},
    {"text": "Sorted", "aria-sort": "ascending", "data-thing": 'a"b'},
    {"text": "Attrs", "attributes": {"lang": "cy", "title": "<t>"}, "format": "numeric"},
    {},
]


def _rows() -> list[Any]:
    rows: list[Any] = [CELLS[i:i + 4] for i in range(0, len(CELLS), 4)]
    rows.append({"cells": CELLS[:3], "id": "row-<1>"})
    rows.append({"cells": []})
    return rows


PARAMETERS: list[dict[str, Any]] = [
    {},
    {"rows": []},
    {"rows": _rows()},
    {"rows": _rows(), "head": CELLS, "caption": "Cases <by> tier",
     "caption_classes": "govuk-table__caption--m", "first_cell_is_header": True,
     "classes": "app-table", "id": "cases", "attributes": {"aria-describedby": "hint"}},
    {"head": ["One", "Two"], "caption": format_html("<span>{}</span>", "Safe caption")},
    {"bodies": [_rows()[:2], [], _rows()[2:]], "rows": _rows(), "head": CELLS[7:]},
    {"rows": _rows(), "first_cell_is_header": "", "caption": "", "caption_classes": "x"},
    {"rows": [[cell] for cell in CELLS], "classes": "", "id": "", "attributes": {}},
]


def _reference(params: dict[str, Any]) -> str:
    return Engine.get_default().from_string(REFERENCE).render(Context(params))


@pytest.mark.parametrize("params", PARAMETERS, ids=range(len(PARAMETERS)))
def test_the_component_draws_what_its_template_drew(params: dict[str, Any]) -> None:
    drawn = Engine.get_default().get_template("components/table.html").render(Context(params))
    assert drawn == _reference(params)
    assert "<table" in drawn


@pytest.mark.parametrize("params", PARAMETERS, ids=range(len(PARAMETERS)))
def test_an_include_with_only_its_parameters_draws_the_same(params: dict[str, Any]) -> None:
    given = " ".join(f"{name}={name}" for name in params)
    include = "{% include \"components/table.html\" " + (f"with {given} " if given else "") \
        + "only %}"
    drawn = Engine.get_default().from_string(include).render(Context(params))
    assert drawn == _reference(params)


def test_a_table_written_with_the_table_tags_draws_the_same() -> None:
    page = (
        '{% load govuk %}{% table classes="app-x" id="t" aria-label="Cases" %}\n'
        '  {% table_caption caption_classes="govuk-table__caption--m" %}3 <b>cases</b>'
        "{% endtable_caption %}\n"
        '  {% table_head %}{% table_cell aria-sort="none" %}Child{% endtable_cell %}'
        '{% table_cell format="numeric" %}Age{% endtable_cell %}{% endtable_head %}\n'
        "  {% for name, age in people %}{% table_row id=name %}"
        "{% table_cell header=True %}{{ name }}{% endtable_cell %}"
        '{% table_cell format="numeric" colspan=2 %}{{ age }}{% endtable_cell %}'
        "{% endtable_row %}{% endfor %}\n"
        "{% endtable %}"
    )
    people = [("Ann <A>", 12), ("Bo & Co", 1500), ("Cy", None)]
    drawn = Engine.get_default().from_string(page).render(Context({"people": people}))
    cell = {"format": "numeric", "colspan": 2}
    expected = _reference({
        "classes": "app-x", "id": "t", "attributes": {"aria-label": "Cases"},
        "caption": mark_safe("3 <b>cases</b>"),
        "caption_classes": "govuk-table__caption--m",
        "head": [{"aria-sort": "none", "html": mark_safe("Child")},
                 {"format": "numeric", "html": mark_safe("Age")}],
        "bodies": [[{"id": name, "cells": [
            {"header": True, "html": format_html("{}", name)},
            {**cell, "html": format_html("{}", age)}]} for name, age in people]],
    })
    assert drawn == expected


def test_the_cases_exercise_every_branch() -> None:
    # The markup differs with each of these; the parameters above hold each at least once.
    keys = set(itertools.chain.from_iterable(cell for cell in CELLS if isinstance(cell, dict)))
    assert {"text", "html", "format", "classes", "colspan", "rowspan", "header",
            "attributes"} <= keys
