"""The training app's forms (parse only: the services decide), and the acknowledgement
of missing training the allocation pages of other apps carry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms

from macehub.accounts.models import User
from macehub.accounts.roles import AgencyKind, Role
from macehub.forms import GovukDateField
from macehub.training.checks import ACKNOWLEDGED_FIELD, REASON_FIELD, missing_training
from macehub.training.codes import Allocation, Tier
from macehub.training.models import Course


class MissingTrainingAcknowledgement(forms.Form):
    """Mixed into a form that gives someone specialist work (``training_allocation``).
    The acknowledgement and its reason are asked only once the service has refused for
    missing training (or the user has answered them): until then the page iterates the
    form without them. The page shows the warning naming the missing courses
    (``training/missing_training_warning.html``) from ``missing_courses``."""

    training_allocation: str = ""

    acknowledged_missing_training = forms.BooleanField(
        label="I understand they have not completed this training and I am going ahead",
        required=False)
    missing_training_reason = forms.CharField(
        label="Why are you going ahead without the training?", required=False,
        max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def training_person(self) -> User | None:
        """The person chosen for the work, from the cleaned data."""
        raise NotImplementedError

    @property
    def asks_about_training(self) -> bool:
        errors = getattr(self, "_errors", None) or {}
        return (self.is_bound and REASON_FIELD in self.data) or any(
            name in errors for name in (ACKNOWLEDGED_FIELD, REASON_FIELD))

    @property
    def missing_courses(self) -> list[Course]:
        if not self.asks_about_training or not hasattr(self, "cleaned_data"):
            return []
        person = self.training_person()
        return missing_training(person, self.training_allocation) if person else []

    def __iter__(self) -> Iterator[forms.BoundField]:
        asking = self.asks_about_training
        for bound in super().__iter__():
            if asking or bound.name not in (ACKNOWLEDGED_FIELD, REASON_FIELD):
                yield bound


def user_from_pk(pk: Any) -> User | None:
    return User.objects.filter(pk=pk).select_related("agency").first() if pk else None


class TrainingRecordForm(forms.Form):
    course = forms.ModelChoiceField(label="Course", queryset=Course.objects.none(),
                                    empty_label="Select a course",
                                    error_messages={"required": "Select the course"})
    completed_on = GovukDateField(label="Completed on", not_in_future=True)
    expires_on = GovukDateField(
        label="Expires on", required=False,
        help_text="Leave empty to take it from the course's validity.")
    evidence = forms.CharField(label="Evidence", required=False, max_length=300,
                               help_text="A certificate number, an attendance record...")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = (  # type: ignore[attr-defined]
            Course.objects.filter(is_active=True))


class ImportForm(forms.Form):
    file = forms.FileField(label="Upload a CSV file", error_messages={
        "required": "Select a CSV file of training records"})


class ComplianceFilter(forms.Form):
    """Narrow the compliance overview to an agency, a team or a role (choices from the
    people the user may read)."""

    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int,
                                    empty_value=None)
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int,
                                  empty_value=None)
    role = forms.ChoiceField(label="Role", required=False)

    def __init__(self, *args: Any, agencies: list[tuple[int, str]],
                 teams: list[tuple[int, str]], roles: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["agency"]).choices = [("", "Every agency"),
                                                                  *agencies]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Every team"), *teams]
        cast(forms.ChoiceField, self.fields["role"]).choices = [("", "Every role"), *roles]


class CourseForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200,
                            error_messages={"required": "Enter the course's title"})
    tier = forms.ChoiceField(label="Tier", widget=forms.RadioSelect, choices=Tier.choices,
                             error_messages={"required": "Select the tier"})
    description = forms.CharField(label="What it covers", required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    validity_months = forms.IntegerField(
        label="How many months it holds", required=False, min_value=1, max_value=240,
        help_text="Leave empty if it never expires.",
        error_messages={"invalid": "Enter how many months it holds as a whole number"})
    evidence = forms.CharField(label="Evidence expected", required=False, max_length=200,
                               help_text="A certificate, an attendance record, an "
                                         "assessed interview...")
    qualifies_for = forms.MultipleChoiceField(
        label="Specialist work it qualifies for", required=False,
        widget=forms.CheckboxSelectMultiple, choices=Allocation.choices)
    is_active = forms.BooleanField(label="In use", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, adding: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if adding:
            del self.fields["is_active"]
            del self.fields["version"]


class RequirementForm(forms.Form):
    role = forms.ChoiceField(label="Role", required=False,
                             choices=[("", "Every role"), *Role.choices])
    agency_kind = forms.ChoiceField(label="Kind of agency", required=False,
                                    choices=[("", "Any kind of agency"), *AgencyKind.choices])
    team = forms.TypedChoiceField(label="Team", required=False, coerce=int, empty_value=None)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Any team"), *teams]
