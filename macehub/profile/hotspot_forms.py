"""The choices behind the hotspots page: what to count, the period, the area level and
the near-repeat thresholds. All optional in the query string: a first visit shows where
children went missing from in the last twelve months, by ward."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone

from macehub.forms import GovukDateField
from macehub.people.codes import AreaKind
from macehub.people.models import Area
from macehub.profile.hotspot_codes import PlaceMeasure
from macehub.profile.hotspots import AREA_KINDS
from macehub.profile.near_repeats import DEFAULT_DAYS, DEFAULT_DISTANCE_METRES

DEFAULT_MEASURE = PlaceMeasure.MISSING_FROM
DEFAULT_AREA_KIND = AreaKind.WARD


class HotspotForm(forms.Form):
    measure = forms.ChoiceField(label="What to count", choices=PlaceMeasure.choices,
                                widget=forms.RadioSelect, required=False)
    start = GovukDateField(label="From", required=False)
    end = GovukDateField(label="To", required=False)
    within = forms.ChoiceField(
        label="Inside an area", required=False,
        help_text="Count the areas inside one area (a district's wards, say), or all of "
                  "them.")
    area_kind = forms.ChoiceField(
        label="Count by", choices=[(kind.value, kind.label) for kind in AREA_KINDS],
        widget=forms.RadioSelect, required=False)
    distance = forms.IntegerField(
        label="Close in space: within (metres)", min_value=50, max_value=5000,
        required=False, help_text=f"For near repeats. {DEFAULT_DISTANCE_METRES} m unless "
        "you choose.",
        error_messages={"min_value": "Enter a distance of 50 metres or more",
                        "max_value": "Enter a distance of 5,000 metres or less",
                        "invalid": "Enter the distance as a whole number of metres"})
    days = forms.IntegerField(
        label="Close in time: within (days)", min_value=1, max_value=365, required=False,
        help_text=f"For near repeats. {DEFAULT_DAYS} days unless you choose.",
        error_messages={"min_value": "Enter 1 day or more",
                        "max_value": "Enter 365 days or fewer",
                        "invalid": "Enter the number of days as a whole number"})

    def __init__(self, data: Any = None) -> None:
        super().__init__(data)
        within = cast(forms.ChoiceField, self.fields["within"])
        # Areas that hold others: the county and its districts, in the demo.
        holding = (Area.objects.filter(children__isnull=False).distinct()
                   .order_by("kind", "name").values_list("code", "name", "kind"))
        kinds = dict(AreaKind.choices)
        within.choices = [("", "All areas"), *[
            (code, f"{name}, {kinds.get(kind, kind).lower()}") for code, name, kind in holding]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["end"] = cleaned.get("end") or timezone.localdate()
        cleaned["start"] = cleaned.get("start") or (cleaned["end"] - dt.timedelta(days=364))
        if cleaned["start"] > cleaned["end"]:
            self.add_error("start", "The start of the period must be before its end")
        cleaned["measure"] = cleaned.get("measure") or DEFAULT_MEASURE
        cleaned["area_kind"] = cleaned.get("area_kind") or DEFAULT_AREA_KIND
        cleaned["distance"] = cleaned.get("distance") or DEFAULT_DISTANCE_METRES
        cleaned["days"] = cleaned.get("days") or DEFAULT_DAYS
        cleaned["within"] = cleaned.get("within") or None
        return cleaned


def hotspot_form(query: Any) -> HotspotForm:
    """The form from the query string, each choice left out set to its default, so the
    form shows what the figures are for."""
    data = query.copy()
    for name, default in (("measure", DEFAULT_MEASURE), ("area_kind", DEFAULT_AREA_KIND)):
        if not data.get(name):
            data[name] = default
    return HotspotForm(data)
