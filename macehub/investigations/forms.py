"""The investigation pages' forms. They parse only: ``investigations.services`` decides
(who may be allocated, what a review must say, when a file may go or an investigation
close)."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from macehub.accounts.models import User
from macehub.forms import GovukDateField
from macehub.investigations.codes import (
    ChargingDecision,
    ChargingDecisionMaker,
    EnquiryStatus,
    OutcomeCode,
    ReleaseKind,
    ReviewPoint,
)
from macehub.investigations.offences import offences
from macehub.training.codes import Allocation
from macehub.training.forms import MissingTrainingAcknowledgement, user_from_pk


def _offer(form: forms.Form, name: str, choices: list[tuple[Any, str]]) -> None:
    """Set a choice field's choices, known only when the form is made."""
    cast(forms.ChoiceField, form.fields[name]).choices = choices


def offence_choices() -> list[tuple[str, str]]:
    return [("", "Select the offence"),
            *((code, f"{code} {offence}") for code, offence in offences().items())]


class PersonNumbers(forms.CharField):
    """Person record numbers, separated by commas or spaces."""

    def to_python(self, value: Any) -> list[int]:  # type: ignore[override]
        text = super().to_python(value) or ""
        numbers = []
        for part in text.replace(",", " ").split():
            if not part.isdigit():
                raise forms.ValidationError(
                    "Enter record numbers only, separated by commas", code="invalid")
            numbers.append(int(part))
        return numbers


class CrimeFields(forms.Form):
    offence_code = forms.ChoiceField(
        label="Offence", choices=offence_choices,
        error_messages={"required": "Select the offence"})
    committed_on = GovukDateField(
        label="When it happened", required=False, not_in_future=True,
        help_text="Leave it empty if it is not known. For example, 27 3 2026")
    location = forms.CharField(label="Where it happened", required=False, max_length=200)
    postcode = forms.CharField(
        label="Postcode", required=False, max_length=8,
        help_text="Of where it happened, if known. It places the crime on the problem "
                  "profile's map.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class InvestigationForm(CrimeFields):
    field_order = ["title", "reported_on", "offence_code", "committed_on", "location",
                   "postcode", "victims", "suspects", "summary"]
    title = forms.CharField(label="What the investigation is called", max_length=200,
                            help_text="An operation name, or the crime in a few words",
                            error_messages={"required": "Enter what the investigation is "
                                                        "called"})
    reported_on = GovukDateField(label="When the crime was reported", not_in_future=True)
    victims = PersonNumbers(
        label="Child victims (record numbers)", required=False,
        help_text="The number on each child's record, separated by commas. Each is "
                  "linked to their open case.")
    suspects = PersonNumbers(label="Suspects (record numbers)", required=False)
    summary = forms.CharField(label="Summary", required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))


class AllocationForm(MissingTrainingAcknowledgement):
    training_allocation = Allocation.OFFICER_IN_CASE

    officer = forms.TypedChoiceField(label="Officer in the case", coerce=int,
                                     error_messages={"required": "Select the officer in the "
                                                                 "case"})
    supervisor = forms.TypedChoiceField(label="Supervisor", coerce=int,
                                        error_messages={"required": "Select the supervisor"})
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, officers: list[tuple[int, str]],
                 supervisors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "officer", [("", "Select an officer"), *officers])
        _offer(self, "supervisor", [("", "Select a supervisor"), *supervisors])

    def training_person(self) -> User | None:
        return user_from_pk(self.cleaned_data.get("officer"))


class PersonForm(forms.Form):
    person = forms.IntegerField(label="Record number", min_value=1,
                                help_text="The number on the person's record",
                                error_messages={"required": "Enter the record number"})
    part = forms.ChoiceField(label="Their part", widget=forms.RadioSelect,
                             choices=[("victim", "A child victim"), ("suspect", "A suspect")],
                             error_messages={"required": "Select their part"})


