"""A victim advocate's contact notes are confidential to the advocacy service: everyone
who sees the case sees that the contact happened (when, what kind, by whom, which
service), not who it was with nor what was said. The service's own advocates read them,
and information governance (for the child's subject access request); nobody else, on the
contacts page, in the chronology or anywhere a case shows its contacts."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import migrations as cases_migrations
from macehub.cases import services
from macehub.cases.codes import ContactKind
from macehub.cases.models import Case, Contact
from macehub.cases.selectors import contact_views
from macehub.cases.tests.conftest import ago, client_for
from macehub.people.chronology import chronology_for
from macehub.testing.factories import make_agency, make_team, make_user

pytestmark = pytest.mark.django_db

NOTES = "Told me about the older boys at the park and the phone they gave her"
WITH = "the child at the youth centre"
TRIAGE_NOTES = "Home visit with mum: the child was out again until 2am"


@pytest.fixture
def charity() -> Agency:
    return make_agency("lantern-project", AgencyKind.VOLUNTARY_SECTOR, name="Lantern Project")


@pytest.fixture
def charity_team(charity: Agency) -> Team:
    return make_team(charity, "Advocacy service", is_hub_team=False)


@pytest.fixture
def lantern_advocate(charity: Agency, charity_team: Team) -> User:
    return make_user("lan.advocate", Role.VICTIM_ADVOCATE, agency=charity, team=charity_team)


@pytest.fixture
def lantern_colleague(charity: Agency, charity_team: Team) -> User:
    """Another advocate of the same service (the child's advocate may change)."""
    return make_user("lan.colleague", Role.VICTIM_ADVOCATE, agency=charity, team=charity_team)


@pytest.fixture
def advocacy_case(case: Case, triage: User, lantern_advocate: User) -> Case:
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=lantern_advocate,
                             starts_on=timezone.localdate())
    services.record_contact(actor=lantern_advocate, case_pk=case.pk, occurred_at=ago(hours=3),
                            kind=ContactKind.MEETING, with_whom=WITH, summary=NOTES,
                            child_seen="yes", child_seen_alone="yes")
    services.record_contact(actor=triage, case_pk=case.pk, occurred_at=ago(hours=30),
                            kind=ContactKind.HOME_VISIT, with_whom="mother",
                            summary=TRIAGE_NOTES, child_seen="no")
    return case


def _page(user: User, name: str, case: Case) -> str:
    response = client_for(user).get(reverse(name, args=[case.pk]))
    assert response.status_code == 200, name
    return response.content.decode()


def test_recording_as_an_advocate_makes_the_notes_the_services(
    advocacy_case: Case, triage: User, charity: Agency
) -> None:
    advocates = Contact.objects.get(summary=NOTES)
    assert advocates.advocacy_service == charity and advocates.confidential_to_advocacy
    triages = Contact.objects.get(summary=TRIAGE_NOTES)
    assert triages.advocacy_service is None and not triages.confidential_to_advocacy
    event = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                      detail__contact=advocates.pk).get()
    assert event.detail["confidential_to_advocacy"] is True
    assert NOTES not in str(event.detail)


def test_a_triage_officer_sees_that_it_happened_not_its_notes(
    advocacy_case: Case, triage: User, lantern_advocate: User
) -> None:
    contacts = _page(triage, "cases:contacts", advocacy_case)
    assert NOTES not in contacts and WITH not in contacts
    assert "Confidential to the advocacy service (Lantern Project)" in contacts
    assert "Meeting" in contacts and lantern_advocate.display_name in contacts
    assert TRIAGE_NOTES in contacts  # everyone else's notes are the case's

    chronology = _page(triage, "cases:chronology", advocacy_case)
    assert NOTES not in chronology and WITH not in chronology
    assert "Meeting (advocacy service)" in chronology
    assert TRIAGE_NOTES in chronology
    entries = chronology_for(triage, advocacy_case.child)
    assert not [e for e in entries if NOTES in e.text or WITH in e.title]
    # The case overview (and anything drawn from the case) holds no trace either.
    assert NOTES not in _page(triage, "cases:detail", advocacy_case)


