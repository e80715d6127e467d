"""Samples for the URL x role test: a weekly tactical meeting of the hub, a free-text item
on its agenda (seen by every reader of the meeting) and an action on it owned by the
sample user (who sees and closes their own action, and nothing else of the meeting)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.meetings.models import AgendaItem, Meeting, MeetingAction, MeetingSeries
from macehub.testing.factories import make_user


def build(samples: dict[str, Any]) -> None:
    now = timezone.now()
    chair = make_user("sample.chair", Role.MEETING_CHAIR, agency=samples["hub_agency"],
                      team=samples["hub_team"])
    series = MeetingSeries.objects.create(name="Sample weekly tactical",
                                          kind="weekly_tactical", created_by=chair,
                                          created_at=now)
    series.standing_agencies.add(samples["hub_agency"])
    meeting = Meeting.objects.create(
        reference="MTG-SAMPLE-000001", series=series, held_on=timezone.localdate(),
        chair=chair, created_by=chair, created_at=now)
    item = AgendaItem.objects.create(meeting=meeting, position=1, source="chair",
                                     title="Any other business", added_by=chair)
    samples["meeting_series_pk"] = series
    samples["meeting_pk"] = meeting
    samples["agenda_item_pk"] = item
    samples["meeting_action_pk"] = MeetingAction.objects.create(
        reference="ACT-SAMPLE-000001", item=item, description="Send the safety plan",
        owner=samples["user_pk"], agency=samples["hub_agency"],
        due_on=timezone.localdate() + dt.timedelta(days=7), created_by=chair,
        created_at=now)