class EnquiryForm(forms.Form):
    description = forms.CharField(label="Line of enquiry", widget=forms.Textarea(
        attrs={"rows": 3}), error_messages={"required": "Enter the line of enquiry"})
    owner = forms.TypedChoiceField(label="Owner", coerce=int, required=False,
                                   empty_value=None)
    due_on = GovukDateField(label="Due by", required=False, not_in_past=True)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "owner", [("", "Nobody yet"), *owners])


class EnquiryResultForm(forms.Form):
    status = forms.ChoiceField(
        label="Is it finished?", widget=forms.RadioSelect,
        choices=[(EnquiryStatus.DONE, "Yes, with a result"),
                 (EnquiryStatus.CLOSED, "Closed without a result")],
        error_messages={"required": "Select whether it is done or closed without a result"})
    result = forms.CharField(label="What it found, or why it was closed",
                             widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Enter what it found, or why it "
                                                         "was closed"})


class ReviewForm(forms.Form):
    victim_safeguarding = forms.CharField(
        label="Victim safeguarding", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Is each child safe, supported and kept informed?",
        error_messages={"required": "Enter what you checked of the victims' safeguarding"})
    lines_of_enquiry = forms.CharField(
        label="Lines of enquiry", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Are the right ones open, owned and on time? Set any new ones.",
        error_messages={"required": "Enter what you checked of the lines of enquiry"})
    suspect_management = forms.CharField(
        label="Suspect management", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Arrest, bail or release under investigation, and the risk they pose",
        error_messages={"required": "Enter what you checked of how the suspects are "
                                    "managed"})
    evidence_and_disclosure = forms.CharField(
        label="Evidence and disclosure", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Devices, forensic submissions, records and what must be disclosed",
        error_messages={"required": "Enter what you checked of the evidence and "
                                    "disclosure"})
    next_review_on = GovukDateField(
        label="Next review due by", required=False, not_in_past=True,
        help_text="Leave it empty for the longest interval allowed")


class AskReviewForm(forms.Form):
    point = forms.ChoiceField(choices=[(ReviewPoint.BEFORE_CHARGE, "Before charge"),
                                       (ReviewPoint.BEFORE_CLOSURE, "Before closure")])


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome", widget=forms.RadioSelect, choices=OutcomeCode.choices,
        error_messages={"required": "Select the outcome"})
    outcome_on = GovukDateField(label="Date of the outcome", not_in_future=True)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ChargingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect, choices=ChargingDecision.choices,
        error_messages={"required": "Select the charging decision"})
    decided_by = forms.ChoiceField(
        label="Who decided", widget=forms.RadioSelect, choices=ChargingDecisionMaker.choices,
        error_messages={"required": "Select who made the decision"})
    decided_on = GovukDateField(label="Date of the decision", not_in_future=True)
    note = forms.CharField(
        label="Reasons, or what the action plan asks for", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed for an action plan: the evidence the file still needs.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SupervisorFilter(forms.Form):
    supervisor = forms.TypedChoiceField(label="Supervisor", coerce=int, required=False,
                                        empty_value=None)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False,
                                  empty_value=None)

    def __init__(self, *args: Any, supervisors: list[tuple[int, str]],
                 teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "supervisor", [("", "Every supervisor"), *supervisors])
        _offer(self, "team", [("", "Every team"), *teams])


class ReleaseForm(forms.Form):
    suspect = forms.TypedChoiceField(label="Suspect", coerce=int,
                                     error_messages={"required": "Select the suspect"})
    kind = forms.ChoiceField(label="How they were released", widget=forms.RadioSelect,
                             choices=ReleaseKind.choices,
                             error_messages={"required": "Select pre-charge bail or release "
                                                         "under investigation"})
    conditions = forms.CharField(
        label="Bail conditions", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, not to contact the children named; to live at an address. "
                  "Release under investigation carries none.")
    starts_on = GovukDateField(label="Date of release", not_in_future=True)
    expires_on = GovukDateField(label="Expires or is next reviewed on",
                                help_text="When bail expires, or when release under "
                                          "investigation is next reviewed")

    def __init__(self, *args: Any, suspects: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _offer(self, "suspect", [("", "Select the suspect"), *suspects])


class EndReleaseForm(forms.Form):
    ended_on = GovukDateField(label="Date it ended", not_in_future=True)
