"""The tracker's forms. They parse only: ``accountability.services`` decides (numbers
already used, closing without evidence, who may own an action)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from macehub.accountability.codes import (
    ActionStatus,
    Assessment,
    FindingKind,
    ForceStatus,
    InspectingBody,
    Theme,
)
from macehub.forms import GovukDateField


class InspectionForm(forms.Form):
    body = forms.ChoiceField(label="Inspecting body", widget=forms.RadioSelect,
                             choices=InspectingBody.choices,
                             error_messages={"required": "Select the inspecting body"})
    title = forms.CharField(label="Title of the report", max_length=300,
                            error_messages={"required": "Enter the inspection's title"})
    published_on = GovukDateField(label="Date the report was published", not_in_future=True,
                                  help_text="For example, 27 3 2025")
    reference = forms.CharField(label="Reference (optional)", required=False, max_length=100)


class RecommendationForm(forms.Form):
    kind = forms.ChoiceField(label="What is it?", widget=forms.RadioSelect,
                             choices=FindingKind.choices,
                             error_messages={"required": "Select recommendation or area "
                                                         "for improvement"})
    number = forms.IntegerField(label="Number in the report", min_value=1,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                                error_messages={"required": "Enter its number in the report, "
                                                            "such as 3",
                                                "invalid": "Enter a whole number, such as 3",
                                                "min_value": "Enter a number from 1"})
    text = forms.CharField(label="What the report says", widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": "Enter what the report says"})
    addressed_to = forms.CharField(label="Addressed to (optional)", required=False,
                                   max_length=200,
                                   help_text='For example, "Chief Constables" or "the force"')
    theme = forms.ChoiceField(label="Theme", choices=[("", "Select the theme"), *Theme.choices],
                              error_messages={"required": "Select the theme"})


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", help_text="Columns: kind, number, text, addressed_to, theme",
        error_messages={"required": "Select a CSV file"})


class ActionForm(forms.Form):
    description = forms.CharField(label="What is to be done",
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": "Enter what is to be done"})
    owner = forms.TypedChoiceField(label="Owner", coerce=int, empty_value=None,
                                   error_messages={"required": "Select who owns the action"})
    due_on = GovukDateField(label="Due by", help_text="For example, 30 6 2026")

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [
            ("", "Select the owner"), *owners]


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Where does it stand?", widget=forms.RadioSelect,
                               choices=ActionStatus.choices,
                               error_messages={"required": "Select where the action stands"})
    done_on = GovukDateField(label="Date done or dropped", required=False, not_in_future=True,
                             help_text="Leave it empty while the action is open")
    evidence = forms.CharField(
        label="Evidence", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What shows it was done (a policy, a report, figures), or why it was "
                  "dropped. It may be published: name posts, not people, and no child")
    version = forms.IntegerField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", widget=forms.RadioSelect,
                               choices=ForceStatus.choices,
                               error_messages={"required": "Select the status"})
    commentary = forms.CharField(
        label="The force's commentary", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Published in the progress statement: name posts, not people, and no child",
        error_messages={"required": "Enter the force's commentary on where it stands"})
    version = forms.IntegerField(widget=forms.HiddenInput)


class AssessmentForm(forms.Form):
    assessment = forms.ChoiceField(label="The PCC's assessment", widget=forms.RadioSelect,
                                   choices=Assessment.choices,
                                   error_messages={"required": "Select the assessment"})
    note = forms.CharField(label="Scrutiny note", widget=forms.Textarea(attrs={"rows": 5}),
                           error_messages={"required": "Enter the scrutiny note"})
    version = forms.IntegerField(widget=forms.HiddenInput)


class MetricLinkForm(forms.Form):
    metric_code = forms.ChoiceField(label="Measure", error_messages={
        "required": "Select a measure", "invalid_choice": "Select a measure"})

    def __init__(self, *args: Any, measures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["metric_code"]).choices = [
            ("", "Select a measure"), *measures]


class StatementForm(forms.Form):
    foreword = forms.CharField(
        label="The Police and Crime Commissioner's foreword",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Published on the PCC's website: name no child and no member of staff",
        error_messages={"required": "Enter the foreword"})
