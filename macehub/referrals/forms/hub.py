"""The hub's referral forms: the lists' filter, the triage decision, picking a referral
up, partner checks and the steps a referral prompts at once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from macehub.cases.codes import Brag, ExploitationType, RiskTier
from macehub.forms import GovukDateField, check_date_range, date_range
from macehub.referrals.codes import (
    CHILDRENS_SOCIAL_CARE_OUTCOMES,
    PartnerCheckResult,
    TriageOutcome,
)
from macehub.referrals.forms.answers import NO_TIER, _yes_no
from macehub.referrals.models import Referral
from macehub.referrals.selectors import ReferralFilters
from macehub.referrals.services import TriageDecision

_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)


def parse_time(text: str) -> dt.time | None:
    """``14:30``, ``9.05``, ``2:30pm``, ``2pm`` -> a time; None if it is not one."""
    found = _TIME.match(text)
    if not found:
        return None
    hour, minute, half = int(found.group(1)), int(found.group(2) or 0), found.group(3)
    if found.group(2) is None and half is None:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


STATUTORY_OUTCOMES_HINT = (
    "A section 47 enquiry or a strategy discussion is the local authority's decision: a "
    "children's social care colleague in the hub records it."
)


class TriageDecisionForm(forms.Form):
    """Parses the triage decision as typed; the rules it must meet (a reason for an
    override, a tier for a case, a time after receipt) are the service's
    (``services.check_decision``), shown beside these fields by the view."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    exploitation_types = forms.MultipleChoiceField(
        label="Type of exploitation", choices=ExploitationType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="As the referrer gave it: correct it if triage shows otherwise. "
        "Select all that apply.",
        error_messages={
            "required": "Select the type of exploitation",
            "invalid_choice": "%(value)s is not one of the types listed: choose from the list",
        },
    )
    brag = forms.ChoiceField(
        label="BRAG rating", choices=Brag.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select a BRAG rating"},
    )
    risk_tier = forms.ChoiceField(
        label="Risk tier",
        choices=[*RiskTier.choices, (NO_TIER, "No risk tier – not at risk of exploitation")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a risk tier, or 'No risk tier'"},
    )
    override_reason = forms.CharField(
        label="Why are you changing the suggested rating or tier?", required=False,
        max_length=5_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if your rating or tier differs from the suggestion",
    )
    outcome = forms.ChoiceField(
        label="Outcome", choices=TriageOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the outcome of triage"},
    )
    outcome_reason = forms.CharField(
        label="Reason for the outcome", max_length=5_000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="If you open a MACE case, this is recorded as the reason for its risk tier",
        error_messages={"required": "Enter the reason for the outcome"},
    )
    decided_on = GovukDateField(
        label="Date of the decision", not_in_future=True,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the decision"},
    )
    decided_time = forms.CharField(
        label="Time of the decision", max_length=10,
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter the time of the decision"},
    )

    def __init__(self, *args: Any, referral: Referral,
                 may_record_statutory_outcomes: bool = True, **kwargs: Any) -> None:
        self.referral = referral
        super().__init__(*args, **kwargs)
        if not may_record_statutory_outcomes:
            # Only the outcomes this officer may record, and why the others are missing.
            self.fields["outcome"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in TriageOutcome.choices
                if value not in CHILDRENS_SOCIAL_CARE_OUTCOMES
            ]
            self.fields["outcome"].help_text = STATUTORY_OUTCOMES_HINT

    @classmethod
    def initial_for(cls, referral: Referral, now: dt.datetime | None = None) -> dict[str, Any]:
        """The suggestion (or the decision already made), decided now."""
        local_now = timezone.localtime(now or timezone.now())
        decided = timezone.localtime(referral.decided_at) if referral.decided_at else local_now
        tier = referral.risk_tier if referral.is_decided else referral.suggested_tier
        return {
            "version": referral.version,
            "exploitation_types": list(referral.exploitation_types),
            "brag": referral.brag or referral.suggested_brag,
            "risk_tier": tier or NO_TIER,
            "override_reason": referral.override_reason,
            "outcome": referral.outcome,
            "outcome_reason": referral.outcome_reason,
            "decided_on": decided.date(),
            "decided_time": f"{decided:%H:%M}",
        }

    def clean_decided_time(self) -> dt.time:
        parsed = parse_time(self.cleaned_data["decided_time"])
        if parsed is None:
            raise forms.ValidationError(
                "Enter the time of the decision as hours and minutes, like 14:30"
            )
        return parsed

    def tier_value(self) -> str | None:
        tier = self.cleaned_data.get("risk_tier")
        if tier is None:
            return None
        return "" if tier == NO_TIER else str(tier)

    def decided_at(self) -> dt.datetime | None:
        day, time = self.cleaned_data.get("decided_on"), self.cleaned_data.get("decided_time")
        if not isinstance(day, dt.date) or not isinstance(time, dt.time):
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))

    def decision(self) -> TriageDecision:
        decided_at = self.decided_at()
        if decided_at is None:
            raise ValueError("decision() is only for a valid form")
        return TriageDecision(
            brag=self.cleaned_data["brag"],
            risk_tier=self.tier_value() or "",
            override_reason=self.cleaned_data.get("override_reason", ""),
            outcome=self.cleaned_data["outcome"],
            outcome_reason=self.cleaned_data["outcome_reason"],
            decided_at=decided_at,
            exploitation_types=tuple(self.cleaned_data["exploitation_types"]),
        )


