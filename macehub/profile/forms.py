"""The problem profile's forms: the patterns page's period and area, a new draft, a
section's words and the publish confirmation. Parse only: ``document`` validates and
saves."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from macehub.forms import PeriodForm


class PeriodAreaForm(PeriodForm):
    """A period and an area, as the performance dashboard asks for them."""

    area = forms.ChoiceField(label="Area", required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["area"]).choices = [("", "The whole force"),
                                                                *areas]

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
