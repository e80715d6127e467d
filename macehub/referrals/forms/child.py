"""Which child the referral is about: found among the records the referrer may match, or
described as a new child."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from macehub.core.search_text import search_text_problem
from macehub.forms import GovukDateField
from macehub.people.codes import IdentifierKind
from macehub.people.forms import PersonDetailsForm
from macehub.people.identifiers import normalise_identifier
from macehub.people.selectors import PersonMatch
from macehub.referrals.forms.answers import NEW_CHILD
from macehub.referrals.rules import age_in_years, not_a_child


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