def test_other_hub_roles_and_other_advocates_do_not_read_them(
    advocacy_case: Case, advocate: User, analyst: User, supervisor: User
) -> None:
    """``advocate`` is a victim advocate of the hub's own agency: another service."""
    contact = Contact.objects.get(summary=NOTES)
    for user in (advocate, analyst, supervisor):
        assert not policy.can(user, Action.CASE_READ_ADVOCACY_NOTES, contact)
        [view] = contact_views(user, [contact])
        assert not view.notes_shown and view.summary == "" and view.with_whom == ""
        assert NOTES not in _page(user, "cases:contacts", advocacy_case)
        assert NOTES not in _page(user, "cases:chronology", advocacy_case)


def test_the_advocacy_service_reads_its_own_notes(
    advocacy_case: Case, triage: User, lantern_advocate: User, lantern_colleague: User
) -> None:
    contacts = _page(lantern_advocate, "cases:contacts", advocacy_case)
    assert NOTES in contacts and WITH in contacts
    assert "Confidential to the advocacy service" in contacts  # told who else may not
    assert NOTES in _page(lantern_advocate, "cases:chronology", advocacy_case)
    # A colleague in the same service takes over as the child's advocate and reads them.
    services.change_advocate(actor=triage, case_pk=advocacy_case.pk, advocate=lantern_colleague,
                             starts_on=timezone.localdate(), end_reason="Caseload")
    assert NOTES in _page(lantern_colleague, "cases:contacts", advocacy_case)


def test_information_governance_reads_them_for_subject_access(
    advocacy_case: Case, governance: User
) -> None:
    assert NOTES in _page(governance, "cases:contacts", advocacy_case)
    assert NOTES in _page(governance, "cases:chronology", advocacy_case)


def test_notes_stay_with_the_service_when_the_advocate_moves_on(
    advocacy_case: Case, lantern_advocate: User, partner_agency: Agency
) -> None:
    """The notes belong to the service that recorded them, not to the person."""
    contact = Contact.objects.get(summary=NOTES)
    lantern_advocate.agency = partner_agency
    lantern_advocate.team = make_team(partner_agency, "Advocacy", is_hub_team=False)
    lantern_advocate.save()
    assert not policy.can(lantern_advocate, Action.CASE_READ_ADVOCACY_NOTES, contact)


def test_the_migration_marks_contacts_already_recorded_by_advocates(
    case: Case, triage: User, lantern_advocate: User, charity: Agency
) -> None:
    Contact.objects.create(case=case, occurred_at=ago(days=2), kind=ContactKind.PHONE,
                           with_whom="the child", summary="Earlier call", recorded_by=triage)
    Contact.objects.create(case=case, occurred_at=ago(days=1), kind=ContactKind.PHONE,
                           with_whom="the child", summary=NOTES, recorded_by=lantern_advocate)
    assert not Contact.objects.filter(advocacy_service__isnull=False).exists()
    # Found by what it does, whatever number the migration carries.
    [migration] = [
        module for module in (importlib.import_module(f"macehub.cases.migrations.{info.name}")
                              for info in pkgutil.iter_modules(cases_migrations.__path__))
        if hasattr(module, "mark_advocates_contacts")
    ]
    migration.mark_advocates_contacts(django_apps, None)
    assert Contact.objects.get(summary=NOTES).advocacy_service == charity
    assert Contact.objects.get(summary="Earlier call").advocacy_service is None


def test_the_advocate_is_told_on_the_form_who_will_read_the_notes(
    case: Case, triage: User, lantern_advocate: User
) -> None:
    services.change_advocate(actor=triage, case_pk=case.pk, advocate=lantern_advocate,
                             starts_on=timezone.localdate())
    told = "confidential to the advocacy service (Lantern Project)"
    assert told in _page(lantern_advocate, "cases:add_contact", case)
    assert told not in _page(triage, "cases:add_contact", case)
