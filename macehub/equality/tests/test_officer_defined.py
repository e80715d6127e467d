"""Suspects' officer-defined ethnicity (police IC codes): mapped to the five high-level
groups as stated, analysed apart from self-defined ethnicity (never merged), against the
adults of each group, with its recording shown; the pages state the mapping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.equality.analysis import (
    NO_MIXED_IC_CODE,
    OFFICER_DEFINED,
    SELF_DEFINED,
    Finding,
    disproportionality,
    ic_mapping_lines,
)
from macehub.equality.completeness import ALL_AGENCIES, completeness_by_month
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.codes import IC_TO_HIGH_LEVEL_GROUP, AreaKind, CensusAgeGroup
from macehub.people.models import Area, AreaPopulationByAge, PersonAddress
from macehub.people.populations import population
from macehub.testing.factories import make_person, verified_login

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db

SUSPECTS = "suspects_intelligence"
TODAY = timezone.localdate()
START, END = TODAY - dt.timedelta(days=364), TODAY
QUERY = {"population": SUSPECTS, "start_day": str(START.day),
         "start_month": str(START.month), "start_year": str(START.year),
         "end_day": str(END.day), "end_month": str(END.month), "end_year": str(END.year)}
# Adults by detailed group; the Asian high-level group is A2 + A4 = 3,000.
ADULTS = {"W1": 9_000, "W9": 1_000, "A2": 2_000, "A4": 1_000, "B2": 500, "M1": 400}
CHILDREN = {"W1": 1, "W9": 1, "A2": 1, "A4": 1, "B2": 1, "M1": 1}
# (self-defined group, IC code) of each suspect: the two accounts disagree on purpose.
SUSPECTED = [("W1", "IC1"), ("W9", "IC2"), ("W1", "IC1"), ("A2", "IC4"), ("A4", "IC5"),
             ("A2", "IC4"), ("M1", "IC3"), ("B2", "IC3"), ("W1", "IC9"), (None, ""),
             ("A2", "")]


@pytest.fixture
def analyst_user(users: StandardUsers) -> User:
    return users[Role.ANALYST]


@pytest.fixture
def town(hub_agency: Agency, hub_team: Team, analyst_user: User) -> Area:
    area = Area.objects.create(code="E06999981", name="Fictional Port", kind=AreaKind.DISTRICT,
                               census_total=sum(ADULTS.values()))
    AreaPopulationByAge.objects.bulk_create([
        *(AreaPopulationByAge(area=area, ethnic_group_id=code, population=number,
                              age_group=CensusAgeGroup.ADULTS)
          for code, number in ADULTS.items()),
        *(AreaPopulationByAge(area=area, ethnic_group_id=code, population=number,
                              age_group=CensusAgeGroup.CHILDREN)
          for code, number in CHILDREN.items()),
    ])
    report = make_report(hub_team, analyst_user,
                         received_at=timezone.now() - dt.timedelta(days=20))
    for number, (group, ic) in enumerate(SUSPECTED):
        suspect = make_person(hub_agency, given_name=f"Suspect{number}", family_name="Example",
                              self_defined_ethnicity_id=group, officer_defined_ethnicity=ic)
        PersonAddress.objects.create(person=suspect, line_1="1 Quay", town=area.name,
                                     postcode="XF1 1AA", area=area)
        link(report, suspect)
    return area


def test_the_stated_mapping() -> None:
    assert IC_TO_HIGH_LEVEL_GROUP == {"IC1": "W", "IC2": "W", "IC3": "B", "IC4": "A",
                                      "IC5": "A", "IC6": "O", "IC9": None}
    lines = ic_mapping_lines()
    assert "IC5 Chinese, Japanese or other South East Asian → Asian, Asian British or Asian " \
           "Welsh" in lines
    assert "IC9 Unknown → unknown" in lines and len(lines) == 7


def test_officer_defined_ethnicity_is_analysed_on_its_own_against_adults(town: Area) -> None:
    officer = disproportionality(population=population(SUSPECTS), start=START, end=END,
                                 area=town, ethnicity=OFFICER_DEFINED)
    groups = {group.code: group for group in officer.groups}
    # By hand from SUSPECTED: IC1, IC2, IC1 White; IC4, IC5, IC4 Asian; IC3, IC3 Black.
    assert [(c, groups[c].count, groups[c].population) for c in "WAB"] == [
        ("W", 3, 10_000), ("A", 3, 3_000), ("B", 2, 500)]
    assert (officer.not_stated, officer.not_recorded) == (1, 2)  # IC9; no code
    assert officer.denominator == CensusAgeGroup.ADULTS
    assert groups["A"].rate is not None and groups["A"].rate.estimate == pytest.approx(1.0)
    assert groups["A"].ratio is not None
    assert groups["A"].ratio.estimate == pytest.approx((3 / 3_000) / (3 / 10_000))
    assert groups["M"].finding == Finding.NOT_ESTIMABLE and groups["M"].rate is None
    assert groups["M"].reading == NO_MIXED_IC_CODE
    assert officer.not_stated_label.startswith("IC9")
    # Self-defined, the same people fall differently: never merged with the IC codes.
    own = disproportionality(population=population(SUSPECTS), start=START, end=END, area=town,
                             ethnicity=SELF_DEFINED)
    mine = {group.code: group for group in own.groups}
    assert [(c, mine[c].count) for c in "WAMB"] == [("W", 4), ("A", 4), ("M", 1), ("B", 1)]
    assert (own.not_stated, own.not_recorded) == (0, 1)


def test_completeness_counts_ic_codes_recorded_unknown_and_missing(town: Area) -> None:
    everyone = completeness_by_month(population=population(SUSPECTS), start=START, end=END)[0]
    assert everyone.agency == ALL_AGENCIES
    totals = {state: sum(m.officer_defined[state] for m in everyone.months)
              for state in ("recorded", "unknown", "not_recorded")}
    assert totals == {"recorded": 8, "unknown": 1, "not_recorded": 2}


def test_the_pages_and_csv_state_the_mapping_and_caveats(town: Area, analyst_user: User) -> None:
    client = Client()
    verified_login(client, analyst_user)
    query = {**QUERY, "area": str(town.pk), "ethnicity": OFFICER_DEFINED}
    for name in ("equality:overview", "equality:published"):
        body = client.get(reverse(name), query).content.decode()
        text = re.sub(r"<[^>]+>", "", body)
        assert "IC5 Chinese, Japanese or other South East Asian → Asian" in text
        assert "some published police tables count it with Other" in text
        assert "IC9 (the officer could not say)" in text and "No IC code recorded" in text
        assert "Rate per 1,000 adults aged 18 and over" in text
    completeness = re.sub(r"<[^>]+>", "", client.get(
        reverse("equality:completeness"), QUERY).content.decode())
    assert "IC9 (officer could not say)" in completeness and "No IC code" in completeness
    rows = list(csv.reader(io.StringIO(
        client.get(reverse("equality:published_export"), query).content.decode())))
    assert any(row and row[0].startswith("Ethnicity: officer-defined (police IC codes)")
               for row in rows)
    assert any(row and row[0] == "No IC code recorded" for row in rows)
    # Children's pages leave the IC columns out: it is the suspects' recording.
    children = client.get(reverse("equality:completeness"),
                          {**QUERY, "population": "children_referred"}).content.decode()
    assert "No IC code" not in children
