"""Test records for the workforce app: staff holding work of each kind (cases by tier,
investigations, exhibits waiting, meeting actions), written directly. All names are made
up."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases.models import Case
from macehub.forensics.models import Exhibit
from macehub.forensics.tests.factories import Force, make_force, make_investigation, seize
from macehub.investigations.models import Investigation
from macehub.meetings.models import AgendaItem, MeetingAction
from macehub.meetings.tests.factories import make_meeting, make_series
from macehub.testing.factories import make_person, make_user

_numbers = itertools.count(1)


def hold_case(worker: User, tier: str, *, closed: bool = False) -> Case:
    number = next(_numbers)
    assert worker.agency is not None
    child = make_person(worker.agency, given_name=f"Child{number}", family_name="Testcase")
    return Case.objects.create(
        reference=f"MACE-T-{number:06d}", child=child, opened_at=timezone.now(),
        opened_by=worker, lead_agency=worker.agency, key_worker=worker, risk_tier=tier,
        status="closed" if closed else "open",
        closed_at=timezone.now() if closed else None,
        closure_reason="risk_reduced" if closed else "")


def own_action(owner: User, chair: User, *, done: bool = False) -> MeetingAction:
    number = next(_numbers)
    assert owner.agency is not None
    series = make_series(chair, [owner.agency], name=f"Tactical {number}")
    meeting = make_meeting(chair, series)
    item = AgendaItem.objects.create(meeting=meeting, position=1, source="chair",
                                     title="Hotel checks")
    return MeetingAction.objects.create(
        reference=f"ACT-T-{number:06d}", item=item, description="Visit the hotel",
        owner=owner, agency=owner.agency, due_on=timezone.localdate() + dt.timedelta(days=7),
        status="done" if done else "open", created_by=chair, created_at=timezone.now())


@dataclass
class Workers:
    social_worker: User
    force: Force
    chair: User
    investigations: list[Investigation]
    exhibits: list[Exhibit]


def make_workers(agency: Agency, team: Team) -> Workers:
    """A social worker holding two High, one Medium and one Low open case (and a closed
    High one); an investigator holding one open investigation (and a closed one) with
    one exhibit waiting (and one returned), and one open meeting action (and one done).
    At the default weights: 9 and 2.75."""
    social_worker = make_user("sam.socialworker", Role.SOCIAL_WORKER, agency=agency, team=team)
    for tier in ("high", "high", "medium", "low"):
        hold_case(social_worker, tier)
    hold_case(social_worker, "high", closed=True)
    force = make_force(agency, team)
    chair = make_user("cat.chair", Role.MEETING_CHAIR, agency=agency, team=team)
    investigations = [make_investigation(force, 1), make_investigation(force, 2)]
    Investigation.objects.filter(pk=investigations[1].pk).update(status="closed")
    exhibits = [seize(force, investigations[0]), seize(force, investigations[0])]
    Exhibit.objects.filter(pk=exhibits[1].pk).update(stage="returned")
    own_action(force.investigator, chair)
    own_action(force.investigator, chair, done=True)
    return Workers(social_worker, force, chair, investigations, exhibits)
