"""Forms for submitting, recording, reviewing, linking and sharing intelligence.

Forms check what the user typed (GOV.UK wording); the rules about what may be recorded
(grading codes, handling code C's conditions, who may be linked) are the services', and
a refusal from a service is shown on the field it names.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.core.phones import normalise_phone
from macehub.core.search_text import SearchTextField
from macehub.forms import GovukDateField, check_date_range, date_range
from macehub.governance.sharing import SharingAgreement
from macehub.intelligence.codes import (
    ROLES_BY_KIND,
    AccountPlatform,
    EntityKind,
    HandlingCode,
    IntelligenceAssessment,
    LawfulBasis,
    PremisesKind,
    Priority,
    ReportStatus,
    ReviewAction,
    SecurityMarking,
    SourceEvaluation,
)
from macehub.intelligence.normalise import normalise_handle, normalise_registration
from macehub.intelligence.selectors import ANY_SUBMITTER, CURRENT, ReportFilters
from macehub.intelligence.services import (
    Grading,
    NewAccount,
    NewEntity,
    NewLocation,
    NewPhone,
    NewPremises,
    NewReport,
    NewVehicle,
    Review,
    SubmittedInformation,
)
from macehub.people.codes import Sex
from macehub.people.identifiers import normalise_postcode
from macehub.people.services import PersonDetails


def _radios(label: str, choices: Any, required_message: str, **kwargs: Any
            ) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect,
        error_messages={
            "required": required_message,
            "invalid_choice": f"{required_message} from the list",
        },
        **kwargs,
    )


def _text(label: str, *, required: bool = True, required_message: str = "",
          rows: int = 0, max_length: int | None = None, **kwargs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=widget,
        error_messages={"required": required_message or f"Enter {label.lower()}"}, **kwargs,
    )


class SubmissionForm(forms.Form):
    """Any partner's information, in their own words."""

    what = _text("What do you know?", rows=6, required_message="Enter what you know",
                 help_text="Describe what happened or what you have seen or heard")
    when = _text("When did it happen?", required=False, max_length=200,
                 help_text="A date and time, or roughly, like 'most Friday nights since May'")
    where = _text("Where did it happen?", required=False, max_length=300,
                  help_text="An address, a place, or a description such as 'the takeaway "
                  "on Mill Street'")
    who = _text("Who was involved?", required=False, rows=4,
                help_text="Names, nicknames, descriptions, vehicles, phone numbers or "
                "online accounts")
    how_known = _text("How do you know this?", rows=3,
                      required_message="Enter how you know this",
                      help_text="For example, you saw it yourself, a child told you, or "
                      "someone else told you")

    def information(self) -> SubmittedInformation:
        data = self.cleaned_data
        return SubmittedInformation(
            what=data["what"], how_known=data["how_known"], when=data.get("when", ""),
            where=data.get("where", ""), who=data.get("who", ""),
        )


def _team_choices() -> list[tuple[int, str]]:
    return [(team.pk, f"{team.name} ({team.agency.name})")
            for team in Team.objects.filter(is_active=True).select_related("agency")]


def _agency_choices() -> list[tuple[int, str]]:
    return [(agency.pk, agency.name) for agency in Agency.objects.filter(is_active=True)]


