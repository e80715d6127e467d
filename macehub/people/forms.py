"""Forms for finding and recording people. Validation messages follow the GOV.UK
Design System's wording; every rule about identifiers lives in ``identifiers``."""

from __future__ import annotations

from typing import Any

from django import forms
from django_countries import countries

from macehub.core.search_text import SearchTextField
from macehub.forms import GovukDateField
from macehub.people.codes import (
    NATIONALITY_NOT_STATED,
    IdentifierKind,
    MatchDecision,
    OfficerDefinedEthnicity,
    PlacementType,
    Sex,
    StatutoryStatus,
)
from macehub.people.identifiers import normalise_identifier, normalise_postcode
from macehub.people.models import Area, EthnicGroup, Person
from macehub.people.services import (
    SHARE_REASON_LENGTH,
    NewAddress,
    PersonDetails,
    StatutoryStatusDetails,
)


class PersonSearchForm(forms.Form):
    q = SearchTextField(
        label="Name or alias", required=False,
        help_text="Spelling does not need to be exact",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False,
        help_text="For example, 27 3 2010. Dates with the day and month swapped are found too.",
    )
    identifier = SearchTextField(
        label="Identifier", required=False, max_length=40,
        help_text="NHS number, Unique Pupil Number, PNC ID or local authority child ID",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.errors and not any(
            cleaned.get(name) for name in ("q", "date_of_birth", "identifier")
        ):
            raise forms.ValidationError(
                "Enter a name, a date of birth or an identifier to search for"
            )
        return cleaned


def _ethnicity_choices() -> list[tuple[str, str]]:
    groups = [(g.code, g.name) for g in EthnicGroup.objects.exclude(code=EthnicGroup.NOT_STATED)]
    return [
        ("", "Not recorded – the person has not been asked"),
        *groups,
        (EthnicGroup.NOT_STATED, "Not stated – the person was asked and declined"),
    ]


def _nationality_choices() -> list[tuple[str, str]]:
    return [
        ("", "Not recorded – the person has not been asked"),
        (NATIONALITY_NOT_STATED, "Not stated – the person was asked and declined"),
        *[(code, name) for code, name in countries],
    ]


class PersonDetailsForm(forms.Form):
    """A person's own details: names, age, sex, ethnicity (two kinds), nationality."""

    given_name = forms.CharField(
        label="First name", max_length=100,
        error_messages={"required": "Enter the person's first name, or 'Unknown'"},
    )
    middle_names = forms.CharField(label="Middle names", max_length=200, required=False)
    family_name = forms.CharField(
        label="Last name", max_length=100,
        error_messages={"required": "Enter the person's last name, or 'Unknown'"},
    )
    date_of_birth = GovukDateField(
        label="Date of birth", required=False, not_in_future=True,
        help_text="For example, 27 3 2010. Leave blank if not known.",
    )
    estimated_age = forms.IntegerField(
        label="Estimated age in years", required=False, min_value=0, max_value=120,
        help_text="Only if the date of birth is not known",
        error_messages={
            "invalid": "Estimated age must be a whole number of years",
            "min_value": "Estimated age must be 0 or more",
            "max_value": "Estimated age must be 120 or less",
        },
    )
    sex = forms.ChoiceField(
        label="Sex", required=False, choices=[("", "Not recorded"), *Sex.choices],
    )
    self_defined_ethnicity = forms.ChoiceField(
        label="Ethnicity (as the person describes it)", required=False,
    )
    officer_defined_ethnicity = forms.ChoiceField(
        label="Officer-defined ethnicity (police IC code)", required=False,
        choices=[("", "Not recorded"), *OfficerDefinedEthnicity.choices],
        help_text="Recorded separately and never used in place of the person's own description",
    )
    nationality = forms.ChoiceField(label="Nationality", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["self_defined_ethnicity"].choices = _ethnicity_choices()  # type: ignore[attr-defined]
        self.fields["nationality"].choices = _nationality_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("date_of_birth") and cleaned.get("estimated_age") is not None:
            self.add_error(
                "estimated_age",
                "Enter either a date of birth or an estimated age, not both",
            )
        return cleaned

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        return {
            "given_name": person.given_name,
            "middle_names": person.middle_names,
            "family_name": person.family_name,
            "date_of_birth": person.date_of_birth,
            "estimated_age": person.estimated_age,
            "sex": person.sex,
            "self_defined_ethnicity": person.self_defined_ethnicity_id or "",
            "officer_defined_ethnicity": person.officer_defined_ethnicity,
            "nationality": person.nationality,
        }

    def details(self) -> PersonDetails:
        data = self.cleaned_data
        ethnicity_code = data.get("self_defined_ethnicity") or ""
        return PersonDetails(
            given_name=data["given_name"].strip(),
            middle_names=data.get("middle_names", "").strip(),
            family_name=data["family_name"].strip(),
            date_of_birth=data.get("date_of_birth"),
            estimated_age=data.get("estimated_age"),
            sex=data.get("sex", ""),
            self_defined_ethnicity=(
                EthnicGroup.objects.get(code=ethnicity_code) if ethnicity_code else None
            ),
            officer_defined_ethnicity=data.get("officer_defined_ethnicity", ""),
            nationality=data.get("nationality", ""),
        )


class PersonEditForm(PersonDetailsForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class NewPersonForm(PersonDetailsForm):
    """Details plus, optionally, one identifier, one alias and the current address."""

    identifier_kind = forms.ChoiceField(
        label="Identifier type", required=False,
        choices=[("", "No identifier"), *IdentifierKind.choices],
    )
    identifier_value = forms.CharField(label="Identifier", required=False, max_length=40)
    alias_given_name = forms.CharField(label="Alias first name", required=False, max_length=100)
    alias_family_name = forms.CharField(label="Alias last name", required=False, max_length=100)
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    address_line_2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    address_town = forms.CharField(label="Town or city", required=False, max_length=100)
    address_postcode = forms.CharField(
        label="Postcode", required=False, max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    address_area = forms.CharField(
        label="Area code", required=False, max_length=20,
        help_text="The ward, neighbourhood or LSOA code, if known (for example E05999901)",
    )

    IDENTIFIER_FIELDS = ("identifier_kind", "identifier_value")
    ALIAS_FIELDS = ("alias_given_name", "alias_family_name")
    ADDRESS_FIELDS = ("address_line_1", "address_line_2", "address_town", "address_postcode",
                      "address_area")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind, value = cleaned.get("identifier_kind"), cleaned.get("identifier_value", "")
        if kind and not value:
            self.add_error("identifier_value", "Enter the identifier, or choose 'No identifier'")
        elif value and not kind:
            self.add_error("identifier_kind", "Select the type of identifier")
        elif kind and value:
            try:
                cleaned["identifier_value"] = normalise_identifier(kind, value)
            except forms.ValidationError as error:
                self.add_error("identifier_value", error)
        if any(cleaned.get(name) for name in self.ADDRESS_FIELDS):
            for name, message in (
                ("address_line_1", "Enter address line 1, typically the building and street"),
                ("address_town", "Enter the town or city"),
                ("address_postcode", "Enter the postcode"),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
            if cleaned.get("address_postcode"):
                try:
                    cleaned["address_postcode"] = normalise_postcode(cleaned["address_postcode"])
                except forms.ValidationError as error:
                    self.add_error("address_postcode", error)
            area_code = cleaned.get("address_area", "").strip().upper()
            if area_code:
                area = Area.objects.filter(code=area_code).only("pk").first()
                if area is None:
                    self.add_error("address_area", "There is no area with this code")
                else:
                    cleaned["address_area_id"] = area.pk
        return cleaned

    def identifier(self) -> tuple[str, str] | None:
        data = self.cleaned_data
        return (data["identifier_kind"], data["identifier_value"]) if data.get(
            "identifier_kind") else None

    def alias(self) -> tuple[str, str] | None:
        data = self.cleaned_data
        given, family = data.get("alias_given_name", ""), data.get("alias_family_name", "")
        return (given.strip(), family.strip()) if (given or family) else None

    def address(self) -> NewAddress | None:
        data = self.cleaned_data
        if not data.get("address_line_1"):
            return None
        return NewAddress(
            line_1=data["address_line_1"].strip(),
            line_2=data.get("address_line_2", "").strip(),
            town=data["address_town"].strip(),
            postcode=data["address_postcode"],
            area_id=data.get("address_area_id"),
        )




class StatutoryStatusForm(forms.Form):
    """The child's statutory status, first language and interpreter need. The rules
    (a placement only for a looked-after child...) are the service's; its errors are put
    back beside these fields."""

    INTERPRETER_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not known")]

    version = forms.IntegerField(widget=forms.HiddenInput)
    statuses = forms.MultipleChoiceField(
        label="Statutory status", required=False, widget=forms.CheckboxSelectMultiple,
        choices=StatutoryStatus.choices,
        help_text="Select all that apply. Leave all unticked if the child has none.",
    )
    placement_type = forms.ChoiceField(
        label="Placement type", required=False,
        choices=[("", "No placement (not looked after)"), *PlacementType.choices],
        help_text="Only for a looked-after child",
    )
    placing_authority = forms.CharField(
        label="Placing authority", required=False, max_length=200,
        help_text="The local authority that placed the child, for example Eastshire County "
                  "Council. Only for a looked-after child.",
    )
    first_language = forms.CharField(
        label="First language", required=False, max_length=100,
        help_text="For example, English, Polish or British Sign Language",
    )
    interpreter_needed = forms.ChoiceField(
        label="Is an interpreter needed?", required=False, widget=forms.RadioSelect,
        choices=INTERPRETER_CHOICES,
    )

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        interpreter = {None: "", True: "yes", False: "no"}[person.interpreter_needed]
        return {
            "version": person.version,
            "statuses": [status.value for status in person.statutory_statuses],
            "placement_type": person.placement_type,
            "placing_authority": person.placing_authority,
            "first_language": person.first_language,
            "interpreter_needed": interpreter,
        }

    def details(self) -> StatutoryStatusDetails:
        data = self.cleaned_data
        interpreter = {"yes": True, "no": False}.get(data.get("interpreter_needed") or "")
        return StatutoryStatusDetails(
            statuses=frozenset(data.get("statuses") or ()),
            placement_type=data.get("placement_type") or "",
            placing_authority=data.get("placing_authority") or "",
            first_language=data.get("first_language") or "",
            interpreter_needed=interpreter,
        )


class MatchDecisionForm(forms.Form):
    """A reviewer's decision on two records the matching model proposed as one person.
    Parses only: ``people.matching.decide_match`` decides (a reason for every choice)."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(MatchDecision.SAME, "Yes, the same person"),
                 (MatchDecision.NOT_SAME, "No, different people"),
                 (MatchDecision.NOT_SURE, "Not sure")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these records are the same person"},
    )
    reason = forms.CharField(
        label="Why", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What settled it, or what you could not settle. The next reviewer and "
                  "information governance will read it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class MergeForm(forms.Form):
    """Merging a pair decided to be one person: which record to keep, and why. Parses
    only: ``people.merging.merge_people`` checks the choice against the pair."""

    kept = forms.TypedChoiceField(
        label="Which record do you want to keep?", coerce=int, widget=forms.RadioSelect,
        help_text="Everything on the other record moves to the one you keep. The other "
                  "record stays, marked as merged, and the merge can be undone.",
        error_messages={"required": "Select which record to keep"},
    )
    reason = forms.CharField(
        label="Why are you merging these records?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anyone who later reads or undoes the merge will read it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, pair: tuple[Any, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = self.fields["kept"]
        assert isinstance(kept, forms.TypedChoiceField)  # noqa: S101 - declared above
        kept.choices = [
            (person.pk, f"{heading}: {person.full_name}, held by {person.owning_agency.name} "
                        f"(record {person.pk})")
            for heading, person in zip(("First record", "Second record"), pair, strict=True)]


class UnmergeForm(forms.Form):
    """Undoing a merge: why. ``people.merging.unmerge_people`` decides."""

    reason = forms.CharField(
        label="Why are you undoing this merge?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class LinkListsForm(forms.Form):
    """A partner's list to link, and what against. Parses only: the lists are read by
    ``people.list_linking.start_link_job`` (a list that cannot be read is refused there,
    each problem with its row and column)."""

    HUB, LIST = "hub", "list"

    left = forms.FileField(
        label="The list to link", help_text="A CSV file with columns headed given_name and "
        "family_name, and if you have them rec_id, date_of_birth (like 2011-03-14), sex, "
        "postcode and address.",
        error_messages={"required": "Select the list to link"})
    against = forms.ChoiceField(
        label="Link it against", widget=forms.RadioSelect, initial=HUB,
        choices=[(HUB, "The hub's people you may see"), (LIST, "Another list")],
        error_messages={"required": "Select what to link the list against"})
    right = forms.FileField(
        label="The other list", required=False,
        help_text="A CSV file with the same columns. Only needed to link against another list.")
    threshold = forms.FloatField(
        label="Match probability threshold (optional)", required=False, min_value=0.01,
        max_value=0.999,
        help_text="Pairs at or above it are listed, for example 0.9. Leave it empty for the "
                  "threshold the model's own evaluation recommends.",
        error_messages={"invalid": "Enter the threshold as a number between 0.01 and 0.999",
                        "min_value": "Enter a threshold of 0.01 or more",
                        "max_value": "Enter a threshold of 0.999 or less"})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("against") == self.LIST and not cleaned.get("right"):
            self.add_error("right", "Select the other list, or link against the hub's people")
        return cleaned


class ShareForm(forms.Form):
    """Share a person's record with a partner agency, naming the agreement it relies on
    or why it is shared without one. The agreements offered are those in force that the
    record's agency is party to; once an agency is chosen, only those covering both."""

    agency = forms.TypedChoiceField(
        label="Agency to share the record with", coerce=int,
        error_messages={"required": "Choose the agency to share the record with",
                        "invalid_choice": "Choose the agency from the list"},
    )
    agreement = forms.TypedChoiceField(
        label="Information-sharing agreement it relies on", coerce=int, required=False,
        empty_value=None,
        help_text="The agreements in force between the two agencies.",
        error_messages={"invalid_choice": "Choose the agreement from the list"},
    )
    reason = forms.CharField(
        label="Why it is shared", required=False, max_length=SHARE_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required where no agreement in force covers the two agencies: for "
                  "example, to safeguard a child at risk.",
    )

    def __init__(self, *args: Any, agencies: list[tuple[int, str]],
                 agreements: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", "Choose an agency"), *agencies]
        self.fields["agreement"].choices = [  # type: ignore[attr-defined]
            ("", "No agreement chosen"), *agreements]


class StopSharingForm(forms.Form):
    reason = forms.CharField(
        label="Why the record is no longer shared", max_length=SHARE_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the record is no longer shared"},
    )
