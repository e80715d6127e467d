"""Disruptions on the hub's meeting agenda: one breached since the series' last meeting,
and one in force expiring within the notice period, each linked and read through the
disruption's own access rule. All names are made up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.conftest import StandardUsers
from macehub.disruption import services
from macehub.disruption.models import Disruption
from macehub.disruption.tests.factories import cawn, make_hub, tactic
from macehub.meetings import selectors as mselectors
from macehub.meetings import services as meetings
from macehub.meetings.tests.factories import make_meeting, make_series, prepare
from macehub.testing.factories import signed_in_client

pytestmark = pytest.mark.django_db


@override_settings(DISRUPTION_EXPIRY_NOTICE_DAYS=28)
def test_breached_and_expiring_disruptions_go_on_the_agenda(
        users: StandardUsers, hub_agency: Agency, hub_team: Team) -> None:
    hub = make_hub(hub_agency, hub_team)
    breached = cawn(hub)
    services.record_breach(actor=hub.investigator, disruption_pk=breached.pk,
                           expected_version=breached.version,
                           occurred_on=timezone.localdate(), what_happened="Seen with Poppy",
                           action_taken="Arrested")
    expiring = cawn(hub, days_ago=350)  # a year's notice: 15 days left
    lasting = cawn(hub, days_ago=5)
    chair = users[Role.MEETING_CHAIR]
    meeting = prepare(chair, make_meeting(chair, make_series(chair, [hub_agency])))
    items = {item.record_id: item for item in meeting.items.filter(source="disruptions")}
    assert set(items) == {breached.pk, expiring.pk}, "not one still far from its expiry"
    assert "breached on" in items[breached.pk].title
    assert items[expiring.pk].title.endswith(f"expires on {expiring.expires_on:%d %B %Y}")
    assert items[breached.pk].link == f"/disruption/{breached.pk}/"
    assert items[breached.pk].view_action == "disruption.view"
    assert not Disruption.objects.filter(pk=lasting.pk, expires_on__lte=timezone.localdate()
                                         + dt.timedelta(days=28)).exists()


def test_a_disruption_names_the_meeting_decision_that_agreed_it(
        users: StandardUsers, hub_agency: Agency, hub_team: Team) -> None:
    hub = make_hub(hub_agency, hub_team)
    chair = users[Role.MEETING_CHAIR]
    meeting = make_meeting(chair, make_series(chair, [hub_agency]))
    item = meetings.add_item(actor=chair, meeting_pk=meeting.pk,
                             title="Disrupting the taxi rank group")
    undecided = meetings.add_item(actor=chair, meeting_pk=meeting.pk, title="Any other")
    meetings.record_discussion(actor=chair, item_pk=item.pk, expected_version=item.version,
                               summary="Dean seen with Poppy", decision="Serve a CAWN")
    new = {"tactic_pk": tactic("cawn").pk, "target_kind": "person",
           "target_pk": hub.suspect.pk, "child_pks": [hub.child.pk]}
    with pytest.raises(ValidationError, match="meeting decision"):
        services.record_disruption(actor=hub.supervisor, disruption=services.NewDisruption(
            **new, agreed_at_pk=undecided.pk))
    disruption = services.record_disruption(
        actor=hub.supervisor, disruption=services.NewDisruption(**new, agreed_at_pk=item.pk))
    assert disruption.agreed_at == item
    page = signed_in_client(hub.supervisor).get(
        reverse("disruption:detail", args=[disruption.pk])).content.decode()
    assert reverse("meetings:detail", args=[meeting.pk]) in page
    # Someone outside the hub team who may see the disruption is not told of the meeting.
    assert not mselectors.item_visible(hub.licensing, item)
