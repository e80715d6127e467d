"""People pages: search, record, view, change (with concurrent edits), access history."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.models import Person
from macehub.testing.factories import make_person, make_team, make_user, verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def triage(hub_user_factory, signed_in):
    user = hub_user_factory("tri.age", Role.TRIAGE)
    return user, signed_in(user)


NEW_PERSON = {
    "given_name": "Isla",
    "family_name": "Marsh",
    "date_of_birth_day": "9",
    "date_of_birth_month": "2",
    "date_of_birth_year": "2012",
    "sex": "female",
    "self_defined_ethnicity": "W1",
    "nationality": "GB",
    "identifier_kind": "nhs",
    "identifier_value": "943 476 5919",
    "address_line_1": "1 Example Row",
    "address_town": "Northtown",
    "address_postcode": "zz1 1aa",
}


def test_recording_a_person_saves_everything_and_audits_it(triage) -> None:
    user, client = triage
    response = client.post(reverse("people:create"), NEW_PERSON)
    person = Person.objects.get(family_name="Marsh")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.owning_agency == user.agency
    assert person.identifiers.get().value == "9434765919"
    assert person.addresses.get().postcode == "ZZ1 1AA"
    event = AuditEvent.objects.get(event_type=EventType.CREATE, record_type="people.person")
    assert event.record_id == str(person.pk)
    assert event.detail["changes"]["family_name"] == {"old": None, "new": "Marsh"}


def test_bad_input_shows_errors_keeps_what_was_typed_and_saves_nothing(triage) -> None:
    _, client = triage
    bad = {**NEW_PERSON, "identifier_value": "943 476 5918", "address_postcode": "nowhere",
           "date_of_birth_month": "13"}
    response = client.post(reverse("people:create"), bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "check digit is wrong" in html
    assert "Enter a real UK postcode" in html
    assert 'value="Isla"' in html and 'value="943 476 5918"' in html
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CREATE).exists()


def test_date_of_birth_in_the_future_is_refused(triage) -> None:
    _, client = triage
    response = client.post(reverse("people:create"), {**NEW_PERSON, "date_of_birth_year": "2999"})
    assert response.status_code == 200
    assert not Person.objects.exists()


def test_viewing_a_person_is_audited(triage, hub_agency) -> None:
    user, client = triage
    person = make_person(hub_agency, given_name="Noah", family_name="Reed")
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    assert "Noah Reed" in response.content.decode()
    event = AuditEvent.objects.get(event_type=EventType.VIEW)
    assert (event.actor_username, event.record_id) == (user.username, str(person.pk))


def test_a_record_the_user_may_not_know_exists_is_not_found(hub_agency, partner_agency) -> None:
    team = make_team(partner_agency, "District team", is_hub_team=False)
    worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=team)
    hidden = make_person(hub_agency)
    client = Client()
    verified_login(client, worker)
    for name in ("people:detail", "people:edit"):
        assert client.get(reverse(name, args=[hidden.pk])).status_code == 404
    assert not AuditEvent.objects.filter(event_type=EventType.VIEW).exists()


def test_search_page_lists_matches_and_audits(triage, hub_agency) -> None:
    _, client = triage
    make_person(hub_agency, given_name="Freya", family_name="Holmes")
    response = client.get(reverse("people:search"), {"q": "Freya Homes"})
    assert "Freya Holmes" in response.content.decode()
    assert AuditEvent.objects.filter(event_type=EventType.SEARCH).count() == 1


def test_empty_search_asks_for_something_to_search_for(triage) -> None:
    _, client = triage
    response = client.get(reverse("people:search"), {"q": " ", "identifier": ""})
    assert "Enter a name, a date of birth or an identifier" in response.content.decode()


def _edit_data(person: Person, **changes: str) -> dict[str, str]:
    data = {
        "version": str(person.version),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth_day": str(person.date_of_birth.day) if person.date_of_birth else "",
        "date_of_birth_month": str(person.date_of_birth.month) if person.date_of_birth else "",
        "date_of_birth_year": str(person.date_of_birth.year) if person.date_of_birth else "",
        "sex": person.sex,
    }
    data.update(changes)
    return data


def test_concurrent_edits_are_detected_not_overwritten(hub_agency, hub_user_factory) -> None:
    person = make_person(hub_agency, given_name="Ella", family_name="Stone")
    first, second = Client(), Client()
    verified_login(first, hub_user_factory("first.worker", Role.TRIAGE))
    verified_login(second, hub_user_factory("second.worker", Role.ANALYST))
    stale = _edit_data(person)  # both opened the form at version 1
    url = reverse("people:edit", args=[person.pk])
    assert first.post(url, {**stale, "family_name": "Stone-Hill"}).status_code == 302
    response = second.post(url, {**stale, "given_name": "Ellie"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record" in html
    assert "Stone-Hill" in html  # what the other person changed is shown
    assert 'value="Ellie"' in html  # what this user typed is kept
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.version) == ("Ella", "Stone-Hill", 2)
    # Saving again, now from the version they have seen, succeeds.
    retry = {**stale, "given_name": "Ellie", "family_name": "Stone-Hill", "version": "2"}
    assert second.post(url, retry).status_code == 302
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.version) == ("Ellie", "Stone-Hill", 3)
    change = AuditEvent.objects.filter(event_type=EventType.CHANGE).last()
    assert change is not None
    assert change.detail["changes"] == {"given_name": {"old": "Ella", "new": "Ellie"}}


def test_governance_sees_who_viewed_and_changed_a_person(hub_agency, hub_user_factory) -> None:
    person = make_person(hub_agency, given_name="Theo", family_name="Lane")
    viewer = Client()
    verified_login(viewer, hub_user_factory("inv.one", Role.INVESTIGATOR))
    viewer.get(reverse("people:detail", args=[person.pk]))
    governance = Client()
    verified_login(governance, hub_user_factory("ig.one", Role.INFORMATION_GOVERNANCE))
    response = governance.get(reverse("people:access_log", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "inv.one" in html
    assert "Viewed" in html


def test_officer_defined_ethnicity_is_called_so_on_the_form_and_the_page(
    triage, hub_agency
) -> None:
    """The Home Office's term for a police IC code: never "officer-observed"."""
    _, client = triage
    person = make_person(hub_agency, given_name="Noah", family_name="Reed",
                         officer_defined_ethnicity="IC1")
    for name in ("people:detail", "people:edit"):
        page = client.get(reverse(name, args=[person.pk])).content.decode()
        assert "Officer-defined ethnicity" in page
        assert "bserved" not in page
