"""Recording disruptions: one target of a kind the tactic applies to, police powers by
police staff, the usual expiry, status moves and breaches, edit conflicts, every change
audited. All names are made up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team
from macehub.audit.models import AuditEvent
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.disruption import services
from macehub.disruption.models import Disruption, Tactic
from macehub.disruption.tactics import tactic_rows
from macehub.disruption.tests.factories import Hub, cawn, make_hub, tactic
from macehub.intelligence.tests.factories import link, make_report
from macehub.testing.factories import make_person, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(hub_agency: Agency, hub_team: Team) -> Hub:
    return make_hub(hub_agency, hub_team)


def test_the_tactics_file_is_loaded() -> None:
    assert Tactic.objects.count() == len(tactic_rows()) >= 15
    sro = tactic("sro")
    assert sro.expires and sro.usual_length_days == 730 and sro.police_only
    assert "s.122A" in sro.legal_basis
    assert tactic("taxi_licence").kinds == ["person", "vehicle"]


def test_a_cawn_on_a_suspect_is_recorded_and_audited(hub: Hub) -> None:
    disruption = cawn(hub)
    assert disruption.reference.startswith("DIS-")
    assert disruption.target == hub.suspect
    assert list(disruption.children.all()) == [hub.child]
    assert disruption.lead_officer == hub.investigator
    assert disruption.lead_agency == hub.agency
    assert AuditEvent.objects.filter(record_type="disruption.disruption",
                                     record_id=str(disruption.pk),
                                     event_type="create").exists()


def test_the_usual_length_sets_the_expiry(hub: Hub) -> None:
    started = timezone.localdate() - dt.timedelta(days=3)
    disruption = services.record_disruption(actor=hub.investigator, disruption=(
        services.NewDisruption(tactic_pk=tactic("sro").pk, target_kind="person",
                               target_pk=hub.suspect.pk, status="granted",
                               started_on=started)))
    assert disruption.expires_on == started + dt.timedelta(days=730)


def test_a_target_of_a_kind_the_tactic_does_not_apply_to_is_refused(hub: Hub) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
            tactic_pk=tactic("cawn").pk, target_kind="premises", target_pk=hub.premises.pk))
    assert "target_kind" in refused.value.message_dict


def test_a_police_power_is_recorded_only_by_police_staff(hub: Hub) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_disruption(actor=hub.licensing, disruption=services.NewDisruption(
            tactic_pk=tactic("hotel_notice").pk, target_kind="premises",
            target_pk=hub.premises.pk))
    assert "police power" in refused.value.message_dict["tactic"][0]


def test_a_target_the_user_may_not_know_is_refused(hub: Hub) -> None:
    other_team = make_team(hub.agency, "Covert unit", is_hub_team=False)
    hidden = make_report(other_team, hub.investigator, handling_code="C")
    from macehub.intelligence.models import Premises
    secret = Premises.objects.create(name="Secret Takeaway", kind="takeaway")
    link(hidden, secret)
    with pytest.raises(ValidationError) as refused:
        services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
            tactic_pk=tactic("closure_nuisance").pk, target_kind="premises",
            target_pk=secret.pk))
    assert "target" in refused.value.message_dict


def test_one_target_only_is_held_by_the_database(hub: Hub) -> None:
    disruption = cawn(hub)
    disruption.target_premises = hub.premises
    with pytest.raises(IntegrityError), transaction.atomic():
        disruption.save()


def test_a_breach_sets_breached_and_is_audited(hub: Hub) -> None:
    disruption = cawn(hub)
    services.record_breach(actor=hub.investigator, disruption_pk=disruption.pk,
                           expected_version=disruption.version,
                           occurred_on=timezone.localdate(), what_happened="Seen with Poppy",
                           action_taken="Arrested")
    disruption.refresh_from_db()
    assert disruption.status == "breached"
    assert disruption.breaches.count() == 1
    assert AuditEvent.objects.filter(record_id=str(disruption.pk),
                                     event_type="change").exists()


def test_a_planned_disruption_cannot_be_breached(hub: Hub) -> None:
    disruption = cawn(hub, status="planned")
    with pytest.raises(ServiceRefused):
        services.record_breach(actor=hub.investigator, disruption_pk=disruption.pk,
                               expected_version=disruption.version,
                               occurred_on=timezone.localdate(), what_happened="x",
                               action_taken="y")


def test_status_moves_on_and_an_old_version_is_an_edit_conflict(hub: Hub) -> None:
    disruption = cawn(hub, status="planned")
    services.change_status(actor=hub.supervisor, disruption_pk=disruption.pk,
                           expected_version=1, status="served",
                           on=timezone.localdate())
    disruption.refresh_from_db()
    assert disruption.status == "served" and disruption.started_on == timezone.localdate()
    assert disruption.expires_on is None  # a CAWN with no usual length given
    with pytest.raises(EditConflict):
        services.change_status(actor=hub.supervisor, disruption_pk=disruption.pk,
                               expected_version=1, status="ended", on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.change_status(actor=hub.supervisor, disruption_pk=disruption.pk,
                               expected_version=2, status="applied", on=timezone.localdate())


def test_who_sees_a_disruption(hub: Hub) -> None:
    disruption = cawn(hub)
    seen = {user.username for user in (hub.investigator, hub.supervisor, hub.analyst,
                                       hub.advocate, hub.licensing)
            if policy.can(user, Action.DISRUPTION_VIEW, disruption)}
    # Not the victim advocate; not the council, which neither leads it nor is the hub.
    assert seen == {"ivy.investigator", "sid.supervisor", "ana.analyst"}


def test_a_disruption_naming_a_restricted_child_is_hidden(hub: Hub) -> None:
    disruption = cawn(hub)
    hub.child.is_restricted = True
    hub.child.save()
    assert not policy.can(hub.analyst, Action.DISRUPTION_VIEW, disruption)
    with pytest.raises(Http404):
        services.change_status(actor=hub.supervisor, disruption_pk=disruption.pk,
                               expected_version=1, status="ended", on=timezone.localdate())


def test_the_council_sees_the_disruptions_it_leads(hub: Hub) -> None:
    shared = make_report(hub.team, hub.investigator, handling_code="C",
                         agencies=[hub.council], teams=[hub.team])
    link(shared, hub.vehicle)
    services.record_disruption(actor=hub.licensing, disruption=services.NewDisruption(
        tactic_pk=tactic("taxi_licence").pk, target_kind="vehicle", target_pk=hub.vehicle.pk,
        status="planned"))
    # The council sees the one it leads (the vehicle known through the report naming it),
    # not the hub's CAWN.
    cawn(hub)
    assert policy.scope(hub.licensing, Action.DISRUPTION_VIEW,
                        Disruption.objects.all()).count() == 1
    assert policy.scope(hub.analyst, Action.DISRUPTION_VIEW,
                        Disruption.objects.all()).count() == 2


def test_an_administrator_adds_a_tactic(hub_agency: Agency, hub_team: Team) -> None:
    from macehub.accounts.roles import Role
    from macehub.testing.factories import make_user
    admin = make_user("ada.admin", Role.ADMINISTRATOR, agency=hub_agency, team=hub_team)
    added = services.add_tactic(actor=admin, name="Parking enforcement", legal_basis="None",
                                target_kinds=["vehicle"], lead_agency_kind="local_authority",
                                expires=False, usual_length_days=None)
    assert added.code == "parking_enforcement" and added.kinds == ["vehicle"]
    with pytest.raises(ValidationError):
        services.add_tactic(actor=admin, name="parking enforcement", legal_basis="None",
                            target_kinds=["vehicle"], lead_agency_kind="local_authority",
                            expires=False, usual_length_days=None)


def test_children_the_user_may_not_see_are_refused(hub: Hub) -> None:
    other = make_person(hub.council, given_name="Hidden", is_restricted=True)
    with pytest.raises(ValidationError) as refused:
        services.record_disruption(actor=hub.investigator, disruption=services.NewDisruption(
            tactic_pk=tactic("cawn").pk, target_kind="person", target_pk=hub.suspect.pk,
            child_pks=[other.pk]))
    assert "children" in refused.value.message_dict


def test_a_disruption_on_a_code_c_entity_is_hidden_from_those_outside_it(hub: Hub) -> None:
    from macehub.accounts.roles import Role
    from macehub.intelligence.models import Premises
    from macehub.testing.factories import make_user

    covert = make_team(hub.agency, "Covert unit", is_hub_team=True)
    officer = make_user("cat.covert", Role.INVESTIGATOR, agency=hub.agency, team=covert)
    secret = Premises.objects.create(name="Secret Takeaway", kind="takeaway")
    link(make_report(covert, officer, handling_code="C", teams=[covert]), secret)
    disruption = services.record_disruption(actor=officer, disruption=services.NewDisruption(
        tactic_pk=tactic("closure_nuisance").pk, target_kind="premises", target_pk=secret.pk))
    assert policy.can(officer, Action.DISRUPTION_VIEW, disruption)
    assert not policy.can(hub.analyst, Action.DISRUPTION_VIEW, disruption)
    ig = make_user("iggy.governance", Role.INFORMATION_GOVERNANCE, agency=hub.agency,
                   team=hub.team)
    assert not policy.can(ig, Action.DISRUPTION_VIEW, disruption)
    assert policy.can(ig, Action.DISRUPTION_VIEW, cawn(hub))


def test_the_lead_officer_is_chosen_from_the_recording_agency(hub: Hub) -> None:
    def record(lead_officer_pk: int | None) -> Disruption:
        return services.record_disruption(actor=hub.investigator, disruption=(
            services.NewDisruption(tactic_pk=tactic("cawn").pk, target_kind="person",
                                   target_pk=hub.suspect.pk, child_pks=[hub.child.pk],
                                   lead_officer_pk=lead_officer_pk)))

    # Someone of another agency, or who does not record disruptions, is refused.
    for refused in (hub.licensing, hub.analyst, hub.advocate):
        with pytest.raises(ValidationError) as error:
            record(refused.pk)
        assert "Select a lead officer" in error.value.message_dict["lead_officer"][0]
    assert record(None).lead_officer == hub.investigator
    led = record(hub.supervisor.pk)
    assert (led.lead_officer, led.lead_agency, led.created_by) == (
        hub.supervisor, hub.agency, hub.investigator)
    assert set(services.lead_officers(hub.agency.pk)) >= {hub.investigator, hub.supervisor}
    assert hub.analyst not in services.lead_officers(hub.agency.pk)


def test_a_disruption_is_handed_to_another_lead_officer(hub: Hub) -> None:
    disruption = cawn(hub)
    with pytest.raises(ServiceRefused, match="Select a lead officer"):
        services.change_lead_officer(actor=hub.supervisor, disruption_pk=disruption.pk,
                                     expected_version=1, lead_officer_pk=hub.licensing.pk)
    services.change_lead_officer(actor=hub.supervisor, disruption_pk=disruption.pk,
                                 expected_version=1, lead_officer_pk=hub.supervisor.pk)
    disruption.refresh_from_db()
    assert disruption.lead_officer == hub.supervisor and disruption.version == 2
    event = AuditEvent.objects.filter(record_type="disruption.disruption",
                                      record_id=str(disruption.pk)).last()
    assert event is not None and event.detail["changes"]["lead_officer"] == {
        "old": hub.investigator.display_name, "new": hub.supervisor.display_name}
    with pytest.raises(EditConflict) as conflict:
        services.change_lead_officer(actor=hub.investigator, disruption_pk=disruption.pk,
                                     expected_version=1,
                                     lead_officer_pk=hub.investigator.pk)
    assert "Lead officer" in conflict.value.their_changes
    with pytest.raises(Http404):
        services.change_lead_officer(actor=hub.licensing, disruption_pk=disruption.pk,
                                     expected_version=2, lead_officer_pk=hub.licensing.pk)