class ReferralFilterForm(forms.Form):
    """Narrows the decided and all-referrals lists; the dates are whole days, London time."""

    received_from, received_to = date_range("Received")
    decided_from, decided_to = date_range("Decided")
    referrer_agency = forms.ChoiceField(
        label="Referring agency", required=False,
        error_messages={"invalid_choice": "Select the referring agency from the list"},
    )
    area = forms.ChoiceField(
        label="Area", required=False,
        help_text="Where the child lives now: in the area or any area inside it",
        error_messages={"invalid_choice": "Select the area from the list"},
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referrer_agency"].choices = [  # type: ignore[attr-defined]
            ("", "Any agency"), *choices["referrer_agency"]]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", "Anywhere"), *choices["area"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_date_range(self, "received_from", "received_to",
                         "Received to must be the same as or after received from")
        check_date_range(self, "decided_from", "decided_to",
                         "Decided to must be the same as or after decided from")
        return cleaned

    def filters(self) -> ReferralFilters:
        """The filters asked for; none while the form is unbound or has errors."""
        if not self.is_bound or not self.is_valid():
            return ReferralFilters()
        data = self.cleaned_data
        agency = data.get("referrer_agency")
        return ReferralFilters(
            received_from=data.get("received_from"), received_to=data.get("received_to"),
            decided_from=data.get("decided_from"), decided_to=data.get("decided_to"),
            referrer_agency_id=int(agency) if agency else None,
            area_code=data.get("area") or "",
        )


class PartnerCheckRequestForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        label="Which agencies should check their records?", widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Each agency's hub members see the request in their "
        "queue.",
        error_messages={"required": "Select the agencies to ask",
                        "invalid_choice": "Choose agencies from the list"},
    )
    question = forms.CharField(
        label="What would you like them to look for? (optional)", required=False,
        max_length=2_000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The agency sees the child's name and date of birth, and this.",
        error_messages={"max_length": "What to look for must be 2,000 characters or fewer"},
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = agencies  # type: ignore[attr-defined]

    def agency_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["agencies"]]


class PartnerCheckReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label="Does your agency hold information about this child?",
        choices=PartnerCheckResult.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select whether your agency holds information"},
    )
    summary = forms.CharField(
        label="Summary of the information held", required=False, max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Only if your agency holds information: what it is, when, and who to "
        "contact about it.",
        error_messages={"max_length": "The summary must be 10,000 characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (cleaned.get("result") == PartnerCheckResult.INFORMATION_HELD
                and not cleaned.get("summary", "").strip()):
            self.add_error("summary", "Enter a summary of the information your agency holds")
        return cleaned


class ImmediateStepForm(forms.Form):
    done = _yes_no("Has this been done?", "Select yes if it has been done")
    done_on = GovukDateField(
        label="Date it was done", required=False, not_in_future=True,
        help_text="For example, 27 3 2026",
    )
    done_time = forms.CharField(
        label="Time it was done", required=False, max_length=10,
        help_text="Use the 24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    note = forms.CharField(
        label="Details, or why it has not been done", required=False, max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who was told or took part, and any reference number",
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("done") is True:
            if cleaned.get("done_on") is None and "done_on" not in self.errors:
                self.add_error("done_on", "Enter the date it was done")
            time_text = cleaned.get("done_time", "")
            if not time_text:
                self.add_error("done_time", "Enter the time it was done")
            elif parse_time(time_text) is None:
                self.add_error("done_time",
                               "Enter the time it was done as hours and minutes, like 14:30")
        elif cleaned.get("done") is False and not cleaned.get("note", "").strip():
            self.add_error("note", "Enter why it has not been done")
        return cleaned

    def done_at(self) -> dt.datetime | None:
        day, time_text = self.cleaned_data.get("done_on"), self.cleaned_data.get("done_time")
        time = parse_time(time_text or "")
        if not self.cleaned_data.get("done") or day is None or time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, time))


class PickUpForm(forms.Form):
    """Pick up, take over or release a referral, from the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)
