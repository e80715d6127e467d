"""How a service's refusal reaches the form that asked for it.

A service checks its input and raises ``django.core.exceptions.ValidationError`` keyed by
the argument at fault, before it writes anything. ``add_service_errors`` puts each message
beside the form field it is about (or at the top of the form when no field matches), so
the page shows the GOV.UK error summary and keeps what the user typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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
