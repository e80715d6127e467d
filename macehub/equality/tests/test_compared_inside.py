""""Compared inside": the analysis repeated for each area inside the chosen one. A
county-wide ratio that comes only from where people live (Simpson's paradox) disappears
inside the districts; an inside area without a census says so in words; each area links
to its own page with the other choices kept; the queries do not grow with the people or
the areas; and the demo's planted over-representation shows up district by district."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import User
from macehub.accounts.roles import Role
from macehub.core.figures import format_figure
from macehub.demo.models import PlantedTruth
from macehub.equality.analysis import (
    FINDING_MARKERS,
    Finding,
    compared_inside,
    disproportionality,
)
from macehub.equality.demo_steps import DISPROPORTIONALITY
from macehub.equality.tests.test_pages import END, PERIOD, START
from macehub.people.codes import AreaKind, CensusAgeGroup
from macehub.people.models import Area, AreaPopulation, AreaPopulationByAge, PersonAddress
from macehub.people.populations import population
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, verified_login

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db

REFERRED = population("children_referred")
TODAY = timezone.localdate()
YEAR = (TODAY - dt.timedelta(days=364), TODAY)


# --- Reading the table ----------------------------------------------------------------


class InsideTable(HTMLParser):
    """The "Compared inside" table: its column headings, and each row's area link and
    cell texts (the row heading first; a line break read as " / ")."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.links: dict[str, str] = {}
        self._inside = False
        self._cell: list[str] | None = None
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and dict(attrs).get("id") == "inside-table":
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("th", "td"):
            self._cell = []
        elif self._inside and tag == "a":
            self._href = dict(attrs).get("href")
        elif self._inside and tag == "br" and self._cell is not None:
            self._cell.append(" / ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._inside = False
        elif self._inside and tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            self.rows[-1].append(text)
            if self._href is not None:
                self.links[text] = self._href
                self._href = None
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    @property
    def by_area(self) -> dict[str, dict[str, str]]:
        """Each body row as {column heading: cell}, by area name; a row's last cell fills
        the columns it spans (a problem in words across every group)."""
        headings, *body = self.rows
        return {row[0]: {heading: row[min(index, len(row) - 1)]
                         for index, heading in enumerate(headings)} for row in body}


def inside_table(body: str) -> InsideTable:
    table = InsideTable()
    table.feed(body)
    assert table.rows, "no Compared inside table on the page"
    return table


# --- Data ------------------------------------------------------------------------------


@pytest.fixture
def referrer(users: StandardUsers) -> User:
    return users[Role.REFERRER]


@pytest.fixture
def analyst(users: StandardUsers) -> Client:
    return users.client(Role.ANALYST)


def with_census(area: Area, populations: dict[str, int]) -> Area:
    """The area's census: ``populations`` as its all-ages (TS021) population and as both
    its children's and its adults' population by age, so a rate here is the count per
    1,000 of the number given whichever age group the population is compared with."""
    AreaPopulation.objects.bulk_create(
        AreaPopulation(area=area, ethnic_group_id=code, population=number)
        for code, number in populations.items())
    AreaPopulationByAge.objects.bulk_create(
        AreaPopulationByAge(area=area, ethnic_group_id=code, population=number,
                            age_group=age_group)
        for code, number in populations.items() for age_group in CensusAgeGroup)
    area.census_total = sum(populations.values())
    area.save(update_fields=["census_total"])
    return area


def refer(referrer: User, area: Area, group: str | None, count: int) -> None:
    """``count`` children of the group living in the area, each referred ten days ago."""
    for number in range(count):
        child = make_person(referrer.agency, given_name=f"Child{number}",
                            family_name=f"{area.name}{group}",
                            self_defined_ethnicity_id=group)
        PersonAddress.objects.create(person=child, line_1=f"{number} High Street",
                                     town=area.name, postcode="XA1 1AA", area=area)
        make_referral(child, referrer, received_at=timezone.now() - dt.timedelta(days=10))


@dataclass
class Shire:
    county: Area
    high: Area  # high rates for everyone, and where most Asian children live
    low: Area


@pytest.fixture
def shire(referrer: User) -> Shire:
    """Simpson's paradox by hand. In each district the Asian rate equals the White rate
    (10 per 1,000 in Eastbridge, 1 per 1,000 in Westmoor), but two-thirds of the county's
    Asian residents live in Eastbridge, so county-wide the Asian rate is 3.85 times the
    White rate."""
    county = Area.objects.create(code="E10999950", name="Simpshire", kind=AreaKind.COUNTY)
    high = Area.objects.create(code="E07999951", name="Eastbridge", kind=AreaKind.DISTRICT,
                               parent=county)
    low = Area.objects.create(code="E07999952", name="Westmoor", kind=AreaKind.DISTRICT,
                              parent=county)
    with_census(high, {"W1": 2_000, "A1": 2_000})
    with_census(low, {"W1": 20_000, "A1": 1_000})
    with_census(county, {"W1": 22_000, "A1": 3_000})
    refer(referrer, high, "W1", 20)
    refer(referrer, high, "A1", 20)
    refer(referrer, low, "W1", 20)
    refer(referrer, low, "A1", 1)
    return Shire(county, high, low)


def asian(analysis: Any) -> Any:
    return next(group for group in analysis.groups if group.code == "A")


# --- Tests -----------------------------------------------------------------------------


def test_a_county_disparity_from_mixing_districts_is_not_there_inside_them(
    shire: Shire,
) -> None:
    county = disproportionality(population=REFERRED, start=YEAR[0], end=YEAR[1],
                                area=shire.county)
    assert asian(county).finding == Finding.OVER
    assert asian(county).ratio is not None and asian(county).ratio.low > 1

    inside = compared_inside(population=REFERRED, start=YEAR[0], end=YEAR[1],
                             area=shire.county)
    assert [row.area.name for row in inside.areas] == ["Eastbridge", "Westmoor"]
    assert [column.code for column in inside.columns] == ["A", "B", "M", "O", "W"]
    for row in inside.areas:
        assert row.analysis.problems == []
        cell = asian(row.analysis)
        assert cell.ratio is not None and cell.ratio.estimate == pytest.approx(1.0)
        assert cell.finding == Finding.NO_CLEAR_DIFFERENCE
    assert [row.analysis.total for row in inside.areas] == [40, 21]


def test_the_county_page_reads_higher_and_both_districts_no_clear_difference(
    shire: Shire, analyst: Client,
) -> None:
    response = analyst.get(reverse("equality:overview"), {"area": shire.county.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Compared inside Simpshire" in body
    assert "Over-represented: 3.85 times the White rate" in body
    assert "smallest area where the numbers allow" in body  # the page says why
    assert "Compare at the smallest area the numbers allow" in body  # so does the help
    table = inside_table(body)
    assert table.rows[0] == ["Area", "People counted", "Ethnicity unknown",
                             "Asian, Asian British or Asian Welsh",
                             "Black, Black British, Black Welsh, Caribbean or African",
                             "Mixed or Multiple ethnic groups", "Other ethnic group",
                             "White (comparator)"]
    rows = table.by_area
    assert set(rows) == {"Eastbridge", "Westmoor"}
    for district, people in (("Eastbridge", "40"), ("Westmoor", "21")):
        row = rows[district]
        assert row["People counted"] == people and row["Ethnicity unknown"] == "0%"
        assert row["Asian, Asian British or Asian Welsh"].startswith("1.00 (")
        assert row["Asian, Asian British or Asian Welsh"].endswith(
            f"/ {FINDING_MARKERS[Finding.NO_CLEAR_DIFFERENCE]}")
        assert row["White (comparator)"] == "comparator"
        # No one in the group lives there: words, not a number.
        assert row["Mixed or Multiple ethnic groups"] == "too few to say"


def test_an_inside_area_without_a_census_says_so_in_its_row(
    shire: Shire, analyst: Client, referrer: User,
) -> None:
    unknown = Area.objects.create(code="E07999953", name="Nomansland",
                                  kind=AreaKind.DISTRICT, parent=shire.county)
    refer(referrer, unknown, "W1", 2)
    refer(referrer, unknown, None, 1)
    body = analyst.get(reverse("equality:overview"), {"area": shire.county.pk}
                       ).content.decode()
    table = inside_table(body)
    row = table.by_area["Nomansland"]
    # One cell in words across every group's column, instead of a number in each.
    assert len(next(cells for cells in table.rows if cells[0] == "Nomansland")) == 4
    assert 'colspan="5"' in body
    assert row["People counted"] == "3" and row["Ethnicity unknown"] == "33%"
    problem = row["Asian, Asian British or Asian Welsh"]
    assert problem.startswith("No Census 2021 population by ethnic group and age (children "
                              "aged 0 to 17) is loaded for Nomansland")
    assert not re.search(r"\d\.\d", problem)  # words, no ratio
    assert "the right one with import_census" in problem
    # With a census for a ward inside it, the row points there instead.
    with_census(Area.objects.create(code="E05999957", name="Nomansland Ward",
                                    kind=AreaKind.WARD, parent=unknown), {"W1": 900})
    again = inside_table(analyst.get(reverse("equality:overview"), {"area": shire.county.pk}
                                     ).content.decode()).by_area["Nomansland"]
    assert "Census figures are loaded for smaller areas inside it" in again["White (comparator)"]
    assert "1.00" in table.by_area["Eastbridge"][
        "Asian, Asian British or Asian Welsh"]


def test_no_comparator_people_in_an_inside_area_is_explained(shire: Shire) -> None:
    inside = compared_inside(population=REFERRED, start=YEAR[0], end=YEAR[1],
                             area=shire.county, comparator="A1", level="detailed")
    # Everyone counted is White British or Asian Indian: the other detailed groups are
    # left out, and said to be.
    assert inside.narrowed
    assert [column.code for column in inside.columns] == ["W1", "A1"]
    assert [column.is_comparator for column in inside.columns] == [False, True]
    assert all(row.analysis.problems == [] for row in inside.areas)
    empty = compared_inside(population=REFERRED, start=YEAR[0], end=YEAR[1],
                            area=shire.county, comparator="B1")
    for row in empty.areas:
        assert any(f"No children referred in {row.area.name} are recorded as" in problem
                   and "the comparator, so no ratios can be worked out" in problem
                   for problem in row.analysis.problems)


def test_an_area_with_nothing_inside_it_with_a_census_says_so(
    shire: Shire, analyst: Client,
) -> None:
    body = analyst.get(reverse("equality:overview"), {"area": shire.high.pk}).content.decode()
    assert "Compared inside Eastbridge" in body
    assert ("Nothing inside Eastbridge has a Census 2021 population loaded, so it cannot be "
            "compared area by area.") in body
    assert 'id="inside-table"' not in body


def test_each_inside_area_links_to_its_own_page_keeping_the_other_choices(
    shire: Shire, analyst: Client,
) -> None:
    choices = {"population": "children_referred", "level": "detailed", "comparator": "W1",
               "ethnicity": "self", **PERIOD, "start_year": str(YEAR[0].year - 1)}
    body = analyst.get(reverse("equality:overview"), {"area": shire.county.pk, **choices}
                       ).content.decode()
    link = inside_table(body).links["Westmoor"]
    url = urlsplit(link.replace("&amp;", "&"))
    assert url.path == reverse("equality:overview")
    query = {name: values[0] for name, values in parse_qs(url.query).items()}
    assert query == {**choices, "area": str(shire.low.pk)}
    page = analyst.get(link.replace("&amp;", "&"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Children referred in Westmoor" in text
    assert "Compared inside Westmoor" in text


def test_queries_do_not_grow_with_people_or_areas(
    shire: Shire, analyst: Client, referrer: User,
) -> None:
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as analysis:
            compared_inside(population=REFERRED, start=YEAR[0], end=YEAR[1],
                            area=shire.county)
        with CaptureQueriesContext(connection) as page:
            assert analyst.get(reverse("equality:overview"),
                               {"area": shire.county.pk}).status_code == 200
        return len(analysis), len(page)

    # One query per level of the area tree: give it its wards before counting.
    ward = Area.objects.create(code="E05999955", name="Eastbridge Central",
                               kind=AreaKind.WARD, parent=shire.high)
    before = queries()
    assert before[0] <= 8
    refer(referrer, shire.high, "W1", 11)
    refer(referrer, shire.low, "A1", 15)
    refer(referrer, ward, "A1", 4)
    third = Area.objects.create(code="E07999954", name="Northend", kind=AreaKind.DISTRICT,
                                parent=shire.county)
    with_census(third, {"W1": 5_000, "A1": 500})
    Area.objects.create(code="E05999956", name="Northend Central", kind=AreaKind.WARD,
                        parent=third)
    refer(referrer, third, "W1", 10)
    assert queries() == before
    inside = compared_inside(population=REFERRED, start=YEAR[0], end=YEAR[1],
                             area=shire.county)
    # People in a ward are counted in the district the ward lies in.
    assert {row.area.name: row.analysis.total for row in inside.areas} == {
        "Eastbridge": 55, "Northend": 10, "Westmoor": 36}


def test_the_demo_county_page_shows_the_planted_over_representation_by_district(
    demo: None,
) -> None:
    truth = PlantedTruth.objects.get(kind=DISPROPORTIONALITY,
                                     data__population="children_referred").data
    county = Area.objects.get(code=truth["area_code"])
    client = Client()
    verified_login(client, User.objects.get(username="analyst.police"))
    body = client.get(reverse("equality:overview"), {
        "population": "children_referred", **PERIOD, "level": "detailed",
        "area": county.pk}).content.decode()
    assert f"Compared inside {county.name}" in body
    table = inside_table(body)
    column = next(heading for heading in table.rows[0] if "White and Black Caribbean" in heading)
    rows = table.by_area
    districts = list(Area.objects.filter(parent=county))
    assert set(rows) == {district.name for district in districts}
    higher = []
    for district in districts:
        alone = disproportionality(population=REFERRED, start=START, end=END,
                                   area=district, level="detailed")
        planted = next(group for group in alone.groups if group.code == truth["group"])
        # The row says what the district's own analysis says.
        assert rows[district.name][column].endswith(planted.marker)
        if planted.finding == Finding.OVER:
            assert planted.ratio is not None
            assert rows[district.name][column].startswith(
                f"{format_figure(planted.ratio.estimate, 2)} (")
            higher.append(district.name)
    # Planted county-wide, the over-representation is found where the children live.
    assert higher
    assert all(rows[name][column].endswith("/ higher") for name in higher)
