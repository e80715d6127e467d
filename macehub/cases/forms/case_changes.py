"""Forms that change the case itself or who works on it: restricting it, its risk tier,
types of exploitation, key worker and lead agency, closing it, allocated workers, the
victim advocate, sharing, and the decision on a request for approval."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.accounts.models import Agency, User
from macehub.cases import selectors
from macehub.cases.codes import ClosureReason, ExploitationModel, ExploitationType, RiskTier
from macehub.cases.forms.fields import (
    CASELOAD_HINT,
    ServiceForm,
    _agencies,
    _CandidateChoiceField,
    _UserChoiceField,
)
from macehub.forms import GovukDateField
from macehub.training.codes import Allocation
from macehub.training.forms import MissingTrainingAcknowledgement


class RestrictedReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this restricted case?",
        max_length=1000,
        help_text="Your reason is recorded with every page of the case you open and is seen "
                  "by information governance",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why you need to open this restricted case"},
    )


class RestrictForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Reason", max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, restricting: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = (
            "Why should this case be restricted?" if restricting
            else "Why should the restriction be lifted?"
        )


class ExploitationTypesForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    exploitation_types = forms.MultipleChoiceField(
        label="What types of exploitation is the case about?", required=False,
        choices=ExploitationType.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "invalid_choice": "%(value)s is not one of the types listed: choose from the list"
        },
    )
    exploitation_model = forms.ChoiceField(
        label="How is the child being exploited?", required=False,
        choices=[("", "Not recorded"), *ExploitationModel.choices],
        widget=forms.RadioSelect,
        help_text="The exploitation model, as the problem profile counts it",
        error_messages={"invalid_choice": "Choose the exploitation model from the list"},
    )
    reason = forms.CharField(label="Why are the types changing?", required=False,
                             max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RiskTierForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    risk_tier = forms.ChoiceField(label="New risk tier", choices=RiskTier.choices,
                                  widget=forms.RadioSelect, required=False)
    reason = forms.CharField(label="Why is the risk tier changing?", required=False,
                             max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class KeepTierForm(ServiceForm):
    """The key worker reviewed the tier after a new referral joined and keeps it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why does the risk tier stay as it is?", required=False,
                             max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class KeyWorkerForm(MissingTrainingAcknowledgement, ServiceForm):
    training_allocation = Allocation.KEY_WORKER
    version = forms.IntegerField(widget=forms.HiddenInput)
    key_worker = _CandidateChoiceField(
        label="Key worker", required=False, queryset=User.objects.none(),
        empty_label="No key worker", help_text=CASELOAD_HINT.format(role="key worker"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = (  # type: ignore[attr-defined]
            selectors.key_workers_with_caseload())

    def training_person(self) -> User | None:
        person: User | None = self.cleaned_data.get("key_worker")
        return person


class LeadAgencyForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    lead_agency = forms.ModelChoiceField(
        label="Lead agency", required=False, queryset=Agency.objects.none(),
        empty_label="Select an agency",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].queryset = _agencies()  # type: ignore[attr-defined]


NOT_ENGAGING_HINT = (
    "A child not engaging is not a reason to close: it can be a sign of exploitation. "
    "Keep the case open and add a plan item to re-engage them."
)


class CloseCaseForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(
        label="Why is the case closing?", choices=ClosureReason.choices,
        widget=forms.RadioSelect, required=False, help_text=NOT_ENGAGING_HINT,
    )
    note = forms.CharField(label="More detail", required=False, max_length=4000,
                           help_text="Required if the reason is 'Other'",
                           widget=forms.Textarea(attrs={"rows": 4}))
    cancel_open_plan_items = forms.BooleanField(
        label="Cancel the open plan items", required=False,
        help_text="They are marked cancelled, with the closure as the reason",
    )

    def __init__(self, *args: Any, has_open_plan_items: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_open_plan_items:
            del self.fields["cancel_open_plan_items"]


class AllocateWorkerForm(ServiceForm):
    user = _UserChoiceField(
        label="Who should be allocated?", required=False, queryset=User.objects.none(),
        empty_label="Select a member of staff",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = selectors.users_who_work_on_cases()  # type: ignore[attr-defined]


class ShareCaseForm(ServiceForm):
    agency = forms.ModelChoiceField(
        label="Agency", required=False, queryset=Agency.objects.none(),
        empty_label="Select an agency",
    )
    reason = forms.CharField(label="Why is the case being shared?", required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = _agencies()  # type: ignore[attr-defined]


class AdvocateForm(ServiceForm):
    advocate = _CandidateChoiceField(
        label="Victim advocate", required=False, queryset=User.objects.none(),
        empty_label="Select a victim advocate",
        help_text=CASELOAD_HINT.format(role="victim advocate"),
    )
    starts_on = GovukDateField(label="Date the advocate starts", required=False,
                               help_text="For example, 27 3 2026")
    end_reason = forms.CharField(
        label="Why is the current advocate changing?", required=False, max_length=200,
        help_text="For example, the advocate has left, or the child asked for someone else",
    )

    def __init__(self, *args: Any, has_current: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["advocate"].queryset = (  # type: ignore[attr-defined]
            selectors.victim_advocates_with_caseload())
        if not has_current:
            del self.fields["end_reason"]


class EndAdvocacyForm(ServiceForm):
    ended_on = GovukDateField(label="Date the advocacy ended", required=False,
                              help_text="For example, 27 3 2026")
    reason = forms.CharField(
        label="Why is the advocacy ending?", required=False, max_length=200,
        help_text="For example, after the trial, or the child no longer wants support",
    )


class DecisionForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect, required=False,
        choices=[("approve", "Approve"), ("reject", "Reject")],
    )
    comment = forms.CharField(
        label="Comment", required=False, max_length=4000,
        help_text="Say why. The person who asked, and everyone who sees the case, will see it.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("decision") and "decision" not in self.errors:
            self.add_error("decision", "Select whether you approve or reject the request")
        return cleaned
