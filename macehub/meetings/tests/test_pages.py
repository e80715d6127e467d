"""The meetings pages: a chair walks a meeting through (agenda prepared, an item added,
attendance, discussion, an action, minutes approved, then frozen); a reader sees only
the items they may; the minutes' PDF holds only what its reader may see and is audited
as an export; the owner sees and closes their own action. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.services.opening import open_case
from macehub.conftest import StandardUsers
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.meetings import services
from macehub.meetings.codes import ActionStatus
from macehub.meetings.models import AgendaItem, MeetingAction
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.testing.factories import make_person, signed_in_client
from macehub.testing.pdf import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(users: StandardUsers) -> User:
    return users[Role.MEETING_CHAIR]


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month),
            f"{prefix}_year": str(day.year)}


def test_the_chair_runs_a_meeting_to_approved_minutes(
        users: StandardUsers, chair: User, hub_agency: Agency,
        django_capture_on_commit_callbacks: Any) -> None:
    child = make_person(hub_agency, given_name="Alexa", family_name="Testchild")
    case = open_case(actor=users[Role.TRIAGE], child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="High risk")
    series = make_series(chair, [hub_agency])
    meeting = make_meeting(chair, series)
    client = signed_in_client(chair)
    detail = reverse("meetings:detail", args=[meeting.pk])
    assert client.get(reverse("meetings:list")).status_code == 200
    response = client.post(reverse("meetings:prepare_agenda", args=[meeting.pk]),
                           {"version": 1})
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, record_id=case.pk)
    page = client.get(detail).content.decode()
    assert case.reference in page and "Children newly at High risk" in page
    response = client.post(reverse("meetings:add_item", args=[meeting.pk]),
                           {"title": "Any other business", "link_kind": "",
                            "link_reference": ""})
    assert response.status_code == 302
    response = client.post(reverse("meetings:attendance", args=[meeting.pk]), {
        f"agency_{hub_agency.pk}": "present", f"attendee_{hub_agency.pk}": "",
        "version": 2})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(reverse("meetings:discussion", args=[item.pk]), {
        "summary": "Going missing from school", "decision": "Strategy meeting",
        "version": 1})
    assert response.status_code == 302
    owner = users[Role.SOCIAL_WORKER]
    response = client.post(reverse("meetings:add_action", args=[item.pk]), {
        "description": "Arrange the strategy meeting", "owner": owner.pk,
        "agency": hub_agency.pk, **_date("due_on", timezone.localdate())})
    assert response.status_code == 302, response.content.decode()[:3000]
    action = MeetingAction.objects.get(item=item)
    response = client.post(reverse("meetings:approve_minutes", args=[meeting.pk]),
                           {"version": 3})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_frozen
    page = client.get(detail).content.decode()
    assert "Minutes approved" in page and "Approve the minutes" not in page
    # Frozen: the forms refuse.
    response = client.post(reverse("meetings:discussion", args=[item.pk]), {
        "summary": "Changed", "decision": "Changed", "version": 2})
    assert response.status_code == 400
    assert "approved" in response.content.decode()
    # Drawn in the background, downloaded from the job's page (the export).
    response = post_and_download(client, django_capture_on_commit_callbacks,
                                 reverse("meetings:minutes_pdf", args=[meeting.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content, raw=True).split())
    assert "Strategy meeting" in text and action.reference in text
    assert AuditEvent.objects.filter(event_type=EventType.EXPORT, record_type="meetings.meeting",
                                     record_id=str(meeting.pk)).exists()
    # The owner closes their action.
    owner_client = signed_in_client(owner)
    assert action.reference in owner_client.get(reverse("meetings:my_actions")).content.decode()
    response = owner_client.post(reverse("meetings:action_status", args=[action.pk]),
                                 {"status": ActionStatus.DONE, "version": 1})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_the_chair_records_what_an_owner_reported_after_the_minutes(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    meeting = make_meeting(chair, make_series(chair, [hub_agency]), days_ago=3)
    item = services.add_item(actor=chair, meeting_pk=meeting.pk, title="Premises")
    owner = users[Role.INVESTIGATOR]
    action = services.add_action(actor=chair, item_pk=item.pk, description="Serve a notice",
                                 owner_pk=owner.pk, agency_pk=hub_agency.pk,
                                 due_on=meeting.held_on + dt.timedelta(days=7))
    services.record_attendance(actor=chair, meeting_pk=meeting.pk, expected_version=1,
                               rows=[services.AttendanceRow(hub_agency.pk, "present")])
    services.approve_minutes(actor=chair, meeting_pk=meeting.pk, expected_version=2)
    client = signed_in_client(chair)
    detail = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    status_url = reverse("meetings:action_status", args=[action.pk])
    assert status_url in detail
    page = client.get(status_url).content.decode()
    assert "Back to the meeting" in page and owner.display_name in page
    response = client.post(status_url, {"status": ActionStatus.DONE, "version": 1,
                                        **_date("completed_on", meeting.held_on
                                                - dt.timedelta(days=1))})
    assert response.status_code == 400
    assert "on or after the meeting" in response.content.decode()
    done_on = meeting.held_on + dt.timedelta(days=1)
    response = client.post(status_url, {"status": ActionStatus.DONE, "version": 1,
                                        **_date("completed_on", done_on)})
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:detail", args=[meeting.pk])
    action.refresh_from_db()
    assert (action.status, action.completed_on) == (ActionStatus.DONE, done_on)
    # Another reader of the meeting sees the action but may not record it.
    analyst_client = signed_in_client(users[Role.ANALYST])
    assert status_url not in analyst_client.get(
        reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert analyst_client.get(status_url).status_code == 403


def test_a_reader_sees_only_the_items_they_may(
        users: StandardUsers, chair: User, hub_agency: Agency,
        django_capture_on_commit_callbacks: Any) -> None:
    hidden_child = make_person(hub_agency, given_name="Hidden", family_name="Testchild",
                               is_restricted=True)
    hidden = open_case(actor=users[Role.TRIAGE], child=hidden_child, risk_tier=RiskTier.HIGH,
                       lead_agency=hub_agency, reason="High risk")
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    services.prepare_agenda(actor=chair, meeting_pk=meeting.pk, expected_version=1)
    services.add_item(actor=chair, meeting_pk=meeting.pk, title="Training for partners")
    item = AgendaItem.objects.get(meeting=meeting, record_id=hidden.pk)
    services.record_discussion(actor=chair, item_pk=item.pk, expected_version=1,
                               summary="Secret discussion", decision="Secret decision")
    reader = signed_in_client(users[Role.ANALYST])
    page = reader.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Training for partners" in page
    assert hidden.reference not in page and "Secret decision" not in page
    minutes = post_and_download(reader, django_capture_on_commit_callbacks,
                                reverse("meetings:minutes_pdf", args=[meeting.pk])).content
    text = " ".join(pdf_text(minutes, raw=True).split())
    assert "Training for partners" in text and "Secret decision" not in text
    assert reader.get(reverse("meetings:discussion", args=[item.pk])).status_code == 403


def test_a_discussed_child_shows_on_their_record_and_chronology(
        users: StandardUsers, chair: User, hub_agency: Agency) -> None:
    child = make_person(hub_agency, given_name="Chrono", family_name="Testchild")
    case = open_case(actor=users[Role.TRIAGE], child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="High risk")
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    services.prepare_agenda(actor=chair, meeting_pk=meeting.pk, expected_version=1)
    item = AgendaItem.objects.get(meeting=meeting, record_id=case.pk)
    services.record_discussion(actor=chair, item_pk=item.pk, expected_version=1,
                               summary="Discussed", decision="Refer to the NRM")
    client = users.client(Role.TRIAGE)
    person_page = client.get(reverse("people:detail", args=[child.pk])).content.decode()
    assert "Discussed at meetings" in person_page and meeting.reference in person_page
    assert "Refer to the NRM" in person_page
    chronology = client.get(reverse("cases:chronology", args=[case.pk])).content.decode()
    assert "Discussed at a meeting" in chronology and "Meeting decision" in chronology
