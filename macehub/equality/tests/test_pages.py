"""The pages on the demo data: planted truth recovered, access by role, suppression in
what scrutiny sees, audited CSV export, and no person named anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.demo.models import PlantedTruth
from macehub.equality.analysis import OFFICER_DEFINED, Finding, disproportionality
from macehub.equality.completeness import ALL_AGENCIES, completeness_by_month
from macehub.equality.demo_steps import DISPROPORTIONALITY, ETHNICITY_MISSINGNESS, PLANTED_AREA
from macehub.people.census_by_age import CENSUS_2021_BY_AGE
from macehub.people.codes import CensusAgeGroup
from macehub.people.models import Area, AreaPopulation, AreaPopulationByAge, Person
from macehub.people.populations import CHILDREN, population
from macehub.testing.factories import verified_login

pytestmark = pytest.mark.django_db

START, END = dt.date(2025, 6, 1), dt.date(2026, 5, 31)
PERIOD = {"start_day": "1", "start_month": "6", "start_year": "2025",
          "end_day": "31", "end_month": "5", "end_year": "2026"}


def _client(username: str) -> Client:
    client = Client()
    verified_login(client, User.objects.get(username=username))
    return client


def test_analysis_recovers_the_planted_over_representation(demo: None) -> None:
    truth = PlantedTruth.objects.get(kind=DISPROPORTIONALITY,
                                     data__population="children_referred").data
    result = disproportionality(
        population=population("children_referred"), start=START, end=END,
        area=Area.objects.get(code=truth["area_code"]), level="detailed",
    )
    planted = next(g for g in result.groups if g.code == truth["group"])
    assert planted.ratio is not None
    assert planted.ratio.estimate == pytest.approx(truth["planted_ratio"])
    assert planted.ratio.low > 1 and planted.finding == Finding.OVER


def test_demo_denominators_are_the_synthetic_by_age_table(demo: None) -> None:
    """The demo loads a Census 2021 ethnic group by age table for every area it has a
    TS021 table for; children's and suspects' over-representation is planted against
    the children's and the adults' populations, and an all-ages denominator would have
    told a different story (the groups' age profiles differ)."""
    with_ts021 = set(AreaPopulation.objects.values_list("area_id", flat=True))
    by_age = AreaPopulationByAge.objects.filter(source=CENSUS_2021_BY_AGE)
    assert with_ts021 and set(by_age.values_list("area_id", flat=True)) == with_ts021
    county = Area.objects.get(code=PLANTED_AREA)
    for code in ("W1", "M1", "A2"):
        ages = dict(by_age.filter(area=county, ethnic_group_id=code)
                    .values_list("age_group", "population"))
        everyone = AreaPopulation.objects.get(area=county, ethnic_group_id=code).population
        assert ages[CensusAgeGroup.CHILDREN] + ages[CensusAgeGroup.ADULTS] == everyone
    for truth in PlantedTruth.objects.filter(kind=DISPROPORTIONALITY):
        chosen = population(truth.data["population"])
        assert truth.data["denominator"] == chosen.denominator.value
        result = disproportionality(population=chosen, start=START, end=END, area=county,
                                    level="detailed")
        planted = next(g for g in result.groups if g.code == truth.data["group"])
        assert planted.ratio is not None
        assert planted.ratio.estimate == pytest.approx(truth.data["planted_ratio"])
        if chosen.kind == CHILDREN:  # the small demo has too few suspects to be sure
            assert planted.finding == Finding.OVER
        assert truth.data["all_ages_ratio"] != pytest.approx(truth.data["planted_ratio"],
                                                              rel=0.05)
    assert {t.data["population"] for t in PlantedTruth.objects.filter(
        kind=DISPROPORTIONALITY)} == {"children_referred", "suspects_intelligence"}


def test_demo_suspects_have_officer_defined_ethnicity_with_codes_missing(demo: None) -> None:
    overall = completeness_by_month(population=population("suspects_intelligence"),
                                    start=START, end=END)[0]
    recorded = sum(m.officer_defined["recorded"] for m in overall.months)
    missing = sum(m.officer_defined["not_recorded"] for m in overall.months)
    assert recorded > 0 and missing > 0
    officer = disproportionality(population=population("suspects_intelligence"), start=START,
                                 end=END, area=Area.objects.get(code=PLANTED_AREA),
                                 ethnicity=OFFICER_DEFINED)
    assert officer.not_recorded > 0 and sum(g.count for g in officer.groups) > 0


def test_missingness_improves_over_the_year_and_is_worse_for_suspects(demo: None) -> None:
    truth = PlantedTruth.objects.get(kind=ETHNICITY_MISSINGNESS).data

    def not_recorded(key: str, months: slice) -> float:
        overall = completeness_by_month(population=population(key), start=START, end=END)[0]
        assert overall.agency == ALL_AGENCIES
        chosen = overall.months[months]
        people = sum(m.people for m in chosen)
        return sum(m.ethnicity["not_recorded"] for m in chosen) / people if people else 0.0

    early, late = not_recorded("children_referred", slice(0, 4)), not_recorded(
        "children_referred", slice(8, 12))
    assert early > late
    victims = truth["children"]
    assert victims["not_recorded_first_month"] > victims["not_recorded_last_month"]
    # The intelligence demo links suspects, so the suspects' side is planted too.
    assert population("suspects_intelligence").events().exists()
    assert not_recorded("suspects_intelligence", slice(0, 12)) > not_recorded(
        "children_referred", slice(0, 12))
    suspects_early = not_recorded("suspects_intelligence", slice(0, 4))
    suspects_late = not_recorded("suspects_intelligence", slice(8, 12))
    assert suspects_early > suspects_late


def test_analyst_page_shows_table_forest_plot_and_no_person(demo: None) -> None:
    response = _client("analyst.police").get(
        reverse("equality:overview"), {"population": "children_referred", **PERIOD,
                                       "level": "detailed"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Over-represented" in body and 'role="img"' in body and "<caption" in body
    assert 'style="' not in body
    _assert_no_person(body)


def test_completeness_page(demo: None) -> None:
    response = _client("analyst.police").get(reverse("equality:completeness"), PERIOD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ethnicity not recorded" in body and 'style="' not in body
    _assert_no_person(body)


def test_scrutiny_sees_only_the_suppressed_published_table(demo: None) -> None:
    scrutiny = _client("scrutiny.pcc")
    assert scrutiny.get(reverse("equality:overview")).status_code == 403
    assert scrutiny.get(reverse("equality:completeness")).status_code == 403
    page = scrutiny.get(reverse("equality:published"), PERIOD)
    assert page.status_code == 200 and "[c]" in page.content.decode()
    export = scrutiny.get(reverse("equality:published_export"), PERIOD)
    assert export.status_code == 200
    text = export.content.decode()
    _assert_no_person(text)
    rows = list(csv.reader(io.StringIO(text)))
    header = rows.index(next(r for r in rows if r and r[0] == "Ethnic group"))
    for row in rows[header + 1:]:
        if len(row) > 1 and row[1] not in ("[c]", ""):
            assert int(row[1]) == 0 or int(row[1]) >= 5
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT,
                                     record_type="equality.published_table").exists()


def test_bad_input_is_explained_not_divided(demo: None) -> None:
    nowhere = Area.objects.create(code="E06000016", name="Leicester", kind="district")
    result = disproportionality(population=population("children_referred"), start=START,
                                end=END, area=nowhere)
    assert any("No Census 2021 population" in p for p in result.problems)
    assert all(g.ratio is None and g.rate is None for g in result.groups)
    response = _client("analyst.police").get(
        reverse("equality:overview"), {"area": nowhere.pk, **PERIOD})
    assert response.status_code == 200 and "No Census 2021 population" in response.content.decode()


def _assert_no_person(text: str) -> None:
    for person in Person.objects.all()[:400]:
        assert f"{person.given_name} {person.family_name}" not in text
        assert f"/people/{person.pk}/" not in text
