"""Dashboard filters and the publish form."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from urllib.parse import urlencode

from django import forms

from macehub.core.metrics import Filters, Period
from macehub.forms import PeriodForm, last_full_month


class DashboardFilterForm(PeriodForm):
    area = forms.ChoiceField(label="Area", required=False)
    agency = forms.ChoiceField(label="Agency", required=False)

    def __init__(
        self, *args: Any, areas: list[tuple[str, str]], agencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        area = cast(forms.ChoiceField, self.fields["area"])
        agency = cast(forms.ChoiceField, self.fields["agency"])
        area.choices = [("", "The whole hub"), *areas]
        agency.choices = [("", "Every agency"), *agencies]

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return Filters()
        agency = self.cleaned_data.get("agency")
        return Filters(area_code=self.cleaned_data.get("area") or "",
                       agency_id=int(agency) if agency else None)


def filter_query(period: Period, filters: Filters) -> str:
    """The dashboard's filters as its form's query string, for links that keep them."""
    params: dict[str, str | int] = {
        "start_day": period.start.day, "start_month": period.start.month,
        "start_year": period.start.year, "end_day": period.end.day,
        "end_month": period.end.month, "end_year": period.end.year,
    }
    if filters.area_code:
        params["area"] = filters.area_code
    if filters.agency_id is not None:
        params["agency"] = filters.agency_id
    return urlencode(params)


def publishable_months(today: dt.date | None = None, count: int = 12) -> list[tuple[str, str]]:
    latest = last_full_month(today)
    year, month = latest.start.year, latest.start.month
    found = []
    for _ in range(count):
        found.append((f"{year:04d}-{month:02d}", dt.date(year, month, 1).strftime("%B %Y")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found


class PublishForm(forms.Form):
    month = forms.RegexField(
        label="Month to publish", regex=r"^\d{4}-\d{2}$",
        error_messages={"required": "Select the month to publish",
                        "invalid": "Select the month to publish"},
        widget=forms.Select,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].widget.choices = publishable_months()

    def year_month(self) -> tuple[int, int]:
        year, month = self.cleaned_data["month"].split("-")
        return int(year), int(month)

    def clean_month(self) -> str:
        value: str = self.cleaned_data["month"]
        if not 1 <= int(value[5:]) <= 12:
            raise forms.ValidationError("Select the month to publish")
        return value
