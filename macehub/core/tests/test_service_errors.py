"""The service-error contract: a refusal names the argument at fault (or none), several
can be given at once, and a form shows each beside its field, or at the top."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from macehub.core.service_errors import ServiceRefused, add_service_errors, refusal_text


class _DecisionForm(forms.Form):
    brag = forms.CharField(required=False)
    decided_on = forms.CharField(required=False)


def _form() -> _DecisionForm:
    form = _DecisionForm({"brag": "typed", "decided_on": "also typed"})
    assert form.is_valid()
    return form


def test_a_refusal_is_a_validation_error_keyed_by_its_argument() -> None:
    refused = ServiceRefused("Select a BRAG rating", field="brag")
    assert isinstance(refused, ValidationError)
    assert refused.message_dict == {"brag": ["Select a BRAG rating"]}
    assert (refused.field, refused.message, str(refused)) == (
        "brag", "Select a BRAG rating", "Select a BRAG rating")


def test_a_refusal_of_the_whole_request_has_no_field() -> None:
    refused = ServiceRefused("Only staff of an agency can record a decision")
    assert refused.field == "" and not hasattr(refused, "error_dict")
    assert refusal_text(refused) == "Only staff of an agency can record a decision"


def test_several_refusals_at_once() -> None:
    refused = ServiceRefused({"brag": "Select a BRAG rating",
                              "decided_at": "The decision time must be now or in the past",
                              "": "Check the referral"})
    assert refused.field == "brag"
    assert refused.message_dict == {
        "brag": ["Select a BRAG rating"],
        "decided_at": ["The decision time must be now or in the past"],
        NON_FIELD_ERRORS: ["Check the referral"],
    }
    assert "Select a BRAG rating" in str(refused) and "Check the referral" in str(refused)
    with pytest.raises(ValueError):
        ServiceRefused({})


def test_a_form_shows_each_beside_its_field_renamed_where_needed_else_at_the_top() -> None:
    form = _form()
    add_service_errors(form, ServiceRefused({
        "brag": "Select a BRAG rating",
        "decided_at": "The decision time must be now or in the past",
        "not_on_this_form": "Shown at the top",
    }), fields={"decided_at": "decided_on"})
    assert form.errors == {
        "brag": ["Select a BRAG rating"],
        "decided_on": ["The decision time must be now or in the past"],
        NON_FIELD_ERRORS: ["Shown at the top"],
    }
    assert form.data["brag"] == "typed"  # what was typed is kept


def test_a_plain_validation_error_takes_the_same_path() -> None:
    form = _form()
    add_service_errors(form, ValidationError("Case CASE-2026-000001 is closed"))
    assert form.non_field_errors() == ["Case CASE-2026-000001 is closed"]
    assert refusal_text(ValidationError({"a": "One", "b": "Two"})) == "One Two"
