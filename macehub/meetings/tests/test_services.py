"""Meetings: the agenda written from what changed since the series' last meeting (each
source, each record once), items by hand, attendance, decisions and actions, actions
reported back at the next meeting, need to know item by item, and minutes frozen once
approved. All names are made up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.models import MissingEpisode, RiskTierChange
from macehub.cases.services.opening import open_case
from macehub.conftest import StandardUsers
from macehub.core.versioning import EditConflict
from macehub.intelligence.models import ReportLink
from macehub.intelligence.tests.factories import make_report
from macehub.meetings import selectors, services
from macehub.meetings.agenda import AGENDA_SOURCES
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import AgendaItem, Meeting
from macehub.meetings.tests.factories import make_meeting, make_series, prepare
from macehub.testing.factories import make_person, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(users: StandardUsers) -> User:
    return users[Role.MEETING_CHAIR]


def _high_risk_case(users: StandardUsers, agency: Agency, name: str, *,
                    when: dt.datetime | None = None, restricted: bool = False):  # type: ignore[no-untyped-def]
    child = make_person(agency, given_name=name, family_name="Testchild",
                        is_restricted=restricted)
    case = open_case(actor=users[Role.TRIAGE], child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=agency, reason="Screened as high risk")
    if when is not None:
        RiskTierChange.objects.filter(case=case).update(changed_at=when)
    return case


def _titles(meeting: Meeting) -> list[str]:
    return list(meeting.items.filter(dropped=False).values_list("title", flat=True))


def test_every_source_is_registered_from_its_app() -> None:
    assert {"high_risk", "missing_often", "groups", "new_intelligence", "actions",
            "reviews_overdue", "old_exhibits"} <= set(AGENDA_SOURCES.keys())


def test_agenda_holds_what_changed_since_the_last_meeting(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    series = make_series(chair, [hub_agency])
    earlier = make_meeting(chair, series, days_ago=7)
    earlier.agenda_prepared_at = timezone.now() - dt.timedelta(days=7)
    earlier.save()
    old = _high_risk_case(users, hub_agency, "Olderchild",
                          when=timezone.now() - dt.timedelta(days=9))
    new = _high_risk_case(users, hub_agency, "Newchild")
    meeting = prepare(chair, make_meeting(chair, series))
    titles = _titles(meeting)
    assert any(new.reference in title for title in titles)
    assert not any(old.reference in title for title in titles)
    item = meeting.items.get(source="high_risk")
    assert item.person_id == new.child_id and item.link == f"/cases/{new.pk}/"
    # Prepared again: nothing twice.
    prepare(chair, meeting)
    assert meeting.items.filter(source="high_risk").count() == 1


def test_children_missing_three_times_in_thirty_days(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    child = make_person(hub_agency, given_name="Missy", family_name="Testchild")
    other = make_person(hub_agency, given_name="Twice", family_name="Testchild")
    now = timezone.now()
    for days in (1, 10, 20):
        MissingEpisode.objects.create(child=child, went_missing_at=now - dt.timedelta(days=days),
                                      recorded_by=users[Role.TRIAGE], recorded_at=now)
    for days in (1, 10):
        MissingEpisode.objects.create(child=other, went_missing_at=now - dt.timedelta(days=days),
                                      recorded_by=users[Role.TRIAGE], recorded_at=now)
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    items = list(meeting.items.filter(source="missing_often"))
    assert [item.person_id for item in items] == [child.pk]
    assert "missing 3 times in 30 days" in items[0].title


def test_new_intelligence_about_a_child_on_the_agenda(
        users: StandardUsers, chair: User, hub_agency: Agency, hub_team) -> None:  # type: ignore[no-untyped-def]
    case = _high_risk_case(users, hub_agency, "Intelchild")
    report = make_report(hub_team, users[Role.ANALYST], received_at=timezone.now()
                         - dt.timedelta(hours=3))
    ReportLink.objects.create(report=report, role="victim", person=case.child)
    unrelated = make_report(hub_team, users[Role.ANALYST])
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    titles = _titles(meeting)
    assert f"New intelligence {report.reference}" in titles
    assert f"New intelligence {unrelated.reference}" not in titles


def test_need_to_know_item_by_item(users: StandardUsers, chair: User,
                                   hub_agency: Agency) -> None:
    open_child = _high_risk_case(users, hub_agency, "Openchild")
    hidden = _high_risk_case(users, hub_agency, "Hiddenchild", restricted=True)
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    free = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Any other business")
    hidden_item = meeting.items.get(record_id=hidden.pk)
    owner = users[Role.SOCIAL_WORKER]
    action = services.add_action(actor=chair, item_pk=hidden_item.pk, description="Visit",
                                 owner_pk=owner.pk, agency_pk=hub_agency.pk,
                                 due_on=timezone.localdate() + dt.timedelta(days=7))
    reader = users[Role.ANALYST]
    seen = [view.item.pk for view in selectors.visible_items(reader, meeting)]
    assert meeting.items.get(record_id=open_child.pk).pk in seen
    assert free.pk in seen
    assert hidden_item.pk not in seen
    # The owner of an action sees their action even so.
    assert selectors.action_for(owner, action.pk) == action
    with pytest.raises(Exception, match="No such record"):
        selectors.action_for(reader, action.pk)


def test_readers_are_the_hub_team(users: StandardUsers, chair: User, hub_agency: Agency,
                                  partner_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    outside = make_user("sam.social", Role.SOCIAL_WORKER, agency=partner_agency,
                        team=make_team(partner_agency, "Locality team", is_hub_team=False))
    assert list(selectors.meetings_for(users[Role.TRIAGE])) == [meeting]
    assert list(selectors.meetings_for(outside)) == []
    assert list(selectors.meetings_for(users[Role.SCRUTINY])) == []
    with pytest.raises(PermissionDenied):
        services.add_item(actor=users[Role.TRIAGE], meeting_pk=meeting.pk, title="Mine")


def test_actions_are_reported_back_at_the_next_meeting(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    series = make_series(chair, [hub_agency])
    first = make_meeting(chair, series, days_ago=14)
    item = services.add_item(actor=chair, meeting_pk=first.pk, title="Premises on High St")
    due = first.held_on + dt.timedelta(days=3)
    owner = users[Role.INVESTIGATOR]
    overdue = services.add_action(actor=chair, item_pk=item.pk, description="Warning notice",
                                  owner_pk=owner.pk, agency_pk=hub_agency.pk, due_on=due)
    done = services.add_action(actor=chair, item_pk=item.pk, description="Check CCTV",
                               owner_pk=owner.pk, agency_pk=hub_agency.pk, due_on=due)
    services.set_action_status(actor=owner, action_pk=done.pk, expected_version=1,
                               status=ActionStatus.DONE)
    second = prepare(chair, make_meeting(chair, series))
    titles = _titles(second)
    assert any(overdue.reference in t and "overdue" in t for t in titles)
    assert any(done.reference in t and "done on" in t for t in titles)


def test_only_owner_or_chair_changes_an_action(users: StandardUsers, chair: User,
                                               hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Item")
    action = services.add_action(actor=chair, item_pk=item.pk, description="Do it",
                                 owner_pk=users[Role.TRIAGE].pk, agency_pk=hub_agency.pk,
                                 due_on=meeting.held_on)
    with pytest.raises(ValidationError, match="owner or a meeting chair"):
        services.set_action_status(actor=users[Role.ANALYST], action_pk=action.pk,
                                   expected_version=1, status=ActionStatus.DONE)
    services.set_action_status(actor=chair, action_pk=action.pk, expected_version=1,
                               status=ActionStatus.DROPPED)


def test_minutes_approved_by_the_chair_are_frozen(users: StandardUsers, chair: User,
                                                  hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Item")
    with pytest.raises(ValidationError, match="attendance"):
        services.approve_minutes(actor=chair, meeting_pk=meeting.pk, expected_version=1)
    services.record_attendance(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                               rows=[services.AttendanceRow(hub_agency.pk, "present")])
    other_chair = make_user("cal.chair", Role.MEETING_CHAIR, agency=hub_agency,
                            team=chair.team)
    with pytest.raises(ValidationError, match="Only the meeting's chair"):
        services.approve_minutes(actor=other_chair, meeting_pk=meeting.pk,
                                 expected_version=2)
    services.approve_minutes(actor=chair, meeting_pk=meeting.pk, expected_version=2)
    for attempt in (
        lambda: services.add_item(actor=chair, meeting_pk=meeting.pk, title="Late"),
        lambda: services.record_discussion(actor=chair, item_pk=item.pk, expected_version=1,
                                           summary="Changed", decision="Changed"),
        lambda: services.record_attendance(actor=chair, meeting_pk=meeting.pk,
                                           expected_version=3, rows=[]),
        lambda: services.approve_minutes(actor=chair, meeting_pk=meeting.pk,
                                         expected_version=3),
    ):
        with pytest.raises(ValidationError, match="approved"):
            attempt()
    assert AgendaItem.objects.get(pk=item.pk).summary == ""
    assert AuditEvent.objects.filter(record_type="meetings.meeting",
                                     record_id=str(meeting.pk)).count() >= 3


def test_deputy_needs_a_name_and_chair_added_links_need_access(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    with pytest.raises(ValidationError, match="deputy"):
        services.record_attendance(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                                   rows=[services.AttendanceRow(hub_agency.pk, "deputy")])
    with pytest.raises(ValidationError, match="No record you may read"):
        services.add_item(actor=chair, meeting_pk=meeting.pk, title="Case",
                          link_kind="case", link_reference="CASE-1999-00001")
    case = _high_risk_case(users, hub_agency, "Linkchild")
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Case",
                             link_kind="case", link_reference=case.reference.lower())
    assert item.record_id == case.pk and item.person_id == case.child_id


def test_items_are_dropped_and_ordered(users: StandardUsers, chair: User,
                                       hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    first = services.add_item(actor=chair, meeting_pk=meeting.pk, title="First")
    second = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Second")
    services.move_item(actor=chair, item_pk=second.pk, up=True)
    assert _titles(meeting) == ["Second", "First"]
    services.drop_item(actor=chair, item_pk=first.pk, expected_version=1)
    assert _titles(meeting) == ["Second"]


def test_code_c_intelligence_is_seen_only_by_those_it_names(
        users: StandardUsers, chair: User, hub_agency: Agency, partner_agency: Agency) -> None:
    case = _high_risk_case(users, hub_agency, "Codecchild")
    intel_unit = make_team(hub_agency, "Intelligence unit", is_hub_team=False)
    report = make_report(intel_unit, users[Role.ANALYST], handling_code="C",
                         agencies=[partner_agency],
                         received_at=timezone.now() - dt.timedelta(hours=2))
    ReportLink.objects.create(report=report, role="victim", person=case.child)
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    item = meeting.items.get(source="new_intelligence")
    named = make_user("pat.partner", Role.SOCIAL_WORKER, agency=partner_agency,
                      team=make_team(partner_agency, "MACE Hub (partner)", is_hub_team=True))
    assert item.pk in {view.item.pk for view in selectors.visible_items(named, meeting)}
    assert item.pk not in {view.item.pk
                           for view in selectors.visible_items(users[Role.ANALYST], meeting)}


def test_an_edit_made_meanwhile_is_not_overwritten(chair: User, hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Item")
    services.record_discussion(actor=chair, item_pk=item.pk, expected_version=1,
                               summary="First", decision="")
    with pytest.raises(EditConflict):
        services.record_discussion(actor=chair, item_pk=item.pk, expected_version=1,
                                   summary="Second", decision="")
    assert AgendaItem.objects.get(pk=item.pk).summary == "First"


def test_a_conflicting_action_status_says_what_the_other_recorded(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Item")
    owner = users[Role.TRIAGE]
    action = services.add_action(actor=chair, item_pk=item.pk, description="Do it",
                                 owner_pk=owner.pk, agency_pk=hub_agency.pk,
                                 due_on=meeting.held_on)
    services.set_action_status(actor=owner, action_pk=action.pk, expected_version=1,
                               status=ActionStatus.DONE, completed_on=meeting.held_on)
    with pytest.raises(EditConflict) as conflict:
        services.set_action_status(actor=chair, action_pk=action.pk, expected_version=1,
                                   status=ActionStatus.DROPPED)
    assert conflict.value.their_changes["Status"]["new"] == "done"
    assert conflict.value.their_changes["Status"]["by"] == owner.username


def test_a_chair_records_actions_only_on_items_they_may_see(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    hidden = _high_risk_case(users, hub_agency, "Hiddenchild", restricted=True)
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    hidden_item = meeting.items.get(record_id=hidden.pk)
    owner = users[Role.SOCIAL_WORKER]
    action = services.add_action(actor=chair, item_pk=hidden_item.pk, description="Visit",
                                 owner_pk=owner.pk, agency_pk=hub_agency.pk,
                                 due_on=meeting.held_on)
    other_chair = make_user("cal.chair", Role.MEETING_CHAIR, agency=hub_agency,
                            team=make_team(hub_agency, "Chairs", is_hub_team=True))
    with pytest.raises(Exception, match="No such record"):
        services.set_action_status(actor=other_chair, action_pk=action.pk,
                                   expected_version=1, status=ActionStatus.DROPPED)
    assert action.__class__.objects.get(pk=action.pk).status == ActionStatus.OPEN


def test_a_series_is_renamed_and_its_members_changed(
        users: StandardUsers, chair: User, hub_agency: Agency, partner_agency: Agency) -> None:
    series = make_series(chair, [hub_agency])
    make_series(chair, [hub_agency], name="Strategic")
    with pytest.raises(ValidationError, match="exists already"):
        services.change_series(actor=chair, series_pk=series.pk, expected_version=1,
                               name="strategic", kind="weekly_tactical",
                               agency_pks=[hub_agency.pk])
    with pytest.raises(PermissionDenied):
        services.change_series(actor=users[Role.TRIAGE], series_pk=series.pk,
                               expected_version=1, name="Mine", kind="weekly_tactical",
                               agency_pks=[hub_agency.pk])
    services.change_series(actor=chair, series_pk=series.pk, expected_version=1,
                           name="Weekly tactical (north)", kind="weekly_tactical",
                           agency_pks=[hub_agency.pk, partner_agency.pk])
    series.refresh_from_db()
    assert series.name == "Weekly tactical (north)" and series.version == 2
    assert set(series.standing_agencies.all()) == {hub_agency, partner_agency}
    event = AuditEvent.objects.filter(record_type="meetings.meetingseries",
                                      record_id=str(series.pk)).last()
    assert event is not None and event.detail["changes"]["name"] == {
        "old": "Weekly tactical", "new": "Weekly tactical (north)"}
    with pytest.raises(EditConflict):
        services.change_series(actor=chair, series_pk=series.pk, expected_version=1,
                               name="Again", kind="weekly_tactical",
                               agency_pks=[hub_agency.pk])


def test_a_meeting_moves_day_or_chair_until_its_minutes_are_approved(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    series = make_series(chair, [hub_agency])
    earlier = make_meeting(chair, series, days_ago=7)
    meeting = make_meeting(chair, series, days_ago=1)
    other_chair = make_user("cal.chair", Role.MEETING_CHAIR, agency=hub_agency,
                            team=chair.team)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="a meeting on this day already"):
        services.change_meeting(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                                held_on=earlier.held_on, chair_pk=chair.pk)
    with pytest.raises(ValidationError, match="Select a meeting chair"):
        services.change_meeting(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                                held_on=today, chair_pk=users[Role.TRIAGE].pk)
    services.change_meeting(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                            held_on=today, chair_pk=other_chair.pk)
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.chair) == (today, other_chair)
    # Once its agenda is prepared, it cannot move past the series' previous meeting.
    prepare(chair, meeting)
    with pytest.raises(ValidationError, match="past another meeting"):
        services.change_meeting(actor=chair, meeting_pk=meeting.pk,
                                expected_version=meeting.version,
                                held_on=earlier.held_on - dt.timedelta(days=1),
                                chair_pk=chair.pk)
    # Nor after the due date of an action it gave.
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Item")
    services.add_action(actor=chair, item_pk=item.pk, description="Do it",
                        owner_pk=users[Role.TRIAGE].pk, agency_pk=hub_agency.pk,
                        due_on=today + dt.timedelta(days=2))
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="due before this day"):
        services.change_meeting(actor=chair, meeting_pk=meeting.pk,
                                expected_version=meeting.version,
                                held_on=today + dt.timedelta(days=3), chair_pk=chair.pk)
    services.record_attendance(actor=chair, meeting_pk=meeting.pk,
                               expected_version=meeting.version,
                               rows=[services.AttendanceRow(hub_agency.pk, "present")])
    meeting.refresh_from_db()
    services.approve_minutes(actor=other_chair, meeting_pk=meeting.pk,
                             expected_version=meeting.version)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError, match="approved"):
        services.change_meeting(actor=chair, meeting_pk=meeting.pk,
                                expected_version=meeting.version, held_on=today,
                                chair_pk=chair.pk)
