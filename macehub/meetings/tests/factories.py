"""Test records for meetings: the hub's chair, a weekly series with police and social
care as standing members, and meetings of it. All names are made up."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.meetings import services
from macehub.meetings.models import Meeting, MeetingSeries


def make_series(chair: User, agencies: list[Agency], name: str = "Weekly tactical"
                ) -> MeetingSeries:
    return services.create_series(actor=chair, name=name, kind="weekly_tactical",
                                  agency_pks=[agency.pk for agency in agencies])


def make_meeting(chair: User, series: MeetingSeries, days_ago: int = 0) -> Meeting:
    return services.schedule_meeting(
        actor=chair, series_pk=series.pk,
        held_on=timezone.localdate() - dt.timedelta(days=days_ago), chair_pk=chair.pk)


def prepare(chair: User, meeting: Meeting) -> Meeting:
    meeting.refresh_from_db()
    services.prepare_agenda(actor=chair, meeting_pk=meeting.pk,
                            expected_version=meeting.version)
    meeting.refresh_from_db()
    return meeting
