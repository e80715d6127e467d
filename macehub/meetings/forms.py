"""The meetings pages' forms. They parse only: ``meetings.services`` decides (who may
chair, what a frozen meeting refuses, which records may be linked)."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.forms import GovukDateField
from macehub.meetings import linking
from macehub.meetings.codes import ActionStatus, AttendanceStatus, SeriesKind
from macehub.meetings.models import MeetingSeries


class SeriesForm(forms.Form):
    name = forms.CharField(label="Name of the series", max_length=200,
                           error_messages={"required": "Enter the name of the series"})
    kind = forms.ChoiceField(label="Kind of meeting", widget=forms.RadioSelect,
                             choices=SeriesKind.choices,
                             error_messages={"required": "Select the kind of meeting"})
    agencies = forms.TypedMultipleChoiceField(
        label="Standing member agencies", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the standing member agencies"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = [  # type: ignore[attr-defined]
            (agency.pk, agency.name) for agency in Agency.objects.order_by("name")]


class SeriesChangeForm(SeriesForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MeetingForm(forms.Form):
    series = forms.TypedChoiceField(label="Series", coerce=int,
                                    error_messages={"required": "Select the series"})
    held_on = GovukDateField(label="Date of the meeting", help_text="For example, 27 3 2026")
    chair = forms.TypedChoiceField(label="Chair", coerce=int,
                                   error_messages={"required": "Select the chair"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["series"].choices = [("", "Select a series")] + [  # type: ignore[attr-defined]
            (series.pk, series.name) for series in MeetingSeries.objects.order_by("name")]
        chairs = User.objects.filter(is_active=True, role_assignments__role=Role.MEETING_CHAIR
                                     ).distinct().order_by("last_name", "first_name")
        self.fields["chair"].choices = [("", "Select the chair")] + [  # type: ignore[attr-defined]
            (user.pk, user.display_name) for user in chairs]


class MeetingChangeForm(MeetingForm):
    """The day and the chair of a meeting already arranged (its series stays)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["series"]


class ItemForm(forms.Form):
    title = forms.CharField(label="What the item is about", max_length=300,
                            error_messages={"required": "Enter what the item is about"})
    link_kind = forms.ChoiceField(
        label="Link to a record (optional)", required=False,
        choices=[("", "No record: a free-text item")] + [
            (key, kind.label) for key, kind in linking.KINDS.items()],
        help_text="An item linked to a record is seen only by those who may read it.")
    link_reference = forms.CharField(label="The record's reference", required=False,
                                     max_length=40,
                                     help_text="For example, CASE-2026-00012")


class DiscussionForm(forms.Form):
    summary = forms.CharField(label="Discussion", required=False, widget=forms.Textarea)
    decision = forms.CharField(label="Decision", required=False, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ActionForm(forms.Form):
    description = forms.CharField(label="What is to be done", widget=forms.Textarea,
                                  error_messages={"required": "Enter what is to be done"})
    owner = forms.TypedChoiceField(label="Owner", coerce=int,
                                   error_messages={"required": "Select who owns the action"})
    agency = forms.TypedChoiceField(label="Agency", coerce=int,
                                    error_messages={"required": "Select the agency"})
    due_on = GovukDateField(label="Due by", help_text="For example, 27 3 2026")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = User.objects.filter(is_active=True, agency__isnull=False).exclude(
            role_assignments__role=Role.SCRUTINY).select_related("agency").order_by(
            "last_name", "first_name")
        self.fields["owner"].choices = [("", "Select the owner")] + [  # type: ignore[attr-defined]
            (user.pk, f"{user.display_name} ({user.agency.name if user.agency else ''})")
            for user in owners]
        self.fields["agency"].choices = [("", "Select the agency")] + [  # type: ignore[attr-defined]
            (agency.pk, agency.name) for agency in Agency.objects.order_by("name")]


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label="Where does the action stand?", widget=forms.RadioSelect,
                               choices=ActionStatus.choices,
                               error_messages={"required": "Select where the action stands"})
    completed_on = GovukDateField(
        label="Date it was done (if done)", required=False,
        help_text="Leave blank for today. For example, 27 3 2026")
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def attendance_form(agencies: list[Agency], data: Any = None,
                    initial: dict[str, Any] | None = None) -> forms.Form:
    """One question per agency: how it attended, and who came."""
    fields: dict[str, forms.Field] = {}
    for agency in agencies:
        fields[f"agency_{agency.pk}"] = forms.ChoiceField(
            label=agency.name, widget=forms.RadioSelect, choices=AttendanceStatus.choices,
            error_messages={"required": f"Select how {agency.name} attended"})
        fields[f"attendee_{agency.pk}"] = forms.CharField(
            label=f"Who came for {agency.name}", required=False, max_length=200,
            help_text="Name and role (needed for a deputy)")
    fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
    form_class = type("AttendanceForm", (forms.Form,), fields)
    form: forms.Form = form_class(data, initial=initial)
    return form
