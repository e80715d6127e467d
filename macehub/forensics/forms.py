"""The digital forensics pages' forms. They parse only: ``forensics.services`` decides
(whose device it may be, when triage or a report may be recorded, what becomes of it)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from macehub.cases.forms.fields import TimeField
from macehub.forensics.codes import (
    AFTER_EXAMINATION,
    DeviceOwner,
    DeviceType,
    ExhibitPriority,
    ExhibitStage,
    LegalAuthority,
)
from macehub.forms import GovukDateField


class SeizedDeviceForm(forms.Form):
    device_type = forms.ChoiceField(
        label="Type of device", widget=forms.RadioSelect, choices=DeviceType.choices,
        error_messages={"required": "Select the type of device"})
    description = forms.CharField(
        label="Make and model", max_length=200,
        help_text="For example, black Samsung Galaxy A15 in a pink case",
        error_messages={"required": "Enter the make and model of the device"})
    seized_on = GovukDateField(label="Date seized", not_in_future=True,
                               help_text="For example, 27 3 2026")
    seized_time = TimeField(label="Time seized", required=True,
                            error_messages={"required": "Enter the time it was seized"})
    owner = forms.ChoiceField(
        label="Whose device is it?", widget=forms.RadioSelect, choices=DeviceOwner.choices,
        error_messages={"required": "Select whose device it is"})
    seized_from = forms.TypedChoiceField(
        label="Seized from", coerce=int, required=False, empty_value=None,
        help_text="A victim or suspect of this investigation. Leave it for a witness or "
                  "anyone else.")
    priority = forms.ChoiceField(
        label="Priority", widget=forms.RadioSelect, choices=ExhibitPriority.choices,
        help_text="Sets how soon it is triaged",
        error_messages={"required": "Select the priority"})
    legal_authority = forms.ChoiceField(
        label="Legal authority for the seizure", choices=[
            ("", "Select the legal authority"), *LegalAuthority.choices],
        error_messages={"required": "Select the legal authority for the seizure"})

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["seized_from"]).choices = [
            ("", "Nobody named"), *people]

    def seized_at(self) -> dt.datetime | None:
        day, time = self.cleaned_data.get("seized_on"), self.cleaned_data.get("seized_time")
        if day is None or time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))


class TriageForm(forms.Form):
    findings = forms.CharField(
        label="What the triage found", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What the kiosk examination showed: contacts, images, messages, accounts "
                  "that matter to the investigation",
        error_messages={"required": "Enter what the triage found"})
    full_examination_needed = forms.TypedChoiceField(
        label="Is a full examination needed?", widget=forms.RadioSelect,
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes",
        error_messages={"required": "Select whether a full examination is needed"})
    version = forms.IntegerField(widget=forms.HiddenInput)


class FullExaminationForm(forms.Form):
    report_on = GovukDateField(label="Date of the report", not_in_future=True,
                               error_messages={"required": "Enter the date of the report"})
    summary = forms.CharField(
        label="What the full examination found", widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter what the full examination found"})
    version = forms.IntegerField(widget=forms.HiddenInput)


class AfterExaminationForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What has become of the device?", widget=forms.RadioSelect,
        choices=[(stage.value, stage.label) for stage in AFTER_EXAMINATION],
        error_messages={"required": "Select whether it was returned, retained or disposed "
                                    "of"})
    on = GovukDateField(label="Date", not_in_future=True,
                        error_messages={"required": "Enter the date"})
    returned_to = forms.CharField(label="Returned to", required=False, max_length=200,
                                  help_text="If returned: who it was given back to")
    reason = forms.CharField(label="Why it is retained", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="If retained: for example, needed as evidence at trial")
    version = forms.IntegerField(widget=forms.HiddenInput)


class QueueFilter(forms.Form):
    stage = forms.ChoiceField(label="Stage", required=False, choices=[
        ("", "Waiting (the backlog)"), *ExhibitStage.choices])
    priority = forms.ChoiceField(label="Priority", required=False, choices=[
        ("", "Every priority"), *ExhibitPriority.choices])
