"""The entity search index: in step with every write to a link or an entity, the same as
a fresh build (and as the migration's build), never showing an entity through a report
the user may not see, and one search costs the same number of queries however many
entities it finds."""

from __future__ import annotations

import datetime as dt
import importlib
import io
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.accounts.models import Agency, Team, User
from macehub.intelligence.models import (
    EntitySearchEntry,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Vehicle,
)
from macehub.intelligence.search import search_entities
from macehub.intelligence.search_index import rebuild_entity_index
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.search_index import SEARCH_INDEXES
from macehub.testing.clock import on_demo_day
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

Row = tuple[int, int, str, int, str, str, str, str, str]


def _index() -> set[Row]:
    return set(EntitySearchEntry.objects.values_list(
        "link_id", "report_id", "kind", "entity_id", "text", "plate", "words", "keys", "label"))


def _same_as_rebuilt() -> set[Row]:
    held = _index()
    rebuild_entity_index(batch_size=2)
    assert held == _index(), "the index kept by the writes differs from a fresh build"
    return held


@pytest.fixture
def linked(analyst: User, hub_team: Team, hub_agency: Agency) -> dict[str, Any]:
    report = make_report(hub_team, analyst)
    things: dict[str, Any] = {
        "vehicle": Vehicle.objects.create(registration="AB12CDE"),
        "phone": PhoneNumber.objects.create(number="+447700900123"),
        "account": OnlineAccount.objects.create(platform="snapchat", handle="kebab.king99"),
        "location": Location.objects.create(description="Brackenford bus station",
                                            address="Station Road", postcode="XB3 4QT"),
        "premises": Premises.objects.create(name="Brackenford Takeaway", kind="takeaway",
                                            licence_reference="LIC/2024/0042"),
        "person": make_person(hub_agency, given_name="Mohammed", family_name="Khan"),
    }
    for thing in things.values():
        link(report, thing)
    things["report"] = report
    return things


def test_every_link_but_a_persons_is_indexed_as_written(linked: dict[str, Any]) -> None:
    rows = _same_as_rebuilt()
    assert {row[2] for row in rows} == {"vehicle", "phone", "account", "location", "premises"}
    entry = EntitySearchEntry.objects.get(kind="vehicle")
    assert (entry.text, entry.plate, entry.label) == ("AB12CDE", "A812CDE", "AB12 CDE")
    assert " B12CDE " in entry.keys
    location = EntitySearchEntry.objects.get(kind="location")
    assert (location.text, location.words) == ("XB34QT", " brackenford bus station road ")
    account = EntitySearchEntry.objects.get(kind="account")
    assert (account.text, account.words) == ("kebab.king99", " kebabking ")


def test_an_entity_changed_is_found_by_its_new_name_only(
    analyst: User, linked: dict[str, Any]
) -> None:
    premises = linked["premises"]
    premises.name = "Norbridge Fish Bar"
    premises.save()
    _same_as_rebuilt()
    assert premises in [hit.entity for hit in search_entities(user=analyst,
                                                               text="Norbridge").premises]
    assert search_entities(user=analyst, text="Takeaway").premises == []


def test_a_second_link_counts_a_second_report_and_a_removed_one_goes(
    analyst: User, hub_team: Team, linked: dict[str, Any]
) -> None:
    second = link(make_report(hub_team, analyst), linked["vehicle"])
    _same_as_rebuilt()
    assert search_entities(user=analyst, text="AB12CDE").vehicles[0].reports == 2
    second.delete()
    _same_as_rebuilt()
    assert search_entities(user=analyst, text="AB12CDE").vehicles[0].reports == 1
    linked["report"].links.all().delete()
    assert not EntitySearchEntry.objects.exists()
    assert search_entities(user=analyst, text="AB12CDE").vehicles == []


def test_a_link_moved_to_another_entity_moves_its_entry(linked: dict[str, Any]) -> None:
    moved = ReportLink.objects.get(vehicle=linked["vehicle"])
    moved.vehicle = Vehicle.objects.create(registration="XY99ZZZ")
    moved.save()
    assert EntitySearchEntry.objects.get(link=moved).text == "XY99ZZZ"
    _same_as_rebuilt()


