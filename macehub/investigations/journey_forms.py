"""The forms of a child victim's journey. They parse only: ``investigations.journey``
decides (dates against the day reported, which statuses each step takes)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from macehub.accounts.models import User
from macehub.forms import GovukDateField
from macehub.investigations.codes import (
    STEP_STATUSES,
    EntitlementResponse,
    JourneyStepKind,
    PreTrialTherapy,
    VictimsCodeRight,
    WithdrawalReason,
)
from macehub.investigations.journey import STEP_WHAT
from macehub.training.codes import Allocation
from macehub.training.forms import MissingTrainingAcknowledgement, user_from_pk

TEXT_ROWS = {"rows": 4}


class EntitlementForm(forms.Form):
    right = forms.ChoiceField(
        label="Right offered", choices=[("", "Select the right"), *VictimsCodeRight.choices],
        error_messages={"required": "Select the right"})
    offered_on = GovukDateField(label="Date offered", not_in_future=True)
    response = forms.ChoiceField(
        label="Did the child take it up?", widget=forms.RadioSelect,
        choices=EntitlementResponse.choices,
        error_messages={"required": "Select whether the child took it up"})


class NeedsForm(forms.Form):
    needs_assessed_on = GovukDateField(label="Date of the needs assessment", required=False,
                                       not_in_future=True)
    needs_assessment = forms.CharField(
        label="What the assessment found", required=False, max_length=4000,
        widget=forms.Textarea(attrs=TEXT_ROWS),
        help_text="What the child needs to take part safely: support, communication, a "
                  "registered intermediary, their safety.")
    pre_trial_therapy = forms.ChoiceField(
        label="Pre-trial therapy", widget=forms.RadioSelect, required=False,
        choices=PreTrialTherapy.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


# Each kind of step's words: (what, who, place, arrangements).
STEP_LABELS = {
    JourneyStepKind.ABE_INTERVIEW: (
        "", "Who interviews the child", "Where (the interview suite)",
        "Trauma-informed arrangements: breaks, who the child wants with them, the room"),
    JourneyStepKind.SPECIAL_MEASURE: (
        "Special measure", "", "", "What was asked for, and the court's reasons"),
    JourneyStepKind.COURT_HEARING: (
        "Hearing", "Court", "Courtroom or remote link site",
        "Witness care: the pre-trial visit, who supports the child at court, a separate "
        "entrance and waiting room"),
}


class StepForm(MissingTrainingAcknowledgement):
    training_allocation = Allocation.ABE_INTERVIEWER

    what = forms.ChoiceField(label="", required=False)
    on = GovukDateField(label="Date")
    status = forms.ChoiceField(label="Where it stands", widget=forms.RadioSelect,
                               error_messages={"required": "Select where it stands"})
    interviewing_officer = forms.TypedChoiceField(
        label="Interviewing officer", required=False, coerce=int, empty_value=None,
        help_text="The officer of the force who interviews the child, if one does.")
    who = forms.CharField(label="", required=False, max_length=200)
    place = forms.CharField(label="", required=False, max_length=200)
    intermediary = forms.CharField(
        label="Registered intermediary", required=False, max_length=200,
        help_text="Their name, or leave empty if there is none.")
    arrangements = forms.CharField(label="", required=False, max_length=4000,
                                   widget=forms.Textarea(attrs=TEXT_ROWS))

    def __init__(self, *args: Any, kind: JourneyStepKind,
                 interviewers: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == JourneyStepKind.ABE_INTERVIEW:
            cast(forms.ChoiceField, self.fields["interviewing_officer"]).choices = [
                ("", "None of the force's officers"), *(interviewers or [])]
        else:
            del self.fields["interviewing_officer"]
        what, who, place, arrangements = STEP_LABELS[kind]
        codes = STEP_WHAT.get(kind)
        if codes is None:
            del self.fields["what"]
        else:
            field = cast(forms.ChoiceField, self.fields["what"])
            field.label, field.required = what, True
            field.choices = [("", f"Select the {what.lower()}"), *codes.choices]
            field.error_messages["required"] = f"Select the {what.lower()}"
        for name, label in (("who", who), ("place", place)):
            if label:
                self.fields[name].label = label
            else:
                del self.fields[name]
        if kind != JourneyStepKind.ABE_INTERVIEW:
            del self.fields["intermediary"]
        self.fields["arrangements"].label = arrangements
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (status.value, status.label) for status in STEP_STATUSES[kind]]


    def training_person(self) -> User | None:
        return user_from_pk(self.cleaned_data.get("interviewing_officer"))


class WithdrawalForm(forms.Form):
    withdrew_on = GovukDateField(label="Date the child withdrew support", not_in_future=True)
    reason = forms.ChoiceField(label="Why", widget=forms.RadioSelect,
                               choices=WithdrawalReason.choices,
                               error_messages={"required": "Select why the child withdrew"})
    note = forms.CharField(label="Note", required=False, max_length=4000,
                           widget=forms.Textarea(attrs=TEXT_ROWS),
                           help_text="In the child's words where you can.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class AdvocateNoteForm(forms.Form):
    text = forms.CharField(
        label="Note", max_length=8000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only your advocacy service reads it: not the police, not social care.",
        error_messages={"required": "Enter the note"})
