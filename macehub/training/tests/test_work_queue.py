"""Training in the work queues: the training lead sees their agency's people whose
required training expired or expires soon; each person sees their own. All names are
made up."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.core.work_queue import work_queue_for
from macehub.testing.factories import make_user
from macehub.training.tests.factories import trained

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 3, 3, 11, 0, tzinfo=dt.UTC)


@time_machine.travel(TUESDAY, tick=False)
def test_the_lead_and_the_person_see_training_to_renew(
        hub_agency: Agency, hub_team: Team, partner_agency: Agency) -> None:
    lead = make_user("lea.lead", Role.TRAINING_LEAD, agency=hub_agency, team=hub_team)
    officer = make_user("ian.investigator", Role.INVESTIGATOR, agency=hub_agency,
                        team=hub_team)
    outsider = make_user("sam.social", Role.SOCIAL_WORKER, agency=partner_agency)
    trained(officer, "cse_awareness", dt.date(2023, 4, 1), dt.date(2026, 4, 1))
    trained(officer, "abe_interviewing", dt.date(2022, 1, 1), dt.date(2025, 1, 1))
    trained(outsider, "cse_awareness", dt.date(2023, 4, 1), dt.date(2026, 4, 1))
    trained(lead, "cse_awareness", dt.date(2025, 4, 1))

    queue = {work.source.name: work for work in work_queue_for(lead, timezone.now()).lists}
    items = queue["training_to_renew"].items
    assert [item.title for item in items] == [
        "Ian Tester: Achieving Best Evidence interviewing",
        "Ian Tester: Child exploitation awareness"]
    assert items[0].tag == "Expired" and items[0].is_overdue(timezone.now())
    assert "own_training" not in queue

    own = {work.source.name: work for work in work_queue_for(officer, timezone.now()).lists}
    assert [item.title for item in own["own_training"].items] == [
        "Achieving Best Evidence interviewing", "Child exploitation awareness"]
    assert "training_to_renew" not in own
