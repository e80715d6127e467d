"""/api/meetings/ under the policy: hub readers list meetings; one meeting carries only
the items (and actions) its reader may see, audited; outsiders get nothing. All names are
made up."""

from __future__ import annotations

import pytest
from django.urls import reverse

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.cases.codes import RiskTier
from macehub.cases.services.opening import open_case
from macehub.conftest import StandardUsers
from macehub.meetings import services
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_api_lists_and_filters_items_by_need_to_know(users: StandardUsers,
                                                    hub_agency: Agency) -> None:
    chair = users[Role.MEETING_CHAIR]
    hidden_child = make_person(hub_agency, given_name="Hidden", family_name="Testchild",
                               is_restricted=True)
    hidden = open_case(actor=users[Role.TRIAGE], child=hidden_child, risk_tier=RiskTier.HIGH,
                       lead_agency=hub_agency, reason="High risk")
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    services.prepare_agenda(actor=chair, meeting_pk=meeting.pk, expected_version=1)
    services.add_item(actor=chair, meeting_pk=meeting.pk, title="Partnership training")
    client = users.client(Role.ANALYST)
    listed = client.get(reverse("api:meeting_list")).json()
    assert [row["reference"] for row in listed["results"]] == [meeting.reference]
    detail = client.get(reverse("api:meeting_detail", args=[meeting.pk])).json()
    titles = [item["title"] for item in detail["items"]]
    assert titles == ["Partnership training"]
    assert not any(hidden.reference in title for title in titles)
    assert AuditEvent.objects.filter(record_type="meetings.meeting",
                                     record_id=str(meeting.pk), event_type="view").exists()
    outsider = users.client(Role.SCRUTINY)
    assert outsider.get(reverse("api:meeting_list")).status_code == 403
    assert outsider.get(reverse("api:meeting_detail", args=[meeting.pk])).status_code == 404
