"""Person search: tolerant of spelling, scoped by access, every search audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.models import PersonAlias, PersonIdentifier
from macehub.people.selectors import search_people
from macehub.testing.factories import make_person, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(hub_agency: Agency, hub_team: Team):
    return make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)


def _names(matches: list) -> list[str]:
    return [m.person.full_name for m in matches]


@pytest.mark.parametrize("typed", ["Mohammed Khan", "Muhammad Khan", "mohamed khan", "Mohammad"])
def test_spelling_variants_of_a_name_are_found(analyst, hub_agency, typed) -> None:
    make_person(hub_agency, given_name="Mohammed", family_name="Khan")
    make_person(hub_agency, given_name="Olivia", family_name="Brown")
    assert _names(search_people(user=analyst, text=typed)) == ["Mohammed Khan"]


def test_alias_is_found(analyst, hub_agency) -> None:
    person = make_person(hub_agency, given_name="Kayleigh", family_name="Turner")
    PersonAlias.objects.create(person=person, given_name="Kay", family_name="Smyth")
    matches = search_people(user=analyst, text="Smith")
    assert [m.person.pk for m in matches] == [person.pk]


def test_date_of_birth_with_day_and_month_swapped_is_found(analyst, hub_agency) -> None:
    exact = make_person(hub_agency, given_name="Amy", family_name="Cole",
                        date_of_birth=dt.date(2010, 4, 7))
    swapped = make_person(hub_agency, given_name="Amy", family_name="Cole",
                          date_of_birth=dt.date(2010, 7, 4))
    make_person(hub_agency, given_name="Amy", family_name="Cole",
                date_of_birth=dt.date(2011, 4, 7))
    matches = search_people(user=analyst, text="Amy Cole", date_of_birth=dt.date(2010, 4, 7))
    assert [m.person.pk for m in matches] == [exact.pk, swapped.pk]
    assert "swapped" in matches[1].reasons[-1]


def test_identifier_is_found_however_it_is_typed(analyst, hub_agency) -> None:
    person = make_person(hub_agency)
    PersonIdentifier.objects.create(person=person, kind="nhs", value="9434765919")
    matches = search_people(user=analyst, identifier="943 476 5919")
    assert [m.person.pk for m in matches] == [person.pk]
    assert matches[0].reasons == ["identifier matches"]


def test_search_only_returns_people_the_user_may_see(hub_agency, partner_agency) -> None:
    partner_team = make_team(partner_agency, "District team", is_hub_team=False)
    worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=partner_team)
    own = make_person(partner_agency, given_name="Leah", family_name="Price")
    make_person(hub_agency, given_name="Leah", family_name="Price")
    assert [m.person.pk for m in search_people(user=worker, text="Leah Price")] == [own.pk]


def test_every_search_is_audited_with_terms_and_results(analyst, hub_agency) -> None:
    person = make_person(hub_agency, given_name="Ruby", family_name="Hall")
    search_people(user=analyst, text="Ruby Hall")
    event = AuditEvent.objects.get(event_type=EventType.SEARCH)
    assert event.actor_username == "ana.lyst"
    assert event.detail["terms"]["name"] == "Ruby Hall"
    assert event.detail["results"] == [person.pk]


def test_roles_without_search_are_refused(hub_agency, hub_team) -> None:
    scrutiny = make_user("pcc", Role.SCRUTINY, agency=hub_agency, team=hub_team)
    with pytest.raises(PermissionDenied):
        search_people(user=scrutiny, text="anyone")


def test_unrelated_names_are_not_returned(analyst, hub_agency) -> None:
    make_person(hub_agency, given_name="Grace", family_name="Wilson")
    assert search_people(user=analyst, text="Zbigniew Kowalczyk") == []
