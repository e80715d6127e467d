"""Forms for the case pages. They only read what was typed: the rules (dates not in the
future, an interview after the return, a plan item with an owner...) live in
``services``, whose errors each form puts back beside the field that caused them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.cases import selectors
from macehub.cases.codes import (
    POLICE_RISK_GRADE_HINTS,
    SEEN_ANSWER_HINTS,
    CaseStatus,
    ClosureReason,
    ContactKind,
    DomainRating,
    ExploitationType,
    InterviewOfferer,
    InterviewResponse,
    NrmDecision,
    OutcomeKind,
    PlanItemStatus,
    PlanOwnerKind,
    PoliceRiskGrade,
    RiskTier,
    SeenAnswer,
)
from macehub.cases.reviews import assessment_domains
from macehub.cases.selectors import CaseFilters, CaseSort, EpisodeFilters, MissingWhen
from macehub.cases.services import PartnerOwner
from macehub.core.service_errors import add_service_errors
from macehub.forms import GovukDateField, check_date_range, date_range

TIME_HINT = "Use the 24-hour clock or am and pm, for example 14:30 or 2:30pm"
_TIME = re.compile(r"^(\d{1,2})(?:[:.]?(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_time(text: str) -> dt.time | None:
    """'14:30', '1430', '2:30pm', '2pm', '9.15am', 'midday', 'midnight' -> a time."""
    text = text.strip().lower()
    if text in ("midday", "noon", "12 noon"):
        return dt.time(12)
    if text == "midnight":
        return dt.time(0)
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match.group(2) is None:
        return None  # "14" alone is ambiguous: ask for minutes or am/pm
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


class TimeField(forms.CharField):
    """A time of day typed into one box (GOV.UK has no time component)."""

    def __init__(self, *, label: str, required: bool = False, **kwargs: Any) -> None:
        super().__init__(
            label=label, required=required, max_length=12, help_text=TIME_HINT,
            widget=forms.TextInput(attrs={"class": "govuk-input--width-5",
                                          "autocomplete": "off", "spellcheck": "false"}),
            **kwargs,
        )

    def clean(self, value: Any) -> dt.time | None:
        text = super().clean(value)
        if not text:
            return None
        parsed = parse_time(text)
        if parsed is None:
            raise ValidationError(
                f"{self.label} must be a real time, for example 14:30 or 2:30pm", code="invalid"
            )
        return parsed


class ServiceForm(forms.Form):
    """A form whose input a service checks. ``SERVICE_FIELDS`` maps a service argument
    to the form field its errors belong beside; ``DATE_TIMES`` names the (date, time)
    field pairs that make one moment."""

    SERVICE_FIELDS: dict[str, str] = {}
    DATE_TIMES: dict[str, tuple[str, str]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        zone = timezone.get_current_timezone()
        for target, (date_name, time_name) in self.DATE_TIMES.items():
            day, time = cleaned.get(date_name), cleaned.get(time_name)
            if date_name in self.errors or time_name in self.errors:
                continue
            if day and time is None:
                self.add_error(time_name, f"Enter the {_label(self, time_name)}")
            elif time is not None and not day:
                self.add_error(date_name, f"Enter the {_label(self, date_name)}")
            cleaned[target] = dt.datetime.combine(day, time, tzinfo=zone) if (
                day and time is not None) else None
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's errors beside the fields they are about (or at the top)."""
        add_service_errors(self, error, fields=self.SERVICE_FIELDS)


def _label(form: forms.Form, name: str) -> str:
    label = str(form.fields[name].label or name)
    return label[:1].lower() + label[1:]


class _UserChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return f"{user.display_name} ({user.agency.name})" if user.agency else user.display_name


class _CandidateChoiceField(_UserChoiceField):
    """A worker to allocate, with their open caseload beside their name (the queryset is
    annotated with ``open_cases`` and ``high_cases``: ``selectors.*_with_caseload``)."""

    def label_from_instance(self, obj: Any) -> str:
        cases = int(getattr(obj, "open_cases", 0))
        high = int(getattr(obj, "high_cases", 0))
        return (f"{super().label_from_instance(obj)} – {cases} open case"
                f"{'' if cases == 1 else 's'}, {high} High")


CASELOAD_HINT = ("Each name shows the open cases they hold now as {role}, and how many "
                 "of those are High risk.")


def _agencies() -> Any:
    return Agency.objects.filter(is_active=True).order_by("name")


# --- The case list --------------------------------------------------------------------


class Whose:
    """Whose cases a case list shows: the user's own (key worker or advocate), or all the
    cases they may see."""

    MINE = "mine"
    ALL = "all"
    CHOICES = ((MINE, "My cases"), (ALL, "All cases"))


