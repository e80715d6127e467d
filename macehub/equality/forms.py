"""The choices behind every disproportionality page: population, period, area, comparator
and level of detail. All optional in the query string: a first visit shows the last
twelve months for the largest area with a census population."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from macehub.equality.analysis import (
    DEFAULT_COMPARATOR,
    DETAILED,
    FAMILY,
    OFFICER_DEFINED,
    SELF_DEFINED,
    comparator_choices,
)
from macehub.forms import GovukDateField
from macehub.people.models import Area
from macehub.people.populations import current_key, populations

LEVELS = [(FAMILY, "The five high-level groups"), (DETAILED, "Detailed groups")]
ETHNICITIES = [
    (SELF_DEFINED, "Self-defined: the person's own answer"),
    (OFFICER_DEFINED, "Officer-defined: the police IC code an officer recorded "
                      "(five high-level groups only)"),
]


def default_area() -> Area | None:
    """The top of the area tree with a census population (the county, in the demo)."""
    return (Area.objects.filter(parent__isnull=True, census_total__isnull=False).order_by("code")
            .first() or Area.objects.order_by("code").first())


class AnalysisForm(forms.Form):
    population = forms.ChoiceField(label="Who to count", widget=forms.RadioSelect)
    start = GovukDateField(label="From", required=False)
    end = GovukDateField(label="To", required=False)
    area = forms.ModelChoiceField(
        label="Area", queryset=Area.objects.order_by("kind", "name"), required=False,
        empty_label=None, help_text="People are counted where they live now; the area's own "
        "Census 2021 population of the same age (children aged 0 to 17, or adults aged 18 "
        "and over for suspects) is the denominator. Compare at the smallest area the numbers "
        "allow: a ratio over a large area can show a difference that comes only from where "
        "people live.",
    )
    comparator = forms.ChoiceField(label="Compare with", required=False)
    level = forms.ChoiceField(label="Ethnic groups", choices=LEVELS, widget=forms.RadioSelect,
                              required=False)
    ethnicity = forms.ChoiceField(
        label="Whose account of ethnicity", choices=ETHNICITIES, widget=forms.RadioSelect,
        required=False, help_text="Analysed separately, never merged. Officer-defined "
        "ethnicity is mostly recorded for suspects.")

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        population_field = cast(forms.ChoiceField, self.fields["population"])
        comparator_field = cast(forms.ChoiceField, self.fields["comparator"])
        population_field.choices = [(p.key, p.label) for p in populations()]
        comparator_field.choices = comparator_choices()
        self.fields["area"].label_from_instance = (  # type: ignore[attr-defined]
            lambda area: f"{area.name} ({area.get_kind_display().lower()})"
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        cleaned["end"] = cleaned.get("end") or today
        cleaned["start"] = cleaned.get("start") or (cleaned["end"] - dt.timedelta(days=364))
        if cleaned["start"] > cleaned["end"]:
            self.add_error("start", "The start of the period must be before its end")
        cleaned["area"] = cleaned.get("area") or default_area()
        cleaned["comparator"] = cleaned.get("comparator") or DEFAULT_COMPARATOR
        cleaned["level"] = cleaned.get("level") or FAMILY
        cleaned["ethnicity"] = cleaned.get("ethnicity") or SELF_DEFINED
        return cleaned


def analysis_form(query: Any) -> AnalysisForm:
    """The form bound to the query string, with the first population chosen by default."""
    data = query.copy()
    # A former key (in a link from an earlier report) reads as the population it became.
    data["population"] = current_key(data.get("population") or populations()[0].key)
    return AnalysisForm(data)
