"""The patterns against an independent hand count of a small planted data set
(``planted.py``): the rows read with the plain ORM and counted again in Python, following
the definitions the profile publishes, never the patterns' own querysets. Compared for the
whole force and for each district, with a guard that the comparison ran on something."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from macehub.accounts.models import Agency, Team
from macehub.cases.codes import ExploitationModel
from macehub.cases.models import Case, MissingEpisode
from macehub.core.metrics import Period
from macehub.disruption.models import Disruption
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import IntelligenceReport, ReportLink
from macehub.networks.models import Group
from macehub.people.models import Area, Person
from macehub.profile import patterns
from macehub.profile.tests.planted import LONDON, PERIOD, Planted, plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(hub_agency: Agency, hub_team: Team) -> Planted:
    return plant(hub_agency, hub_team)


# --- the hand count: plain rows, Python loops ---------------------------------------------


def _district(person: Person | None) -> str:
    """The district of the person's current address, walking up the area tree by hand."""
    if person is None:
        return ""
    addresses = [a for a in person.addresses.all() if a.is_current and a.area_id]
    area: Area | None = addresses[0].area if addresses else None
    while area is not None and area.kind != "district":
        area = area.parent
    return area.name if area is not None else ""


def _lives_in(person: Person | None, district: str) -> bool:
    return not district or _district(person) == district


def _in_period(moment: dt.datetime, period: Period) -> bool:
    return period.start <= moment.astimezone(LONDON).date() <= period.end


def _reports(period: Period, district: str) -> list[IntelligenceReport]:
    found = []
    for report in IntelligenceReport.objects.all():
        if not _in_period(report.received_at, period):
            continue
        people = [link.person for link in ReportLink.objects.filter(report=report)
                  if link.person_id]
        if district and not any(_district(person) == district for person in people):
            continue
        found.append(report)
    return found


