"""Information governance's forms: filters for reading the audit log, and the register
of sharing agreements' filter and terms. They parse only: ``sharing_services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.accounts.models import Agency
from macehub.audit.events import EventType
from macehub.forms import GovukDateField
from macehub.governance.codes import AgreementBasis, AgreementStatus, DataCategory
from macehub.governance.sharing_services import AgreementTerms


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


class AgreementFilter(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Every agreement"), *AgreementStatus.choices])


class AgreementForm(forms.Form):
    """An information-sharing agreement's terms, as information governance records them."""

    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter the agreement's title"})
    parties = forms.TypedMultipleChoiceField(
        label="Parties", coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="Select every agency that signed it",
        error_messages={"required": "Choose at least two agencies that are party to the "
                                    "agreement"})
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="What the sharing is for",
                              error_messages={"required": "Enter what the sharing is for"})
    lawful_basis = forms.ChoiceField(
        label="Lawful basis", widget=forms.RadioSelect, choices=AgreementBasis.choices,
        error_messages={"required": "Select the lawful basis for the sharing"})
    data_categories = forms.MultipleChoiceField(
        label="Categories of data shared", widget=forms.CheckboxSelectMultiple,
        choices=DataCategory.choices,
        error_messages={"required": "Select the categories of data shared"})
    signed_on = GovukDateField(label="Date signed", not_in_future=True,
                               help_text="For example, 27 3 2026")
    review_on = GovukDateField(label="Review date", help_text="For example, 27 3 2027")
    ended_on = GovukDateField(label="Date it ended", required=False,
                              help_text="Only if the agreement has ended")
    document_reference = forms.CharField(
        label="Document reference", max_length=200, required=False,
        help_text="Where the signed agreement is kept")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = [  # type: ignore[attr-defined]
            (agency.pk, agency.name)
            for agency in Agency.objects.filter(is_active=True).order_by("name")]


class AgreementChangeForm(AgreementForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def agreement_terms(data: dict[str, Any]) -> AgreementTerms:
    """The terms as an agreement form's cleaned data gives them."""
    return AgreementTerms(
        title=data["title"], party_pks=data["parties"], purpose=data["purpose"],
        lawful_basis=data["lawful_basis"], data_categories=data["data_categories"],
        signed_on=data["signed_on"], review_on=data["review_on"],
        ended_on=data["ended_on"], document_reference=data["document_reference"])