class GradingForm(forms.Form):
    """The 3x5x2 grading, handling code with its conditions, marking and priority.
    Handling code C's conditions are asked under C (GOV.UK conditional reveal, drawn by
    components/field.html); the service (``services.check_grading``) requires them for C
    whatever the page sends, and the view shows its refusal beside these fields."""

    REVEALS = {"handling_code": {HandlingCode.CONDITIONS: [
        "handling_conditions", "permitted_teams", "permitted_agencies"]}}
    OPTION_HINTS = {"handling_code": {HandlingCode.CONDITIONS: (
        "State the conditions and name every team or agency they allow. No one else will "
        "see the report: not in lists, searches, chronologies, exports or the API.")}}

    source_evaluation = _radios("Source evaluation", SourceEvaluation.choices,
                                "Select the source evaluation")
    intelligence_assessment = _radios("Intelligence assessment",
                                      IntelligenceAssessment.choices,
                                      "Select the intelligence assessment")
    handling_code = _radios("Handling code", HandlingCode.choices, "Select the handling code")
    handling_conditions = _text(
        "Handling conditions", required=False, rows=3,
        help_text="Who may see the report and what they may do with it",
    )
    permitted_teams = forms.TypedMultipleChoiceField(
        label="Teams the conditions allow", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        help_text="Your own team always sees its reports.",
        error_messages={"invalid_choice": "Choose teams from the list"},
    )
    permitted_agencies = forms.TypedMultipleChoiceField(
        label="Agencies the conditions allow", required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "govuk-checkboxes--small"}),
        help_text="Everyone in an agency you choose may see it.",
        error_messages={"invalid_choice": "Choose agencies from the list"},
    )
    security_marking = _radios("Security marking", SecurityMarking.choices,
                               "Select the security marking",
                               initial=SecurityMarking.OFFICIAL_SENSITIVE)
    priority = _radios("Priority", Priority.choices, "Select the priority",
                       initial=Priority.LOW)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permitted_teams"].choices = _team_choices()  # type: ignore[attr-defined]
        self.fields["permitted_agencies"].choices = _agency_choices()  # type: ignore[attr-defined]

    def grading(self) -> Grading:
        data = self.cleaned_data
        return Grading(
            source_evaluation=data["source_evaluation"],
            intelligence_assessment=data["intelligence_assessment"],
            handling_code=data["handling_code"],
            handling_conditions=data.get("handling_conditions", ""),
            permitted_team_ids=tuple(data.get("permitted_teams") or ()),
            permitted_agency_ids=tuple(data.get("permitted_agencies") or ()),
            security_marking=data["security_marking"],
            priority=data["priority"],
        )

    @staticmethod
    def initial_for(report: Any) -> dict[str, Any]:
        return {
            "source_evaluation": report.source_evaluation,
            "intelligence_assessment": report.intelligence_assessment,
            "handling_code": report.handling_code,
            "handling_conditions": report.handling_conditions,
            "permitted_teams": [team.pk for team in report.permitted_teams.all()],
            "permitted_agencies": [agency.pk for agency in report.permitted_agencies.all()],
            "security_marking": report.security_marking,
            "priority": report.priority,
        }


class RecordReportForm(GradingForm):
    source_text = _text("Intelligence, as received", rows=8,
                        required_message="Enter the intelligence as it was received",
                        help_text="It may identify the source: only your team will see it")
    occurred_on = GovukDateField(label="When it happened", required=False, not_in_future=True,
                                 help_text="For example, 27 3 2026. Leave blank if not known.")
    sanitised_text = _text(
        "Sanitised text", required=False, rows=6,
        help_text="What may be shared beyond your team, with nothing that identifies the "
        "source. It can be written at review.",
    )

    field_order = ["source_text", "occurred_on", "sanitised_text", "source_evaluation",
                   "intelligence_assessment", "handling_code", "handling_conditions",
                   "permitted_teams", "permitted_agencies", "security_marking", "priority"]

    def new_report(self) -> NewReport:
        data = self.cleaned_data
        return NewReport(
            source_text=data["source_text"], grading=self.grading(),
            sanitised_text=data.get("sanitised_text", ""), occurred_on=data.get("occurred_on"),
        )


class ReviewForm(GradingForm):
    sanitised_text = _text(
        "Sanitised text", rows=8,
        required_message="Enter the sanitised text: what may be shared, with nothing that "
        "identifies the source",
        help_text="This is all that anyone outside your team will see",
    )
    action = _radios("Action", ReviewAction.choices, "Select the action")
    note = _text("What is to be done", required=False, rows=3,
                 help_text="Who is tasked, or what is to be developed")
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = ["sanitised_text", "source_evaluation", "intelligence_assessment",
                   "handling_code", "handling_conditions", "permitted_teams",
                   "permitted_agencies", "security_marking", "priority", "action", "note"]

    def review(self) -> Review:
        data = self.cleaned_data
        return Review(grading=self.grading(), sanitised_text=data["sanitised_text"],
                      action=data["action"], note=data.get("note", ""))


