"""The workforce app's forms. They parse only: the rules on the figures live in
``workforce.services``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings

from macehub.forms import GovukDateField
from macehub.workforce.codes import WorkKind
from macehub.workforce.demand import add_months, last_full_month
from macehub.workforce.services import FUNDING_LENGTH, MAX_FTE, MAX_WEIGHT

MONTHS_OFFERED = 36


def month_choices(today: dt.date, *, months: int = MONTHS_OFFERED, include_this: bool = True
                  ) -> list[tuple[str, str]]:
    """The months a form offers, latest first, as ``YYYY-MM-01``."""
    latest = today.replace(day=1) if include_this else add_months(today.replace(day=1), -1)
    return [(month.isoformat(), f"{month:%B %Y}")
            for month in (add_months(latest, -i) for i in range(months))]


def _fte(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    words = label[0].lower() + label[1:]
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal(0), max_value=MAX_FTE,
        decimal_places=2, help_text=help_text or "In full-time equivalents, for example 11.5",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "required": f"Enter {words}, in full-time equivalents",
            "invalid": f"Enter {words} as a number, like 11.5",
            "min_value": f"Enter {words} as a number from 0 to {MAX_FTE}",
            "max_value": f"Enter {words} as a number from 0 to {MAX_FTE}",
            "max_decimal_places": f"Enter {words} to no more than 2 decimal places",
            "max_digits": f"Enter {words} as a number from 0 to {MAX_FTE}",
            "max_whole_digits": f"Enter {words} as a number from 0 to {MAX_FTE}",
        })


class MonthForm(forms.Form):
    team = forms.TypedChoiceField(label="Team", coerce=int,
                                  error_messages={"required": "Select the team"})
    month = forms.TypedChoiceField(label="Month of the figures", coerce=dt.date.fromisoformat,
                                   error_messages={"required": "Select the month"})
    establishment = _fte("Establishment (funded posts)")
    filled = _fte("Posts filled", help_text="Full-time equivalents actually in post, for "
                                            "example 9")
    posts_added = _fte("New posts added this month", required=False,
                       help_text="Part of the establishment above. Leave empty if none.")
    posts_added_funded_on = GovukDateField(
        label="When the new posts were funded", required=False, not_in_future=True,
        help_text="For example, 10 3 2026")
    posts_added_funding = forms.CharField(
        label="How the new posts were funded", required=False, max_length=FUNDING_LENGTH,
        help_text='For example, "PCC exploitation grant 2026/27"',
        error_messages={"max_length": f"How the posts were funded must be {FUNDING_LENGTH} "
                                      f"characters or fewer"})
    version = forms.IntegerField(widget=forms.HiddenInput, initial=0)

    def __init__(self, data: Any = None, *, teams: list[tuple[int, str]],
                 today: dt.date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        team_field = self.fields["team"]
        month_field = self.fields["month"]
        assert isinstance(team_field, forms.ChoiceField)  # noqa: S101 (declared above)
        assert isinstance(month_field, forms.ChoiceField)  # noqa: S101
        team_field.choices = [("", "Select a team"), *teams]
        month_field.choices = month_choices(today)


class ImportForm(forms.Form):
    file = forms.FileField(
        label="The file of months",
        help_text="A CSV file with the columns agency (its code), team, month (like "
                  "2026-04), establishment, filled, and if posts were added posts_added, "
                  "posts_added_funded_on (like 2026-03-10) and posts_added_funding.",
        error_messages={"required": "Select the file of months to import"})


class WeightingForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in WorkKind:
            words = f"the weight of a {str(kind.label)[0].lower()}{str(kind.label)[1:]}"
            self.fields[kind.value] = forms.DecimalField(
                label=str(kind.label), min_value=Decimal(0), max_value=MAX_WEIGHT,
                decimal_places=2,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={
                    "required": f"Enter {words}",
                    "invalid": f"Enter {words} as a number, like 1.5",
                    "min_value": f"Enter {words} from 0 to {MAX_WEIGHT}",
                    "max_value": f"Enter {words} from 0 to {MAX_WEIGHT}",
                    "max_decimal_places": f"Enter {words} to no more than 2 decimal places",
                    "max_digits": f"Enter {words} from 0 to {MAX_WEIGHT}",
                    "max_whole_digits": f"Enter {words} from 0 to {MAX_WEIGHT}",
                })


def _safe_level() -> forms.DecimalField:
    return forms.DecimalField(
        label="Safe caseload (weighted)", required=False, min_value=Decimal("0.5"),
        max_value=Decimal(1000), decimal_places=1,
        help_text=f"For example, {settings.MACEHUB_WORKFORCE_SAFE_CASELOAD}. Leave it empty "
                  f"for the default of {settings.MACEHUB_WORKFORCE_SAFE_CASELOAD}",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the safe caseload as a number, like 12",
                        "min_value": "Enter a safe caseload of 0.5 or more",
                        "max_value": "Enter a safe caseload of 1000 or less",
                        "max_decimal_places": "Enter the safe caseload to 1 decimal place",
                        "max_digits": "Enter a safe caseload of 1000 or less",
                        "max_whole_digits": "Enter a safe caseload of 1000 or less"})


class SafeLevelForm(forms.Form):
    safe = _safe_level()

    def safe_level(self) -> Decimal:
        chosen = self.cleaned_data.get("safe") if self.is_valid() else None
        return chosen or Decimal(settings.MACEHUB_WORKFORCE_SAFE_CASELOAD)


class ReportForm(SafeLevelForm):
    """The report's period (whole months, to the last full month) and safe level."""

    start = forms.TypedChoiceField(label="From", coerce=dt.date.fromisoformat, required=False)
    end = forms.TypedChoiceField(label="To", coerce=dt.date.fromisoformat, required=False)
    field_order = ["start", "end", "safe"]

    def __init__(self, data: Any = None, *, today: dt.date, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = month_choices(today, include_this=False)
        for name in ("start", "end"):
            choice_field = self.fields[name]
            assert isinstance(choice_field, forms.ChoiceField)  # noqa: S101 (declared above)
            choice_field.choices = [("", "Select a month"), *choices]
        self.last = last_full_month(today)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The last month must be the same as or after the first")
        return cleaned

    def months(self, default_months: int) -> tuple[dt.date, dt.date]:
        """The first and last month chosen (by default the ``default_months`` to the last
        full month)."""
        cleaned = self.cleaned_data if self.is_valid() else {}
        end = cleaned.get("end") or self.last
        start = cleaned.get("start") or add_months(end, 1 - default_months)
        return start, end
