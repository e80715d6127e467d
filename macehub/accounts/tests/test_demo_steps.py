"""The accounts demo step: a change of access waiting for a second administrator, which
that administrator finds in their work queue and the one who asked does not."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from macehub.accounts.demo_steps import (
    ASKED_BY,
    SUBJECT,
    delete_demo_access_changes,
    demo_access_changes,
)
from macehub.accounts.models import Agency, RoleChangeRequest
from macehub.accounts.roles import AgencyKind, Role, RoleChangeStatus
from macehub.core.work_queue import work_queue_for
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext
from macehub.demo.scales import SCALES
from macehub.testing.factories import make_agency, make_team, make_user

pytestmark = pytest.mark.django_db


def test_a_change_of_access_waits_for_the_second_administrator(hub_agency: Agency) -> None:
    office = make_team(hub_agency, "Information Management", is_hub_team=False)
    asker = make_user(ASKED_BY, Role.ADMINISTRATOR, agency=hub_agency, team=office)
    second = make_user("admin2.police", Role.ADMINISTRATOR, agency=hub_agency, team=office)
    council = make_agency("council", AgencyKind.CHILDRENS_SOCIAL_CARE, name="Council")
    subject = make_user(SUBJECT, Role.REFERRER, agency=council,
                        team=make_team(council, "District", is_hub_team=False))
    ctx = DemoContext(seed=1, scale=SCALES["small"], as_of=dt.date(2026, 6, 1),
                      progress=Progress(), users={ASKED_BY: asker, SUBJECT: subject})

    demo_access_changes(ctx)
    request = RoleChangeRequest.objects.get()
    assert (request.status, request.new_roles) == (
        RoleChangeStatus.PENDING, sorted([Role.ANALYST, Role.REFERRER]))
    assert subject.role_codes == {Role.REFERRER}  # nothing applied yet
    assert [item.kind for item in work_queue_for(second, timezone.now()).items] == [
        "Change of access"]
    assert work_queue_for(asker, timezone.now()).items == []

    assert delete_demo_access_changes(Progress()) == {"changes of access waiting": 1}
    assert not RoleChangeRequest.objects.exists()