class CaseFilterForm(forms.Form):
    # Chosen from the tabs above the list and carried by the filter form, so applying a
    # filter keeps it; without it, the default the view passes (``mine_by_default``).
    whose = forms.ChoiceField(required=False, choices=Whose.CHOICES, widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label="Status", required=False,
        choices=[(CaseStatus.OPEN, "Open cases"), (CaseStatus.CLOSED, "Closed cases"),
                 ("all", "All cases")],
    )
    risk_tier = forms.ChoiceField(
        label="Risk tier", required=False, choices=[("", "Any tier"), *RiskTier.choices]
    )
    lead_agency = forms.ChoiceField(label="Lead agency", required=False)
    key_worker = forms.ChoiceField(label="Key worker", required=False)
    area = forms.ChoiceField(
        label="Area", required=False,
        help_text="Where the child lives now: in the area or any area inside it",
    )
    open_on = GovukDateField(
        label="Open on", required=False,
        help_text="Cases open at the end of this day, for example 31 3 2026. Choose all "
        "cases under status to include cases closed since.",
    )
    missing = forms.ChoiceField(
        label="Missing from home", required=False,
        help_text="Cases where the child went missing, or came back, in the missing dates",
        choices=[("", "Any case"),
                 (MissingWhen.WENT_MISSING, "Went missing in the missing dates"),
                 (MissingWhen.CAME_BACK, "Came back in the missing dates")],
    )
    missing_from, missing_to = date_range("Missing dates")
    overdue = forms.BooleanField(label="Only cases with overdue work", required=False)
    # Also the column headings' links; "Opened" has no column of its own.
    sort = forms.ChoiceField(
        label="Sort by", required=False,
        choices=[(CaseSort.TIER, "Risk tier"), (CaseSort.CHILD, "Child's family name"),
                 (CaseSort.OPENED, "Date opened"), (CaseSort.LAST_CONTACT, "Last contact"),
                 (CaseSort.NEXT_DUE, "Next due")],
    )
    order = forms.ChoiceField(
        required=False, choices=[("asc", "asc"), ("desc", "desc")], widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]],
                 mine_by_default: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mine_by_default = mine_by_default
        self.fields["whose"].initial = self.whose_chosen()
        self.fields["lead_agency"].choices = [  # type: ignore[attr-defined]
            ("", "Any agency"), *choices["lead_agency"]]
        self.fields["key_worker"].choices = [  # type: ignore[attr-defined]
            ("", "Anyone"), *choices["key_worker"]]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", "Anywhere"), *choices["area"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_missing_dates(self, cleaned)
        return cleaned

    def whose_chosen(self) -> str:
        """My cases or all: as asked (even when another filter is in error), else the
        default."""
        asked = self.data.get("whose") if self.is_bound else None
        if asked in (Whose.MINE, Whose.ALL):
            return str(asked)
        return Whose.MINE if self.mine_by_default else Whose.ALL

    def filters(self) -> CaseFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        status = data.get("status") or CaseStatus.OPEN
        sort = data.get("sort") or CaseSort.DEFAULT
        default_order = "desc" if sort in (CaseSort.TIER, CaseSort.LAST_CONTACT) else "asc"
        return CaseFilters(
            status="" if status == "all" else status,
            risk_tier=data.get("risk_tier", ""),
            lead_agency_id=int(data["lead_agency"]) if data.get("lead_agency") else None,
            key_worker_id=int(data["key_worker"]) if data.get("key_worker") else None,
            overdue_only=bool(data.get("overdue")),
            area_code=data.get("area", ""),
            open_on=data.get("open_on"),
            missing=data.get("missing", ""),
            missing_from=data.get("missing_from"),
            missing_to=data.get("missing_to"),
            mine=self.whose_chosen() == Whose.MINE,
            sort=sort,
            descending=(data.get("order") or default_order) == "desc",
        )


def check_missing_dates(form: forms.Form, cleaned: dict[str, Any]) -> None:
    """The missing dates filter (of cases and of episodes): a range that runs forwards,
    and a date with the choice of went missing or came back, neither without the other."""
    check_date_range(form, "missing_from", "missing_to",
                     "Missing dates to must be the same as or after missing dates from")
    dated = any(name in form.errors or cleaned.get(name)
                for name in ("missing_from", "missing_to"))
    if cleaned.get("missing") and not dated:
        form.add_error("missing_from", "Enter missing dates from, missing dates to, or both")
    elif dated and not cleaned.get("missing") and "missing" not in form.errors:
        form.add_error("missing", "Select whether the child went missing or came back "
                                  "in the missing dates")


