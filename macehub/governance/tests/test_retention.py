"""Retention review: the rules as loaded, each record's next review, decisions to keep,
disposal by two officers (the tombstone, the audit event, the chain still intact) and
legal holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.chain import verify_chain
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.sealing import seal_events
from macehub.audit.services import record_event
from macehub.cases.codes import CaseStatus
from macehub.cases.models import Case
from macehub.core.service_errors import ServiceRefused
from macehub.core.work_queue import work_queue_for
from macehub.governance import retention_services as services
from macehub.governance.models import (
    DisposalRequest,
    DisposalTombstone,
    LegalHold,
    RetentionDecision,
    RetentionRule,
)
from macehub.governance.retention import add_years, due_for_review, review_item, review_items
from macehub.governance.retention_codes import DisposalStatus
from macehub.intelligence.codes import EntityRole
from macehub.intelligence.models import IntelligenceReport
from macehub.intelligence.tests.factories import link, make_report
from macehub.people.models import Person
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)
NOW = dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def officer(users: Any) -> User:
    user: User = users[Role.INFORMATION_GOVERNANCE]
    return user


@pytest.fixture
def second_officer(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("second.ig", Role.INFORMATION_GOVERNANCE, agency=hub_agency, team=hub_team)


def _years_ago(years: int, days: int = 0) -> dt.datetime:
    return (dt.datetime(TODAY.year - years, TODAY.month, TODAY.day, 10, tzinfo=dt.UTC)
            - dt.timedelta(days=days))


def _report(users: Any, years: int, *, child: Person | None = None, **fields: Any
            ) -> IntelligenceReport:
    analyst = users[Role.ANALYST]
    report = make_report(analyst.team, analyst, received_at=_years_ago(years, days=3), **fields)
    if child is not None:
        link(report, child, EntityRole.VICTIM)
    return report


def _decided_referral(users: Any, child: Person, years: int) -> Referral:
    decided_at = _years_ago(years, days=1)
    referral = make_referral(child, users[Role.REFERRER], received_at=decided_at
                             - dt.timedelta(hours=3))
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.DECIDED, outcome=TriageOutcome.NO_FURTHER_ACTION,
        outcome_reason="Synthetic: no concerns found", decided_at=decided_at,
        decided_by=users[Role.TRIAGE])
    return referral


def test_the_rules_file_is_loaded_with_its_mopi_groups() -> None:
    rules = {rule.code: rule for rule in RetentionRule.objects.all()}
    group_1 = rules["mopi-group-1"]
    assert (group_1.record_kind, group_1.category, group_1.review_years,
            group_1.keep_until_age) == ("intelligence_report", "group_1", 10, 100)
    assert rules["mopi-group-3"].review_years == 6
    assert rules["referral-no-case"].clock_starts == "decision"
    assert all(rule.to_check for rule in rules.values())


def test_add_years_keeps_the_day_or_the_end_of_february() -> None:
    assert add_years(dt.date(2020, 2, 29), 6) == dt.date(2026, 2, 28)
    assert add_years(dt.date(2020, 3, 1), 6) == dt.date(2026, 3, 1)


def test_next_review_comes_from_each_records_rule(users: Any, hub_agency: Agency) -> None:
    young = make_person(hub_agency, date_of_birth=dt.date(2017, 1, 1))
    group_1 = _report(users, 11, child=young)
    group_3 = _report(users, 7)
    recent = _report(users, 2)
    no_case = _decided_referral(users, young, 7)
    items = {(item.kind, item.pk): item for item in review_items(today=TODAY)}
    assert items[("intelligence_report", group_1.pk)].rule.code == "mopi-group-1"
    # Received 11 years (and 3 days) ago, reviewed every 10 years: due a year ago.
    assert items[("intelligence_report", group_1.pk)].next_review_on == dt.date(2025, 6, 7)
    assert items[("intelligence_report", group_3.pk)].rule.code == "mopi-group-3"
    assert items[("intelligence_report", group_3.pk)].next_review_on == dt.date(2025, 6, 7)
    assert items[("intelligence_report", recent.pk)].next_review_on == dt.date(2030, 6, 7)
    # Decided 7 years (and a day) ago, on a 6-year schedule.
    assert items[("referral", no_case.pk)].next_review_on == dt.date(2025, 6, 9)
    # A child under 10 today: extra care.
    assert items[("intelligence_report", group_1.pk)].extra_care
    assert items[("referral", no_case.pk)].extra_care
    assert not items[("intelligence_report", group_3.pk)].extra_care
    # Kept until the subject is 100.
    assert items[("intelligence_report", group_1.pk)].keep_until == dt.date(2117, 1, 1)
    due = [(item.kind, item.pk) for item in due_for_review(today=TODAY)]
    assert due == [("intelligence_report", group_1.pk), ("intelligence_report", group_3.pk),
                   ("referral", no_case.pk)]


def test_a_referral_that_opened_a_case_is_not_reviewed_on_its_own(
        users: Any, hub_agency: Agency) -> None:
    child = make_person(hub_agency)
    referral = _decided_referral(users, child, 7)
    case = Case.objects.create(
        reference="CASE-RET-1", child=child, opened_at=_years_ago(7), opened_by=users[Role.TRIAGE],
        lead_agency=hub_agency, risk_tier="medium", exploitation_types=["cse"],
        exploitation_model="not_known")
    Referral.objects.filter(pk=referral.pk).update(case=case)
    assert review_item(today=TODAY, kind="referral", pk=referral.pk) is None


def test_the_queue_reads_in_a_fixed_number_of_queries(
        users: Any, hub_agency: Agency, django_assert_max_num_queries: Any) -> None:
    child = make_person(hub_agency)
    for _ in range(3):
        _report(users, 11, child=child)
        _decided_referral(users, child, 7)
    # Rules, then each kind's rows, decisions, holds and waiting requests.
    with django_assert_max_num_queries(1 + 4 * 3):
        assert len(due_for_review(today=TODAY)) == 6


def test_keeping_a_record_sets_its_next_review_within_the_rule(
        users: Any, officer: User) -> None:
    report = _report(users, 7)
    with pytest.raises(ServiceRefused) as refused:
        services.retain(actor=officer, kind="intelligence_report", record_id=report.pk,
                        reason="Still relevant", next_review_on=add_years(TODAY, 7))
    assert "on or before 10 June 2032" in str(refused.value)
    with pytest.raises(ServiceRefused):
        services.retain(actor=officer, kind="intelligence_report", record_id=report.pk,
                        reason="", next_review_on=add_years(TODAY, 2))
    decision = services.retain(
        actor=officer, kind="intelligence_report", record_id=report.pk,
        reason="The suspect is still active", next_review_on=add_years(TODAY, 2))
    item = review_item(today=TODAY, kind="intelligence_report", pk=report.pk)
    assert item is not None and item.last_decision == decision
    assert item.next_review_on == dt.date(2028, 6, 10) and not item.is_due(TODAY)
    event = AuditEvent.objects.get(event_type=EventType.RETENTION_DECIDED)
    assert (event.record_type, event.record_id) == ("intelligence.intelligencereport",
                                                     str(report.pk))


def test_only_information_governance_reviews(users: Any) -> None:
    report = _report(users, 7)
    with pytest.raises(PermissionDenied):
        services.retain(actor=users[Role.ANALYST], kind="intelligence_report",
                        record_id=report.pk, reason="Keep", next_review_on=add_years(TODAY, 1))


def test_disposal_needs_a_second_officer_and_leaves_a_tombstone_and_an_intact_chain(
        users: Any, officer: User, second_officer: User) -> None:
    report = _report(users, 7, source_text="Synthetic: source says a named man drives")
    record_event(event_type=EventType.VIEW, actor=users[Role.ANALYST], record=report)
    seal_events()
    request = services.request_disposal(actor=officer, kind="intelligence_report",
                                        record_id=report.pk, reason="No longer needed")
    # The officer who asked cannot approve (nor learn the request is theirs to decide).
    with pytest.raises(Http404):
        services.approve_disposal(actor=officer, request_pk=request.pk,
                                  expected_version=request.version)
    assert IntelligenceReport.objects.filter(pk=report.pk).exists()
    tombstone = services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                          expected_version=request.version)
    assert not IntelligenceReport.objects.filter(pk=report.pk).exists()
    assert (tombstone.record_kind, tombstone.reference, tombstone.rule.code) == (
        "intelligence_report", report.reference, "mopi-group-3")
    assert (tombstone.requested_by, tombstone.approved_by) == (officer, second_officer)
    request.refresh_from_db()
    assert request.status == DisposalStatus.APPROVED and request.decided_by == second_officer
    event = AuditEvent.objects.get(event_type=EventType.DISPOSAL_APPROVED)
    assert event.detail["reference"] == report.reference
    assert event.detail["rule"] == "mopi-group-3"
    assert event.detail["requested_by"] == officer.username
    assert event.detail["approved_by"] == second_officer.username
    assert "source" not in str(event.detail).lower()
    # The entries about the report stay as they were, and the chain still verifies.
    assert AuditEvent.objects.filter(record_type="intelligence.intelligencereport",
                                     record_id=str(report.pk),
                                     event_type=EventType.VIEW).exists()
    seal_events()
    assert verify_chain().intact
    call_command("audit_verify")
    # Disposed of: no longer under review.
    assert review_item(today=TODAY, kind="intelligence_report", pk=report.pk) is None


def test_a_referral_is_disposed_of_and_the_child_stays(
        users: Any, hub_agency: Agency, officer: User, second_officer: User) -> None:
    child = make_person(hub_agency)
    referral = _decided_referral(users, child, 7)
    request = services.request_disposal(actor=officer, kind="referral", record_id=referral.pk,
                                        reason="Past the schedule, nothing since")
    services.approve_disposal(actor=second_officer, request_pk=request.pk, expected_version=1)
    assert not Referral.objects.filter(pk=referral.pk).exists()
    assert Person.objects.filter(pk=child.pk).exists()
    assert DisposalTombstone.objects.get().reference == referral.reference


def test_a_rejected_request_needs_a_reason_and_keeps_the_record(
        users: Any, officer: User, second_officer: User) -> None:
    report = _report(users, 7)
    request = services.request_disposal(actor=officer, kind="intelligence_report",
                                        record_id=report.pk, reason="Old")
    with pytest.raises(ServiceRefused):
        services.reject_disposal(actor=second_officer, request_pk=request.pk,
                                 expected_version=1, reason=" ")
    services.reject_disposal(actor=second_officer, request_pk=request.pk, expected_version=1,
                             reason="Linked to a live investigation")
    assert IntelligenceReport.objects.filter(pk=report.pk).exists()
    assert AuditEvent.objects.filter(event_type=EventType.DISPOSAL_REJECTED).count() == 1
    with pytest.raises(ServiceRefused, match="already been decided"):
        services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                  expected_version=2)


def test_group_1_is_kept_until_the_subject_is_100(
        users: Any, hub_agency: Agency, officer: User) -> None:
    report = _report(users, 11, child=make_person(hub_agency, date_of_birth=dt.date(1990, 5, 1)))
    with pytest.raises(ServiceRefused, match="until its subject is 100, on 1 May 2090"):
        services.request_disposal(actor=officer, kind="intelligence_report",
                                  record_id=report.pk, reason="Old")


def test_a_record_not_yet_due_is_not_disposed_of(users: Any, officer: User) -> None:
    report = _report(users, 2)
    with pytest.raises(ServiceRefused, match="not due for review until"):
        services.request_disposal(actor=officer, kind="intelligence_report",
                                  record_id=report.pk, reason="Old")


def test_closed_cases_are_kept_until_the_child_is_25(
        users: Any, hub_agency: Agency, officer: User) -> None:
    child = make_person(hub_agency, date_of_birth=dt.date(2005, 1, 1))
    case = Case.objects.create(
        reference="CASE-RET-2", child=child, opened_at=_years_ago(14),
        opened_by=users[Role.TRIAGE], lead_agency=hub_agency, risk_tier="medium",
        exploitation_types=["cse"], exploitation_model="not_known",
        status=CaseStatus.CLOSED, closed_at=_years_ago(12), closed_by=users[Role.TRIAGE],
        closure_reason="risk_reduced")
    item = review_item(today=TODAY, kind="case", pk=case.pk)
    assert item is not None and item.next_review_on == dt.date(2030, 1, 1)
    assert item.disposable and item.keep_until == dt.date(2030, 1, 1)
    with pytest.raises(ServiceRefused, match="until its subject is 25, on 1 January 2030"):
        services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                  reason="Old")
    services.retain(actor=officer, kind="case", record_id=case.pk, reason="Sibling open",
                    next_review_on=add_years(TODAY, 1))
    assert RetentionDecision.objects.count() == 1
    assert Case.objects.filter(pk=case.pk).exists()


def test_a_legal_hold_stops_the_request_and_the_approval(
        users: Any, officer: User, second_officer: User) -> None:
    asked = _report(users, 7)
    held = _report(users, 7)
    request = services.request_disposal(actor=officer, kind="intelligence_report",
                                        record_id=asked.pk, reason="Old")
    hold = services.place_hold(
        actor=second_officer, name="Operation Synthetic inquiry",
        reason="The inquiry has asked for every record about the network",
        records=[("intelligence_report", asked.pk), ("intelligence_report", held.pk)])
    with pytest.raises(ServiceRefused, match="under legal hold \\(Operation Synthetic inquiry\\)"):
        services.request_disposal(actor=officer, kind="intelligence_report",
                                  record_id=held.pk, reason="Old")
    with pytest.raises(ServiceRefused, match="Operation Synthetic inquiry"):
        services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                  expected_version=1)
    assert IntelligenceReport.objects.filter(pk=asked.pk).exists()
    item = review_item(today=TODAY, kind="intelligence_report", pk=held.pk)
    assert item is not None and item.holds == ["Operation Synthetic inquiry"]
    services.release_hold(actor=second_officer, hold_pk=hold.pk, expected_version=1)
    services.approve_disposal(actor=second_officer, request_pk=request.pk, expected_version=1)
    assert not IntelligenceReport.objects.filter(pk=asked.pk).exists()
    assert LegalHold.objects.get().released_on == TODAY
    assert set(AuditEvent.objects.values_list("event_type", flat=True)) >= {
        EventType.LEGAL_HOLD_PLACED, EventType.LEGAL_HOLD_RELEASED}


def test_a_stale_decision_is_refused(users: Any, officer: User, second_officer: User) -> None:
    report = _report(users, 7)
    request = services.request_disposal(actor=officer, kind="intelligence_report",
                                        record_id=report.pk, reason="Old")
    DisposalRequest.objects.filter(pk=request.pk).update(version=2)
    with pytest.raises(ServiceRefused):
        services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                  expected_version=1)
    assert IntelligenceReport.objects.filter(pk=report.pk).exists()


def _queue(user: User, source: str) -> list[Any]:
    lists = {work.source.name: work for work in work_queue_for(user, timezone.now()).lists}
    return lists[source].draw([w.key for w in lists[source].waiting]) if source in lists else []


def test_the_work_queue_gives_reviews_to_officers_and_disposals_to_the_other_officers(
        users: Any, officer: User, second_officer: User) -> None:
    due = _report(users, 7)
    _report(users, 2)
    request = services.request_disposal(actor=officer, kind="intelligence_report",
                                        record_id=due.pk, reason="Old")
    reviews = _queue(officer, "retention_reviews")
    assert [item.title for item in reviews] == [f"{due.reference} (intelligence report)"]
    assert reviews[0].due_on == dt.date(2025, 6, 7)
    assert _queue(officer, "disposals_to_approve") == []
    waiting = _queue(second_officer, "disposals_to_approve")
    assert [item.link for item in waiting] == [f"/audit/retention/disposals/{request.pk}/"]
    assert _queue(users[Role.ANALYST], "retention_reviews") == []
