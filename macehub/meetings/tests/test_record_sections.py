"""A group or a vehicle discussed at a meeting shows the meeting on its own page, to
those who may read both. All names and registrations are made up."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.intelligence.models import Vehicle
from macehub.intelligence.tests.factories import link, make_report
from macehub.meetings import services
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.networks.codes import GroupStatus
from macehub.networks.models import Group

pytestmark = pytest.mark.django_db


def test_a_group_and_a_vehicle_show_the_meetings_that_discussed_them(
        users: StandardUsers, hub_agency: Agency) -> None:
    chair, analyst = users[Role.MEETING_CHAIR], users[Role.ANALYST]
    group = Group.objects.create(reference="GRP-TEST-0201", name="Taxi rank group",
                                 status=GroupStatus.CONFIRMED, proposed_by=analyst,
                                 proposed_at=timezone.now())
    vehicle = Vehicle.objects.create(registration="ZZ99TST", make="Ford", model="Focus")
    link(make_report(analyst.team, analyst), vehicle)
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    for kind, reference in (("group", group.reference), ("vehicle", vehicle.registration)):
        services.add_item(actor=chair, meeting_pk=meeting.pk, title=f"The {kind}",
                          link_kind=kind, link_reference=reference)
    client = users.client(Role.ANALYST)
    for url, title in ((reverse("networks:group_detail", args=[group.pk]), "The group"),
                       (reverse("intelligence:vehicle_detail", args=[vehicle.pk]),
                        "The vehicle")):
        page = client.get(url).content.decode()
        assert "Discussed at meetings" in page, url
        assert reverse("meetings:detail", args=[meeting.pk]) in page and title in page, url
