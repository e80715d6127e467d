"""The audit log page: information governance reads it, filters it by who, what and
which record, and nobody else may open it. (The chain check page is tested with the
checkpoints, in macehub/audit/tests/test_checkpoints.py.)"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import time_machine
from django.urls import reverse

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.services import record_event

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(users: StandardUsers) -> None:
    """A view by the analyst and a change by the triage officer, on two people, on two
    days; record numbers no other entry in these tests carries."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        record_event(event_type=EventType.VIEW, actor=users[Role.ANALYST],
                     record_type="people.person", record_id="70001")
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, tzinfo=dt.UTC), tick=False):
        record_event(event_type=EventType.CHANGE, actor=users[Role.TRIAGE],
                     record_type="people.person", record_id="70002")


def _log(users: StandardUsers, **filters: str) -> str:
    response = users.client(Role.INFORMATION_GOVERNANCE).get(reverse("audit:log"), filters)
    assert response.status_code == 200
    return response.content.decode()


def test_information_governance_reads_every_entry(users: StandardUsers, entries: None) -> None:
    page = _log(users)
    assert "people.person 70001" in page
    assert "people.person 70002" in page


@pytest.mark.parametrize(("filters", "shown", "hidden"), [
    ({"username": "hub.analyst"}, "70001", "70002"),
    ({"event_type": EventType.CHANGE}, "70002", "70001"),
    ({"record_type": "people.person", "record_id": "70002"}, "70002", "70001"),
    ({"date_from_day": "5", "date_from_month": "3", "date_from_year": "2026"},
     "70002", "70001"),
    ({"date_to_day": "5", "date_to_month": "3", "date_to_year": "2026"}, "70001", "70002"),
])
def test_the_filters_narrow_the_log(
    users: StandardUsers, entries: None, filters: dict[str, str], shown: str, hidden: str
) -> None:
    page = _log(users, **filters)
    assert f"people.person {shown}" in page
    assert f"people.person {hidden}" not in page


def test_an_end_before_the_start_is_refused_and_shows_nothing(
    users: StandardUsers, entries: None
) -> None:
    page = _log(users, date_from_day="9", date_from_month="3", date_from_year="2026",
                date_to_day="2", date_to_month="3", date_to_year="2026")
    assert "The end date must be the same as or after the start date" in page
    assert "people.person 7000" not in page
    assert "Nothing recorded." in page


@pytest.mark.parametrize("role", [role for role in Role if role != Role.INFORMATION_GOVERNANCE])
def test_no_other_role_opens_the_log(users: StandardUsers, role: Role) -> None:
    client = users.client(role)
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403


def _check(users: StandardUsers) -> str:
    response = users.client(Role.INFORMATION_GOVERNANCE).post(reverse("audit:verify"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_check_page_warns_of_entries_left_unsealed_too_long(users: StandardUsers) -> None:
    # In a test the transaction never commits, so nothing is sealed after it: as if the
    # sealing round and the every-minute audit_seal had both stopped.
    now = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    with time_machine.travel(now - dt.timedelta(minutes=5), tick=False):
        record_event(event_type=EventType.VIEW, actor=users[Role.ANALYST],
                     record_type="people.person", record_id="70003")
    with time_machine.travel(now, tick=False):
        html = _check(users)
    assert 'id="sealing-overdue"' in html
    assert "waited more than a minute to be sealed" in html
    assert "manage.py audit_seal" in html


def test_entries_written_moments_ago_are_not_a_warning(users: StandardUsers) -> None:
    now = dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        record_event(event_type=EventType.VIEW, actor=users[Role.ANALYST],
                     record_type="people.person", record_id="70004")
        html = _check(users)
    assert 'id="sealing-overdue"' not in html
    assert 'id="unsealed"' in html and "still to be sealed" in html
