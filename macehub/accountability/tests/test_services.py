"""The tracker's services: who may change what, the audit of every change, concurrent
edits, and nothing closed without evidence."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from macehub.accountability import services
from macehub.accountability.models import AssessmentChange, StatusChange
from macehub.accountability.tests.factories import (
    make_action,
    make_inspection,
    make_recommendation,
    make_scrutiny_officer,
)
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.core.versioning import EditConflict

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db


def test_a_senior_leader_records_an_inspection_and_its_recommendation(
        users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    inspection = services.record_inspection(
        actor=leader, body="hmicfrs", title="  An inspection  ",
        published_on=dt.date(2025, 3, 1), reference="ref-1")
    found = services.add_recommendation(
        actor=leader, inspection_pk=inspection.pk, kind="recommendation", number=3,
        text="Do better", addressed_to="Chief Constables", theme="supervision")
    assert inspection.title == "An inspection"
    assert AuditEvent.objects.filter(record_type="accountability.recommendation",
                                     record_id=str(found.pk), event_type="create").exists()
    with pytest.raises(ValidationError) as refused:
        services.add_recommendation(
            actor=leader, inspection_pk=inspection.pk, kind="recommendation", number=3,
            text="Again", addressed_to="", theme="supervision")
    assert "already has recommendation 3" in str(refused.value)


def test_only_the_forces_senior_leaders_manage_the_tracker(users: StandardUsers) -> None:
    inspection = make_inspection(users[Role.SENIOR_LEADER])
    with pytest.raises(PermissionDenied):
        services.record_inspection(actor=users[Role.ANALYST], body="hmicfrs", title="x",
                                   published_on=dt.date(2025, 1, 1))
    # The scrutiny officer may see the inspection but not change it: forbidden.
    with pytest.raises(PermissionDenied):
        services.add_recommendation(
            actor=make_scrutiny_officer(), inspection_pk=inspection.pk,
            kind="recommendation", number=1, text="x", addressed_to="", theme="training")
    with pytest.raises(Http404):
        services.add_recommendation(
            actor=users[Role.ANALYST], inspection_pk=inspection.pk,
            kind="recommendation", number=1, text="x", addressed_to="", theme="training")


def test_nothing_is_completed_or_evidenced_without_evidence(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    recommendation = make_recommendation(make_inspection(leader))

    def set_status(status: str) -> None:
        recommendation.refresh_from_db()
        services.set_status(actor=leader, recommendation_pk=recommendation.pk,
                            expected_version=recommendation.version, status=status,
                            commentary="Where it stands")

    with pytest.raises(ValidationError, match="no actions"):
        set_status("completed")
    action = make_action(recommendation, owner, leader)
    with pytest.raises(ValidationError, match="1 of its actions is still open"):
        set_status("completed")
    services.update_action(actor=owner, action_pk=action.pk, expected_version=1,
                           status="dropped", done_on=dt.date(2025, 6, 1),
                           evidence="Overtaken by the new policy")
    with pytest.raises(ValidationError, match="at least one must be done"):
        set_status("completed")
    second = make_action(recommendation, owner, leader)
    services.update_action(actor=owner, action_pk=second.pk, expected_version=1,
                           status="done", done_on=dt.date(2025, 7, 1), evidence="")
    set_status("completed")
    # The dropped action's reason is evidence text too; without any, evidenced is refused.
    action.refresh_from_db()
    type(action).objects.filter(pk=action.pk).update(evidence="")
    with pytest.raises(ValidationError, match="There is no evidence"):
        set_status("evidenced")
    services.link_metric(actor=leader, recommendation_pk=recommendation.pk,
                         metric_code="investigation_reviews_on_time")
    set_status("evidenced")
    recommendation.refresh_from_db()
    assert recommendation.status == "evidenced"
    history = list(StatusChange.objects.filter(recommendation=recommendation)
                   .values_list("from_status", "to_status"))
    assert history == [("completed", "evidenced"), ("not_started", "completed")]
    # The last evidence of an evidenced recommendation stays.
    with pytest.raises(ValidationError, match="only evidence"):
        services.unlink_metric(actor=leader, recommendation_pk=recommendation.pk,
                               metric_code="investigation_reviews_on_time")


def test_an_unknown_measure_is_not_linked(users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    recommendation = make_recommendation(make_inspection(leader))
    with pytest.raises(ValidationError, match="Select a measure"):
        services.link_metric(actor=leader, recommendation_pk=recommendation.pk,
                             metric_code="no_such_measure")


def test_a_status_set_from_an_old_version_is_a_conflict(users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    recommendation = make_recommendation(make_inspection(leader))
    services.set_status(actor=leader, recommendation_pk=recommendation.pk,
                        expected_version=1, status="in_progress", commentary="Started")
    with pytest.raises(EditConflict):
        services.set_status(actor=leader, recommendation_pk=recommendation.pk,
                            expected_version=1, status="not_started", commentary="Not yet")


def test_the_pcc_office_assesses_with_a_note_kept_as_history(users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    recommendation = make_recommendation(make_inspection(leader))
    scrutiny = make_scrutiny_officer()
    services.assess(actor=scrutiny, recommendation_pk=recommendation.pk, expected_version=1,
                    assessment="progressing", note="Reviews are happening more often")
    services.assess(actor=scrutiny, recommendation_pk=recommendation.pk, expected_version=2,
                    assessment="progressing", note="A note alone")
    assert list(AssessmentChange.objects.values_list("from_assessment", "to_assessment")) == [
        ("progressing", "progressing"), ("not_assessed", "progressing")]
    with pytest.raises(PermissionDenied):
        services.assess(actor=users[Role.SENIOR_LEADER], recommendation_pk=recommendation.pk,
                        expected_version=3, assessment="achieved", note="The force's own")
    with pytest.raises(EditConflict):
        services.assess(actor=scrutiny, recommendation_pk=recommendation.pk,
                        expected_version=1, assessment="achieved", note="Old page")


def test_only_the_owner_updates_their_action(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    action = make_action(make_recommendation(make_inspection(leader)), owner, leader)
    with pytest.raises(Http404):
        services.update_action(actor=users[Role.ANALYST], action_pk=action.pk,
                               expected_version=1, status="done",
                               done_on=dt.date(2025, 1, 1), evidence="")
    with pytest.raises(ValidationError, match="Enter the date it was done"):
        services.update_action(actor=owner, action_pk=action.pk, expected_version=1,
                               status="done", done_on=None, evidence="")
    done = services.update_action(actor=owner, action_pk=action.pk, expected_version=1,
                                  status="done", done_on=dt.date(2025, 1, 1),
                                  evidence="Policy published")
    assert done.version == 2
    assert AuditEvent.objects.filter(record_type="accountability.improvementaction",
                                     event_type="change").count() == 1
