"""Filters for reading the audit log."""

from django import forms

from macehub.audit.events import EventType
from macehub.forms import GovukDateField


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)
    event_type = forms.ChoiceField(
        label="What happened", required=False, choices=[("", "Anything"), *EventType.choices]
    )
    record_type = forms.CharField(
        label="Kind of record", required=False, max_length=80,
        help_text="For example, people.person",
    )
    record_id = forms.CharField(label="Record number", required=False, max_length=64)
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:  # type: ignore[operator]
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned
