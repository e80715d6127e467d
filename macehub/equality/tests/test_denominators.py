"""Who is counted and what they are divided by: children referred and victims are
different populations, counted exactly; children's rates divide by the children (0 to
17) of their ethnic group and suspects' by its adults (18 and over), worked out here
by hand; every page and file says which."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from fractions import Fraction
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.cases.codes import CaseStatus, ClosureReason, OutcomeKind, RiskTier
from macehub.cases.models import Case, CaseOutcome
from macehub.cases.services import open_case
from macehub.equality.analysis import disproportionality
from macehub.equality.completeness import completeness_by_month
from macehub.people.codes import AreaKind, CensusAgeGroup
from macehub.people.models import Area, AreaPopulation, AreaPopulationByAge, Person, PersonAddress
from macehub.people.populations import SUSPECTS, population
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
START, END = TODAY - dt.timedelta(days=364), TODAY
QUERY = {"start_day": str(START.day), "start_month": str(START.month),
         "start_year": str(START.year), "end_day": str(END.day),
         "end_month": str(END.month), "end_year": str(END.year), "level": "family"}
# Invented: Asian children are a larger share of the Asian population than White
# children are of the White one, as in many English towns.
CHILDREN = {"W1": 2_000, "A2": 1_000}
ADULTS = {"W1": 8_000, "A2": 1_500}
ALL_AGES = {"W1": 10_000, "A2": 2_500}


def ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def town() -> Area:
    area = Area.objects.create(code="E06999971", name="Fictional Town",
                               kind=AreaKind.DISTRICT, census_total=sum(ALL_AGES.values()))
    AreaPopulation.objects.bulk_create(
        AreaPopulation(area=area, ethnic_group_id=code, population=number)
        for code, number in ALL_AGES.items())
    AreaPopulationByAge.objects.bulk_create([
        *(AreaPopulationByAge(area=area, ethnic_group_id=code, population=number,
                              age_group=CensusAgeGroup.CHILDREN)
          for code, number in CHILDREN.items()),
        *(AreaPopulationByAge(area=area, ethnic_group_id=code, population=number,
                              age_group=CensusAgeGroup.ADULTS)
          for code, number in ADULTS.items()),
    ])
    return area


@pytest.fixture
def triage(users: StandardUsers) -> User:
    return users[Role.TRIAGE]


@pytest.fixture
def analyst(users: StandardUsers) -> Client:
    return users.client(Role.ANALYST)


def child_in(area: Area, agency: Agency, name: str, group: str) -> Person:
    child = make_person(agency, given_name=name, family_name="Example",
                        self_defined_ethnicity_id=group)
    PersonAddress.objects.create(person=child, line_1="1 High Street", town=area.name,
                                 postcode="XA1 1AA", area=area)
    return child


def case_for(child: Person, triage: User, *, opened: int, closed: int | None = None) -> Case:
    """A case for the child opened ``opened`` days ago, closed ``closed`` days ago."""
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.LOW,
                     lead_agency=triage.agency, reason="Test")
    Case.objects.filter(pk=case.pk).update(
        opened_at=ago(opened), closed_at=ago(closed) if closed is not None else None,
        status=CaseStatus.CLOSED if closed is not None else CaseStatus.OPEN,
        closure_reason=ClosureReason.RISK_REDUCED if closed is not None else "")
    case.refresh_from_db()
    return case


@pytest.fixture
def people(town: Area, hub_agency: Agency, triage: User) -> dict[str, Person]:
    """Each child placed for one rule of who is a victim and who was referred."""
    made = {name: child_in(town, hub_agency, name, group) for name, group in (
        ("referred_only", "W1"), ("referred_and_open", "A2"), ("open_all_year", "A2"),
        ("closed_before_with_outcome", "W1"), ("closed_before_no_outcome", "A2"),
        ("closed_in_period", "W1"), ("opened_after_period", "W1"),
        ("referred_before_period", "A2"),
    )}
    make_referral(made["referred_only"], triage, received_at=ago(30))
    make_referral(made["referred_and_open"], triage, received_at=ago(60))
    case_for(made["referred_and_open"], triage, opened=55)
    case_for(made["open_all_year"], triage, opened=500)
    with_outcome = case_for(made["closed_before_with_outcome"], triage, opened=600, closed=400)
    CaseOutcome.objects.create(case=with_outcome, kind=OutcomeKind.PROSECUTION,
                               recorded_on=TODAY - dt.timedelta(days=20), recorded_by=triage)
    old = case_for(made["closed_before_no_outcome"], triage, opened=600, closed=400)
    CaseOutcome.objects.create(case=old, kind=OutcomeKind.ENGAGED,
                               recorded_on=TODAY - dt.timedelta(days=450), recorded_by=triage)
    case_for(made["closed_in_period"], triage, opened=400, closed=100)
    case_for(made["opened_after_period"], triage, opened=-3)
    make_referral(made["referred_before_period"], triage, received_at=ago(400))
    return made


def names(key: str) -> set[str]:
    return set(population(key).people_between(START, END).values_list("given_name", flat=True))


def test_victims_and_children_referred_are_different_populations_counted_exactly(
    people: dict[str, Person],
) -> None:
    assert names("children_referred") == {"referred_only", "referred_and_open"}
    assert names("victims") == {"referred_and_open", "open_all_year",
                                "closed_before_with_outcome", "closed_in_period"}
    # The pages' former keys still open the populations they became.
    assert population("victims_referred") is population("children_referred")
    assert population("victims_cases") is population("victims")
    assert population("victims").label != population("children_referred").label
    assert population("victims").noun != population("children_referred").noun


def test_childrens_rates_divide_by_children_of_the_group(
    people: dict[str, Person], town: Area,
) -> None:
    result = disproportionality(population=population("victims"), start=START, end=END,
                                area=town, comparator="W")
    groups = {group.code: group for group in result.groups}
    asian, white = groups["A"], groups["W"]
    # By hand: 2 Asian victims of 1,000 Asian children, 2 White of 2,000 White children.
    assert (asian.count, asian.population) == (2, 1_000)
    assert (white.count, white.population) == (2, 2_000)
    assert asian.rate is not None and asian.rate.estimate == pytest.approx(2.0)
    assert white.rate is not None and white.rate.estimate == pytest.approx(1.0)
    assert asian.ratio is not None and asian.ratio.estimate == pytest.approx(2.0)
    assert result.denominator == CensusAgeGroup.CHILDREN
    # All ages would have given (2 / 2,500) / (2 / 10,000) = 4: not what is shown.
    assert asian.ratio.estimate != pytest.approx(float(Fraction(2, 2_500) / Fraction(2, 10_000)))


def test_suspects_rates_divide_by_adults_of_the_group(
    people: dict[str, Person], town: Area,
) -> None:
    # The children referred, counted as if they were suspects: the same people, but
    # divided by the adults of their group.
    as_suspects = dataclasses.replace(population("children_referred"), key="test_suspects",
                                      kind=SUSPECTS)
    result = disproportionality(population=as_suspects, start=START, end=END, area=town)
    groups = {group.code: group for group in result.groups}
    assert result.denominator == CensusAgeGroup.ADULTS
    assert groups["A"].population == 1_500 and groups["W"].population == 8_000
    assert groups["A"].rate is not None
    assert groups["A"].rate.estimate == pytest.approx(1 * 1000 / 1_500)
    assert population("suspects_intelligence").denominator == CensusAgeGroup.ADULTS


def test_an_area_without_the_by_age_table_gives_no_rates_and_says_why(
    people: dict[str, Person], town: Area,
) -> None:
    AreaPopulationByAge.objects.filter(area=town).delete()
    result = disproportionality(population=population("victims"), start=START, end=END,
                                area=town)
    assert all(group.rate is None for group in result.groups)
    assert any("No Census 2021 population by ethnic group and age (children aged 0 to 17)"
               in problem for problem in result.problems)


@pytest.mark.parametrize("key", ["children_referred", "victims"])
def test_every_page_and_file_says_who_is_counted_and_what_they_are_divided_by(
    people: dict[str, Person], town: Area, analyst: Client, key: str,
) -> None:
    query = {**QUERY, "population": key, "area": str(town.pk)}
    definition = population(key).definition
    for name in ("equality:overview", "equality:published"):
        body = re.sub(r"<[^>]+>", "", analyst.get(reverse(name), query).content.decode())
        assert "Out of: Census 2021 usual residents who are children aged 0 to 17" in body
        assert "Rate per 1,000 children aged 0 to 17" in body
        assert definition.split(".")[0] in body
    completeness = analyst.get(reverse("equality:completeness"), query).content.decode()
    assert definition.split(".")[0] in completeness
    rows = list(csv.reader(io.StringIO(
        analyst.get(reverse("equality:published_export"), query).content.decode())))
    lines = [row[0] for row in rows if row]
    assert any(line.startswith("Who is counted: " + definition.split(".")[0]) for line in lines)
    assert any("Out of: Census 2021 usual residents who are children aged 0 to 17" in line
               for line in lines)
    header = next(row for row in rows if row and row[0] == "Ethnic group")
    assert "Out of: children aged 0 to 17 (Census 2021)" in header
    assert "Rate per 1,000 children aged 0 to 17" in header


def test_victims_recording_is_counted_in_the_month_they_became_victims_in_the_period(
    people: dict[str, Person],
) -> None:
    everyone = completeness_by_month(population=population("victims"), start=START, end=END)[0]
    by_month = {month.month: month.people for month in everyone.months if month.people}
    first = START.replace(day=1)
    opened = timezone.localtime(Case.objects.get(
        child=people["referred_and_open"]).opened_at).date().replace(day=1)
    # Open before the period (or only an outcome in it): the period's first month.
    expected = {first: 3} if opened != first else {first: 4}
    if opened != first:
        expected[opened] = 1
    assert by_month == expected


def test_a_link_with_a_former_population_key_opens_the_population_it_became(
    people: dict[str, Person], town: Area, analyst: Client,
) -> None:
    body = analyst.get(reverse("equality:overview"),
                       {**QUERY, "population": "victims_referred", "area": str(town.pk)}
                       ).content.decode()
    assert 'value="children_referred" checked' in body
    assert "Children referred in Fictional Town" in body


def test_the_recording_measures_call_children_referred_by_their_name() -> None:
    """The dashboard's recording measure for children referred is not called "victims";
    its code is kept, so months already published keep their figures (and their names
    and definitions as published) under it."""
    from macehub.core.metrics import get_metric

    for what in ("ethnicity", "nationality"):
        metric = get_metric(f"victims_{what}_recorded")
        assert metric.name == f"Children referred with {what} recorded"
        assert "not the same as victims" in metric.definition
        assert metric.denominator == "Children referred in the period"
        assert get_metric(f"suspects_{what}_recorded").name == f"Suspects with {what} recorded"
