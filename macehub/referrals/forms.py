"""The referral question pages and the triage decision form, worded as GOV.UK asks.

Each question page has its own form; the answers are kept in the session between pages
(``intake.Draft``) and checked again, all together, when the referral is sent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from macehub.cases.codes import Brag, ExploitationType, IndicatorDomain, RiskTier
from macehub.cases.models import Indicator
from macehub.core.phones import display_phone, normalise_phone
from macehub.core.search_text import search_text_problem
from macehub.forms import GovukDateField, check_date_range, date_range
from macehub.people.codes import IdentifierKind
from macehub.people.forms import PersonDetailsForm
from macehub.people.identifiers import normalise_identifier, normalise_postcode
from macehub.people.selectors import PersonMatch
from macehub.referrals.codes import (
    CHILDRENS_SOCIAL_CARE_OUTCOMES,
    ConsentStatus,
    ExploitationModel,
    OnlinePlatform,
    PartnerCheckResult,
    TriageOutcome,
    YearGroup,
)
from macehub.referrals.models import Referral
from macehub.referrals.rules import (
    MAX_MISSING_EPISODES,
    age_in_years,
    consent_problem,
    not_a_child,
)
from macehub.referrals.selectors import ReferralFilters
from macehub.referrals.services import TriageDecision

YES_NO = [("yes", "Yes"), ("no", "No")]
NOT_KNOWN_ANSWER = "not_known"
YES_NO_NOT_KNOWN = [*YES_NO, (NOT_KNOWN_ANSWER, "I do not know")]
NEW_CHILD = "new"
NO_TIER = "none"


def _yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, widget=forms.RadioSelect, help_text=help_text,
        coerce=lambda value: value == "yes", empty_value=None,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def _answer(value: str) -> bool | None:
    """"yes" -> True, "no" -> False, "not_known" -> None (an answer, not a "no")."""
    return {"yes": True, "no": False}.get(value)


def _yes_no_not_known(label: str, required_message: str,
                      help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO_NOT_KNOWN, widget=forms.RadioSelect, help_text=help_text,
        coerce=_answer, empty_value=None,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


# --- (a) The child ------------------------------------------------------------------------


class FindChildForm(forms.Form):
    given_name = forms.CharField(
        label="First name", max_length=100,
        error_messages={"required": "Enter the child's first name"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    family_name = forms.CharField(
        label="Last name", max_length=100,
        error_messages={"required": "Enter the child's last name"},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, not_in_future=True,
        help_text="For example, 27 3 2012. Leave blank if you do not know it.",
    )
    nhs_number = forms.CharField(
        label="NHS number (optional)", required=False, max_length=20,
        help_text="10 digits, for example 943 476 5919",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off",
                                      "inputmode": "numeric"}),
    )
    upn = forms.CharField(
        label="Unique Pupil Number (optional)", required=False, max_length=20,
        help_text="13 characters, from the child's school",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def _identifier(self, name: str, kind: IdentifierKind) -> str:
        value: str = self.cleaned_data.get(name, "").strip()
        return normalise_identifier(kind, value) if value else ""

    def clean_nhs_number(self) -> str:
        return self._identifier("nhs_number", IdentifierKind.NHS_NUMBER)

    def clean_upn(self) -> str:
        return self._identifier("upn", IdentifierKind.UPN)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        # The child is searched for by both names as one text (selectors.find_child),
        # which must be within the hub's search limits.
        names = f"{cleaned.get('given_name', '')} {cleaned.get('family_name', '')}"
        problem = search_text_problem(names, label="The child's first and last names together")
        if problem:
            self.add_error("given_name", problem)
        return cleaned

    def identifiers(self) -> tuple[tuple[str, str], ...]:
        data = self.cleaned_data
        pairs = ((IdentifierKind.NHS_NUMBER.value, data.get("nhs_number", "")),
                 (IdentifierKind.UPN.value, data.get("upn", "")))
        return tuple((kind, value) for kind, value in pairs if value)


def describe_match(match: PersonMatch) -> str:
    """The name and birth date line of a possible match (what the referrer typed)."""
    person = match.person
    if person.date_of_birth:
        born = f"born {person.date_of_birth.day} {person.date_of_birth:%B %Y}"
    elif person.estimated_age is not None:
        born = f"about {person.estimated_age} years old"
    else:
        born = "date of birth not known"
    return f"{person.full_name}, {born}"


class ChooseChildForm(forms.Form):
    child = forms.ChoiceField(
        label="Is this the child you are referring?", widget=forms.RadioSelect,
        error_messages={
            "required": "Select the child, or 'None of these – a new child'",
            "invalid_choice": "Select the child, or 'None of these – a new child'",
        },
    )

    def __init__(self, *args: Any, matches: list[PersonMatch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(m.person.pk), describe_match(m)) for m in matches]
        choices.append((NEW_CHILD, "None of these – a new child"))
        self.fields["child"].choices = choices  # type: ignore[attr-defined]


class NewChildForm(PersonDetailsForm):
    """A child the hub holds no record of (that the referrer can see). An officer's
    observed ethnicity is police business, not asked of referrers."""

    officer_defined_ethnicity = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_name"].error_messages["required"] = "Enter the child's first name"
        self.fields["family_name"].error_messages["required"] = "Enter the child's last name"
        self.fields["self_defined_ethnicity"].label = (
            "Ethnicity (as the child or their family describe it)"
        )
        self.fields["self_defined_ethnicity"].help_text = (
            "Optional. Choose 'Not stated' if they were asked and did not want to say."
        )
        self.fields["nationality"].help_text = (
            "Optional. Choose 'Not stated' if they were asked and did not want to say."
        )
        self.fields["date_of_birth"].help_text = (
            "For example, 27 3 2012. If you do not know it, give an estimated age instead."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        dob, age = cleaned.get("date_of_birth"), cleaned.get("estimated_age")
        if "date_of_birth" in self.errors or "estimated_age" in self.errors:
            return cleaned
        if dob is None and age is None:
            self.add_error(
                "date_of_birth",
                "Enter the child's date of birth or, if you do not know it, their estimated age",
            )
            return cleaned
        problem = not_a_child(age_in_years(date_of_birth=dob, estimated_age=age,
                                           today=timezone.localdate()))
        if problem:
            self.add_error("date_of_birth" if dob else "estimated_age", problem)
        return cleaned


# --- Where the child lives and goes to school ----------------------------------------------


class HomeAndSchoolForm(forms.Form):
    """What the referrer knows of the child's home and school. Every part of the address
    may be left blank; the year group has its own "Not known"."""

    address_line_1 = forms.CharField(
        label="Address line 1 (optional)", required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    town = forms.CharField(
        label="Town or city (optional)", required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    postcode = forms.CharField(
        label="Postcode (optional)", required=False, max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    school = forms.CharField(
        label="School or college (optional)", required=False, max_length=200,
        help_text="Leave blank if you do not know, or the child is not in education",
    )
    year_group = forms.ChoiceField(
        label="Year group", choices=[("", "Select the year group"), *YearGroup.choices],
        error_messages={
            "required": "Select the child's year group, or 'Not known'",
            "invalid_choice": "Select the child's year group from the list",
        },
    )

    def clean_postcode(self) -> str:
        value: str = self.cleaned_data.get("postcode", "").strip()
        return normalise_postcode(value) if value else ""

    def address_given(self) -> bool:
        return any(self.cleaned_data.get(name) for name in
                   ("address_line_1", "address_line_2", "town", "postcode"))


# --- The child's family, consent, and the referrer's number --------------------------------


class FamilyAndConsentForm(forms.Form):
    # The reason is asked under "Not sought" (GOV.UK conditional reveal, drawn by
    # components/field.html); clean() requires it only for that answer.
    REVEALS = {"consent": {ConsentStatus.NOT_SOUGHT: ["consent_not_sought_reason"]}}

    parent_carer_name = forms.CharField(
        label="Name (optional)", required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    parent_carer_relationship = forms.CharField(
        label="Relationship to the child (optional)", required=False, max_length=100,
        help_text="For example, mother, foster carer or grandparent",
    )
    parent_carer_contact = forms.CharField(
        label="Phone number or e-mail address (optional)", required=False, max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    parent_carer_aware = _yes_no_not_known(
        "Does the parent or carer know you are making this referral?",
        "Select whether the parent or carer knows about the referral, or 'I do not know'",
    )
    consent = forms.ChoiceField(
        label="Did you ask for consent to this referral?", choices=ConsentStatus.choices,
        widget=forms.RadioSelect,
        help_text="From the child, or their parent or carer. You do not need consent to "
        "refer a child you think is at risk of harm.",
        error_messages={"required": "Select whether you asked for consent",
                        "invalid_choice": "Select whether you asked for consent"},
    )
    consent_not_sought_reason = forms.CharField(
        label="Why did you not ask for consent?", required=False, max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, asking could put the child at greater risk",
        error_messages={"max_length": "Why you did not ask must be 2,000 characters or fewer"},
    )
    referrer_phone = forms.CharField(
        label="Your phone number", max_length=30,
        help_text="So the hub can call you about this referral",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel",
                                      "spellcheck": "false"}),
        error_messages={"required": "Enter your phone number"},
    )

    def clean_referrer_phone(self) -> str:
        value: str = self.cleaned_data.get("referrer_phone", "")
        try:
            return display_phone(normalise_phone(value))
        except forms.ValidationError as error:
            raise forms.ValidationError(
                "Enter a phone number, like 01632 960 001 or 07700 900 982") from error

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("consent") == ConsentStatus.NOT_SOUGHT:
            problem = consent_problem(cleaned["consent"],
                                      cleaned.get("consent_not_sought_reason", ""))
            if problem:
                self.add_error("consent_not_sought_reason", problem)
        else:
            # A reason typed and then left behind by choosing another answer.
            cleaned["consent_not_sought_reason"] = ""
        return cleaned


# --- (b) The concern ----------------------------------------------------------------------


class ConcernForm(forms.Form):
    concerns = forms.CharField(
        label="What happened, and why are you worried?", max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say what you saw or were told, when and where, and who else knows. "
        "Include names of adults of concern, places and vehicles if you know them.",
        error_messages={"required": "Enter what happened and why you are worried",
                        "max_length": "What happened must be 10,000 characters or fewer"},
    )
    exploitation_types = forms.MultipleChoiceField(
        label="What type of exploitation do you think it is?",
        choices=ExploitationType.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "required": "Select the type of exploitation",
            "invalid_choice": "%(value)s is not one of the types listed: choose from the list",
        },
    )
    exploitation_model = forms.ChoiceField(
        label="What kind of exploitation do you think it is?",
        choices=ExploitationModel.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of exploitation, or 'Not known yet'"},
    )
    immediate_risk = _yes_no_not_known(
        "Is the child at immediate risk of harm?",
        "Select whether the child is at immediate risk of harm, or 'I do not know'",
        help_text="For example, with an adult of concern now, or missing tonight.",
    )
    disclosure = _yes_no_not_known(
        "Has the child disclosed abuse or harm to anyone?",
        "Select whether the child has disclosed abuse or harm, or 'I do not know'",
        help_text="Anything the child has told someone about being abused or harmed. "
        "Children rarely say they are being exploited.",
    )
    sexual_activity = _yes_no_not_known(
        "Has the child been involved in any sexual activity?",
        "Select whether the child has been involved in sexual activity, or 'I do not know'",
        help_text="Whether or not the child says they agreed to it. For a child aged 12 or "
        "under it is rape in law: the hub tells the police at once.",
    )


# --- (c) Indicators -----------------------------------------------------------------------

INDICATOR_FIELD_PREFIX = "indicators_"
DOMAIN_LEGENDS = {
    IndicatorDomain.HEALTH: "Health",
    IndicatorDomain.BEHAVIOUR: "Behaviour",
    IndicatorDomain.GROOMING: "Signs of grooming",
    IndicatorDomain.ONLINE: "Online",
    IndicatorDomain.CRIMINAL: "Signs of criminal exploitation",
}


class IndicatorsForm(forms.Form):
    """One group of checkboxes per domain of the catalogue, then missing episodes and
    online platforms. A code that is not in the catalogue is an error, not dropped."""

    # How many times is asked under "Yes" (GOV.UK conditional reveal); clean() requires it
    # only for that answer.
    REVEALS = {"missing": {"yes": ["missing_episodes"]}}

    missing = forms.ChoiceField(
        label="Has the child been missing from home or care in the last 30 days?",
        choices=[("yes", "Yes"), ("no", "No"), (NOT_KNOWN_ANSWER, "I do not know")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether the child has been missing, or 'I do not know'",
            "invalid_choice": "Select whether the child has been missing, or 'I do not know'",
        },
    )
    missing_episodes = forms.IntegerField(
        label="How many times?", required=False,
        min_value=1, max_value=MAX_MISSING_EPISODES,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false",
                                      "class": "govuk-input--width-2"}),
        error_messages={
            "invalid": "The number of times missing must be a whole number, like 2",
            "min_value": "The number of times missing must be 1 or more",
            "max_value": f"The number of times missing must be {MAX_MISSING_EPISODES} or fewer",
        },
    )
    online_platforms = forms.MultipleChoiceField(
        label="Which apps or online platforms are involved?", required=False,
        choices=OnlinePlatform.choices, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={
            "invalid_choice": "%(value)s is not one of the platforms listed: choose from the list"
        },
    )

    def __init__(self, *args: Any, catalogue: list[tuple[IndicatorDomain, list[Indicator]]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        indicator_fields: dict[str, forms.Field] = {}
        for domain, indicators in catalogue:
            indicator_fields[f"{INDICATOR_FIELD_PREFIX}{domain.value}"] = forms.MultipleChoiceField(
                label=DOMAIN_LEGENDS.get(domain, domain.label), required=False,
                choices=[(i.code, i.label) for i in indicators],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": "%(value)s is not an indicator in the hub's catalogue: "
                    "choose from the list"
                },
            )
        # The indicator groups come first on the page.
        self.fields = {**indicator_fields, **self.fields}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        answer = cleaned.get("missing")
        if answer == "yes":
            if cleaned.get("missing_episodes") is None and "missing_episodes" not in self.errors:
                self.add_error("missing_episodes", "Enter how many times the child has been "
                                                   "missing")
        elif answer is not None:
            self.errors.pop("missing_episodes", None)
            cleaned["missing_episodes"] = 0 if answer == "no" else None
        return cleaned

    def missing_count(self) -> int | None:
        """The count; 0 for none; None when the referrer does not know."""
        value: int | None = self.cleaned_data.get("missing_episodes")
        return value

    @property
    def indicator_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(INDICATOR_FIELD_PREFIX)]

    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(
            code
            for name, value in self.cleaned_data.items()
            if name.startswith(INDICATOR_FIELD_PREFIX)
            for code in value
        )


# --- Information added to a sent referral ------------------------------------------------


class AddInformationForm(forms.Form):
    text = forms.CharField(
        label="What do you want to add?", max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say what you have seen or been told since you sent the referral, and "
        "when. What you sent before is kept as it was.",
        error_messages={"required": "Enter the information you want to add",
                        "max_length": "The information must be 10,000 characters or fewer"},
    )


# --- Triage decision ----------------------------------------------------------------------

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


# --- The hub's lists of referrals ---------------------------------------------------------


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


# --- Partner checks -----------------------------------------------------------------------


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



# --- Steps a referral prompts at once -----------------------------------------------------


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
