"""The migration that gives missing episodes to the child: existing episodes take their
child from their case, an interview recorded as held was offered (and accepted) then,
and the migration reverses cleanly while every episode still has a case."""

from __future__ import annotations

import datetime as dt

import pytest

from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.testing.factories import make_person, make_user
from macehub.testing.migrations import (
    back_to_latest_migrations,
    migrate_to,
    migration_and_parent,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.migration_history]


def test_backfill_gives_each_episode_its_cases_child_and_reverses(hub_agency, hub_team):
    opener = make_user("mig.opener", "triage", agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Ria", family_name="Backfill")
    case = open_case(actor=opener, child=child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Migration test")
    node, parent = migration_and_parent("cases", "missing_episodes_belong_to_the_child")
    with back_to_latest_migrations():
        before = migrate_to(parent)
        old_episode = before.get_model("cases", "MissingEpisode")
        returned = dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC)
        held = old_episode.objects.create(
            case_id=case.pk, recorded_by_id=opener.pk,
            went_missing_at=returned - dt.timedelta(hours=6), returned_at=returned,
            return_interview_at=returned + dt.timedelta(hours=50))
        waiting = old_episode.objects.create(
            case_id=case.pk, recorded_by_id=opener.pk,
            went_missing_at=returned + dt.timedelta(days=3), returned_at=None)

        after = migrate_to(node)
        episode = after.get_model("cases", "MissingEpisode")
        moved = {e.pk: e for e in episode.objects.all()}
        assert {e.child_id for e in moved.values()} == {child.pk}
        assert moved[held.pk].interview_offered_at == returned + dt.timedelta(hours=50)
        assert moved[held.pk].interview_response == "accepted"
        assert moved[held.pk].return_interview_at == returned + dt.timedelta(hours=50)
        assert moved[waiting.pk].interview_offered_at is None
        assert moved[waiting.pk].interview_response == ""

        # Back again: the episodes are still there, with their case and interview.
        back = migrate_to(parent)
        again = back.get_model("cases", "MissingEpisode").objects.get(pk=held.pk)
        assert again.case_id == case.pk
        assert again.return_interview_at == returned + dt.timedelta(hours=50)

        # An episode recorded with no case refuses the way back rather than be lost.
        after = migrate_to(node)
        episode = after.get_model("cases", "MissingEpisode")
        episode.objects.create(child_id=child.pk, case_id=None, recorded_by_id=opener.pk,
                               went_missing_at=returned + dt.timedelta(days=10))
        with pytest.raises(RuntimeError, match="without a case"):
            migrate_to(parent)