class DisseminationForm(forms.Form):
    """One or more agencies to share a report with, on one lawful basis."""

    to_agency = forms.TypedMultipleChoiceField(
        label="Agencies to share it with", coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply. Each agency gets its own record of the sharing.",
        error_messages={"required": "Choose the agencies to share it with",
                        "invalid_choice": "Choose the agencies from the list"},
    )
    lawful_basis = _radios("Lawful basis for sharing", LawfulBasis.choices,
                           "Select the lawful basis for sharing")
    agreements = forms.TypedMultipleChoiceField(
        label="Information-sharing agreements it relies on", coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The agreements in force that the report's agency is party to. Select "
                  "the one that covers each agency you share with.",
        error_messages={"invalid_choice": "Choose the agreements from the list"},
    )
    reason_without_agreement = forms.CharField(
        label="Why it is shared without an agreement", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only where no agreement in force covers an agency you share with: for "
                  "example, to safeguard a child at risk.",
    )

    def __init__(self, *args: Any, from_agency_pk: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_agency"].choices = _agency_choices()  # type: ignore[attr-defined]
        agreements = (SharingAgreement.objects.covering(timezone.localdate(), from_agency_pk)
                      if from_agency_pk is not None else SharingAgreement.objects.none())
        self.fields["agreements"].choices = [  # type: ignore[attr-defined]
            (agreement.pk, f"{agreement.reference} {agreement.title}")
            for agreement in agreements.order_by("reference")]


class ReportFilterForm(forms.Form):
    """Narrows the report list (and the export); the dates are whole days, London time."""

    reference = _text("Reference", required=False, max_length=20)
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[("", "Any status"), (CURRENT, "Current (not historic)"),
                 *ReportStatus.choices],
    )
    priority = forms.ChoiceField(label="Priority", required=False,
                                 choices=[("", "Any priority"), *Priority.choices])
    handling_code = forms.ChoiceField(label="Handling code", required=False,
                                      choices=[("", "Any handling code"), *HandlingCode.choices])
    received_from, received_to = date_range("Received")
    owning_agency = forms.ChoiceField(
        label="Owning agency", required=False,
        error_messages={"invalid_choice": "Select the owning agency from the list"},
    )
    area = forms.ChoiceField(
        label="Area", required=False,
        help_text="Reports linked to a place or premises there, or to someone who lives there",
        error_messages={"invalid_choice": "Select the area from the list"},
    )
    submitted_by = forms.ChoiceField(
        label="Submitted by", required=False,
        error_messages={"invalid_choice": "Select who submitted the information from the list"},
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        agencies = choices["agency"]
        self.fields["owning_agency"].choices = [  # type: ignore[attr-defined]
            ("", "Any agency"), *agencies]
        self.fields["area"].choices = [("", "Anywhere"), *choices["area"]]  # type: ignore[attr-defined]
        self.fields["submitted_by"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone, or recorded by the hub"),
            (ANY_SUBMITTER, "Any agency (partner submissions only)"), *agencies]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_date_range(self, "received_from", "received_to",
                         "Received to must be the same as or after received from")
        return cleaned

    def filters(self) -> ReportFilters:
        """The filters asked for; none while the form is unbound or has errors."""
        if not self.is_bound or not self.is_valid():
            return ReportFilters()
        data = self.cleaned_data
        return ReportFilters(
            status=data.get("status") or "", priority=data.get("priority") or "",
            handling_code=data.get("handling_code") or "",
            reference=data.get("reference") or "",
            received_from=data.get("received_from"), received_to=data.get("received_to"),
            owning_agency_id=int(data["owning_agency"]) if data.get("owning_agency") else None,
            area_code=data.get("area") or "",
            submitted_by=data.get("submitted_by") or "",
        )


class EntitySearchForm(forms.Form):
    q = SearchTextField(
        label="Search people, places, vehicles, phones, accounts and premises",
        help_text="A name, an address or postcode, a registration, a phone number, an "
        "online handle or a business. Spelling and spacing do not need to be exact.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter what you are looking for"},
    )


# --- Linking ------------------------------------------------------------------------------


class LinkKindForm(forms.Form):
    kind = _radios("What does the report mention?", EntityKind.choices,
                   "Select what the report mentions")


NEW_RECORD = "new"


class LinkSearchForm(forms.Form):
    """The search for an existing record to link: its own form, so text beyond the search
    limits is refused (and kept on the page) before anything is searched."""

    q = SearchTextField(label="Find an existing record", required=False,
                        widget=forms.TextInput(attrs={"spellcheck": "false",
                                                      "autocomplete": "off"}))


