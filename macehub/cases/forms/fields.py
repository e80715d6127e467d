"""What every case form shares: the form that carries a service's refusals back to its
fields, the time field, and the choice of staff and agencies."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.core.service_errors import add_service_errors

TIME_HINT = "Use the 24-hour clock or am and pm, for example 14:30 or 2:30pm"
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_time(text: str) -> dt.time | None:
    """'14:30', '1430', '2:30pm', '2pm', '9.15am', 'midday', 'midnight' -> a time."""
    text = text.strip().lower()
    if text in ("midday", "noon", "12 noon"):
        return dt.time(12)
    if text == "midnight":
        return dt.time(0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None  # "14" alone is ambiguous: ask for minutes or am/pm
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class TimeField(forms.CharField):
    """A time of day typed into one box (GOV.UK has no time component)."""

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(
            label=label, required=required, max_length=12, help_text=TIME_HINT,
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5",
                                          "autocomplete": "off", "spellcheck": "false"}),
            **kwargs,
        )

    def clean(self, value: Any) -> dt.time | None:
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise ValidationError(
                f"{self.label} must be a real time, for example 14:30 or 2:30pm", code="invalid"
            )
        return parsed


class ServiceForm(forms.Form):
    """A form whose input a service checks. ``SERVICE_FIELDS`` maps a service argument
    to the form field its errors belong beside; ``DATE_TIMES`` names the (date, time)
    field pairs that make one moment."""

    SERVICE_FIELDS: dict[str, str] = {}
    DATE_TIMES: dict[str, tuple[str, str]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        zone = timezone.get_current_timezone()
        for target, (date_name, time_name) in self.DATE_TIMES.items():
            day, time = cleaned.get(date_name), cleaned.get(time_name)
            if date_name in self.errors or time_name in self.errors:
                continue
            if day and time is None:
                self.add_error(time_name, f"Enter the {_label(self, time_name)}")
            elif time is not None and not day:
                self.add_error(date_name, f"Enter the {_label(self, date_name)}")
            cleaned[target] = dt.datetime.combine(day, time, tzinfo=zone) if (
                day and time is not None) else None
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's errors beside the fields they are about (or at the top)."""
        add_service_errors(self, error, fields=self.SERVICE_FIELDS)


def _label(form: forms.Form, name: str) -> str:
    label = str(form.fields[name].label or name)
    return label[:1].lower() + label[1:]


class _UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return f"{user.display_name} ({user.agency.name})" if user.agency else user.display_name


class _CandidateChoiceField(_UserChoiceField):
    """A worker to allocate, with their open caseload beside their name (the queryset is
    annotated with ``open_cases`` and ``high_cases``: ``selectors.*_with_caseload``)."""

    def label_from_instance(self, obj: Any) -> str:
        cases = int(getattr(obj, "open_cases", 0))
        high = int(getattr(obj, "high_cases", 0))
        return (f"{super().label_from_instance(obj)} – {cases} open case"
                f"{'' if cases == 1 else 's'}, {high} High")


CASELOAD_HINT = ("Each name shows the open cases they hold now as {role}, and how many "
                 "of those are High risk.")


def _agencies() -> Any:
    return Agency.objects.filter(is_active=True).order_by("name")
