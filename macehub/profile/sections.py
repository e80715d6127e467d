"""The problem profile's sections, as a registry: each section has a key, a title, the
definition of what it counts, a function working out its figures for a period and an
area (plain JSON, so a publication can store them), and the template fragment that draws
them. A profile is drafted with every registered section, in the order registered.

Adding a section is one registration::

    SECTIONS.register("hotspots", Section(
        key="hotspots", title="Hotspots", definition="...",
        figures=hotspot_figures, template="profile/sections/_hotspots.html"))

where ``hotspot_figures(period, area_code)`` returns a dict. Figures that name a person
or premises go under the key ``"named"``: the partnership version never has it. Tables of
counts go under ``"tables"`` as ``patterns.Table``: the partnership version suppresses
their small numbers. Anything else is copied to both versions as it is, so it must be
safe to share.

Registered from this module and, for sections of other apps, from their
``profile_sections.py`` (the registries' one discovery rule, ``macehub.core.registry``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from macehub.core.metrics import Period
from macehub.core.registry import Registry
from macehub.people.codes import AreaKind
from macehub.profile import patterns
from macehub.profile.hotspot_codes import HotspotReading, PlaceMeasure
from macehub.profile.hotspots import hotspot_figures

Figures = dict[str, Any]


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    definition: str
    figures: Callable[[Period, str], Figures]
    template: str = "profile/sections/_tables.html"


SECTIONS: Registry[Section] = Registry("problem profile section",
                                       module_name="profile_sections")


def register(section: Section) -> Section:
    return SECTIONS.register(section.key, section)


def sections() -> list[Section]:
    # This module registers the profile's own sections as it is imported; the registry
    # then discovers other apps' ``profile_sections.py``.
    return SECTIONS.values()


def _time_patterns(period: Period, area_code: str) -> Figures:
    return {"tables": [patterns.missing_by_time(period, area_code),
                       patterns.intelligence_by_day(period, area_code)]}


def _exploitation_models(period: Period, area_code: str) -> Figures:
    return {"tables": [patterns.cases_by_model(period, area_code),
                       patterns.groups_by_model(period, area_code)]}


def _online(period: Period, area_code: str) -> Figures:
    return {"tables": [patterns.platforms(period, area_code)]}


def _venues(period: Period, area_code: str) -> Figures:
    return {"tables": [patterns.venues(period, area_code)],
            "named": {"caption": "Premises linked to most intelligence that may be shared",
                      "heading": "Premises",
                      "rows": patterns.most_linked_premises(period, area_code)}}


def _victims(period: Period, area_code: str) -> Figures:
    return {"tables": patterns.people_profile(patterns.VICTIMS, period, area_code)}


def _suspects(period: Period, area_code: str) -> Figures:
    return {"tables": patterns.people_profile(patterns.SUSPECTS, period, area_code),
            "named": {"caption": "Suspects named in most intelligence that may be shared",
                      "heading": "Suspect",
                      "rows": patterns.most_named_suspects(period, area_code)}}


def _disruption(period: Period, area_code: str) -> Figures:
    return {"tables": [patterns.disruption_by_area(period, area_code)]}


def _hotspots(period: Period, area_code: str) -> Figures:
    """Each measure's Gi* analysis by ward (within the profile's area, if it has one):
    the wards' counts as a table (suppressed in the partnership version), and for each
    measure the wards read as hot or cold spots and the near-repeat reading, which name
    areas only."""
    analyses = [hotspot_figures(measure=measure, period_start=period.start,
                                period_end=period.end, area_kind=AreaKind.WARD,
                                within=area_code or None)
                for measure in PlaceMeasure]
    wards: dict[str, list[int]] = {}
    for column, found in enumerate(analyses):
        for area in found["areas"]:
            wards.setdefault(area["name"], [0] * len(analyses))[column] = area["count"]
    notes = [f"{found['measure_label']}: {found['events_without_place']} without a place, "
             f"{found['events_outside_areas']} outside every ward."
             for found in analyses
             if found["events_without_place"] or found["events_outside_areas"]]
    readings = []
    for found in analyses:
        significant = [area for area in found["areas"]
                       if area["reading"] in (HotspotReading.HOT, HotspotReading.COLD)]
        readings.append({
            "measure": found["measure_label"], "definition": found["definition"],
            "reason": found["reason"],
            "hot": [area["name"] for area in significant
                    if area["reading"] == HotspotReading.HOT],
            "cold": [area["name"] for area in significant
                     if area["reading"] == HotspotReading.COLD],
            "near_repeat": found["knox"]["reading"]})
    return {
        "tables": [patterns.table(
            "hotspot_counts", "Events placed in each ward, by what was counted", "Ward",
            [found["measure_label"] for found in analyses], sorted(wards.items()),
            notes=notes)],
        "hotspots": readings,
        "method": analyses[0]["method"] if analyses else "",
    }


register(Section(
    key="time_patterns", title="When it happens",
    definition="Missing episodes by the day and UK clock time the child went missing; "
               "intelligence by the day of the week of what it reports (intelligence "
               "records no time of day).",
    figures=_time_patterns))
register(Section(
    key="exploitation_models", title="How children are exploited",
    definition="Cases open in the period and confirmed offender groups by exploitation "
               "model; 'Not recorded' counts those without one.",
    figures=_exploitation_models))
register(Section(
    key="online", title="Online platforms",
    definition="Online accounts linked to intelligence received in the period, by platform.",
    figures=_online))
register(Section(
    key="venues", title="Venues",
    definition="Premises linked to intelligence received in the period, by kind of venue.",
    figures=_venues))
register(Section(
    key="victims", title="Victims",
    definition="Children with a MACE case open at any time in the period or an outcome "
               "recorded in it (the equality app's victims), by age, sex and ethnic group.",
    figures=_victims))
register(Section(
    key="suspects", title="Suspects",
    definition="People linked as suspects to intelligence received in the period (the "
               "equality app's suspects named in intelligence), by age, sex and ethnic group.",
    figures=_suspects))
register(Section(
    key="disruption", title="Disruption",
    definition="Disruption activities recorded in the period, by tactic and by the district "
               "where a child they protect lives.",
    figures=_disruption))
register(Section(
    key="hotspots", title="Where it happens",
    definition="Places of intelligence, of children going missing and being found, and of "
               "offences, counted by ward; Getis-Ord Gi* with the false-discovery-rate "
               "correction reads each ward as a hot spot, a cold spot or neither, and the "
               "Knox test says whether events close in space are also close in time.",
    figures=_hotspots, template="profile/sections/_hotspots.html"))