class LinkForm(forms.Form):
    """Link one entity of ``kind``: choose a record found by ``LinkSearchForm``'s ``q``,
    or describe a new one. Subclasses add the fields of a new record and build it in
    ``new_entity``."""

    kind: str = ""
    new_fields: tuple[str, ...] = ()
    existing = forms.ChoiceField(
        label="Records found", required=False, widget=forms.RadioSelect,
        error_messages={"invalid_choice": "The record you chose was not found, or you may "
                        "not see it. Search again and choose from the results"},
    )
    role = _radios("Role in the report", [], "Select the role it plays in the report")
    described_as = _text("How the report describes it", required=False, max_length=300,
                        help_text="Optional. Only people who may see this report will see it.")

    def __init__(self, *args: Any, found: list[tuple[int, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (role.value, role.label) for role in ROLES_BY_KIND[self.kind]]
        self.fields["existing"].choices = [  # type: ignore[attr-defined]
            *[(str(pk), label) for pk, label in (found or [])],
            (NEW_RECORD, "None of these: record a new one"),
        ]

    @property
    def chose_existing(self) -> bool:
        value = self.cleaned_data.get("existing")
        return bool(value) and value != NEW_RECORD

    def existing_pk(self) -> int | None:
        return int(self.cleaned_data["existing"]) if self.chose_existing else None

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not self.chose_existing and "existing" not in self.errors:
            self.clean_new(cleaned)
        return cleaned

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        """Check the fields of a new record (a record was not chosen)."""

    def new_entity(self) -> NewEntity | None:
        return None

    def new_person(self) -> PersonDetails | None:
        return None

    def street_name(self) -> str:
        """A new person's nickname or street name (people only)."""
        return ""

    @property
    def new_record_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.new_fields]


def _required(form: forms.Form, cleaned: dict[str, Any], name: str, message: str) -> bool:
    if not str(cleaned.get(name) or "").strip():
        form.add_error(name, message)
        return False
    return True


def _normalised(form: forms.Form, cleaned: dict[str, Any], name: str,
                normalise: Any) -> None:
    value = cleaned.get(name) or ""
    if not value.strip():
        return
    try:
        cleaned[name] = normalise(value)
    except forms.ValidationError as error:
        form.add_error(name, error)


class PersonLinkForm(LinkForm):
    """A person the report mentions. Someone whose real name is not known is recorded by
    the nickname or street name they go by ("Kaz"), not as "Unknown Unknown": a rule the
    service applies (``services.link_entity``), whose refusal the view shows here."""

    kind = EntityKind.PERSON
    new_fields = ("given_name", "family_name", "nickname", "date_of_birth", "sex")
    given_name = _text("First name", required=False, max_length=100,
                       help_text="Leave blank if not known")
    family_name = _text("Last name", required=False, max_length=100,
                        help_text="Leave blank if not known")
    nickname = _text("Nickname or street name", required=False, max_length=100,
                     help_text="What they are called, for example 'Kaz'. If their real name "
                     "is not known, this is enough.")
    date_of_birth = GovukDateField(label="Date of birth", required=False, not_in_future=True,
                                   help_text="For example, 27 3 2010. Leave blank if not known.")
    sex = forms.ChoiceField(label="Sex", required=False,
                            choices=[("", "Not recorded"), *Sex.choices])

    def new_person(self) -> PersonDetails | None:
        if self.chose_existing:
            return None
        data = self.cleaned_data
        return PersonDetails(given_name=data["given_name"].strip(),
                             family_name=data["family_name"].strip(),
                             date_of_birth=data.get("date_of_birth"), sex=data.get("sex", ""))

    def street_name(self) -> str:
        return "" if self.chose_existing else str(self.cleaned_data.get("nickname") or "").strip()


class LocationLinkForm(LinkForm):
    kind = EntityKind.LOCATION
    new_fields = ("description", "address", "postcode", "area_code", "easting", "northing",
                  "latitude", "longitude")
    description = _text("Description of the location", required=False, max_length=200,
                        help_text="For example, 'Car park behind the Co-op'")
    address = _text("Address", required=False, max_length=300)
    postcode = _text("Postcode", required=False, max_length=10)
    area_code = _text("Area code", required=False, max_length=20,
                      help_text="The ward or neighbourhood code, if known (for example "
                      "E05999001)")
    easting = forms.IntegerField(
        label="Easting (metres)", required=False, min_value=0, max_value=800_000,
        help_text="British National Grid, if known; leave both empty to take the "
                  "postcode's", error_messages={
            "invalid": "Enter the easting as a whole number of metres",
            "min_value": "Enter an easting from 0 to 800,000 metres",
            "max_value": "Enter an easting from 0 to 800,000 metres"})
    northing = forms.IntegerField(
        label="Northing (metres)", required=False, min_value=0, max_value=1_300_000,
        error_messages={
            "invalid": "Enter the northing as a whole number of metres",
            "min_value": "Enter a northing from 0 to 1,300,000 metres",
            "max_value": "Enter a northing from 0 to 1,300,000 metres"})
    latitude = forms.DecimalField(label="Latitude", required=False, max_digits=8,
                                  decimal_places=5, min_value=Decimal(-90), max_value=Decimal(90),
                                  error_messages={"invalid": "Latitude must be a number"})
    longitude = forms.DecimalField(label="Longitude", required=False, max_digits=8,
                                   decimal_places=5, min_value=Decimal(-180),
                                   max_value=Decimal(180),
                                   error_messages={"invalid": "Longitude must be a number"})

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        _required(self, cleaned, "description",
                  "Describe the location, like 'Car park behind the Co-op'")
        _normalised(self, cleaned, "postcode", normalise_postcode)
        if (cleaned.get("easting") is None) != (cleaned.get("northing") is None):
            missing = "northing" if cleaned.get("northing") is None else "easting"
            if missing not in self.errors:
                self.add_error(missing, f"Enter the {missing} too, or leave both empty")

    def new_entity(self) -> NewEntity | None:
        if self.chose_existing:
            return None
        data = self.cleaned_data
        return NewLocation(description=data["description"], address=data.get("address", ""),
                           postcode=data.get("postcode", ""),
                           area_code=data.get("area_code", ""),
                           latitude=data.get("latitude"), longitude=data.get("longitude"),
                           easting=data.get("easting"), northing=data.get("northing"))


class VehicleLinkForm(LinkForm):
    kind = EntityKind.VEHICLE
    new_fields = ("registration",)
    registration = _text("Registration", required=False, max_length=12,
                         help_text="For example, AB12 CDE")

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        if _required(self, cleaned, "registration", "Enter the vehicle's registration"):
            _normalised(self, cleaned, "registration", normalise_registration)

    def new_entity(self) -> NewEntity | None:
        if self.chose_existing:
            return None
        data = self.cleaned_data
        return NewVehicle(registration=data["registration"])


class PhoneLinkForm(LinkForm):
    kind = EntityKind.PHONE
    new_fields = ("number",)
    number = _text("Phone number", required=False, max_length=30,
                   help_text="For example, 07700 900123 or +44 7700 900123")

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        if _required(self, cleaned, "number", "Enter the phone number"):
            _normalised(self, cleaned, "number", normalise_phone)

    def new_entity(self) -> NewEntity | None:
        return None if self.chose_existing else NewPhone(number=self.cleaned_data["number"])


class AccountLinkForm(LinkForm):
    kind = EntityKind.ACCOUNT
    new_fields = ("platform", "handle")
    platform = forms.ChoiceField(label="Platform", required=False,
                                 choices=[("", "Choose a platform"), *AccountPlatform.choices])
    handle = _text("Handle or username", required=False, max_length=200,
                   help_text="For example, @name, or the profile's web address")

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        _required(self, cleaned, "platform", "Select the platform")
        if _required(self, cleaned, "handle", "Enter the account's handle or username"):
            _normalised(self, cleaned, "handle", normalise_handle)

    def new_entity(self) -> NewEntity | None:
        if self.chose_existing:
            return None
        return NewAccount(platform=self.cleaned_data["platform"],
                          handle=self.cleaned_data["handle"])


class PremisesLinkForm(LinkForm):
    kind = EntityKind.PREMISES
    new_fields = ("name", "premises_kind", "licence_reference", "address", "postcode")
    name = _text("Name of the premises or business", required=False, max_length=200)
    premises_kind = forms.ChoiceField(label="Kind of premises", required=False,
                                      choices=[("", "Choose a kind"), *PremisesKind.choices])
    licence_reference = _text("Licence reference", required=False, max_length=60,
                              help_text="A premises, taxi or hotel licence number, if known")
    address = _text("Address", required=False, max_length=300)
    postcode = _text("Postcode", required=False, max_length=10)

    def clean_new(self, cleaned: dict[str, Any]) -> None:
        _required(self, cleaned, "name", "Enter the name of the premises or business")
        _required(self, cleaned, "premises_kind", "Select the kind of premises")
        _normalised(self, cleaned, "postcode", normalise_postcode)

    def new_entity(self) -> NewEntity | None:
        if self.chose_existing:
            return None
        data = self.cleaned_data
        return NewPremises(name=data["name"], kind=data["premises_kind"],
                           licence_reference=data.get("licence_reference", ""),
                           address=data.get("address", ""), postcode=data.get("postcode", ""))


LINK_FORMS: dict[str, type[LinkForm]] = {
    form.kind: form
    for form in (PersonLinkForm, LocationLinkForm, VehicleLinkForm, PhoneLinkForm,
                 AccountLinkForm, PremisesLinkForm)
}
