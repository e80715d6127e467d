"""Forms that record work on the case: plan items, contacts, missing episodes, outcomes
and National Referral Mechanism referrals."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.cases import selectors
from macehub.cases.codes import (
    POLICE_RISK_GRADE_HINTS,
    SEEN_ANSWER_HINTS,
    ContactKind,
    InterviewOfferer,
    InterviewResponse,
    NrmDecision,
    OutcomeKind,
    PlanItemStatus,
    PlanOwnerKind,
    PoliceRiskGrade,
    SeenAnswer,
)
from macehub.cases.forms.fields import ServiceForm, TimeField, _agencies, _UserChoiceField
from macehub.cases.services import PartnerOwner
from macehub.forms import GovukDateField


class PlanItemForm(ServiceForm):
    """An action of the plan and its one owner: a member of hub staff or a named person
    at a partner agency, each asked under its own choice (GOV.UK conditional reveal)."""

    REVEALS = {"owner_kind": {
        PlanOwnerKind.HUB_STAFF: ["owner", "owner_agency"],
        PlanOwnerKind.PARTNER: ["partner_owner_name", "partner_owner_role",
                                "partner_owner_agency", "partner_owner_contact"],
    }}
    OPTION_HINTS = {"owner_kind": {
        PlanOwnerKind.PARTNER: "For example a school's designated safeguarding lead. They "
        "do not get access to the case: the key worker chases the action if it is overdue",
    }}

    action = forms.CharField(label="Action", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    owner_kind = forms.ChoiceField(
        label="Who owns this action?", required=False, widget=forms.RadioSelect,
        choices=PlanOwnerKind.choices, initial=PlanOwnerKind.HUB_STAFF,
    )
    owner = _UserChoiceField(
        label="Owner", required=False, queryset=User.objects.none(),
        empty_label="Select who owns this action",
        help_text="A named person: they must be able to see this case",
    )
    owner_agency = forms.ModelChoiceField(
        label="Owner's agency", required=False, queryset=Agency.objects.none(),
        empty_label="The owner's own agency",
    )
    partner_owner_name = forms.CharField(label="Their name", required=False, max_length=200)
    partner_owner_role = forms.CharField(
        label="Their role", required=False, max_length=200,
        help_text="For example, designated safeguarding lead",
    )
    partner_owner_agency = forms.CharField(
        label="Their agency", required=False, max_length=200,
        help_text="For example, the name of the school",
    )
    partner_owner_contact = forms.CharField(
        label="Their phone number or email address", required=False, max_length=300,
        help_text="So the hub can chase the action",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    due_on = GovukDateField(label="Due date", required=False, help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.users_who_work_on_cases()  # type: ignore[attr-defined]
        self.fields["owner_agency"].queryset = _agencies()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # The page always sends a choice (hub staff is chosen to start with).
        cleaned["owner_kind"] = cleaned.get("owner_kind") or PlanOwnerKind.HUB_STAFF
        return cleaned

    @staticmethod
    def owner_arguments(data: dict[str, Any]) -> dict[str, Any]:
        """The service's owner arguments from the cleaned data, for the chosen kind of
        owner only: what was typed under the other choice (hidden on the page) is not
        saved."""
        if data.get("owner_kind") == PlanOwnerKind.PARTNER:
            return {"partner_owner": PartnerOwner(
                name=data["partner_owner_name"], role=data["partner_owner_role"],
                agency=data["partner_owner_agency"], contact=data["partner_owner_contact"])}
        return {"owner": data["owner"], "owner_agency": data["owner_agency"]}

    @staticmethod
    def initial_for(item: Any) -> dict[str, Any]:
        return {"action": item.action, "owner_kind": item.owner_kind, "owner": item.owner_id,
                "owner_agency": item.owner_agency_id, "due_on": item.due_on,
                "partner_owner_name": item.partner_owner_name,
                "partner_owner_role": item.partner_owner_role,
                "partner_owner_agency": item.partner_owner_agency,
                "partner_owner_contact": item.partner_owner_contact}


class CompletePlanItemForm(ServiceForm):
    SERVICE_FIELDS = {"completed_on": "completed_on"}

    status = forms.ChoiceField(
        label="What happened to this action?", required=False, widget=forms.RadioSelect,
        choices=[(PlanItemStatus.DONE, "It was done"),
                 (PlanItemStatus.CANCELLED, "It was cancelled")],
    )
    completed_on = GovukDateField(label="Date", required=False,
                                  help_text="When it was done or cancelled, for example 27 3 2026")
    note = forms.CharField(label="Note", required=False, max_length=2000,
                           help_text="Required if the action was cancelled",
                           widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(ServiceForm):
    SERVICE_FIELDS = {"occurred_at": "occurred_on"}
    DATE_TIMES = {"occurred_at": ("occurred_on", "occurred_time")}
    # Seen alone is only asked when the child was seen.
    REVEALS = {"child_seen": {SeenAnswer.YES: ["child_seen_alone"]}}
    OPTION_HINTS = {"child_seen": SEEN_ANSWER_HINTS}

    occurred_on = GovukDateField(label="Date of the contact", required=False,
                                 help_text="For example, 27 3 2026")
    occurred_time = TimeField(label="Time of the contact")
    kind = forms.ChoiceField(label="Kind of contact", required=False,
                             choices=[("", "Select the kind of contact"), *ContactKind.choices])
    with_whom = forms.CharField(label="Who was the contact with?", required=False,
                                max_length=200,
                                help_text="For example, the child, their mother, a teacher")
    child_seen = forms.ChoiceField(label="Was the child seen?", required=False,
                                   widget=forms.RadioSelect, choices=SeenAnswer.choices)
    child_seen_alone = forms.ChoiceField(
        label="Was the child seen alone?", required=False, widget=forms.RadioSelect,
        choices=[(SeenAnswer.YES, "Yes"), (SeenAnswer.NO, "No")],
        help_text="Without a parent, carer or anyone else present",
    )
    child_words = forms.CharField(
        label="The child's own words and wishes", required=False, max_length=10000,
        help_text="What the child said and what they want to happen, in their own words "
                  "where you can. Leave blank if the child did not say anything.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    summary = forms.CharField(label="Summary", required=False, max_length=10000,
                              widget=forms.Textarea(attrs={"rows": 5}))


class MissingEpisodeForm(ServiceForm):
    SERVICE_FIELDS = {
        "went_missing_at": "went_missing_on",
        "returned_at": "returned_on",
        "interview_offered_at": "interview_offered_on",
        "return_interview_at": "return_interview_on",
    }
    DATE_TIMES = {
        "went_missing_at": ("went_missing_on", "went_missing_time"),
        "returned_at": ("returned_on", "returned_time"),
        "interview_offered_at": ("interview_offered_on", "interview_offered_time"),
        "return_interview_at": ("return_interview_on", "return_interview_time"),
    }
    TEXTS = ("police_reference", "police_risk_grade", "interview_offered_by",
             "interview_offered_by_agency", "interview_offerer", "interview_response",
             "interview_outcome", "notes", "missing_from_postcode", "found_postcode")
    OPTION_HINTS = {"police_risk_grade": POLICE_RISK_GRADE_HINTS}

    went_missing_on = GovukDateField(label="Date the child went missing", required=False,
                                     help_text="For example, 27 3 2026")
    went_missing_time = TimeField(label="Time the child went missing")
    missing_from_postcode = forms.CharField(
        label="Postcode of where the child went missing from", required=False, max_length=8,
        help_text="If known. It places the episode on the problem profile's map.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off",
                                      "spellcheck": "false"}),
    )
    found_postcode = forms.CharField(
        label="Postcode of where the child was found", required=False, max_length=8,
        help_text="If known",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off",
                                      "spellcheck": "false"}),
    )
    returned_on = GovukDateField(label="Date the child returned", required=False,
                                 help_text="Leave blank if the child is still missing")
    returned_time = TimeField(label="Time the child returned")
    police_reference = forms.CharField(
        label="Police reference", required=False, max_length=50,
        help_text="The missing person report reference, if the child was reported missing "
                  "to the police",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "autocomplete": "off",
                                      "spellcheck": "false"}),
    )
    police_risk_grade = forms.ChoiceField(
        label="Police risk grade", required=False, widget=forms.RadioSelect,
        choices=[*PoliceRiskGrade.choices, ("", "Not known")],
        help_text="The police risk assessment of the missing person report",
    )
    interview_offered_on = GovukDateField(
        label="Date the interview was offered", required=False,
        help_text="Leave blank if it has not been offered yet",
    )
    interview_offered_time = TimeField(label="Time the interview was offered")
    interview_offered_by = forms.CharField(
        label="Name of the person who offered it", required=False, max_length=200,
    )
    interview_offered_by_agency = forms.CharField(
        label="Their agency or service", required=False, max_length=200,
        help_text="For example, the commissioned return home interview service",
    )
    interview_offerer = forms.ChoiceField(
        label="Were they independent of the child's care and of the search?", required=False,
        widget=forms.RadioSelect, choices=InterviewOfferer.choices,
    )
    interview_response = forms.ChoiceField(
        label="Did the child accept the interview?", required=False, widget=forms.RadioSelect,
        choices=[(InterviewResponse.ACCEPTED, "Yes, they accepted it"),
                 (InterviewResponse.DECLINED, "No, they declined it"),
                 ("", "Not known yet")],
    )
    return_interview_on = GovukDateField(
        label="Date the interview was held", required=False,
        help_text="Leave blank if it has not been held yet",
    )
    return_interview_time = TimeField(label="Time the interview was held")
    interview_outcome = forms.CharField(
        label="Outcome of the interview", required=False, max_length=10000,
        help_text="What the child said about where they were and who with, and what "
                  "follows from it",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    notes = forms.CharField(label="Notes", required=False, max_length=10000,
                            help_text="Where the child was found, who with, and anything else "
                                      "the interview should follow up",
                            widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_for(cls, episode: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(episode, name) for name in cls.TEXTS}
        for target, (date_name, time_name) in cls.DATE_TIMES.items():
            moment = getattr(episode, target)
            if moment is not None:
                local = timezone.localtime(moment)
                initial[date_name] = local.date()
                initial[time_name] = f"{local:%H:%M}"
        return initial


class OutcomeForm(ServiceForm):
    kind = forms.ChoiceField(label="Outcome", required=False, widget=forms.RadioSelect,
                             choices=OutcomeKind.choices)
    recorded_on = GovukDateField(label="Date of the outcome", required=False,
                                 help_text="For example, 27 3 2026")
    note = forms.CharField(label="Note", required=False, max_length=4000,
                           help_text="Required if the outcome is 'Other'",
                           widget=forms.Textarea(attrs={"rows": 3}))


def _decision_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, widget=forms.RadioSelect,
        choices=[*NrmDecision.choices, ("", "Not decided yet")],
    )


class NrmReferralForm(ServiceForm):
    """A National Referral Mechanism referral and, as they arrive, its decisions. The
    order of the dates is checked by ``services.record_nrm_referral``."""

    referred_on = GovukDateField(label="Date of the NRM referral", required=False,
                                 help_text="For example, 27 3 2026")
    first_responder_organisation = forms.CharField(
        label="First responder organisation", required=False, max_length=200,
        help_text="The organisation that made the referral, for example the police force "
        "or the local authority",
    )
    referred_by = forms.CharField(label="Who made the referral", required=False,
                                  max_length=200, help_text="Their name and role")
    reasonable_grounds = _decision_field("Reasonable-grounds decision")
    reasonable_grounds_on = GovukDateField(label="Date of the reasonable-grounds decision",
                                           required=False, help_text="For example, 27 3 2026")
    conclusive_grounds = _decision_field("Conclusive-grounds decision")
    conclusive_grounds_on = GovukDateField(label="Date of the conclusive-grounds decision",
                                           required=False, help_text="For example, 27 3 2026")

    FIELDS = ("referred_on", "first_responder_organisation", "referred_by",
              "reasonable_grounds", "reasonable_grounds_on", "conclusive_grounds",
              "conclusive_grounds_on")

    @classmethod
    def initial_for(cls, nrm: Any) -> dict[str, Any]:
        return {name: getattr(nrm, name) for name in cls.FIELDS}
