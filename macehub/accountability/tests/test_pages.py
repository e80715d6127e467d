"""The tracker's pages: lists with bounded queries, the recommendation page with the
force's status and the PCC's assessment side by side and its live measures, the forms
keeping what was typed on a refusal, the import page's row report, statements published
and frozen, and each read audited."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from macehub.accountability.models import ProgressStatement, Recommendation
from macehub.accountability.tests.factories import (
    make_action,
    make_inspection,
    make_recommendation,
    make_scrutiny_officer,
)
from macehub.accounts.roles import Role
from macehub.audit.models import AuditEvent
from macehub.governance.tests.requested_jobs import post_and_download
from macehub.testing.factories import verified_login

if TYPE_CHECKING:
    from macehub.conftest import StandardUsers

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)


def _scrutiny_client() -> tuple[Client, Any]:
    officer = make_scrutiny_officer()
    client = Client()
    verified_login(client, officer)
    return client, officer


@time_machine.travel(NOW, tick=False)
def test_the_inspection_pages_list_in_a_fixed_number_of_queries(
        users: StandardUsers, django_assert_max_num_queries: Any) -> None:
    leader = users[Role.SENIOR_LEADER]
    client = users.client(Role.SENIOR_LEADER)
    for n in range(3):
        inspection = make_inspection(leader, title=f"Inspection {n}")
        for number in range(1, 6):
            make_action(make_recommendation(inspection, number=number),
                        users[Role.SUPERVISOR], leader, due_on=dt.date(2026, 1, 1))
    with django_assert_max_num_queries(14):
        listed = client.get(reverse("accountability:inspections"))
    assert listed.status_code == 200
    assert "0 of 5" in listed.content.decode()
    with django_assert_max_num_queries(18):
        page = client.get(reverse("accountability:inspection", args=[inspection.pk]))
    assert page.content.decode().count("Overdue") == 5
    assert AuditEvent.objects.filter(event_type="view", record_type="accountability.inspection",
                                     record_id=str(inspection.pk)).exists()


@time_machine.travel(NOW, tick=False)
def test_a_refused_status_shows_the_reason_and_keeps_what_was_typed(
        users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    recommendation = make_recommendation(make_inspection(leader))
    make_action(recommendation, users[Role.SUPERVISOR], leader)
    client = users.client(Role.SENIOR_LEADER)
    url = reverse("accountability:recommendation_status", args=[recommendation.pk])
    response = client.post(url, {"status": "completed", "commentary": "All done, we think",
                                 "version": "1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "1 of its actions is still open" in html
    assert "All done, we think" in html


@time_machine.travel(NOW, tick=False)
def test_the_recommendation_page_shows_both_views_and_its_measures(
        users: StandardUsers) -> None:
    leader = users[Role.SENIOR_LEADER]
    recommendation = make_recommendation(make_inspection(leader))
    client = users.client(Role.SENIOR_LEADER)
    client.post(reverse("accountability:recommendation_status", args=[recommendation.pk]),
                {"status": "in_progress", "commentary": "Policy being written",
                 "version": "1"})
    response = client.post(reverse("accountability:measure_link", args=[recommendation.pk]),
                           {"metric_code": "investigation_reviews_on_time"})
    assert response.status_code == 302
    scrutiny, _ = _scrutiny_client()
    scrutiny.post(reverse("accountability:recommendation_assess", args=[recommendation.pk]),
                  {"assessment": "insufficient", "note": "Too slow", "version": "2"})
    page = scrutiny.get(reverse("accountability:recommendation", args=[recommendation.pk]))
    html = page.content.decode()
    assert "Policy being written" in html and "Too slow" in html
    assert "Insufficient progress" in html and "In progress" in html
    assert "Supervisory reviews on time" in html
    assert "The last 12 months" in html
    # The scrutiny officer does not read the dashboard: no links to its pages.
    assert reverse("performance:metric", args=["investigation_reviews_on_time"]) not in html
    # The scrutiny officer may not change the force's status.
    assert "Set the status" not in html
    assert scrutiny.get(reverse("accountability:recommendation_status",
                                args=[recommendation.pk])).status_code == 403


def test_an_import_that_fails_lists_each_problem(users: StandardUsers) -> None:
    inspection = make_inspection(users[Role.SENIOR_LEADER])
    client = users.client(Role.SENIOR_LEADER)
    url = reverse("accountability:recommendation_import", args=[inspection.pk])
    upload = SimpleUploadedFile("recs.csv", b"kind,number,text,addressed_to,theme\n"
                                            b"recommendation,1,Text,,nonsense\n")
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    assert 'Row 2, column &quot;theme&quot;: Select the theme' in response.content.decode()
    good = SimpleUploadedFile("recs.csv", b"kind,number,text,addressed_to,theme\n"
                                          b"recommendation,1,Text,,training\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert Recommendation.objects.filter(inspection=inspection).count() == 1


@time_machine.travel(NOW, tick=False)
def test_an_owner_sees_and_updates_their_own_action(users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    action = make_action(make_recommendation(make_inspection(leader)), owner, leader,
                         due_on=dt.date(2026, 3, 1))
    client = users.client(Role.SUPERVISOR)
    mine = client.get(reverse("accountability:my_actions")).content.decode()
    assert "1 overdue" in mine
    home = client.get(reverse("home")).content.decode()
    assert "Inspection actions" in home
    url = reverse("accountability:action_update", args=[action.pk])
    assert client.post(url, {"status": "done", "done_on_day": "5", "done_on_month": "3",
                             "done_on_year": "2026", "evidence": "Published",
                             "version": "1"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert users.client(Role.ANALYST).get(url).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_published_statement_is_frozen_suppressed_and_names_no_one(
        users: StandardUsers, django_capture_on_commit_callbacks: Any) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    type(owner).objects.filter(pk=owner.pk).update(first_name="Priyanka", last_name="Owner")
    type(leader).objects.filter(pk=leader.pk).update(first_name="Lesley", last_name="Leader")
    owner.refresh_from_db()
    leader.refresh_from_db()
    recommendation = make_recommendation(make_inspection(leader))
    make_action(recommendation, owner, leader, status="done", evidence="Policy in place",
                done_on=dt.date(2026, 2, 1))
    from macehub.accountability import services
    services.link_metric(actor=leader, recommendation_pk=recommendation.pk,
                         metric_code="investigation_reviews_on_time")
    services.set_status(actor=leader, recommendation_pk=recommendation.pk,
                        expected_version=1, status="evidenced",
                        commentary="Reviews now happen at every set point")
    client, officer = _scrutiny_client()
    url = reverse("accountability:inspection_statements", args=[recommendation.inspection_id])
    assert client.post(url, {"foreword": ""}).status_code == 400
    response = client.post(url, {"foreword": "The Commissioner holds the force to account."})
    assert response.status_code == 302
    statement = ProgressStatement.objects.get()
    assert statement.figures_month == dt.date(2026, 2, 1)
    # Anyone signed in reads it; it names neither the owner nor who set the status.
    page = users.client(Role.REFERRER).get(
        reverse("accountability:statement", args=[statement.pk])).content.decode()
    assert "Reviews now happen at every set point" in page
    assert "Evidenced" in page and "Not yet assessed" in page
    assert "Supervisory reviews on time" in page
    frozen = json.dumps(statement.content)
    for name in ("Priyanka", "Lesley", owner.username, leader.username, officer.username):
        assert name not in page and name not in frozen
    # Later changes never alter it.
    services.set_status(actor=leader, recommendation_pk=recommendation.pk,
                        expected_version=2, status="in_progress", commentary="Reopened")
    statement.refresh_from_db()
    assert statement.content["recommendations"][0]["status"] == "evidenced"
    # Drawn in the background, downloaded from the job's page (the export).
    pdf = post_and_download(users.client(Role.REFERRER), django_capture_on_commit_callbacks,
                            reverse("accountability:statement_pdf", args=[statement.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(event_type="export",
                                     record_type="accountability.progressstatement").exists()


@time_machine.travel(NOW, tick=False)
def test_ones_own_actions_list_in_a_fixed_number_of_queries(
        users: StandardUsers, django_assert_max_num_queries: Any) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    inspection = make_inspection(leader)
    for number in range(1, 11):
        make_action(make_recommendation(inspection, number=number), owner, leader,
                    due_on=dt.date(2026, 2, number))
    client = users.client(Role.SUPERVISOR)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accountability:my_actions"))
    assert "10 overdue" in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_an_action_saved_from_an_old_page_is_a_conflict_keeping_what_was_typed(
        users: StandardUsers) -> None:
    leader, owner = users[Role.SENIOR_LEADER], users[Role.SUPERVISOR]
    action = make_action(make_recommendation(make_inspection(leader)), owner, leader)
    client = users.client(Role.SUPERVISOR)
    url = reverse("accountability:action_update", args=[action.pk])
    client.post(url, {"status": "open", "evidence": "First thoughts", "version": "1"})
    response = client.post(url, {"status": "open", "evidence": "Second thoughts",
                                 "version": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Someone else changed this" in html and "Second thoughts" in html
