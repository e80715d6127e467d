"""Every form of the hub, bound to hostile data (``macehub.testing.hostile``): binding and
``is_valid()`` never raise, and a text box the form accepts keeps what was typed.

The forms are found, not listed: every module of the package named ``forms`` (or in a
``forms`` package) or ending ``_forms`` is imported, and so is the URL configuration (a
few views keep a small form beside them); then every subclass of Django's ``BaseForm``
defined in the hub is taken. A new form is covered the moment it exists; the guard test
fails if discovery finds fewer than the hub has.

The rule for text: a ``CharField`` the form leaves valid cleans to the last value typed
in its box with leading and trailing whitespace removed (Django's ``strip``, on unless the
field turns it off), or to the field's empty value (when nothing is left, or when the
form drops the answer to a question that did not apply). Fields that
normalise on purpose (a postcode in capitals, say) are listed in ``NORMALISED`` with the
reason.

Forms that need more than data to be made (choices, a record) get their keyword arguments
from ``ARGUMENTS``: by argument name, or by the argument's type for lists of choices.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.test import RequestFactory
from django.urls import get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st

import macehub
from macehub.accounts.models import Agency, Team
from macehub.testing.factories import make_person
from macehub.testing.hostile import examples, hostile_form_data

# How many forms the hub had when this test was written: discovery finding fewer means
# it lost some.
AT_LEAST = 120

# Text fields whose cleaning changes what was typed, on purpose.
NORMALISED: dict[str, str] = {
    "intelligence.forms.PhoneLinkForm.number": "kept in international (E.164) form",
}
# Base classes that are not forms on their own.
ABSTRACT: dict[str, str] = {
    "intelligence.forms.LinkForm": "the base of the forms linking a record of each kind",
}


def _form_modules() -> Iterator[str]:
    for module in pkgutil.walk_packages(macehub.__path__, "macehub."):
        parts = module.name.split(".")
        if "tests" in parts or "migrations" in parts or "demo" in parts:
            continue
        if "forms" in parts or parts[-1].endswith("_forms"):
            yield module.name


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def discover_forms() -> list[type[forms.BaseForm]]:
    for name in _form_modules():
        importlib.import_module(name)
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    found = {
        cls for cls in _subclasses(forms.BaseForm)
        if cls.__module__.startswith("macehub.") and ".tests" not in cls.__module__
        and ".demo" not in cls.__module__
    }
    return sorted((cls for cls in found if _label(cls) not in ABSTRACT), key=_label)


def _label(form_class: type) -> str:
    return f"{form_class.__module__.removeprefix('macehub.')}.{form_class.__qualname__}"


FORMS = discover_forms()


class Records:
    """Records some forms are made about, made once per test that asks."""

    def __init__(self, agency: Agency, team: Team) -> None:
        self.agency, self.team = agency, team

    def pair(self) -> tuple[Any, Any]:
        return (make_person(self.agency, given_name="Ada", family_name="One"),
                make_person(self.agency, given_name="Ada", family_name="Two"))


def _referral(records: Records) -> Any:
    from macehub.referrals.models import Referral
    return Referral()


def _catalogue(records: Records) -> Any:
    from macehub.cases.models import Indicator, IndicatorDomain
    grouped: dict[Any, list[Any]] = defaultdict(list)
    for indicator in Indicator.objects.order_by("code"):
        grouped[IndicatorDomain(indicator.domain)].append(indicator)
    return list(grouped.items())


def _item(records: Records) -> Any:
    from macehub.governance.subject_access_models import DisclosureItem
    return DisclosureItem(fields=[{"name": "what", "label": "What", "text": "Seen"},
                                  {"name": "where", "label": "Where", "text": "Park"}])


def _mappings(records: Records) -> Any:
    from macehub.referrals.models import PartnerMapping
    return PartnerMapping.objects.all()


def _kind(records: Records) -> Any:
    from macehub.investigations.models import JourneyStepKind
    return JourneyStepKind.ABE_INTERVIEW


# Keyword arguments by name, then by annotation (the forms' own spelling of the type).
ARGUMENTS: dict[str, Callable[[Records], Any]] = {
    "referral": _referral,
    "catalogue": _catalogue,
    "item": _item,
    "mappings": _mappings,
    "kind": _kind,
    "pair": lambda records: records.pair(),
    "matches": lambda records: [],
    "today": lambda records: dt.date(2026, 6, 1),
    "adding": lambda records: True,
}
BY_ANNOTATION: dict[str, Callable[[Records], Any]] = {
    "list[tuple[int, str]]": lambda records: [(1, "First"), (2, "Second")],
    "list[tuple[str, str]]": lambda records: [("first", "First"), ("second", "Second")],
    "list[str]": lambda records: ["first", "second"],
    "dict[str, list[tuple[str, str]]]":
        lambda records: defaultdict(lambda: [("first", "First"), ("second", "Second")]),
    "bool": lambda records: True,
}


def _required_arguments(form_class: type[forms.BaseForm]) -> dict[str, inspect.Parameter]:
    required: dict[str, inspect.Parameter] = {}
    for cls in form_class.__mro__:
        init = cls.__dict__.get("__init__")
        if init is None or cls.__module__.startswith("django."):
            continue
        for name, parameter in inspect.signature(init).parameters.items():
            if (parameter.kind is inspect.Parameter.KEYWORD_ONLY
                    and parameter.default is inspect.Parameter.empty
                    and name not in required):
                required[name] = parameter
    return required


def make_form(form_class: type[forms.BaseForm], records: Records, data: Any = None
              ) -> forms.BaseForm:
    kwargs = {}
    for name, parameter in _required_arguments(form_class).items():
        make = ARGUMENTS.get(name) or BY_ANNOTATION.get(str(parameter.annotation))
        assert make is not None, (
            f"{form_class.__qualname__} needs {name}: {parameter.annotation}; add it to "
            "ARGUMENTS in this test")
        kwargs[name] = make(records)
    if issubclass(form_class, AuthenticationForm):
        kwargs["request"] = RequestFactory().post("/")  # signing in asks who asks
    return form_class(data=data, **kwargs)


def test_discovery_finds_every_form() -> None:
    assert len(FORMS) >= AT_LEAST, [_label(form) for form in FORMS]
    names = {form.__qualname__ for form in FORMS}
    # One from a forms package, one from a *_forms module, one beside its view.
    assert {"TriageDecisionForm", "RedactionForm", "AreaFilterForm"} <= names, names


def _typed(data: Any, name: str) -> str | None:
    values = data.getlist(name)
    return values[-1] if values else None


def assert_text_kept(form: forms.BaseForm, data: Any) -> None:
    for name, field in form.fields.items():
        if type(field) is not forms.CharField or name in form.errors:
            continue
        if f"{_label(type(form))}.{name}" in NORMALISED or hasattr(form, f"clean_{name}"):
            continue
        typed = _typed(data, form.add_prefix(name))
        if typed is None or name not in form.cleaned_data:
            continue
        expected = typed.strip() if field.strip else typed
        cleaned = form.cleaned_data[name]
        # Empty is also what a form keeps of an answer to a question that did not apply.
        assert cleaned == expected or cleaned in field.empty_values, (
            f"{_label(type(form))}.{name}", typed, cleaned)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=_label)
def test_hostile_data_never_breaks_a_form(
    form_class: type[forms.BaseForm], hub_agency: Agency, hub_team: Team
) -> None:
    records = Records(hub_agency, hub_team)
    shape = make_form(form_class, records)

    @settings(max_examples=examples(6))
    @given(data=st.data())
    def bind(data: st.DataObject) -> None:
        typed = data.draw(hostile_form_data(shape))
        form = make_form(form_class, records, typed)
        form.is_valid()
        assert_text_kept(form, typed)

    bind()
