"""The filters of the case list, the missing episodes list and the chronology: they read
what was asked for, and the selectors apply it."""

from __future__ import annotations

from typing import Any

from django import forms

from macehub.cases.codes import CaseStatus, RiskTier
from macehub.cases.selectors import CaseFilters, CaseSort, EpisodeFilters, MissingWhen
from macehub.forms import GovukDateField, check_date_range, date_range


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
