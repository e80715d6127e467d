"""The problem profile's forms: the patterns page's period and area, a new draft, a
section's words and the publish confirmation. Parse only: ``document`` validates and
saves."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from macehub.core.metrics import Period
from macehub.forms import GovukDateField


def last_full_month(today: dt.date | None = None) -> Period:
    first = (today or timezone.localdate()).replace(day=1)
    previous = first - dt.timedelta(days=1)
    return Period.month(previous.year, previous.month)


class PeriodAreaForm(forms.Form):
    """A period and an area, as the performance dashboard asks for them."""

    start = GovukDateField(label="From", required=False, help_text="For example, 1 3 2025")
    end = GovukDateField(label="To", required=False, help_text="For example, 31 3 2025")
    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", "The whole force"),
                                                                *areas]

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

    def area_code(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data.get("area") or "")


class NewProfileForm(PeriodAreaForm):
    title = forms.CharField(label="Title", max_length=200,
                            help_text="For example, Child exploitation problem profile 2025",
                            error_messages={"required": "Enter a title for the profile"})
    field_order = ["title", "start", "end", "area"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in (("start", "Enter the date the profile starts from"),
                              ("end", "Enter the date the profile runs to")):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message


class SectionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assessment = forms.CharField(
        label="Assessment", required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the figures show, in your own words. Partners read it too: names "
                  "of the premises and suspects listed are taken out of their version.")
    recommendations = forms.CharField(
        label="Recommendations", required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}))


class PublishForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