class EpisodeFilterForm(forms.Form):
    """The list of missing episodes (where a performance figure's drill-down leads)."""

    missing = forms.ChoiceField(
        label="Missing from home", required=False,
        help_text="Episodes where the child went missing, or came back, in the missing dates",
        choices=[("", "Any time"),
                 (MissingWhen.WENT_MISSING, "Went missing in the missing dates"),
                 (MissingWhen.CAME_BACK, "Came back in the missing dates")],
    )
    missing_from, missing_to = date_range("Missing dates")
    area = forms.ChoiceField(
        label="Area", required=False,
        help_text="Where the child lives now: in the area or any area inside it",
    )
    lead_agency = forms.ChoiceField(
        label="Lead agency", required=False,
        help_text="Of the case the episode was recorded with",
    )

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_agency"].choices = [  # type: ignore[attr-defined]
            ("", "Any agency, or no case"), *choices["lead_agency"]]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            ("", "Anywhere"), *choices["area"]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        check_missing_dates(self, cleaned)
        return cleaned

    def filters(self) -> EpisodeFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return EpisodeFilters(
            missing=data.get("missing", ""),
            missing_from=data.get("missing_from"),
            missing_to=data.get("missing_to"),
            area_code=data.get("area", ""),
            lead_agency_id=int(data["lead_agency"]) if data.get("lead_agency") else None,
        )


class ChronologyFilterForm(forms.Form):
    category = forms.ChoiceField(label="Show", required=False)

    def __init__(self, *args: Any, categories: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", "Everything"), *[(name, name) for name in categories]]

    def chosen_category(self) -> str:
        return str(self.cleaned_data.get("category") or "") if self.is_valid() else ""


# --- Restricted cases ------------------------------------------------------------------


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


# --- The case itself (versioned) -------------------------------------------------------


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


class KeyWorkerForm(ServiceForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    key_worker = _CandidateChoiceField(
        label="Key worker", required=False, queryset=User.objects.none(),
        empty_label="No key worker", help_text=CASELOAD_HINT.format(role="key worker"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["key_worker"].queryset = (  # type: ignore[attr-defined]
            selectors.key_workers_with_caseload())


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


# --- Workers, advocates, sharing ---------------------------------------------------------


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


# --- Requests for approval ----------------------------------------------------------------


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


# --- Recording work -----------------------------------------------------------------------


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
             "interview_outcome", "notes")
    OPTION_HINTS = {"police_risk_grade": POLICE_RISK_GRADE_HINTS}

    went_missing_on = GovukDateField(label="Date the child went missing", required=False,
                                     help_text="For example, 27 3 2026")
    went_missing_time = TimeField(label="Time the child went missing")
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


# --- Risk assessments -----------------------------------------------------------------


class RiskAssessmentForm(ServiceForm):
    """A rating and a note for each domain of the indicator catalogue (the fields
    ``rating_<domain>`` and ``note_<domain>``), the judgement, a summary and the date."""

    assessed_on = GovukDateField(label="Date of the assessment", required=False,
                                 help_text="For example, 27 3 2026")
    judgement = forms.ChoiceField(
        label="Your professional judgement of the child's risk tier", required=False,
        widget=forms.RadioSelect, choices=RiskTier.choices,
        help_text="This does not change the case's risk tier: if it differs, the case will "
                  "say so, and the tier is changed on its own",
    )
    summary = forms.CharField(
        label="Summary", required=False, max_length=10000,
        help_text="What the assessment found, what protects the child and what needs to "
                  "change",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = assessment_domains()
        for code, label in self.domains:
            self.fields[f"rating_{code}"] = forms.ChoiceField(
                label=f"{label}: level of concern", required=False, widget=forms.RadioSelect,
                choices=DomainRating.choices,
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=f"{label}: what the rating rests on", required=False, max_length=4000,
                help_text="Required for a medium or high rating",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # As the page asks them (and the error summary lists them): date, domains, judgement.
        self.order_fields(["assessed_on", *[name for name in self.fields
                                            if name.startswith(("rating_", "note_"))]])

    def domain_fields(self) -> list[tuple[str, Any, Any]]:
        """(domain name, rating field, note field) for the template, in catalogue order."""
        return [(label, self[f"rating_{code}"], self[f"note_{code}"])
                for code, label in self.domains]

    @staticmethod
    def ratings_from(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
        """The service's ``ratings`` from cleaned data: domain -> (rating, note)."""
        codes = [name.removeprefix("rating_") for name in data if name.startswith("rating_")]
        return {code: (data.get(f"rating_{code}") or "", data.get(f"note_{code}") or "")
                for code in codes}
