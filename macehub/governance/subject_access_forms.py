"""Subject access forms: a new request, its progress (identity check, extension,
status), and the redaction decision for each field of an item. They parse only:
``subject_access_services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.forms import GovukDateField
from macehub.governance.subject_access_codes import (
    SETTABLE_STATUSES,
    IdentityCheck,
    RedactionReason,
    RequestStatus,
)
from macehub.governance.subject_access_models import DisclosureItem
from macehub.governance.subject_access_services import NewRequest, RequestProgress

DISCLOSE = ""


class StatusFilter(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Every open request"), *RequestStatus.choices])


class NewRequestForm(forms.Form):
    requester_name = forms.CharField(
        label="Requester's name", max_length=200,
        error_messages={"required": "Enter the requester's name"})
    requester_relationship = forms.CharField(
        label="Who the requester is to the person", max_length=200,
        help_text="For example, the person themselves, their mother, their solicitor",
        error_messages={"required": "Enter who the requester is to the person"})
    requester_contact = forms.CharField(
        label="Requester's contact details (optional)", max_length=300, required=False)
    person_pk = forms.IntegerField(
        label="Record number of the person the hub holds", min_value=1,
        help_text="Find the person with the people search: the number is in the address "
                  "of their page (/people/123/)",
        error_messages={"required": "Enter the record number of a person the hub holds",
                        "invalid": "Enter the record number as digits, like 123"})
    received_on = GovukDateField(label="Date received", not_in_future=True,
                                 help_text="The one-month clock starts on this day")

    def details(self) -> NewRequest:
        data = self.cleaned_data
        return NewRequest(
            requester_name=data["requester_name"],
            requester_relationship=data["requester_relationship"],
            requester_contact=data["requester_contact"], person_pk=data["person_pk"],
            received_on=data["received_on"])


class ProgressForm(forms.Form):
    identity_verified_on = GovukDateField(
        label="Date the requester's identity was verified", required=False,
        not_in_future=True)
    identity_check = forms.ChoiceField(
        label="How it was verified", required=False, widget=forms.RadioSelect,
        choices=IdentityCheck.choices)
    identity_note = forms.CharField(label="Note on the identity check (optional)",
                                    max_length=300, required=False)
    extension_months = forms.TypedChoiceField(
        label="Extension", coerce=int, widget=forms.RadioSelect,
        choices=[(0, "No extension"), (1, "One further month"), (2, "Two further months")],
        help_text="Only for a complex request (UK GDPR Art. 12(3))")
    extension_reason = forms.CharField(
        label="Why the request is complex (if extended)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        label="Status", widget=forms.RadioSelect,
        choices=[(code.value, code.label) for code in (*SETTABLE_STATUSES,
                                                       RequestStatus.DISCLOSED)])
    status_reason = forms.CharField(
        label="Why it was withdrawn or refused (if it was)", required=False,
        widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def progress(self) -> RequestProgress:
        data = self.cleaned_data
        return RequestProgress(
            identity_verified_on=data["identity_verified_on"],
            identity_check=data["identity_check"], identity_note=data["identity_note"],
            extension_months=data["extension_months"],
            extension_reason=data["extension_reason"], status=data["status"],
            status_reason=data["status_reason"])


class RedactionForm(forms.Form):
    """For each field of an item: disclose it, or withhold it with a reason and note."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: DisclosureItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.field_names: list[str] = []
        for entry in item.fields:
            name = entry["name"]
            self.field_names.append(name)
            self.fields[f"{name}__reason"] = forms.ChoiceField(
                label=f"{entry['label']}: disclose or withhold", required=False,
                choices=[(DISCLOSE, "Disclose"), *[(code, f"Withhold: {label}") for code, label
                                                   in RedactionReason.choices]])
            self.fields[f"{name}__note"] = forms.CharField(
                label=f"{entry['label']}: note on the reason (optional)", required=False,
                max_length=500)

    def decisions(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {name: (data[f"{name}__reason"], data[f"{name}__note"])
                for name in self.field_names}

    def rows(self) -> list[dict[str, Any]]:
        """Each field with its text and its two inputs, for the page."""
        return [{"entry": entry, "reason": self[f"{entry['name']}__reason"],
                 "note": self[f"{entry['name']}__note"]} for entry in self.item.fields]
