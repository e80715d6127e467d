"""Hostile input for property-based tests (Hypothesis): what a careless or malicious
person, a spreadsheet or a partner system may type or send, by the kind of value a field
expects. The forms, pages, importers and API tests draw from these.

- text: very long text, NUL and other control characters, right-to-left and combining
  marks and emoji, CSV formula prefixes (``=+-@``), HTML and template syntax, whitespace
  that is not a space;
- numbers: huge, negative, exponent, NaN and infinity, non-ASCII digits, empty;
- dates: out of range and malformed days, months and years;
- choices: values that are not among the choices, and real ones;
- several values where one is expected (``QueryDict.setlist`` with two or three).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.http import QueryDict
from hypothesis import settings
from hypothesis import strategies as st


def examples(usual: int) -> int:
    """``usual`` examples in the suite's profile, proportionally more in "thorough"
    (``MACEHUB_HYPOTHESIS_PROFILE``, macehub/conftest.py)."""
    current = settings.default
    return usual * max(1, (current.max_examples if current else 25) // 25)


# Text that has broken applications: each one a reason a field must store what it was given
# or refuse it, never fail.
HOSTILE_TEXTS = (
    "",
    " ",
    "\u00a0padded\u00a0",
    "  leading and trailing  ",
    "A" * 5_001,
    "line one\r\nline two\rline three\nline four",
    "nul\x00byte",
    "bell\x07escape\x1b[31mred\x1b[0m",
    "tab\tvertical\x0bform\x0cfeed",
    "\u2028line separator\u2029",
    "\u202eright-to-left override\u202c",
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "Zoe\u0308 e\u0301\u0301\u0301 \u0a8f\u0acd",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001f3f4\U000e0067\U000e0062\U000e0065"
    "\U000e006e\U000e0067\U000e007f",
    "\ufeffbyte order mark",
    "zero\u200bwidth\u200djoiner",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "=cmd|' /C calc'!A0",
    "+44 7700 900000",
    "-2+3",
    "@SUM(A1:A9)",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "{{ request.user.password }}",
    "{% debug %}",
    "${7*7} #{7*7} %s %(name)s {0}",
    "'; DROP TABLE people_person; --",
    "../../../../etc/passwd",
    "\\x00\\n",
    "null",
    "None",
    "\u0130\u0131\u00df\ufb03",
)

HOSTILE_NUMBERS = (
    "", "0", "-1", "1", "7", "2147483648", "9223372036854775808", "-9223372036854775809",
    "9" * 400, "1e309", "-1e309", "1e-400", "NaN", "inf", "-Infinity", "1.5", "1,000",
    "1_000", "0x1F", "\u0661\u0662", "\uff11\uff12", " 3 ", "3\x00", "+5", "--5",
)

HOSTILE_DAYS = ("", "0", "1", "29", "31", "32", "-1", "99999999999", "1.5", "\u0661", "x")
HOSTILE_MONTHS = ("", "0", "2", "12", "13", "Feb", "sept", "-1", "99999999999", "x")
HOSTILE_YEARS = ("", "0", "1", "999", "1900", "2026", "9999", "10000", "-2026",
                 "99999999999999999999", "2026.0", "\u0662\u0660\u0662\u0666")
HOSTILE_DATES = ("", "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "10000-01-01",
                 "-2026-01-01", "2026-06-01T25:00", "2026-06-01T12:00:00+99:00",
                 "01/06/2026", "yesterday", "2026-06-01 12:00", "12:00", "24:00", "23:59:60",
                 "2026-03-29 01:30", "2026-10-25 01:30")


def hostile_text() -> st.SearchStrategy[str]:
    """Text from the list above, Hypothesis's own text (every code point except lone
    surrogates, which no HTTP request can carry) or the two glued together."""
    listed = st.sampled_from(HOSTILE_TEXTS)
    generated = st.text(st.characters(codec="utf-8"), max_size=30)
    return st.one_of(listed, generated, st.builds(lambda a, b: a + b, listed, generated))


def _scalar(field: forms.Field) -> st.SearchStrategy[str]:
    """One typed value for a field of this kind."""
    text = hostile_text()
    if isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        return st.one_of(st.sampled_from(HOSTILE_NUMBERS),
                         st.integers(min_value=-(10**30), max_value=10**30).map(str), text)
    if isinstance(field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return st.one_of(st.sampled_from(HOSTILE_DATES), text)
    if isinstance(field, forms.ModelChoiceField):
        return st.one_of(st.sampled_from(HOSTILE_NUMBERS), text)
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _label in _flat_choices(field)]
        if choices:
            return st.one_of(st.sampled_from(choices), st.sampled_from(choices), text)
        return text
    if isinstance(field, forms.BooleanField):
        return st.one_of(st.sampled_from(("on", "true", "false", "0", "1", "")), text)
    return text


def _flat_choices(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    flat: list[tuple[Any, Any]] = []
    for value, label in cast(Iterable[tuple[Any, Any]], field.choices):
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


def _values(field: forms.Field) -> st.SearchStrategy[list[str]]:
    """What the browser sends for a box: nothing, one value, or several (a list where one
    is expected, or the several a multiple choice takes)."""
    one = _scalar(field)
    return st.one_of(st.just([]), one.map(lambda value: [value]),
                     st.lists(one, min_size=2, max_size=3))


def _names(name: str, field: forms.Field) -> list[str]:
    widget = field.widget
    if isinstance(widget, forms.MultiWidget):
        return [f"{name}{suffix}" for suffix in cast(Any, widget).widgets_names]
    return [name]


@st.composite
def hostile_form_data(draw: st.DrawFn, form: forms.BaseForm) -> QueryDict:
    """Data for every box of ``form``, hostile: what its bound form is given."""
    data = QueryDict(mutable=True)
    for name, field in form.fields.items():
        html_name = form.add_prefix(name)
        if isinstance(field.widget, forms.MultiWidget):
            for key in _names(html_name, field):
                part = key.rsplit("_", 1)[-1]
                pool = {"day": HOSTILE_DAYS, "month": HOSTILE_MONTHS,
                        "year": HOSTILE_YEARS}.get(part, HOSTILE_NUMBERS)
                data.setlist(key, draw(st.lists(
                    st.one_of(st.sampled_from(pool), hostile_text()), max_size=2)))
            continue
        if isinstance(field, forms.FileField):
            continue  # files are the importers' tests
        data.setlist(html_name, draw(_values(field)))
    return data