def hand_missing(period: Period, district: str) -> dict[tuple[str, str], int]:
    counts: Counter[tuple[str, str]] = Counter()
    for episode in MissingEpisode.objects.all():
        local = episode.went_missing_at.astimezone(LONDON)
        if _in_period(episode.went_missing_at, period) and _lives_in(episode.child, district):
            counts[(patterns.DAYS[local.weekday()], patterns.TIME_BANDS[local.hour // 4])] += 1
    return dict(counts)


def hand_intelligence_days(period: Period, district: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for report in _reports(period, district):
        counts[patterns.DAYS[report.occurred_on.weekday()] if report.occurred_on
               else patterns.DATE_NOT_KNOWN] += 1
    return dict(counts)


def hand_cases_by_model(period: Period, district: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for case in Case.objects.all():
        opened = case.opened_at.astimezone(LONDON).date()
        closed = case.closed_at.astimezone(LONDON).date() if case.closed_at else None
        if opened <= period.end and (closed is None or closed >= period.start) and _lives_in(
                case.child, district):
            counts[ExploitationModel(case.exploitation_model).label
                   if case.exploitation_model else "Not recorded"] += 1
    return dict(counts)


def hand_groups_by_model(period: Period, district: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for group in Group.objects.all():
        if group.status != "confirmed" or group.decided_at is None:
            continue
        if group.decided_at.astimezone(LONDON).date() > period.end:
            continue
        if district and not any(_district(m.person) == district for m in group.members.all()):
            continue
        counts[ExploitationModel(group.exploitation_model).label
               if group.exploitation_model else "Not recorded"] += 1
    return dict(counts)


def hand_linked(period: Period, district: str, field: str, kind: Callable[[Any], str]
                ) -> dict[str, list[int]]:
    entities: dict[str, set[int]] = {}
    reports: dict[str, set[int]] = {}
    for report in _reports(period, district):
        for link in ReportLink.objects.filter(report=report):
            entity = getattr(link, field)
            if entity is not None:
                entities.setdefault(kind(entity), set()).add(entity.pk)
                reports.setdefault(kind(entity), set()).add(report.pk)
    return {label: [len(entities[label]), len(reports[label])] for label in entities}


def hand_suspect_sexes(period: Period, district: str) -> dict[str, int]:
    people = {link.person for report in _reports(period, district)
              for link in ReportLink.objects.filter(report=report, role=EntityRole.SUSPECT)
              if link.person_id and _lives_in(link.person, district)}
    counts: Counter[str] = Counter()
    for person in people:
        counts[person.get_sex_display() if person.sex else "Not recorded"] += 1
    return dict(counts)


def hand_disruption(period: Period, district: str) -> dict[tuple[str, str], int]:
    counts: Counter[tuple[str, str]] = Counter()
    for disruption in Disruption.objects.all():
        if not _in_period(disruption.created_at, period):
            continue
        children = [link.person for link in disruption.child_links.all()]
        places = {_district(child) or "Area not known" for child in children
                  if _lives_in(child, district)}
        if district and not places:
            continue
        for place in places or {"Area not known"}:
            counts[(disruption.tactic.name, place)] += 1
    return dict(counts)


# --- the comparison -----------------------------------------------------------------------


def _cells(table: patterns.Table) -> dict[tuple[str, str], int]:
    return {(row["label"], column): value for row in table["rows"]
            for column, value in zip(table["columns"], row["values"], strict=True) if value}


def _column(table: patterns.Table, column: int = 0) -> dict[str, int]:
    return {row["label"]: row["values"][column] for row in table["rows"]
            if row["values"][column]}


def _consistent(table: patterns.Table) -> None:
    for row in table["rows"]:
        assert row["total"] == sum(row["values"])
    assert table["total"] == sum(table["column_totals"]) == sum(r["total"] for r in table["rows"])


DISTRICTS = {"": "", "E07000901": "Northtown", "E07000902": "Southvale"}


@pytest.mark.parametrize("code", list(DISTRICTS), ids=lambda code: code or "whole-force")
def test_every_pattern_matches_the_hand_count(planted: Planted, code: str) -> None:
    district = DISTRICTS[code]
    compared = 0
    missing = patterns.missing_by_time(PERIOD, code)
    assert _cells(missing) == {(day, band): n for (day, band), n in
                               hand_missing(PERIOD, district).items()}
    intelligence = patterns.intelligence_by_day(PERIOD, code)
    assert _column(intelligence) == hand_intelligence_days(PERIOD, district)
    assert _column(patterns.cases_by_model(PERIOD, code)) == hand_cases_by_model(
        PERIOD, district)
    assert _column(patterns.groups_by_model(PERIOD, code)) == hand_groups_by_model(
        PERIOD, district)
    platforms = patterns.platforms(PERIOD, code)
    assert {row["label"]: row["values"] for row in platforms["rows"]} == hand_linked(
        PERIOD, district, "account", lambda account: account.get_platform_display())
    venues = patterns.venues(PERIOD, code)
    assert {row["label"]: row["values"] for row in venues["rows"] if row["total"]} == (
        hand_linked(PERIOD, district, "premises", lambda premises: premises.get_kind_display()))
    sexes = patterns.people_profile(patterns.SUSPECTS, PERIOD, code)[1]
    assert _column(sexes) == hand_suspect_sexes(PERIOD, district)
    disruption = patterns.disruption_by_area(PERIOD, code)
    assert _cells(disruption) == hand_disruption(PERIOD, district)
    for table in patterns.patterns(PERIOD, code):
        _consistent(table)
        compared += table["total"]
    assert compared > 0, "the comparison ran on nothing"


def test_the_planted_figures_as_planted(planted: Planted) -> None:
    """The edges the data set plants, checked by name: the clocks going forward, the
    period's London edges, the unknowns each counted in their own row."""
    missing = _cells(patterns.missing_by_time(PERIOD, ""))
    assert missing == {("Monday", "20:00 to 23:59"): 1, ("Monday", "00:00 to 03:59"): 1,
                       ("Saturday", "08:00 to 11:59"): 1, ("Saturday", "00:00 to 03:59"): 1}
    assert _column(patterns.intelligence_by_day(PERIOD, "")) == {
        "Saturday": 1, patterns.DATE_NOT_KNOWN: 1}
    assert _column(patterns.cases_by_model(PERIOD, "")) == {
        "A group of adults acting together": 1, "Taken or invited to parties where children "
        "are abused": 1, "Not recorded": 1}
    assert _column(patterns.groups_by_model(PERIOD, "")) == {
        "A group of adults acting together": 1, "Not recorded": 1}
    ages, sexes, ethnicities = patterns.people_profile(patterns.VICTIMS, PERIOD, "")
    assert _column(ages) == {"Under 10": 1, "10 to 12": 1, "16 to 17": 1}
    assert _column(sexes) == {"Female": 2, "Not recorded": 1}
    by_ethnicity = _column(ethnicities)
    assert by_ethnicity[patterns.NOT_STATED] == 1
    assert sum(by_ethnicity.values()) == 3 and "Not recorded" not in by_ethnicity
    suspects_age = _column(patterns.people_profile(patterns.SUSPECTS, PERIOD, "")[0])
    assert suspects_age == {"35 to 44": 1, patterns.AGE_NOT_KNOWN: 1}
    disruption = patterns.disruption_by_area(PERIOD, "")
    assert disruption["columns"] == ["Northtown", "Southvale", "Area not known"]


def test_the_patterns_take_a_bounded_number_of_queries(
    planted: Planted, django_assert_max_num_queries: Any, django_assert_num_queries: Any,
    hub_agency: Agency, hub_team: Team,
) -> None:
    """Grouped queries only: a few per table (an area is its tree, looked up level by
    level), and as many again with twice the records."""
    with django_assert_max_num_queries(20):
        patterns.patterns(PERIOD, "")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        patterns.patterns(PERIOD, "E07000901")
    assert len(before) <= 60
    # Twice the records: the same number of queries.
    for person in Person.objects.filter(family_name="Plantedchild"):
        for episode in MissingEpisode.objects.filter(child=person):
            MissingEpisode.objects.create(child=person, went_missing_at=episode.went_missing_at,
                                          recorded_by=planted.analyst)
    with django_assert_num_queries(len(before)):
        patterns.patterns(PERIOD, "E07000901")
