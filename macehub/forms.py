"""Form pieces shared by every app: the GOV.UK date input as a Django widget and field.

GOV.UK asks for a date as three boxes (day, month, year) and words its errors in a set
way ("Enter date of birth", "Date of birth must include a month", "Date of birth must be
a real date"). ``GovukDateField`` cleans the three boxes to a ``datetime.date`` with those
messages; ``components/field.html`` draws it. Each error code names the boxes that are
wrong (``missing_month``, ``invalid_day``...), so the template highlights only those and
the error summary links to the first of them.

``PeriodForm`` is the period ("From", "To") that the dashboard and the problem profile ask
for, a whole month by default.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import pretty_name
from django.utils import timezone

from macehub.core.metrics import Period

DATE_PARTS = ("day", "month", "year")

# "Jan", "January", "sept"... -> month number; GOV.UK accepts month names as well as numbers.
_MONTH_NAMES = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTH_NAMES["sept"] = 9


class GovukDateWidget(forms.MultiWidget):
    """Three text boxes named ``<name>_day``, ``<name>_month`` and ``<name>_year``.

    Their ids follow the names (``id_<name>_day``...), so labels and error-summary links
    can point at one box. ``autocomplete="bday"`` turns into ``bday-day``, ``bday-month``
    and ``bday-year`` on the boxes, as GOV.UK asks for a date of birth.
    """

    def __init__(
        self, attrs: dict[str, Any] | None = None, *, autocomplete: str | None = None
    ) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            part: forms.TextInput(
                attrs={"inputmode": "numeric"}
                | ({"autocomplete": f"{autocomplete}-{part}"} if autocomplete else {})
            )
            for part in DATE_PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id")
        for part, subwidget in zip(DATE_PARTS, context["widget"]["subwidgets"], strict=True):
            subwidget["part"] = part
            if field_id:
                subwidget["attrs"]["id"] = f"{field_id}_{part}"
        return context

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else ""


class GovukDateField(forms.Field):
    """A date entered as day, month and year, cleaned to ``datetime.date``.

    ``not_in_future`` and ``not_in_past`` compare with today in the hub's time zone
    (Europe/London). Messages may be overridden through ``error_messages`` and may use
    ``{label}`` (lower case, for the middle of a sentence) and ``{Label}``.
    """

    widget = GovukDateWidget
    default_error_messages = {
        "required": "Enter {label}",
        "incomplete": "{Label} must include {missing}",
        "invalid": "{Label} must be a real date",
        "year_digits": "Year must include 4 numbers",
        "future": "{Label} must be today or in the past",
        "past": "{Label} must be today or in the future",
    }

    def __init__(
        self, *, not_in_future: bool = False, not_in_past: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.not_in_future = not_in_future
        self.not_in_past = not_in_past
        self._message_label = self.label

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        # The field learns the label the form shows (its own, or one made from the field
        # name) before it is cleaned, so that every message names the date the same way.
        if self.label is None:
            self._message_label = pretty_name(field_name)
        return super().get_bound_field(form, field_name)

    @staticmethod
    def parts_in_error(code: str | None) -> tuple[str, ...]:
        """The boxes an error with this code is about: ``missing_day_month`` -> day, month."""
        if code and code.startswith(("missing_", "invalid_")):
            parts = tuple(part for part in code.split("_")[1:] if part in DATE_PARTS)
            if parts:
                return parts
        if code == "year_digits":
            return ("year",)
        return DATE_PARTS

    def _error(self, key: str, code: str, **extra: str) -> ValidationError:
        label = str(self._message_label or "date")
        message = self.error_messages[key].format(
            label=_lower_first(label), Label=label[:1].upper() + label[1:], **extra
        )
        return ValidationError(message, code=code)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        day, month, year = _three_parts(value)
        if not (day or month or year):
            return None
        missing = [part for part, text in zip(DATE_PARTS, (day, month, year), strict=True)
                   if not text]
        if missing:
            raise self._error(
                "incomplete", "missing_" + "_".join(missing), missing=_missing_words(missing)
            )
        if not day.isdigit():
            raise self._error("invalid", "invalid_day")
        month_number = int(month) if month.isdigit() else _MONTH_NAMES.get(month.lower())
        if month_number is None:
            raise self._error("invalid", "invalid_month")
        if not year.isdigit():
            raise self._error("invalid", "invalid_year")
        if len(year) != 4:
            raise self._error("year_digits", "year_digits")
        if not 1 <= month_number <= 12:
            raise self._error("invalid", "invalid_month")
        try:
            return dt.date(int(year), month_number, int(day))
        except ValueError:
            raise self._error("invalid", "invalid") from None

    def validate(self, value: dt.date | None) -> None:
        if value is None:
            if self.required:
                raise self._error("required", "required")
            return
        today = timezone.localdate()
        if self.not_in_future and value > today:
            raise self._error("future", "future")
        if self.not_in_past and value < today:
            raise self._error("past", "past")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


def _three_parts(value: Any) -> tuple[str, str, str]:
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 3:
        day, month, year = (str(part).strip() if part is not None else "" for part in value)
        return day, month, year
    if value in (None, ""):
        return "", "", ""
    raise ValidationError("Enter the date as day, month and year", code="invalid")


def _missing_words(missing: list[str]) -> str:
    """["day", "year"] -> "a day and year" (GOV.UK's wording)."""
    if len(missing) == 1:
        return f"a {missing[0]}"
    return "a " + ", ".join(missing[:-1]) + " and " + missing[-1]


def _lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless the word is an acronym."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def date_range(what: str) -> tuple[GovukDateField, GovukDateField]:
    """A list filter's optional "from" and "to" days, e.g.
    ``received_from, received_to = date_range("Received")`` in the form's class body;
    check them with ``check_date_range``."""
    return (
        GovukDateField(label=f"{what} from", required=False,
                       help_text="For example, 1 3 2026"),
        GovukDateField(label=f"{what} to", required=False,
                       help_text="For example, 31 3 2026"),
    )


def check_date_range(form: forms.Form, first: str, last: str, message: str) -> None:
    """Put ``message`` on the ``last`` date when both dates were entered and it is before
    the ``first`` (a list filter's "from" and "to"). Call from the form's ``clean``."""
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        form.add_error(last, message)


def last_full_month(today: dt.date | None = None) -> Period:
    """The last whole calendar month before ``today``."""
    first = (today or timezone.localdate()).replace(day=1)
    previous = first - dt.timedelta(days=1)
    return Period.month(previous.year, previous.month)


class PeriodForm(forms.Form):
    """A period from "From" to "To" (either may be left out: the last whole month's, or
    the end no earlier than the start); an end before the start is an error."""

    start = GovukDateField(label="From", required=False, help_text="For example, 1 3 2025")
    end = GovukDateField(label="To", required=False, help_text="For example, 31 3 2025")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date")
        return cleaned

    def period(self) -> Period:
        default = last_full_month()
        if not self.is_bound or not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default.start
        end = self.cleaned_data.get("end") or max(default.end, start)
        return Period(start, end)
