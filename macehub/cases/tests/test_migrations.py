"""The migration that gives missing episodes to the child: existing episodes take their
child from their case, an interview recorded as held was offered (and accepted) then,
and the migration reverses cleanly while every episode still has a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from macehub.cases.codes import RiskTier
from macehub.cases.services import open_case
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "missing_episodes_belong_to_the_child"


def _migration_and_parent() -> tuple[tuple[str, str], tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    node = next(key for key in graph.nodes if key[0] == "cases" and key[1].endswith(NAME))
    parent = next(key for key in graph.node_map[node].parents if key[0] == "cases")
    return node, parent


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return MigrationExecutor(connection)  # a fresh loader sees the state reached


def test_backfill_gives_each_episode_its_cases_child_and_reverses(hub_agency, hub_team):
    opener = make_user("mig.opener", "triage", agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, given_name="Ria", family_name="Backfill")
    case = open_case(actor=opener, child=child, risk_tier=RiskTier.MEDIUM,
                     lead_agency=hub_agency, reason="Migration test")
    node, parent = _migration_and_parent()
    # Every app's latest: going back in cases also unapplies other apps' migrations
    # that depend on it.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        before = _migrate(parent).loader.project_state(parent).apps
        old_episode = before.get_model("cases", "MissingEpisode")
        returned = dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC)
        held = old_episode.objects.create(
            case_id=case.pk, recorded_by_id=opener.pk,
            went_missing_at=returned - dt.timedelta(hours=6), returned_at=returned,
            return_interview_at=returned + dt.timedelta(hours=50))
        waiting = old_episode.objects.create(
            case_id=case.pk, recorded_by_id=opener.pk,
            went_missing_at=returned + dt.timedelta(days=3), returned_at=None)

        after = _migrate(node).loader.project_state(node).apps
        episode = after.get_model("cases", "MissingEpisode")
        moved = {e.pk: e for e in episode.objects.all()}
        assert {e.child_id for e in moved.values()} == {child.pk}
        assert moved[held.pk].interview_offered_at == returned + dt.timedelta(hours=50)
        assert moved[held.pk].interview_response == "accepted"
        assert moved[held.pk].return_interview_at == returned + dt.timedelta(hours=50)
        assert moved[waiting.pk].interview_offered_at is None
        assert moved[waiting.pk].interview_response == ""

        # Back again: the episodes are still there, with their case and interview.
        back = _migrate(parent).loader.project_state(parent).apps
        again = back.get_model("cases", "MissingEpisode").objects.get(pk=held.pk)
        assert again.case_id == case.pk
        assert again.return_interview_at == returned + dt.timedelta(hours=50)

        # An episode recorded with no case refuses the way back rather than be lost.
        _migrate(node)
        after = MigrationExecutor(connection).loader.project_state(node).apps
        episode = after.get_model("cases", "MissingEpisode")
        episode.objects.create(child_id=child.pk, case_id=None, recorded_by_id=opener.pk,
                               went_missing_at=returned + dt.timedelta(days=10))
        with pytest.raises(RuntimeError, match="without a case"):
            _migrate(parent)
    finally:
        MigrationExecutor(connection).migrate(latest)
