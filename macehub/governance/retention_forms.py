"""Forms of the retention review pages: parse only; the rules are in
``governance.retention_services``."""

from __future__ import annotations

from typing import cast

from django import forms

from macehub.forms import GovukDateField


class KindFilter(forms.Form):
    kind = forms.ChoiceField(label="Kind of record", required=False)

    def __init__(self, *args: object, kinds: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        cast(forms.ChoiceField, self.fields["kind"]).choices = [("", "Every kind"), *kinds]


class RetainForm(forms.Form):
    reason = forms.CharField(
        label="Why is the record kept?", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the review found: why the record is still needed, adequate and "
                  "up to date",
        error_messages={"required": "Enter why the record is kept"})
    next_review_on = GovukDateField(
        label="Date of the next review", not_in_past=True, help_text="For example, 1 6 2031",
        error_messages={"required": "Enter the date of the next review"})


class DisposalRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why should the record be disposed of?", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Another information governance officer approves or rejects the request",
        error_messages={"required": "Enter why the record should be disposed of"})


class DisposalDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label="Do you approve the disposal?", widget=forms.RadioSelect,
        choices=[(APPROVE, "Approve: dispose of the record now"),
                 (REJECT, "Reject: keep the record")],
        error_messages={"required": "Select whether you approve the disposal"})
    reason = forms.CharField(
        label="Why is the request rejected?", required=False,
        widget=forms.Textarea(attrs={"rows": 3}), help_text="Needed only to reject")
    version = forms.IntegerField(widget=forms.HiddenInput)


class LegalHoldForm(forms.Form):
    name = forms.CharField(
        label="Investigation or inquiry", max_length=200,
        error_messages={"required": "Enter the name of the investigation or inquiry"})
    reason = forms.CharField(
        label="Why must the records be kept?", widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the records must be kept"})
    references = forms.CharField(
        label="References of the records to hold", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line, for example INT-2019-00012",
        error_messages={"required": "Enter the references of the records to hold"})

    def clean_references(self) -> list[str]:
        lines = self.cleaned_data["references"].replace(",", "\n").splitlines()
        return list(dict.fromkeys(line.strip().upper() for line in lines if line.strip()))


class ReleaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
