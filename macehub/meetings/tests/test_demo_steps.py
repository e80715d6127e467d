"""The demo's weekly tactical meetings, as of the tests' fixed demo day: 52, a week
apart over the year before it, chaired by the demo's chair; police and social care
nearly always attend, health and education less; agendas written from the demo's data;
most actions done on time, some overdue; every meeting's minutes approved but the last."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from django.utils import timezone

from macehub.conftest import DEMO_AS_OF
from macehub.demo.accounts import CHILDRENS_SERVICES, EDUCATION, HEALTH, POLICE
from macehub.meetings.codes import ATTENDED, ActionStatus
from macehub.meetings.models import AgendaItem, Attendance, Meeting, MeetingAction

pytestmark = pytest.mark.django_db


def test_the_demo_holds_a_year_of_weekly_meetings(small_demo: None) -> None:
    meetings = list(Meeting.objects.order_by("held_on").select_related("chair"))
    assert len(meetings) == 52
    assert {m.chair.username for m in meetings} == {"chair.police"}
    assert meetings[-1].held_on < DEMO_AS_OF
    assert (DEMO_AS_OF - meetings[0].held_on).days <= 366
    assert all((b.held_on - a.held_on).days == 7 for a, b in itertools.pairwise(meetings))
    assert all(m.minutes_approved_at is not None for m in meetings[:-1])
    assert meetings[-1].minutes_approved_at is None
    attended: Counter[str] = Counter()
    for row in Attendance.objects.select_related("agency"):
        if row.status in ATTENDED:
            attended[row.agency.code] += 1
    assert attended[POLICE] >= 48 and attended[CHILDRENS_SERVICES] >= 46
    assert attended[HEALTH] < attended[POLICE] and attended[EDUCATION] < attended[POLICE]
    sources = Counter(AgendaItem.objects.values_list("source", flat=True))
    assert sources["high_risk"] > 0 and sources["actions"] > 0
    today = timezone.localdate()
    actions = list(MeetingAction.objects.all())
    due = [a for a in actions if a.due_on < today]
    on_time = [a for a in due if a.status == ActionStatus.DONE
               and a.completed_on is not None and a.completed_on <= a.due_on]
    overdue = [a for a in due if a.status == ActionStatus.OPEN]
    assert len(on_time) > len(due) / 2
    assert overdue, "some actions are overdue"
    assert all(a.completed_on is None or a.completed_on <= today for a in actions)
