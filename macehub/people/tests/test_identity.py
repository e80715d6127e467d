"""The identity bar's area: the current address, whether the person's addresses were
fetched with them (the person page) or are read afresh (any other page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency
from macehub.people.codes import AreaKind
from macehub.people.identity import current_area
from macehub.people.models import Area, Person, PersonAddress
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _with_addresses(person: Person) -> Person:
    return Person.objects.prefetch_related(
        Prefetch("addresses", queryset=PersonAddress.objects.select_related("area"))
    ).get(pk=person.pk)


def _address(person: Person, name: str, lived_from: dt.date | None, *,
             current: bool = True, area: Area | None = None) -> None:
    PersonAddress.objects.create(person=person, line_1=name, town=name, postcode="ZZ1 1AA",
                                 lived_from=lived_from, is_current=current, area=area)


@pytest.mark.parametrize("addresses, expected", [
    ([], "Not known"),
    ([("Oldtown", dt.date(2020, 1, 1), False)], "Not known"),
    ([("Early", dt.date(2019, 5, 1), True), ("Late", dt.date(2023, 5, 1), True),
      ("Undated", None, True), ("Former", dt.date(2025, 1, 1), False)], "Late"),
    ([("Undated first", None, True), ("Undated second", None, True)], "Undated second"),
    ([("Same day A", dt.date(2022, 1, 1), True), ("Same day B", dt.date(2022, 1, 1), True)],
     "Same day B"),
], ids=["none", "only former", "latest dated", "undated: newest", "same day: newest"])
def test_the_fetched_addresses_give_the_same_area_as_the_query(
        hub_agency: Agency, addresses: list[tuple[str, dt.date | None, bool]],
        expected: str) -> None:
    person = make_person(hub_agency)
    for name, lived_from, current in addresses:
        _address(person, name, lived_from, current=current)
    fresh = Person.objects.get(pk=person.pk)
    assert current_area(fresh) == expected
    fetched = _with_addresses(person)
    with CaptureQueriesContext(connection) as queries:
        assert current_area(fetched) == expected
    assert len(queries) == 0


def test_the_area_of_the_address_is_named_before_its_town(hub_agency: Agency) -> None:
    person = make_person(hub_agency)
    ward = Area.objects.create(code="E05000009", name="Northtown East", kind=AreaKind.WARD)
    _address(person, "Northtown", dt.date(2024, 1, 1), area=ward)
    assert current_area(Person.objects.get(pk=person.pk)) == "Northtown East"
    assert current_area(_with_addresses(person)) == "Northtown East"
