"""The disruption pages' forms. They parse only: ``disruption.services`` decides (which
tactics apply to the target, who may record a police power, how status moves on)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from macehub.accounts.roles import AgencyKind
from macehub.disruption.codes import DisruptionStatus, TargetKind
from macehub.forms import GovukDateField

STARTING_STATUSES = [(status.value, status.label) for status in (
    DisruptionStatus.PLANNED, DisruptionStatus.APPLIED, DisruptionStatus.GRANTED,
    DisruptionStatus.SERVED)]


class DisruptionForm(forms.Form):
    tactic = forms.TypedChoiceField(
        label="Tactic", coerce=int, empty_value=None,
        error_messages={"required": "Select the tactic"})
    status = forms.ChoiceField(
        label="Where it stands", widget=forms.RadioSelect, choices=STARTING_STATUSES,
        error_messages={"required": "Select where it stands"})
    applied_on = GovukDateField(label="Date applied for", required=False, not_in_future=True,
                                help_text="If applied for. For example, 27 3 2026")
    started_on = GovukDateField(label="Date granted or served", required=False,
                                not_in_future=True, help_text="If granted or served")
    expires_on = GovukDateField(
        label="Expiry date", required=False,
        help_text="Leave it empty for a tactic's usual length from when it started")
    children = forms.TypedMultipleChoiceField(
        label="Children it protects", coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)
    investigation = forms.TypedChoiceField(
        label="Investigation", coerce=int, empty_value=None, required=False)
    agreed_at = forms.TypedChoiceField(
        label="Agreed at a meeting", coerce=int, empty_value=None, required=False,
        help_text="The meeting decision that agreed it, if there was one")
    details = forms.CharField(label="Details", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Conditions, the court, who served it")
    lead_officer = forms.TypedChoiceField(
        label="Lead officer", coerce=int, empty_value=None, required=False,
        help_text="Who in your agency leads it and is chased when it expires or is breached "
        "(you, unless you choose someone else)")

    def __init__(self, *args: Any, tactics: list[tuple[int, str]],
                 children: list[tuple[int, str]], investigations: list[tuple[int, str]],
                 decisions: list[tuple[int, str]] | None = None,
                 lead_officers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lead_officer"]).choices = lead_officers or []
        cast(forms.ChoiceField, self.fields["tactic"]).choices = [
            ("", "Select the tactic"), *tactics]
        cast(forms.ChoiceField, self.fields["children"]).choices = children
        cast(forms.ChoiceField, self.fields["investigation"]).choices = [
            ("", "None"), *investigations]
        cast(forms.ChoiceField, self.fields["agreed_at"]).choices = [
            ("", "None"), *(decisions or [])]
        if not children:
            del self.fields["children"]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="What has happened?", widget=forms.RadioSelect,
                               error_messages={"required": "Select what has happened"})
    on = GovukDateField(label="Date", not_in_future=True,
                        error_messages={"required": "Enter the date"})
    expires_on = GovukDateField(
        label="Expiry date", required=False,
        help_text="If granted or served: leave it empty for the usual length")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = statuses


class LeadOfficerForm(forms.Form):
    lead_officer = forms.TypedChoiceField(
        label="Lead officer", coerce=int, empty_value=None,
        error_messages={"required": "Select the lead officer"})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, lead_officers: list[tuple[int, str]], **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["lead_officer"]).choices = [
            ("", "Select the lead officer"), *lead_officers]


class BreachForm(forms.Form):
    occurred_on = GovukDateField(label="Date of the breach", not_in_future=True,
                                 error_messages={"required": "Enter the date of the breach"})
    what_happened = forms.CharField(label="What happened", widget=forms.Textarea(
        attrs={"rows": 4}), error_messages={"required": "Enter what happened"})
    action_taken = forms.CharField(label="Action taken", widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"required": "Enter the action taken"})
    version = forms.IntegerField(widget=forms.HiddenInput)


class TacticForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120,
                           error_messages={"required": "Enter the tactic's name"})
    legal_basis = forms.CharField(label="Legal basis", max_length=300,
                                  error_messages={"required": "Enter its legal basis"})
    target_kinds = forms.MultipleChoiceField(
        label="Kinds of target it applies to", choices=TargetKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the kinds of target it applies to"})
    lead_agency_kind = forms.ChoiceField(
        label="Kind of agency that leads it", choices=[("", "Select"), *AgencyKind.choices],
        error_messages={"required": "Select the kind of agency that leads it"})
    expires = forms.TypedChoiceField(
        label="Does it expire?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes",
        error_messages={"required": "Select whether it expires"})
    usual_length_days = forms.IntegerField(label="Usual length in days", required=False,
                                           min_value=1)


class RegisterFilter(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Every status"), *DisruptionStatus.choices])
