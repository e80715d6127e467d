"""Disruptions in the work queue: breached ones and those expiring within the notice
period, for the lead officer and the hub's supervisors. All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.core.work_queue import HIGH, NORMAL, work_queue_for
from macehub.disruption import services
from macehub.disruption.models import Disruption
from macehub.disruption.tests.factories import cawn, make_hub

pytestmark = pytest.mark.django_db


def queue(user: User) -> list[Any]:
    lists = {work.source.name: work for work in work_queue_for(user, timezone.now()).lists}
    work = lists.get("disruptions_to_watch")
    return work.draw([w.key for w in work.waiting]) if work else []


def test_breached_and_expiring_disruptions_wait_for_the_lead_and_supervisors(
        hub_agency: Agency, hub_team: Team) -> None:
    hub = make_hub(hub_agency, hub_team)
    today = timezone.localdate()
    soon, later, breached = cawn(hub), cawn(hub), cawn(hub)
    Disruption.objects.filter(pk=soon.pk).update(expires_on=today + dt.timedelta(days=20))
    Disruption.objects.filter(pk=later.pk).update(expires_on=today + dt.timedelta(days=40))
    services.record_breach(actor=hub.investigator, disruption_pk=breached.pk,
                           expected_version=1, occurred_on=today, what_happened="Seen",
                           action_taken="Arrested")
    lead = queue(hub.investigator)
    assert [item.title.split(":")[0] for item in lead] == [breached.reference,
                                                           soon.reference]
    assert lead[0].urgency == HIGH and lead[1].urgency == NORMAL
    assert [item.title for item in queue(hub.supervisor)] == [item.title for item in lead]
    assert queue(hub.analyst) == []
    with override_settings(DISRUPTION_EXPIRY_NOTICE_DAYS=60):
        assert len(queue(hub.investigator)) == 3
