"""An action's owner has it in their work queue, overdue flagged; the reminder command
e-mails owners of actions due within two days or overdue, at most once a day per
action, naming the meeting and the action only. All names are made up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.core.work_queue import work_queue_for
from macehub.meetings import services
from macehub.meetings.models import MeetingAction
from macehub.meetings.notify import remind_action_owners
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.testing.factories import signed_in_client
from macehub.testing.notify import TEMPLATE_IDS, FakeNotify, fake_notify_server

pytestmark = pytest.mark.django_db


def _actions(users: StandardUsers, hub_agency: Agency) -> tuple[User, list[MeetingAction]]:
    chair = users[Role.MEETING_CHAIR]
    meeting = make_meeting(chair, make_series(chair, [hub_agency]), days_ago=10)
    item = services.add_item(actor=chair, meeting_pk=meeting.pk,
                             title="Sasha Secretchild at the takeaway")
    owner = users[Role.SOCIAL_WORKER]
    owner.email = "owner@example.org"
    owner.save()
    today = timezone.localdate()
    made = [services.add_action(actor=chair, item_pk=item.pk, description=f"Task {days}",
                                owner_pk=owner.pk, agency_pk=hub_agency.pk,
                                due_on=today + dt.timedelta(days=days))
            for days in (-3, 1, 9)]
    return owner, made


def test_the_owner_has_their_actions_in_the_work_queue(users: StandardUsers,
                                                       hub_agency: Agency) -> None:
    owner, (overdue, soon, later) = _actions(users, hub_agency)
    queue = work_queue_for(owner)
    items = [item for item in queue.items if item.kind == "Meeting action"]
    titles = {item.title.split(":")[0]: item for item in items}
    assert set(titles) == {overdue.reference, soon.reference, later.reference}
    assert titles[overdue.reference].tag == "Overdue"
    assert titles[soon.reference].tag == ""
    assert overdue.reference in {item.title.split(":")[0] for item in queue.overdue}
    assert not [item for item in work_queue_for(users[Role.ANALYST]).items
                if item.kind == "Meeting action"]


def test_the_overdue_badge(users: StandardUsers, hub_agency: Agency) -> None:
    owner, _made = _actions(users, hub_agency)
    client = signed_in_client(owner)
    for name in ("meetings:my_actions", "meetings:list"):
        page = client.get(reverse(name)).content.decode()
        assert "1 overdue" in page and "moj-badge--red" in page, name


def test_reminders_once_a_day_naming_the_meeting_and_action_only(
        users: StandardUsers, hub_agency: Agency) -> None:
    _owner, (overdue, soon, _later) = _actions(users, hub_agency)
    call_command("remind_meeting_actions")
    assert len(mail.outbox) == 2
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == sorted([f"Meeting action {overdue.reference} is overdue",
                               f"Meeting action {soon.reference} is due soon"])
    for message in mail.outbox:
        assert "Sasha" not in message.body and "Secretchild" not in message.body
        assert "Task" not in message.body
        assert overdue.item.meeting.reference in message.body
    assert MeetingAction.objects.get(pk=soon.pk).reminded_on == timezone.localdate()
    assert remind_action_owners() == 0  # not twice in a day
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert remind_action_owners(tomorrow) == 2


@pytest.fixture
def fake_notify() -> Iterator[FakeNotify]:
    with fake_notify_server() as server:
        yield server


def test_a_reminder_notify_refused_is_sent_again_on_the_next_run(
        users: StandardUsers, hub_agency: Agency, fake_notify: FakeNotify) -> None:
    _owner, (overdue, soon, _later) = _actions(users, hub_agency)
    fake_notify.status = 503
    assert remind_action_owners() == 0
    assert len(fake_notify.requests) == 2
    assert MeetingAction.objects.get(pk=soon.pk).reminded_on is None
    fake_notify.status = 201
    assert remind_action_owners() == 2
    sent = {request["body"]["personalisation"]["reference"]: request["body"]
            for request in fake_notify.requests[2:]}
    assert sent[overdue.reference]["personalisation"]["overdue"] == "yes"
    assert sent[soon.reference]["personalisation"]["overdue"] == "no"
    assert sent[soon.reference]["template_id"] == TEMPLATE_IDS["meeting_action_reminder"]
    assert MeetingAction.objects.get(pk=soon.pk).reminded_on == timezone.localdate()
