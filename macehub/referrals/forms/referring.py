"""The referrer's other question pages (home and school; family and consent; the
concern; the signs of exploitation), and information added to a sent referral."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.cases.codes import ExploitationType, IndicatorDomain
from macehub.cases.models import Indicator
from macehub.core.phones import display_phone, normalise_phone
from macehub.people.identifiers import normalise_postcode
from macehub.referrals.codes import ConsentStatus, ExploitationModel, OnlinePlatform, YearGroup
from macehub.referrals.forms.answers import NOT_KNOWN_ANSWER, _yes_no_not_known
from macehub.referrals.rules import MAX_MISSING_EPISODES, consent_problem


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


class AddInformationForm(forms.Form):
    text = forms.CharField(
        label="What do you want to add?", max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say what you have seen or been told since you sent the referral, and "
        "when. What you sent before is kept as it was.",
        error_messages={"required": "Enter the information you want to add",
                        "max_length": "The information must be 10,000 characters or fewer"},
    )
