"""What the meetings app hands a subject access request: the items about the person and
the actions agreed on them, nobody else's, in a fixed number of queries; an item that
came from intelligence is withheld under the crime exemption, the child's own case item
is not. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.meetings.models import AgendaItem, Meeting, MeetingAction, MeetingSeries
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_the_items_and_actions_about_the_person_only(
    users: StandardUsers, hub_agency: Agency, django_assert_num_queries: Any
) -> None:
    chair = users[Role.MEETING_CHAIR]
    now = timezone.now()
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    other = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    series = MeetingSeries.objects.create(name="Weekly tactical", kind="weekly_tactical",
                                          created_by=chair, created_at=now)
    meeting = Meeting.objects.create(reference="MTG-2026-000001", series=series,
                                     held_on=dt.date(2026, 3, 4), chair=chair,
                                     created_by=chair, created_at=now)
    case_type = ContentType.objects.get(app_label="cases", model="case")
    report_type = ContentType.objects.get(app_label="intelligence",
                                          model="intelligencereport")
    about_case = AgendaItem.objects.create(
        meeting=meeting, position=1, source="high_risk", title="Poppy now at High risk",
        record_type=case_type, record_id=1, person=child,
        summary="School reports her missing lessons", decision="Strategy meeting")
    about_report = AgendaItem.objects.create(
        meeting=meeting, position=2, source="new_intelligence", title="New intelligence",
        record_type=report_type, record_id=1, person=child,
        summary="Seen in a car with older males", decision="Police to patrol the park")
    AgendaItem.objects.create(meeting=meeting, position=3, source="chair", title="Rosa",
                              person=other, summary="About Rosa only", dropped=True)
    for item, text in ((about_case, "Invite the school"), (about_report, "Patrol the park")):
        MeetingAction.objects.create(
            reference=f"ACT-2026-00000{item.position}", item=item, description=text,
            owner=chair, agency=hub_agency, due_on=dt.date(2026, 3, 11), created_by=chair,
            created_at=now)

    source = SUBJECT_SOURCES.get("meetings")
    with django_assert_num_queries(2):
        items = source.items(child.pk)
    by_reference = {item.reference: item for item in items}
    assert set(by_reference) == {"MTG-2026-000001 item 1", "MTG-2026-000001 item 2",
                                 "ACT-2026-000001", "ACT-2026-000002"}
    texts = " ".join(entry.text for item in items for entry in item.fields)
    assert "About Rosa only" not in texts
    assert "Weekly tactical, 4 March 2026" in texts

    withheld = {(item.reference, entry.name): entry.withhold
                for item in items for entry in item.fields if entry.withhold}
    assert withheld == {("MTG-2026-000001 item 2", "summary"): RedactionReason.CRIME,
                        ("MTG-2026-000001 item 2", "decision"): RedactionReason.CRIME,
                        ("ACT-2026-000002", "description"): RedactionReason.CRIME}

    [rosa] = source.items(other.pk)
    assert rosa.heading == "Taken off a meeting's agenda"
    assert source.items(make_person(hub_agency, given_name="Nobody").pk) == []
