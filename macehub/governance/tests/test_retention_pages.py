"""Retention review pages: the queue, a record's review, a disposal's decision by a
second officer, legal holds and the rules; each read audited, each page's queries
bounded."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.governance import retention_services as services
from macehub.governance.models import DisposalRequest, DisposalTombstone, LegalHold
from macehub.intelligence.models import IntelligenceReport
from macehub.intelligence.tests.factories import make_report
from macehub.testing.factories import make_user, verified_login

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def second_officer(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("second.ig", Role.INFORMATION_GOVERNANCE, agency=hub_agency, team=hub_team)


def _client(user: User) -> Client:
    client = Client()
    verified_login(client, user)
    return client


def _old_report(users: Any, n: int) -> IntelligenceReport:
    analyst = users[Role.ANALYST]
    return make_report(analyst.team, analyst, reference=f"INT-OLD-{n:04d}",
                       received_at=NOW - dt.timedelta(days=365 * 7 + n))


def test_the_queue_lists_due_records_oldest_first_and_audits_the_view(
        users: Any, django_assert_max_num_queries: Any) -> None:
    reports = [_old_report(users, n) for n in range(4)]
    client = users.client(Role.INFORMATION_GOVERNANCE)
    with django_assert_max_num_queries(30):
        response = client.get(reverse("audit:retention"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("INT-OLD-0003") < page.index("INT-OLD-0000")
    assert "MoPI group 3" in page
    event = AuditEvent.objects.filter(event_type=EventType.VIEW).latest("id")
    assert set(event.detail["records"]) == {report.reference for report in reports}
    filtered = client.get(reverse("audit:retention"), {"kind": "referral"})
    assert "INT-OLD-0000" not in filtered.content.decode()


def test_other_roles_may_not_open_the_queue(users: Any) -> None:
    assert users.client(Role.ANALYST).get(reverse("audit:retention")).status_code == 403
    assert users.client(Role.ADMINISTRATOR).get(
        reverse("audit:retention_rules")).status_code == 200


def test_the_review_page_audits_the_read_and_keeps_the_record(users: Any) -> None:
    report = _old_report(users, 1)
    client = users.client(Role.INFORMATION_GOVERNANCE)
    url = reverse("audit:retention_review", args=["intelligence_report", report.pk])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        event_type=EventType.VIEW, record_type="intelligence.intelligencereport",
        record_id=str(report.pk)).exists()
    refused = client.post(url, {"decision": "retain", "retain-reason": "",
                                "retain-next_review_on_day": "1",
                                "retain-next_review_on_month": "6",
                                "retain-next_review_on_year": "2040"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Enter why the record is kept" in page and "govuk-error-summary" in page
    kept = client.post(url, {"decision": "retain", "retain-reason": "Still active",
                             "retain-next_review_on_day": "1", "retain-next_review_on_month": "6",
                             "retain-next_review_on_year": "2028"})
    assert kept.status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.RETENTION_DECIDED).count() == 1


def test_an_unknown_record_is_not_found(users: Any) -> None:
    client = users.client(Role.INFORMATION_GOVERNANCE)
    assert client.get(reverse("audit:retention_review",
                              args=["intelligence_report", 999999])).status_code == 404
    assert client.get(reverse("audit:retention_review",
                              args=["nonsense", 1])).status_code == 404


def test_disposal_is_asked_for_by_one_officer_and_approved_by_another(
        users: Any, second_officer: User) -> None:
    report = _old_report(users, 1)
    asker = users.client(Role.INFORMATION_GOVERNANCE)
    asked = asker.post(reverse("audit:retention_review", args=["intelligence_report", report.pk]),
                       {"decision": "dispose", "dispose-reason": "No longer needed"})
    assert asked.status_code == 302
    request = DisposalRequest.objects.get()
    url = reverse("audit:retention_disposal", args=[request.pk])
    assert asker.get(url).status_code == 404
    approver = _client(second_officer)
    assert approver.get(url).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     record_type="governance.disposalrequest").exists()
    assert "INT-OLD-0001" in approver.get(reverse("audit:retention")).content.decode()
    done = approver.post(url, {"decision": "approve", "version": "1"})
    assert done.status_code == 302
    assert not IntelligenceReport.objects.filter(pk=report.pk).exists()
    assert DisposalTombstone.objects.get().reference == "INT-OLD-0001"


def test_a_legal_hold_is_placed_by_reference_and_released(users: Any) -> None:
    report = _old_report(users, 1)
    client = users.client(Role.INFORMATION_GOVERNANCE)
    url = reverse("audit:retention_holds")
    assert client.get(url).status_code == 200
    unknown = client.post(url, {"name": "Operation Test", "reason": "Inquiry",
                                "references": "INT-NOPE-1"})
    assert unknown.status_code == 400 and "INT-NOPE-1" in unknown.content.decode()
    placed = client.post(url, {"name": "Operation Test", "reason": "Inquiry",
                               "references": "int-old-0001\n"})
    assert placed.status_code == 302
    hold = LegalHold.objects.get()
    review = client.get(reverse("audit:retention_review",
                                args=["intelligence_report", report.pk])).content.decode()
    assert "under legal hold (Operation Test)" in review
    released = client.post(reverse("audit:retention_release_hold", args=[hold.pk]),
                           {"version": "1"})
    assert released.status_code == 302
    hold.refresh_from_db()
    assert hold.released_on == dt.date(2026, 6, 10)


def test_the_rules_page_says_rules_change_by_migration(users: Any) -> None:
    page = users.client(Role.INFORMATION_GOVERNANCE).get(
        reverse("audit:retention_rules")).content.decode()
    assert "MoPI group 1" in page and "data migration" in page


def test_requests_waiting_for_approval_are_shown_to_other_officers(
        users: Any, second_officer: User) -> None:
    report = _old_report(users, 2)
    services.request_disposal(actor=users[Role.INFORMATION_GOVERNANCE],
                              kind="intelligence_report", record_id=report.pk, reason="Old")
    page = _client(second_officer).get(reverse("audit:retention")).content.decode()
    assert "Disposals waiting for your approval: 1" in page
    own = users.client(Role.INFORMATION_GOVERNANCE).get(reverse("audit:retention"))
    assert "Disposals waiting for your approval" not in own.content.decode()
