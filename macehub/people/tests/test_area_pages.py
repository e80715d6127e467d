"""The area pages: who may open them, and the census figures they show (synthetic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from macehub.accounts.roles import Role
from macehub.people.census import import_census_ts021
from macehub.people.census_by_age import import_census_by_age
from macehub.people.codes import AreaKind
from macehub.people.models import Area, AreaPopulation, AreaPopulationByAge
from macehub.people.tests.test_census import ts021_rows, write
from macehub.people.tests.test_census_by_age import SPLIT_AT_18, by_age_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(tmp_path: Path) -> Area:
    """A fictional county holding two districts, with their census populations."""
    rows = ts021_rows([
        ("Fictional County", "E10999901"),
        ("Fictional Borough", "E07999901"),
        ("Fictional Town", "E07999902"),
    ])
    import_census_ts021(write(tmp_path, rows), actor=None, parent_code="E10999901")
    return Area.objects.get(code="E10999901")


@pytest.fixture
def analyst(hub_user_factory: Any, signed_in: Any) -> Any:
    return signed_in(hub_user_factory("ana.lyst", Role.ANALYST))


@pytest.mark.parametrize(
    ("url_name", "args"),
    [("people:area_list", []), ("people:area_detail", ["E10999901"])],
)
def test_a_referrer_may_not_open_area_pages(
    county: Area, hub_user_factory: Any, signed_in: Any, url_name: str, args: list[str]
) -> None:
    client = signed_in(hub_user_factory("ref.errer", Role.REFERRER))
    assert client.get(reverse(url_name, args=args)).status_code == 403


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SENIOR_LEADER, Role.SCRUTINY])
def test_roles_with_area_view_see_the_list(
    county: Area, hub_user_factory: Any, signed_in: Any, role: Role
) -> None:
    client = signed_in(hub_user_factory("area.reader", role))
    assert client.get(reverse("people:area_list")).status_code == 200


def test_list_shows_areas_with_kind_parent_and_census_total(county: Area, analyst: Any) -> None:
    response = analyst.get(reverse("people:area_list"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Fictional Borough" in page
    assert "E07999901" in page
    assert AreaKind.DISTRICT.label in page
    assert f"{county.census_total:,}" in page
    assert reverse("people:area_detail", args=["E10999901"]) in page
    assert '<caption class="govuk-table__caption' in page
    assert 'scope="col"' in page


def test_list_filters_by_kind(county: Area, analyst: Any) -> None:
    response = analyst.get(reverse("people:area_list"), {"kind": AreaKind.COUNTY})

    assert [a.code for a in response.context["areas"]] == ["E10999901"]
    assert "Fictional Borough" not in response.content.decode()


def test_list_with_an_unknown_kind_shows_the_error(county: Area, analyst: Any) -> None:
    response = analyst.get(reverse("people:area_list"), {"kind": "galaxy"})

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert len(response.context["areas"]) == 3


def test_list_is_paginated_keeping_the_filter(analyst: Any) -> None:
    Area.objects.bulk_create(
        Area(code=f"E05999{n:03d}", name=f"Fictional Ward {n}", kind=AreaKind.WARD)
        for n in range(60)
    )
    response = analyst.get(reverse("people:area_list"), {"kind": AreaKind.WARD, "page": 2})

    assert response.context["page_obj"].number == 2
    assert len(response.context["areas"]) == 10
    assert "kind=ward" in response.content.decode()


def test_detail_shows_populations_by_group_with_percentages(county: Area, analyst: Any) -> None:
    borough = Area.objects.get(code="E07999901")
    pakistani = AreaPopulation.objects.get(area=borough, ethnic_group_id="A2").population
    assert borough.census_total

    response = analyst.get(reverse("people:area_detail", args=["E07999901"]))

    page = response.content.decode()
    assert response.status_code == 200
    breakdown = response.context["breakdown"]
    assert [family.line.name for family in breakdown] == [
        "White",
        "Mixed or Multiple ethnic groups",
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Other ethnic group",
    ]
    assert "Asian: Pakistani" in page
    assert f"{pakistani:,}" in page
    assert f"{100 * pakistani / borough.census_total:.1f}%" in page
    assert "Fictional County" in page  # the area it lies in
    assert 'scope="row"' in page


def test_detail_lists_child_areas(county: Area, analyst: Any) -> None:
    response = analyst.get(reverse("people:area_detail", args=["E10999901"]))

    assert [child.code for child in response.context["children"]] == ["E07999901", "E07999902"]
    assert reverse("people:area_detail", args=["E07999902"]) in response.content.decode()


def test_detail_of_an_area_without_populations(analyst: Any) -> None:
    Area.objects.create(code="E05999001", name="Fictional Ward", kind=AreaKind.WARD)

    response = analyst.get(reverse("people:area_detail", args=["E05999001"]))

    assert response.status_code == 200
    assert "No census populations have been imported" in response.content.decode()
    assert "No Census 2021 ethnic group by age table has been imported" in (
        response.content.decode())


def test_detail_shows_children_and_adults_the_rates_divide_by(
    county: Area, analyst: Any, tmp_path: Path,
) -> None:
    rows = by_age_rows(SPLIT_AT_18, [("E07999901", "Fictional Borough")])
    import_census_by_age(write(tmp_path, rows, name="by-age.csv"), actor=None)
    response = analyst.get(reverse("people:area_detail", args=["E07999901"]))
    lines = {line.name: line for line in response.context["by_age"]}
    asian = AreaPopulationByAge.objects.filter(area__code="E07999901",
                                               ethnic_group__family_id="A")
    assert lines["Asian, Asian British or Asian Welsh"].children == sum(
        asian.filter(age_group="0-17").values_list("population", flat=True))
    assert lines["Asian, Asian British or Asian Welsh"].adults == sum(
        asian.filter(age_group="18+").values_list("population", flat=True))
    page = response.content.decode()
    assert "the denominators of the disproportionality rates" in page
    assert "Children aged 0 to 17" in page and "Adults aged 18 and over" in page


def test_unknown_area_is_not_found(analyst: Any) -> None:
    assert analyst.get(reverse("people:area_detail", args=["E06999999"])).status_code == 404
