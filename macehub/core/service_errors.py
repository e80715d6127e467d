"""How a service refuses what it was asked, and how that reaches the page that asked:
one contract for every app.

A service checks its input and, before it writes anything, raises
``django.core.exceptions.ValidationError`` keyed by the argument at fault, or, for a
single refusal, ``ServiceRefused`` (a ``ValidationError`` too) naming the argument in
``field`` (or none, for the request as a whole). A subclass is made only where a caller
must tell one refusal from the others (its docstring says who and why).

Every page shows one the same way: it catches ``ValidationError`` and calls
``add_service_errors``, which puts each message beside the form field it is about (or at
the top of the form when no field matches; ``fields`` maps an argument to a field named
differently), so the page shows the GOV.UK error summary and keeps what the user typed.
A caller with no form (a button that redirects) shows ``refusal_text``.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class ServiceRefused(ValidationError):
    """What was asked cannot be done as it stands; nothing has been saved. ``field``
    names the argument (the form field) to put right, when there is one; ``message``
    says what to put right, in the words the page shows.

    A service that checks several arguments at once gives them all, so the page can show
    every error together: ``ServiceRefused({"brag": "...", "decided_at": "..."})``
    (``field`` is then the first; "" keys the request as a whole)."""

    def __init__(self, message: str | Mapping[str, str], *, field: str = "") -> None:
        if isinstance(message, Mapping):
            errors = dict(message)
            if not errors:
                raise ValueError("A refusal says what is refused")
            super().__init__({name or NON_FIELD_ERRORS: [text] for name, text in errors.items()})
            self.message = " ".join(errors.values())
            self.field = next(iter(errors))
            return
        super().__init__({field: [message]} if field else message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def refusal_text(error: ValidationError) -> str:
    """A refusal as one sentence or more, for a page with no form to put it on."""
    return " ".join(error.messages)


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> None:
    """Add a service's errors to ``form``. ``fields`` maps a service argument to the
    form field its errors belong beside, where the names differ."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        field_name: str | None = (fields or {}).get(name, name)
        if field_name not in form.fields or field_name == NON_FIELD_ERRORS:
            field_name = None
        for item in errors:
            form.add_error(field_name, item)


def service_error_fields(
    error: ValidationError, *, fields: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """A service's errors as an API answers them (400): messages by field, ``fields``
    mapping a service argument to the request field named differently; an error about
    the request as a whole under ``non_field_errors``, as the REST framework words it."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": list(error.messages)}
    answer: dict[str, list[str]] = {}
    for name, errors in error.error_dict.items():
        key = (fields or {}).get(name, name)
        key = "non_field_errors" if key in ("", NON_FIELD_ERRORS) else key
        answer.setdefault(key, []).extend(ValidationError(errors).messages)
    return answer
