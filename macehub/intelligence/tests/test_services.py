"""Submitting, recording, reviewing, linking and sharing intelligence: what is saved, what
is refused (and then nothing is saved), and what the audit log says."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.governance.tests.factories import make_agreement
from macehub.intelligence import selectors, services
from macehub.intelligence.models import (
    Dissemination,
    IntelligenceReport,
    Location,
    OnlineAccount,
    PhoneNumber,
    Premises,
    ReportLink,
    Submission,
    Vehicle,
)
from macehub.intelligence.services import (
    Grading,
    LinkRequest,
    NewAccount,
    NewLocation,
    NewPhone,
    NewPremises,
    NewReport,
    NewVehicle,
    Review,
    SubmittedInformation,
)
from macehub.intelligence.tests.factories import make_report
from macehub.people.models import Person
from macehub.people.services import PersonDetails
from macehub.testing.factories import make_person, make_team, make_user

pytestmark = pytest.mark.django_db

# Why a share no agreement covers went ahead.
URGENT = "To safeguard a child at immediate risk"

P = Grading(source_evaluation="2", intelligence_assessment="B", handling_code="P")


def c_grading(**overrides: object) -> Grading:
    values: dict[str, object] = {
        "source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "C",
        "handling_conditions": "Exploitation team only", "permitted_team_ids": (),
        "permitted_agency_ids": (), "priority": "high",
    }
    values.update(overrides)
    return Grading(**values)  # type: ignore[arg-type]


def review(**overrides: object) -> Review:
    values: dict[str, object] = {"grading": P, "sanitised_text": "A grey van is seen.",
                                 "action": "develop", "note": "Analyst to develop"}
    values.update(overrides)
    return Review(**values)  # type: ignore[arg-type]


@pytest.fixture
def referrer(partner_agency: Agency) -> User:
    team = make_team(partner_agency, "School Safeguarding", is_hub_team=False)
    return make_user("school.dsl", Role.REFERRER, agency=partner_agency, team=team)


# --- Submissions --------------------------------------------------------------------------


def test_any_partner_can_submit_and_the_hub_team_receives_it(
    referrer: User, analyst: User, hub_team: Team
) -> None:
    submission = services.submit_information(actor=referrer, info=SubmittedInformation(
        what="Older men in a grey van outside the school", how_known="I saw it",
        where="Mill Street", who="Two men, one called Dean"))
    report = submission.report
    assert report is not None
    assert submission.reference.startswith("SUB-") and report.reference.startswith("INT-")
    assert report.owning_team == hub_team
    assert report.handling_code == "C"
    assert list(report.permitted_teams.all()) == [hub_team]
    assert "Older men in a grey van" in report.source_text
    assert "Submitted by" in report.source_text
    # The receiving team's researcher has it in the queue; the submitter sees only their
    # own submission, not the report.
    assert list(selectors.review_queue(analyst)) == [report]
    assert list(selectors.own_submissions(referrer)) == [submission]
    assert not selectors.reports_for(referrer).exists()
    events = AuditEvent.objects.filter(event_type=EventType.CREATE)
    assert {e.record_type for e in events} == {"intelligence.submission",
                                               "intelligence.intelligencereport"}


def test_a_submission_needs_what_and_how_and_saves_nothing_otherwise(referrer: User) -> None:
    with pytest.raises(ServiceRefused) as refused:
        services.submit_information(actor=referrer, info=SubmittedInformation(
            what="  ", how_known="I saw it"))
    assert refused.value.field == "what"
    assert not Submission.objects.exists() and not IntelligenceReport.objects.exists()


def test_scrutiny_cannot_submit(hub_agency: Agency) -> None:
    scrutineer = make_user("pcc.scrutiny", Role.SCRUTINY, agency=hub_agency)
    with pytest.raises(PermissionDenied):
        services.submit_information(actor=scrutineer, info=SubmittedInformation(
            what="x", how_known="y"))


def test_the_receiving_team_is_the_hub_team_with_a_researcher(
    hub_agency: Agency, partner_agency: Agency
) -> None:
    first = make_team(partner_agency, "Hub (social care)", is_hub_team=True)
    second = make_team(hub_agency, "Hub (police)", is_hub_team=True)
    make_user("res.earcher", Role.ANALYST, agency=hub_agency, team=second)
    assert first.pk < second.pk
    assert services.receiving_team() == second


# --- Recording ----------------------------------------------------------------------------


def test_a_graded_report_belongs_to_the_recorders_team(
    investigator: User, hub_team: Team, named_team: Team
) -> None:
    report = services.record_report(actor=investigator, report=NewReport(
        source_text="Source says...", grading=c_grading(permitted_team_ids=(named_team.pk,)),
        occurred_on=dt.date(2026, 1, 3)))
    assert report.owning_team == hub_team
    assert report.grading == "1AC"
    assert report.status == "awaiting_review"
    assert list(report.permitted_teams.all()) == [named_team]
    event = AuditEvent.objects.get(event_type=EventType.CREATE, record_id=str(report.pk))
    assert "Source says" not in json.dumps(event.detail)


@pytest.mark.parametrize(("grading", "field", "message"), [
    (c_grading(source_evaluation="7"), "source_evaluation",
     "'7' is not a source evaluation code"),
    (c_grading(intelligence_assessment="F"), "intelligence_assessment",
     "'F' is not a intelligence assessment code"),
    (c_grading(handling_code="X"), "handling_code", "'X' is not a handling code code"),
    (c_grading(handling_conditions=" "), "handling_conditions",
     "Enter the conditions of handling code C"),
    (c_grading(), "permitted_teams", "Name at least one team or agency"),
    (c_grading(permitted_team_ids=(99999,)), "permitted_teams", "Choose teams from the list"),
    (c_grading(permitted_agency_ids=(99999,)), "permitted_agencies",
     "Choose agencies from the list"),
    (c_grading(priority="urgent"), "priority", "Select the priority"),
])
def test_bad_grading_is_refused_and_nothing_is_saved(
    investigator: User, grading: Grading, field: str, message: str
) -> None:
    with pytest.raises(ServiceRefused) as refused:
        services.record_report(actor=investigator,
                               report=NewReport(source_text="Text", grading=grading))
    assert refused.value.field == field
    assert message in refused.value.message
    assert not IntelligenceReport.objects.exists()
    assert not AuditEvent.objects.filter(event_type=EventType.CREATE).exists()


def test_handling_code_p_has_no_conditions(investigator: User, named_team: Team) -> None:
    report = services.record_report(actor=investigator, report=NewReport(
        source_text="Text", grading=Grading(
            source_evaluation="2", intelligence_assessment="C", handling_code="P",
            handling_conditions="ignored", permitted_team_ids=(named_team.pk,))))
    assert report.handling_conditions == ""
    assert not report.permitted_teams.exists()


def test_only_recorders_record(hub_agency: Agency, hub_team: Team) -> None:
    triage = make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)
    with pytest.raises(PermissionDenied):
        services.record_report(actor=triage, report=NewReport(source_text="x", grading=P))


# --- Review -------------------------------------------------------------------------------


def test_review_grades_sanitises_and_measures_time_to_review(
    analyst: User, investigator: User, hub_team: Team, named_agency: Agency
) -> None:
    received = timezone.now() - dt.timedelta(hours=30)
    report = make_report(hub_team, investigator, handling_code="C", reviewed=False,
                         received_at=received, agencies=[named_agency])
    reviewed = services.review_report(
        actor=analyst, report_pk=report.pk, expected_version=1,
        review=review(grading=c_grading(permitted_agency_ids=(named_agency.pk,))))
    assert reviewed.status == "reviewed"
    assert reviewed.version == 2
    assert reviewed.reviewed_by == analyst
    assert reviewed.time_to_review is not None
    assert dt.timedelta(hours=29) < reviewed.time_to_review < dt.timedelta(hours=31)
    event = AuditEvent.objects.get(event_type=EventType.CHANGE, record_id=str(report.pk))
    assert event.detail["first_review"] is True
    assert 29 < event.detail["hours_to_review"] < 31
    assert event.detail["changes"]["sanitised_text"]["new"] == "<19 characters>"
    assert "grey van" not in json.dumps(event.detail)
    # A later change keeps the first review's time.
    first_reviewed_at = reviewed.reviewed_at
    again = services.review_report(actor=analyst, report_pk=report.pk, expected_version=2,
                                   review=review(action="nfa", note=""))
    assert again.reviewed_at == first_reviewed_at
    assert again.handling_code == "P"


def test_a_stale_review_is_refused(analyst: User, supervisor: User, investigator: User,
                                   hub_team: Team) -> None:
    report = make_report(hub_team, investigator, reviewed=False)
    services.review_report(actor=supervisor, report_pk=report.pk, expected_version=1,
                           review=review())
    with pytest.raises(EditConflict):
        services.review_report(actor=analyst, report_pk=report.pk, expected_version=1,
                               review=review(sanitised_text="Something else"))
    report.refresh_from_db()
    assert report.sanitised_text == "A grey van is seen."


def test_only_the_owning_team_reviews(analyst: User, hub_team: Team) -> None:
    other_team = make_team(hub_team.agency, "Another hub team", is_hub_team=True)
    other = make_user("other.analyst", Role.ANALYST, agency=hub_team.agency, team=other_team)
    report = make_report(hub_team, analyst, handling_code="P", reviewed=False)
    with pytest.raises(PermissionDenied):
        services.review_report(actor=other, report_pk=report.pk, expected_version=1,
                               review=review())
    hidden = make_report(hub_team, analyst, handling_code="C", reviewed=False)
    with pytest.raises(Http404):
        services.review_report(actor=other, report_pk=hidden.pk, expected_version=1,
                               review=review())


def test_sanitised_text_may_not_name_the_submitter(analyst: User, referrer: User) -> None:
    submission = services.submit_information(actor=referrer, info=SubmittedInformation(
        what="Something", how_known="Saw it"))
    assert submission.report is not None
    with pytest.raises(ServiceRefused) as refused:
        services.review_report(
            actor=analyst, report_pk=submission.report.pk, expected_version=1,
            review=review(sanitised_text=f"{referrer.get_full_name()} saw a grey van"))
    assert refused.value.field == "sanitised_text"
    submission.report.refresh_from_db()
    assert submission.report.status == "awaiting_review"


def test_review_needs_sanitised_text_and_a_known_action(analyst: User, investigator: User,
                                                        hub_team: Team) -> None:
    report = make_report(hub_team, investigator, reviewed=False)
    for bad, field in ((review(sanitised_text=" "), "sanitised_text"),
                       (review(action="burn"), "action"),
                       (review(action="task", note=""), "note")):
        with pytest.raises(ServiceRefused) as refused:
            services.review_report(actor=analyst, report_pk=report.pk, expected_version=1,
                                   review=bad)
        assert refused.value.field == field
    report.refresh_from_db()
    assert report.status == "awaiting_review" and report.version == 1


def test_historic_reports_cannot_be_changed(analyst: User, investigator: User,
                                           hub_team: Team) -> None:
    report = make_report(hub_team, investigator, is_legacy_5x5x5=True, status="historic")
    for call in (
        lambda: services.review_report(actor=analyst, report_pk=report.pk,
                                       expected_version=1, review=review()),
        lambda: services.link_entity(actor=analyst, report_pk=report.pk, request=LinkRequest(
            kind="phone", role="phone_used", new=NewPhone("07700 900123"))),
        lambda: services.disseminate_report(actor=analyst, report_pk=report.pk,
                                            to_agency_pk=hub_team.agency_id,
                                            lawful_basis="dpa_s35"),
    ):
        with pytest.raises(ServiceRefused, match="Historic 5x5x5"):
            call()


# --- Links --------------------------------------------------------------------------------


def test_the_same_vehicle_typed_two_ways_is_one_record(analyst: User, hub_team: Team) -> None:
    first = make_report(hub_team, analyst)
    second = make_report(hub_team, analyst)
    services.link_entity(actor=analyst, report_pk=first.pk, request=LinkRequest(
        kind="vehicle", role="vehicle_used", new=NewVehicle("ab12 cde"),
        description="grey Ford Focus"))
    services.link_entity(actor=analyst, report_pk=second.pk, request=LinkRequest(
        kind="vehicle", role="vehicle_used", new=NewVehicle("AB12CDE"),
        description="red hatchback"))
    vehicle = Vehicle.objects.get()
    assert vehicle.registration == "AB12CDE"
    # What each report says stays on its own link; the vehicle's record is unchanged.
    assert (vehicle.make, vehicle.colour) == ("", "")
    assert sorted(ReportLink.objects.filter(vehicle=vehicle).values_list(
        "description", flat=True)) == ["grey Ford Focus", "red hatchback"]


def test_phones_accounts_places_and_premises_are_linked(analyst: User, hub_team: Team) -> None:
    report = make_report(hub_team, analyst)
    for kind, role, new in (
        ("phone", "phone_used", NewPhone("07700 900123")),
        ("account", "account_used", NewAccount("snapchat", "@Falcon.Seven")),
        ("location", "location_of_concern", NewLocation("Car park", postcode="xb1 1aa")),
        ("premises", "premises_of_concern", NewPremises("Mill Kebabs", "takeaway",
                                                         address="1 Mill St",
                                                         postcode="XB1 2AB")),
    ):
        services.link_entity(actor=analyst, report_pk=report.pk,
                             request=LinkRequest(kind=kind, role=role, new=new))
    assert PhoneNumber.objects.get().number == "+447700900123"
    assert OnlineAccount.objects.get().handle == "falcon.seven"
    assert Location.objects.get(description="Car park").postcode == "XB1 1AA"
    premises = Premises.objects.get()
    assert premises.location is not None and premises.location.postcode == "XB1 2AB"
    assert premises.search_keys.strip()
    assert report.links.count() == 4


@pytest.mark.parametrize(("request_", "field"), [
    (LinkRequest(kind="phone", role="phone_used", new=NewPhone("123")), "number"),
    (LinkRequest(kind="vehicle", role="vehicle_used", new=NewVehicle("NOT A REG")),
     "registration"),
    (LinkRequest(kind="account", role="account_used", new=NewAccount("myspace", "x")),
     "platform"),
    (LinkRequest(kind="location", role="location_of_concern",
                 new=NewLocation("Park", area_code="E05000000")), "area_code"),
    (LinkRequest(kind="location", role="location_of_concern",
                 new=NewLocation("Park", postcode="nowhere")), "postcode"),
    (LinkRequest(kind="vehicle", role="suspect", new=NewVehicle("AB12CDE")), "role"),
    (LinkRequest(kind="starship", role="mentioned"), "kind"),
])
def test_bad_links_are_refused_and_nothing_is_saved(
    analyst: User, hub_team: Team, request_: LinkRequest, field: str
) -> None:
    report = make_report(hub_team, analyst)
    with pytest.raises(ServiceRefused) as refused:
        services.link_entity(actor=analyst, report_pk=report.pk, request=request_)
    assert refused.value.field == field
    assert not ReportLink.objects.exists()
    assert not Vehicle.objects.exists() and not PhoneNumber.objects.exists()
    assert not Location.objects.exists()


def test_a_record_the_user_may_not_see_cannot_be_linked(
    analyst: User, hub_team: Team, named_member: User, named_team: Team
) -> None:
    """An entity known only through a report the user may not see, and a restricted
    person, are refused with the same words as a record that does not exist."""
    hidden_report = make_report(named_team, named_member, handling_code="C",
                                teams=[named_team])
    hidden_phone = PhoneNumber.objects.create(number="+447700900555")
    ReportLink.objects.create(report=hidden_report, role="phone_used", phone=hidden_phone)
    restricted = make_person(named_team.agency, is_restricted=True)
    report = make_report(hub_team, analyst)
    messages = set()
    for request_ in (
        LinkRequest(kind="phone", role="phone_used", existing_pk=hidden_phone.pk),
        LinkRequest(kind="phone", role="phone_used", existing_pk=987654),
        LinkRequest(kind="person", role="suspect", existing_pk=restricted.pk),
    ):
        with pytest.raises(ServiceRefused) as refused:
            services.link_entity(actor=analyst, report_pk=report.pk, request=request_)
        messages.add(refused.value.message)
    assert messages == {services.NOT_FOUND_CHOICE}
    assert not report.links.exists()


def test_people_are_found_or_recorded(analyst: User, hub_team: Team, hub_agency: Agency
                                      ) -> None:
    report = make_report(hub_team, analyst)
    known = make_person(hub_agency, given_name="Dean", family_name="Rowntree")
    services.link_entity(actor=analyst, report_pk=report.pk, request=LinkRequest(
        kind="person", role="suspect", existing_pk=known.pk))
    services.link_entity(actor=analyst, report_pk=report.pk, request=LinkRequest(
        kind="person", role="associate",
        new_person=PersonDetails(given_name="Unknown", family_name="Driver")))
    created = Person.objects.get(family_name="Driver")
    assert created.owning_agency == hub_agency
    assert {link.person_id for link in report.links.all()} == {known.pk, created.pk}
    with pytest.raises(ServiceRefused, match="already links"):
        services.link_entity(actor=analyst, report_pk=report.pk, request=LinkRequest(
            kind="person", role="suspect", existing_pk=known.pk))


def test_removing_a_link_keeps_the_entity(analyst: User, hub_team: Team) -> None:
    report = make_report(hub_team, analyst)
    link = services.link_entity(actor=analyst, report_pk=report.pk, request=LinkRequest(
        kind="phone", role="phone_used", new=NewPhone("07700 900123")))
    services.remove_link(actor=analyst, report_pk=report.pk, link_pk=link.pk)
    assert not report.links.exists()
    assert PhoneNumber.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.DELETE,
                                     record_type="intelligence.reportlink").exists()
    with pytest.raises(Http404):
        services.remove_link(actor=analyst, report_pk=report.pk, link_pk=link.pk)


# --- Dissemination ------------------------------------------------------------------------


def test_dissemination_records_what_was_shared_with_whom_and_why(
    analyst: User, hub_team: Team, partner_agency: Agency, partner_worker: User
) -> None:
    report = make_report(hub_team, analyst, handling_code="P", sanitised_text="Safe words")
    assert report not in selectors.reports_for(partner_worker)
    agreement = make_agreement(hub_team.agency, partner_agency, created_by=analyst)
    # Where an agreement covers the two agencies, the dissemination must name it.
    with pytest.raises(ServiceRefused, match="Choose the sharing agreement"):
        services.disseminate_report(actor=analyst, report_pk=report.pk,
                                    to_agency_pk=partner_agency.pk, lawful_basis="dpa_sch1_18",
                                    reason_without_agreement="Urgent")
    shared = services.disseminate_report(actor=analyst, report_pk=report.pk,
                                         to_agency_pk=partner_agency.pk,
                                         lawful_basis="dpa_sch1_18",
                                         agreement_pks=[agreement.pk])
    assert (shared.shared_text, shared.handling_code, shared.lawful_basis) == (
        "Safe words", "P", "dpa_sch1_18")
    assert (shared.agreement, shared.reason_without_agreement) == (agreement, "")
    assert AuditEvent.objects.get(record_type="intelligence.dissemination").detail[
        "agreement"] == agreement.reference
    assert shared.shared_by == analyst
    # Handling code P, once shared, is seen by the partner agency: sanitised text only.
    assert report in selectors.reports_for(partner_worker)
    assert selectors.report_text_for(partner_worker, report).text == "Safe words"


def test_condition_c_goes_only_to_an_agency_its_conditions_name(
    analyst: User, hub_team: Team, partner_agency: Agency, named_agency: Agency
) -> None:
    report = make_report(hub_team, analyst, handling_code="C", agencies=[named_agency])
    with pytest.raises(ServiceRefused, match="do not name County Children's Services"):
        services.disseminate_report(actor=analyst, report_pk=report.pk,
                                    to_agency_pk=partner_agency.pk, lawful_basis="dpa_s35")
    assert not Dissemination.objects.exists()
    # No agreement covers the two agencies: shared, saying why.
    with pytest.raises(ServiceRefused, match="say why it is shared without one"):
        services.disseminate_report(actor=analyst, report_pk=report.pk,
                                    to_agency_pk=named_agency.pk, lawful_basis="dpa_s35")
    shared = services.disseminate_report(actor=analyst, report_pk=report.pk,
                                         to_agency_pk=named_agency.pk, lawful_basis="dpa_s35",
                                         reason_without_agreement=URGENT)
    assert shared.handling_conditions == report.handling_conditions
    assert (shared.agreement, shared.reason_without_agreement) == (None, URGENT)


def test_dissemination_needs_a_review_a_basis_and_the_owning_team(
    analyst: User, hub_team: Team, partner_agency: Agency, other_hub_member: User
) -> None:
    unreviewed = make_report(hub_team, analyst, reviewed=False)
    with pytest.raises(ServiceRefused, match="Review and sanitise"):
        services.disseminate_report(actor=analyst, report_pk=unreviewed.pk,
                                    to_agency_pk=partner_agency.pk, lawful_basis="dpa_s35")
    report = make_report(hub_team, analyst)
    with pytest.raises(ServiceRefused, match="lawful basis"):
        services.disseminate_report(actor=analyst, report_pk=report.pk,
                                    to_agency_pk=partner_agency.pk, lawful_basis="because")
    with pytest.raises(PermissionDenied):
        services.disseminate_report(actor=other_hub_member, report_pk=report.pk,
                                    to_agency_pk=partner_agency.pk, lawful_basis="dpa_s35")
    assert not Dissemination.objects.exists()


@pytest.mark.parametrize(("given", "family", "street_name", "errors"), [
    ("", "", "", {"given_name": ["Enter the person's name, or the nickname or street name "
                                 "they are known by"]}),
    ("Dean", "", "", {"family_name": ["Enter the person's last name, or leave both names "
                                      "blank and give their nickname or street name"]}),
    ("", "Rowntree", "", {"given_name": ["Enter the person's first name, or leave both "
                                         "names blank and give their nickname or street "
                                         "name"]}),
    ("", "", "Kaz", None),
])
def test_a_new_person_needs_both_names_or_a_street_name(
    analyst: User, hub_team: Team, given: str, family: str, street_name: str,
    errors: dict[str, list[str]] | None,
) -> None:
    """The rule lives in the service; the link form only parses the names."""
    report = make_report(hub_team, analyst)
    link = LinkRequest(kind="person", role="associate", new_person_street_name=street_name,
                       new_person=PersonDetails(given_name=given, family_name=family))
    if errors is None:
        services.link_entity(actor=analyst, report_pk=report.pk, request=link)
        assert Person.objects.get().aliases.get().given_name == "Kaz"
        return
    with pytest.raises(ServiceRefused) as refused:
        services.link_entity(actor=analyst, report_pk=report.pk, request=link)
    assert refused.value.message_dict == errors
    assert not Person.objects.exists()
