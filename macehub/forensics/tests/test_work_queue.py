"""Seized devices in the work queue: the force's examiners get each device waiting for
triage or a full examination, least time left first, overdue flagged and old exhibits
high; an investigation's supervisor gets the old exhibits of the investigations they
supervise. All names are made up."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.core.work_queue import HIGH, NORMAL, work_queue_for
from macehub.forensics import services
from macehub.forensics.tests.factories import make_force, make_investigation, seize
from macehub.testing.factories import make_agency, make_team, make_user

pytestmark = pytest.mark.django_db


def queue(user: User, source: str) -> list[Any]:
    lists = {work.source.name: work for work in work_queue_for(user, timezone.now()).lists}
    return lists[source].draw([w.key for w in lists[source].waiting]) if source in lists else []


def test_devices_wait_for_the_examiner_and_old_ones_for_the_supervisor_too(
        hub_agency: Agency, hub_team: Team) -> None:
    force = make_force(hub_agency, hub_team)
    investigation = make_investigation(force)
    later = seize(force, investigation, priority="other", hours_ago=1)
    overdue = seize(force, investigation, priority="immediate_risk", hours_ago=50)
    old = seize(force, investigation, priority="group_based", hours_ago=24 * 95)
    full = seize(force, investigation, priority="immediate_risk", hours_ago=3)
    services.record_triage(actor=force.examiner, exhibit_pk=full.pk, expected_version=1,
                           findings="Images to grade", full_examination_needed=True)
    done = seize(force, investigation, priority="immediate_risk")
    services.record_triage(actor=force.examiner, exhibit_pk=done.pk, expected_version=1,
                           findings="Nothing", full_examination_needed=False)

    items = queue(force.examiner, "exhibits_to_examine")
    assert [item.title.split(":")[0] for item in items] == [
        old.reference, overdue.reference, later.reference, full.reference]
    assert items[0].urgency == HIGH and items[0].tag == "Old"
    assert items[1].urgency == NORMAL and items[1].is_overdue(timezone.now())
    assert items[1].kind == "Device to triage"
    assert items[3].kind == "Device to examine in full"
    assert not items[3].is_overdue(timezone.now())
    assert queue(force.investigator, "exhibits_to_examine") == []

    (item,) = queue(force.supervisor, "old_exhibits")
    assert item.title.startswith(old.reference) and item.urgency == HIGH
    assert queue(force.investigator, "old_exhibits") == [], "not their supervision"
    assert queue(force.examiner, "old_exhibits") == [], "already in their devices"
    with override_settings(FORENSICS_OLD_EXHIBIT_DAYS=200):
        assert queue(force.supervisor, "old_exhibits") == []

    other = make_agency("other-police", AgencyKind.POLICE, name="Other Police")
    examiner = make_user("olga.other", Role.FORENSICS, agency=other,
                         team=make_team(other, "Other team"))
    assert queue(examiner, "exhibits_to_examine") == []