def test_the_migration_builds_the_same_index(linked: dict[str, Any]) -> None:
    held = _index()
    EntitySearchEntry.objects.all().delete()
    migration = importlib.import_module(
        "macehub.intelligence.migrations.0005_entity_search_entries")
    migration.build_entity_entries(django_apps, None)
    assert {row[1:] for row in _index()} == {row[1:] for row in held}


def test_rebuild_search_index_builds_every_index(linked: dict[str, Any]) -> None:
    assert {"name forms", "entity search entries"} <= set(SEARCH_INDEXES.keys())
    EntitySearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert EntitySearchEntry.objects.count() == 5


def test_a_report_the_user_may_not_see_shows_nothing_and_counts_nothing(
    analyst: User, hub_team: Team, named_member: User, named_team: Team,
    linked: dict[str, Any],
) -> None:
    kept = make_report(hub_team, analyst, handling_code="C", teams=[named_team])
    hidden = Vehicle.objects.create(registration="XB01SEC")
    link(kept, hidden)
    link(kept, linked["vehicle"])
    assert search_entities(user=analyst, text="XB01SEC").vehicles[0].reports == 1
    # The named team sees the C report (and so the vehicle), not the hub's P report...
    found = search_entities(user=named_member, text="AB12CDE").vehicles
    assert [(hit.entity, hit.reports) for hit in found] == [(linked["vehicle"], 1)]


def _queries_for(user: User, text: str) -> tuple[int, int, int]:
    """Entities found, queries in all, and queries reading the index."""
    with CaptureQueriesContext(connection) as queries:
        found = search_entities(user=user, text=text)
    index_queries = [q for q in queries.captured_queries
                     if "intelligence_entitysearchentry" in q["sql"]]
    return found.total, len(queries.captured_queries), len(index_queries)


def test_the_entities_found_cost_the_same_queries_however_many(
    analyst: User, hub_team: Team
) -> None:
    report = make_report(hub_team, analyst)
    search_entities(user=analyst, text="warm up")  # what the user's access costs, once
    for n in range(2):
        link(report, Location.objects.create(description=f"Oakley car park {n}"))
        link(report, Premises.objects.create(name=f"Oakley shop {n}", kind="takeaway"))
    few = _queries_for(analyst, "Oakley")
    for n in range(15):
        link(report, Location.objects.create(description=f"Thornbury car park {n}"))
        link(report, Premises.objects.create(name=f"Thornbury shop {n}", kind="takeaway"))
    many = _queries_for(analyst, "Thornbury")
    assert (few[0], many[0]) == (4, 30)
    assert few[1] == many[1]
    # The ranked page of every kind is one query on the index.
    assert (few[2], many[2]) == (1, 1)


def test_more_than_a_page_keeps_the_best_of_each_kind(analyst: User, hub_team: Team
                                                      ) -> None:
    report = make_report(hub_team, analyst)
    for n in range(25):
        link(report, Location.objects.create(description=f"Brackenfort yard {n:02d}"))
    best = Location.objects.create(description="Brackenford")
    link(report, best)
    found = search_entities(user=analyst, text="Brackenford").locations
    assert len(found) == 20
    assert found[0].entity == best and found[0].reasons == ["name matches"]
    # Ties in the order of their names.
    assert [hit.entity.description for hit in found[1:]] == sorted(
        hit.entity.description for hit in found[1:])


def test_a_user_who_may_see_no_report_finds_no_entity(
    outsider: User, linked: dict[str, Any]
) -> None:
    found = search_entities(user=outsider, text="AB12CDE")
    assert found.vehicles == [] and found.total == 0


def test_the_demo_data_ends_with_every_link_indexed(settings: Any) -> None:
    """The demo writes links in bulk (no signals); its last step builds the index."""
    settings.DEMO_MODE = True
    with on_demo_day(dt.date(2026, 6, 1)):
        call_command("demo_data", "--scale=small", "--seed=4", "--as-of=2026-06-01",
                     stdout=io.StringIO())
    links = ReportLink.objects.filter(person__isnull=True)
    assert links.exists()
    assert set(EntitySearchEntry.objects.values_list("link_id", flat=True)) == set(
        links.values_list("pk", flat=True))
    _same_as_rebuilt()
