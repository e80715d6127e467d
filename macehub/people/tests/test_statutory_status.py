"""A child's statutory status (child in need, child protection plan, looked after with
placement type and placing authority, care leaver), first language and interpreter need:
checked, saved with concurrent edits detected, audited, and shown on the person page and
beside the risk tier on the child's case."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.core.versioning import EditConflict
from macehub.people import services
from macehub.people.codes import PlacementType, StatutoryStatus
from macehub.people.models import Person
from macehub.people.services import StatutoryStatusDetails
from macehub.testing.factories import make_person, make_team, make_user, signed_in_client

pytestmark = pytest.mark.django_db

LOOKED_AFTER = StatutoryStatusDetails(
    statuses=frozenset({StatutoryStatus.LOOKED_AFTER, StatutoryStatus.CHILD_PROTECTION_PLAN}),
    placement_type=PlacementType.CHILDRENS_HOME, placing_authority="Eastshire County Council",
    first_language="Polish", interpreter_needed=True,
)


@pytest.fixture
def triage(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)


@pytest.fixture
def child(hub_agency: Agency) -> Person:
    return make_person(hub_agency, given_name="Zofia", family_name="Nowak")


def save(actor: User, person: Person, details: StatutoryStatusDetails,
         version: int | None = None) -> Person:
    return services.update_statutory_status(
        actor=actor, person_pk=person.pk,
        expected_version=person.version if version is None else version, details=details)


def status_events(person: Person) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(
        event_type=EventType.CHANGE, record_type="people.person", record_id=str(person.pk),
    ).order_by("id"))


def test_a_looked_after_child_is_saved_with_placement_and_audited(
        child: Person, triage: User) -> None:
    saved = save(triage, child, LOOKED_AFTER)
    saved.refresh_from_db()
    assert saved.looked_after and saved.child_protection_plan and not saved.child_in_need
    assert saved.placement_text == "Children's home, placed by Eastshire County Council"
    assert saved.statutory_status_short == ["Child protection plan", "Looked after"]
    assert (saved.first_language, saved.interpreter_needed) == ("Polish", True)
    assert saved.version == 2 and saved.statutory_status_recorded_by == triage
    [event] = status_events(child)
    assert event.actor_username == triage.username
    assert event.detail["version"] == 2
    assert event.detail["changes"]["looked_after"] == {"old": False, "new": True}
    assert event.detail["changes"]["placement_type"] == {"old": "", "new": "childrens_home"}
    assert event.detail["changes"]["interpreter_needed"] == {"old": None, "new": True}


def test_none_recorded_is_not_the_same_as_never_recorded(child: Person, triage: User) -> None:
    assert child.statutory_status_text == "Not recorded"
    assert child.interpreter_text == "Not recorded"
    saved = save(triage, child, StatutoryStatusDetails(interpreter_needed=False))
    assert saved.statutory_status_text == "None" and saved.interpreter_text == "No"
    assert saved.statutory_status_recorded_at is not None
    assert len(status_events(child)) == 1


@pytest.mark.parametrize(("details", "field", "message"), [
    (StatutoryStatusDetails(statuses=frozenset({StatutoryStatus.LOOKED_AFTER}),
                            placing_authority="Eastshire County Council"),
     "placement_type", "Select the type of placement of the looked-after child"),
    (StatutoryStatusDetails(statuses=frozenset({StatutoryStatus.LOOKED_AFTER}),
                            placement_type=PlacementType.FOSTER_CARE, placing_authority=" "),
     "placing_authority", "Enter the local authority that placed the child"),
    (StatutoryStatusDetails(statuses=frozenset({StatutoryStatus.CHILD_IN_NEED}),
                            placement_type=PlacementType.FOSTER_CARE),
     "placement_type", "Only a looked-after child has a placement"),
    (StatutoryStatusDetails(placing_authority="Eastshire County Council"),
     "placing_authority", "Only a looked-after child has a placing authority"),
    (StatutoryStatusDetails(
        statuses=frozenset({StatutoryStatus.LOOKED_AFTER, StatutoryStatus.CARE_LEAVER}),
        placement_type=PlacementType.FOSTER_CARE, placing_authority="Eastshire County Council"),
     "statuses", "A care leaver has left care"),
    (StatutoryStatusDetails(statuses=frozenset({"adopted"})), "statuses",
     "Select statuses from the list"),
])
def test_placement_only_when_looked_after_and_other_rules(
        child: Person, triage: User, details: StatutoryStatusDetails, field: str,
        message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        save(triage, child, details)
    assert excinfo.value.message_dict[field][0].startswith(message)
    child.refresh_from_db()
    assert child.version == 1 and not status_events(child)


def test_the_database_refuses_a_placement_for_a_child_not_looked_after(child: Person) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=child.pk).update(placement_type=PlacementType.FOSTER_CARE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=child.pk).update(looked_after=True)  # with no placement


def test_leaving_care_clears_the_placement(child: Person, triage: User) -> None:
    saved = save(triage, child, LOOKED_AFTER)
    left = save(triage, saved, StatutoryStatusDetails(
        statuses=frozenset({StatutoryStatus.CARE_LEAVER}), first_language="Polish",
        interpreter_needed=True))
    left.refresh_from_db()
    assert (left.looked_after, left.care_leaver) == (False, True)
    assert (left.placement_type, left.placing_authority) == ("", "")


def test_a_concurrent_edit_is_detected_not_overwritten(
        child: Person, triage: User, hub_user_factory: Any) -> None:
    other = hub_user_factory("other.one", Role.SUPERVISOR)
    save(other, child, StatutoryStatusDetails(statuses=frozenset(
        {StatutoryStatus.CHILD_IN_NEED})))
    with pytest.raises(EditConflict) as excinfo:
        save(triage, child, LOOKED_AFTER, version=1)
    assert excinfo.value.their_changes["Child in need"]["by"] == "other.one"
    child.refresh_from_db()
    assert child.child_in_need and not child.looked_after and child.version == 2


def test_who_may_change_the_status(child: Person, hub_user_factory: Any,
                                   outsider_agency: Agency) -> None:
    advocate = hub_user_factory("advo.cate", Role.VICTIM_ADVOCATE)
    with pytest.raises(PermissionDenied):
        save(advocate, child, LOOKED_AFTER)
    team = make_team(outsider_agency, "Clinic", is_hub_team=False)
    outsider = make_user("out.sider", Role.TRIAGE, agency=outsider_agency, team=team)
    with pytest.raises(Http404):
        save(outsider, child, LOOKED_AFTER)


# --- Pages ----------------------------------------------------------------------------


def test_the_form_shows_errors_keeps_what_was_typed_and_is_audited_on_read(
        child: Person, triage: User) -> None:
    client = signed_in_client(triage)
    url = f"/people/{child.pk}/statutory-status/"
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(child.pk),
                                     record_type="people.person").exists()
    data = {"version": "1", "statuses": ["looked_after"], "placement_type": "",
            "placing_authority": "Westshire Council", "first_language": "Polish",
            "interpreter_needed": "yes"}
    html = client.post(url, data).content.decode()
    assert "govuk-error-summary" in html
    assert "Select the type of placement of the looked-after child" in html
    assert 'value="Westshire Council"' in html and 'value="Polish"' in html
    data["placement_type"] = "foster_care"
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/people/{child.pk}/"
    page = client.get(f"/people/{child.pk}/").content.decode()
    assert "Foster care, placed by Westshire Council" in page
    assert "Change statutory status" in page


def test_a_conflicting_edit_shows_what_the_other_person_changed(
        child: Person, triage: User, hub_user_factory: Any) -> None:
    save(hub_user_factory("other.one", Role.SUPERVISOR), child,
         StatutoryStatusDetails(statuses=frozenset({StatutoryStatus.CHILD_IN_NEED})))
    client = signed_in_client(triage)
    html = client.post(f"/people/{child.pk}/statutory-status/", {
        "version": "1", "statuses": ["care_leaver"], "first_language": "Urdu",
    }).content.decode()
    assert "Someone else changed this record" in html and 'id="their-changes"' in html
    assert "Child in need" in html and 'value="Urdu"' in html
    assert 'name="version" value="2"' in html


def test_the_status_is_shown_beside_the_tier_on_the_case(
        child: Person, triage: User, hub_agency: Agency) -> None:
    save(triage, child, LOOKED_AFTER)
    case = open_case(actor=triage, child=child, risk_tier=RiskTier.HIGH, lead_agency=hub_agency,
                     reason="Test")
    html = signed_in_client(triage).get(f"/cases/{case.pk}/").content.decode()
    header = html[html.index("data-child-identity"):html.index("Case sections")]
    assert "High" in header
    assert "Looked after" in header and "Child protection plan" in header
    assert "Interpreter needed" in header
    assert "Children&#x27;s home, placed by Eastshire County Council" in html


def test_a_details_edit_after_a_status_change_names_the_status_in_words(
        child: Person, triage: User, hub_user_factory: Any) -> None:
    save(hub_user_factory("other.one", Role.SUPERVISOR), child, LOOKED_AFTER)
    html = signed_in_client(triage).post(f"/people/{child.pk}/change/", {
        "version": "1", "given_name": "Zofia", "family_name": "Nowak-Smith",
    }).content.decode()
    assert "Someone else changed this record" in html
    start = html.index('id="their-changes"')
    their_changes = html[start:html.index("</dl>", start)]
    assert "Looked after" in their_changes and "Children&#x27;s home" in their_changes
    assert "True" not in their_changes
    child.refresh_from_db()
    assert child.family_name == "Nowak"
