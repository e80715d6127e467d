"""One search box: tolerant of spelling and formatting, scoped, and audited with its
terms."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency, Team, User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.intelligence.models import Location, OnlineAccount, PhoneNumber, Premises, Vehicle
from macehub.intelligence.search import search_entities
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(analyst: User, hub_team: Team, hub_agency: Agency) -> dict[str, object]:
    report = make_report(hub_team, analyst)
    things: dict[str, object] = {
        "vehicle": Vehicle.objects.create(registration="AB12CDE", make="Ford"),
        "old_plate": Vehicle.objects.create(registration="B8OSTN"),
        "phone": PhoneNumber.objects.create(number="+447700900123"),
        "account": OnlineAccount.objects.create(platform="snapchat", handle="kebab.king99"),
        "location": Location.objects.create(description="Brackenford bus station",
                                            address="Station Road, Brackenford",
                                            postcode="XB3 4QT"),
        "premises": Premises.objects.create(name="Brackenford Takeaway", kind="takeaway",
                                            licence_reference="LIC/2024/0042"),
        "person": make_person(hub_agency, given_name="Mohammed", family_name="Khan"),
    }
    for thing in things.values():
        link(report, thing)
    return things


def kinds_found(user: User, text: str) -> dict[str, list[object]]:
    results = search_entities(user=user, text=text)
    return {kind: [hit.entity for hit in hits] for _label, kind, hits in results.sections()
            if hits}


@pytest.mark.parametrize(("typed", "kind", "name"), [
    ("ab12 cde", "vehicle", "vehicle"), ("AB-12-CDE", "vehicle", "vehicle"),
    ("AB12", "vehicle", "vehicle"), ("A812 CDE", "vehicle", "vehicle"),
    ("B80STN", "vehicle", "old_plate"),
    ("07700 900123", "phone", "phone"), ("+44 7700 900123", "phone", "phone"),
    ("7700900123", "phone", "phone"), ("900123", "phone", "phone"),
    ("@Kebab.King99", "account", "account"), ("kebab.kin", "account", "account"),
    ("xb34qt", "location", "location"), ("XB3 4QT", "location", "location"),
    ("brakenford bus", "location", "location"),
    ("Brackenford Takeway", "premises", "premises"), ("lic/2024/0042", "premises", "premises"),
    ("Muhammad Khan", "person", "person"), ("mohamed kahn", "person", "person"),
])
def test_search_is_tolerant_of_spelling_and_formatting(
    analyst: User, indexed: dict[str, object], typed: str, kind: str, name: str
) -> None:
    assert indexed[name] in kinds_found(analyst, typed).get(kind, [])


def test_exact_matches_come_first_with_their_reasons(analyst: User, indexed: dict[str, object]
                                                     ) -> None:
    results = search_entities(user=analyst, text="ab12cde")
    assert results.vehicles[0].entity == indexed["vehicle"]
    assert results.vehicles[0].reasons == ["registration matches"]
    assert results.vehicles[0].reports == 1


def test_every_search_is_audited_with_its_terms_and_results(
    analyst: User, indexed: dict[str, object]
) -> None:
    search_entities(user=analyst, text="07700 900123")
    event = AuditEvent.objects.get(event_type=EventType.SEARCH,
                                   record_type="intelligence.entity")
    assert event.detail["terms"] == {"q": "07700 900123"}
    assert event.detail["results"]["phone"] == [indexed["phone"].pk]  # type: ignore[attr-defined]


def test_nothing_matches_nonsense(analyst: User, indexed: dict[str, object]) -> None:
    assert kinds_found(analyst, "zzqxj") == {}
    assert search_entities(user=analyst, text="   ").total == 0


def _queries_for(user: User, text: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        found = len(search_entities(user=user, text=text).people)
    return found, len(queries)


def test_the_people_found_cost_the_same_queries_however_many(
    analyst: User, hub_agency: Agency
) -> None:
    search_entities(user=analyst, text="warm up")  # what the user's access costs, once
    for i in range(2):
        make_person(hub_agency, given_name=f"Ann{chr(97 + i)}", family_name="Oakley")
    few = _queries_for(analyst, "Oakley")
    for i in range(15):
        make_person(hub_agency, given_name=f"Bea{chr(97 + i)}", family_name="Thornbury")
    many = _queries_for(analyst, "Thornbury")
    assert (few[0], many[0]) == (2, 15)
    assert few[1] == many[1]
