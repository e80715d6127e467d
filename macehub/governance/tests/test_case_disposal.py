"""Disposal of a closed case under retention review: what every app holds about that case
goes with it, and nothing else (another child's case, the child's record, the audit log);
it is refused while an investigation or prosecution about the child goes on, the child
has another open case, advocacy or a meeting action about it goes on, or a legal hold
names it; two officers, a tombstone and an intact audit chain, as for every kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.audit.chain import verify_chain
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.audit.sealing import seal_events
from macehub.audit.services import record_event
from macehub.cases.codes import CaseStatus
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseShare,
    Contact,
    Indicator,
    MissingEpisode,
    PlanItem,
    RiskTierChange,
)
from macehub.core.service_errors import ServiceRefused
from macehub.governance import retention_services as services
from macehub.governance.models import DisposalTombstone
from macehub.governance.retention import review_item
from macehub.investigations.models import (
    AdvocateNote,
    Investigation,
    InvestigationVictim,
    JourneyStep,
)
from macehub.meetings.models import AgendaItem, Meeting, MeetingAction, MeetingSeries
from macehub.people.models import Person
from macehub.referrals.models import Referral, ReferralIndicator
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person, make_user

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 10)
NOW = dt.datetime(2026, 6, 10, 9, 30, tzinfo=dt.UTC)
CLOSED_AT = dt.datetime(2014, 3, 3, 10, tzinfo=dt.UTC)
# Born 1996: 30 today, past the rule's 25.
BORN = dt.date(1996, 1, 1)


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


@pytest.fixture
def series(users: Any, hub_agency: Agency) -> MeetingSeries:
    return MeetingSeries.objects.create(name="Weekly tactical", kind="weekly_tactical",
                                        created_by=users[Role.MEETING_CHAIR], created_at=NOW)


def _closed_case(users: Any, hub_agency: Agency, reference: str,
                 child: Person | None = None) -> Case:
    child = child or make_person(hub_agency, date_of_birth=BORN)
    return Case.objects.create(
        reference=reference, child=child, opened_at=CLOSED_AT - dt.timedelta(days=400),
        opened_by=users[Role.TRIAGE], lead_agency=hub_agency, risk_tier="medium",
        exploitation_types=["cse"], exploitation_model="not_known",
        status=CaseStatus.CLOSED, closed_at=CLOSED_AT, closed_by=users[Role.SOCIAL_WORKER],
        closure_reason="risk_reduced")


def _investigation(users: Any, hub_agency: Agency, reference: str, *,
                   status: str = "closed") -> Investigation:
    return Investigation.objects.create(
        reference=reference, title="Operation Synthetic", owning_agency=hub_agency,
        reported_on=dt.date(2013, 5, 1), status=status, created_by=users[Role.INVESTIGATOR],
        created_at=CLOSED_AT)


def _everything(case: Case, users: Any, hub_agency: Agency, partner_agency: Agency,
                series: MeetingSeries, day: int) -> dict[type[Model], set[int]]:
    """Two of each record every app holds about ``case``, by model and pk."""
    held: dict[type[Model], list[Model]] = {}
    worker, advocate = users[Role.SOCIAL_WORKER], users[Role.VICTIM_ADVOCATE]
    at = CLOSED_AT - dt.timedelta(days=100)
    for n in range(2):
        held.setdefault(RiskTierChange, []).append(RiskTierChange.objects.create(
            case=case, from_tier="high", to_tier="medium", changed_at=at, changed_by=worker,
            reason="Synthetic: safer at home"))
        held.setdefault(PlanItem, []).append(PlanItem.objects.create(
            case=case, action=f"Synthetic plan action {n}", owner=worker,
            owner_agency=hub_agency, due_on=at.date(), status="done", completed_on=at.date(),
            created_at=at, created_by=worker))
        held.setdefault(Contact, []).append(Contact.objects.create(
            case=case, occurred_at=at, kind="home_visit", with_whom="The child",
            summary="Synthetic: talked about school", recorded_by=worker))
        held.setdefault(MissingEpisode, []).append(MissingEpisode.objects.create(
            child=case.child, case=case, went_missing_at=at + dt.timedelta(days=n),
            returned_at=at + dt.timedelta(days=n, hours=5), recorded_by=worker))
        referral = make_referral(case.child, users[Role.REFERRER],
                                 indicator_codes=tuple(Indicator.objects.order_by("code")
                                                       .values_list("code", flat=True)[:2]),
                                 received_at=at - dt.timedelta(days=30 + n))
        Referral.objects.filter(pk=referral.pk).update(case=case)
        held.setdefault(Referral, []).append(referral)
    held[ReferralIndicator] = list(ReferralIndicator.objects.filter(referral__case=case))
    held[AdvocateAllocation] = [AdvocateAllocation.objects.create(
        case=case, advocate=advocate, started_on=dt.date(2013, 6, 1),
        ended_on=dt.date(2015, 1, 1), end_reason="Synthetic: court case over")]
    held[CaseAllocation] = [CaseAllocation.objects.get_or_create(case=case, user=worker)[0]]
    held[CaseShare] = [CaseShare.objects.get_or_create(case=case, agency=partner_agency)[0]]
    meeting = Meeting.objects.create(
        reference=f"MTG-{case.reference}-{day}", series=series, held_on=dt.date(2013, 7, day),
        chair=users[Role.MEETING_CHAIR], created_by=users[Role.MEETING_CHAIR], created_at=at)
    item = AgendaItem.objects.create(
        meeting=meeting, position=1, source="chair", title=f"{case.reference} now at High",
        record_type=ContentType.objects.get_for_model(Case), record_id=case.pk,
        person=case.child, decision="Synthetic: strategy discussion")
    held[AgendaItem] = [item]
    held[MeetingAction] = [MeetingAction.objects.create(
        reference=f"ACT-{case.reference}-{day}", item=item, description="Synthetic: safety plan",
        owner=worker, agency=hub_agency, due_on=dt.date(2013, 7, 20), status="done",
        completed_on=dt.date(2013, 7, 19), created_by=users[Role.MEETING_CHAIR],
        created_at=at)]
    investigation = _investigation(users, hub_agency, f"INV-{case.reference}-{day}")
    victim = InvestigationVictim.objects.create(
        investigation=investigation, person=case.child, case=case,
        needs_assessed_on=dt.date(2013, 6, 2), needs_assessment="Synthetic: an intermediary")
    held[JourneyStep] = [JourneyStep.objects.create(
        victim=victim, kind="abe_interview", on=dt.date(2013, 6, 5), status="held",
        who="Synthetic interviewer", recorded_by=users[Role.INVESTIGATOR], recorded_at=at)
        for _ in range(2)]
    held[AdvocateNote] = [AdvocateNote.objects.create(
        victim=victim, text="Synthetic: worried about court", advocacy_service=hub_agency,
        written_by=advocate, written_at=at) for _ in range(2)]
    held[Case] = [case]
    return {model: {int(row.pk) for row in rows} for model, rows in held.items()}


def _still_there(held: dict[type[Model], set[int]]) -> dict[str, int]:
    return {model.__name__: model._default_manager.filter(pk__in=pks).count()
            for model, pks in held.items()}


def _dispose(officer: User, second_officer: User, case: Case) -> DisposalTombstone:
    request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                        reason="Past the schedule, nothing since")
    return services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                     expected_version=request.version)


def test_disposal_removes_what_every_app_holds_about_the_case_and_nothing_else(
        users: Any, hub_agency: Agency, partner_agency: Agency, series: MeetingSeries,
        officer: User, second_officer: User, django_assert_max_num_queries: Any) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-1")
    other = _closed_case(users, hub_agency, "CASE-DISP-2")
    held = _everything(case, users, hub_agency, partner_agency, series, day=1)
    kept = _everything(other, users, hub_agency, partner_agency, series, day=2)
    assert all(len(pks) for pks in held.values())
    free_text = AgendaItem.objects.create(
        meeting=Meeting.objects.get(reference="MTG-CASE-DISP-1-1"), position=2,
        source="chair", title="Any other business")
    child = case.child
    victim = InvestigationVictim.objects.get(case=case)
    request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                        reason="Past the schedule, nothing since")
    # A fixed number of queries, however many rows each app removes (two of most here).
    with django_assert_max_num_queries(55):
        tombstone = services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                              expected_version=request.version)
    assert _still_there(held) == {model.__name__: 0 for model in held}
    assert _still_there(kept) == {model.__name__: len(pks) for model, pks in kept.items()}
    # The child's record, the investigation (police information) with the child as its
    # victim, no longer naming the case nor holding its journey, and the meeting's other
    # item stay.
    assert Person.objects.filter(pk=child.pk).exists()
    victim.refresh_from_db()
    assert (victim.case_id, victim.needs_assessment, victim.needs_assessed_on) == (
        None, "", None)
    assert AgendaItem.objects.filter(pk=free_text.pk).exists()
    assert (tombstone.record_kind, tombstone.reference, tombstone.rule.code) == (
        "case", "CASE-DISP-1", "case-closed")
    assert review_item(today=TODAY, kind="case", pk=case.pk) is None


def test_the_query_count_does_not_grow_with_the_rows_removed(
        users: Any, hub_agency: Agency, partner_agency: Agency, series: MeetingSeries,
        officer: User, second_officer: User) -> None:
    counts = []
    for n, copies in enumerate((1, 3)):
        case = _closed_case(users, hub_agency, f"CASE-QC-{n}")
        for copy in range(copies):
            _everything(case, users, hub_agency, partner_agency, series, day=1 + 3 * n + copy)
        request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                            reason="Past the schedule")
        with CaptureQueriesContext(connection) as captured:
            services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                      expected_version=request.version)
        counts.append(len(captured))
    # The second disposal has three times the rows (and the content type already cached).
    assert counts[1] <= counts[0], counts


def test_the_officer_who_asked_cannot_approve(
        users: Any, hub_agency: Agency, officer: User) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-3")
    request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                        reason="Old")
    with pytest.raises(Http404):
        services.approve_disposal(actor=officer, request_pk=request.pk, expected_version=1)
    assert Case.objects.filter(pk=case.pk).exists()


@pytest.mark.parametrize("going_on", ["open", "charging_decision", "hearing_to_come"])
def test_an_investigation_going_on_about_the_child_refuses_it(
        users: Any, hub_agency: Agency, officer: User, second_officer: User,
        going_on: str) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-4")
    request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                        reason="Old")
    # Opened after the request: the approval asks again. The victim row need not name the
    # case: the child is enough.
    investigation = _investigation(users, hub_agency, "INV-GOING-ON", status=(
        "closed" if going_on == "hearing_to_come" else going_on))
    victim = InvestigationVictim.objects.create(investigation=investigation,
                                                person=case.child)
    if going_on == "hearing_to_come":
        JourneyStep.objects.create(
            victim=victim, kind="court_hearing", what="trial", on=TODAY + dt.timedelta(days=30),
            status="planned", recorded_by=users[Role.INVESTIGATOR], recorded_at=NOW)
    with pytest.raises(ServiceRefused, match="INV-GOING-ON"):
        services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                  expected_version=1)
    with pytest.raises(ServiceRefused, match="still open or its prosecution goes on"):
        services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                  reason="Old")
    assert Case.objects.filter(pk=case.pk).exists()
    assert not DisposalTombstone.objects.exists()


def test_another_open_case_advocacy_or_an_open_meeting_action_refuses_it(
        users: Any, hub_agency: Agency, partner_agency: Agency, series: MeetingSeries,
        officer: User) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-5")
    _everything(case, users, hub_agency, partner_agency, series, day=1)
    MeetingAction.objects.filter(reference="ACT-CASE-DISP-5-1").update(status="open",
                                                                     completed_on=None)
    AdvocateAllocation.objects.filter(case=case).update(ended_on=None)
    Case.objects.create(
        reference="CASE-DISP-5B", child=case.child, opened_at=NOW,
        opened_by=users[Role.TRIAGE], lead_agency=hub_agency, risk_tier="high",
        exploitation_types=["cse"], exploitation_model="not_known")
    with pytest.raises(ServiceRefused) as refused:
        services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                  reason="Old")
    message = str(refused.value)
    assert "another case still open" in message
    assert "victim advocate is still allocated" in message
    assert "Meeting actions about the case are still open (ACT-CASE-DISP-5-1)" in message
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_review_and_approval_pages_say_why_it_cannot_be_disposed_of(
        users: Any, hub_agency: Agency, officer: User, second_officer: User,
        signed_in: Any) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-6")
    asked = _closed_case(users, hub_agency, "CASE-DISP-6B")
    request = services.request_disposal(actor=officer, kind="case", record_id=asked.pk,
                                        reason="Old")
    investigation = _investigation(users, hub_agency, "INV-OPEN-6", status="open")
    for child in (case.child, asked.child):
        InvestigationVictim.objects.create(investigation=investigation, person=child)
    page = signed_in(officer).get(reverse("audit:retention_review", args=["case", case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "It cannot be disposed of today" in text and "INV-OPEN-6" in text
    assert "not available yet" not in text
    assert 'value="dispose"' not in text
    page = signed_in(second_officer).get(reverse("audit:retention_disposal",
                                                 args=[request.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "It cannot be disposed of today" in text and "INV-OPEN-6" in text


def test_a_legal_hold_refuses_it(users: Any, hub_agency: Agency, officer: User,
                                 second_officer: User) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-7")
    request = services.request_disposal(actor=officer, kind="case", record_id=case.pk,
                                        reason="Old")
    services.place_hold(actor=second_officer, name="Synthetic inquiry", reason="Asked for",
                        records=[("case", case.pk)])
    with pytest.raises(ServiceRefused, match="under legal hold \\(Synthetic inquiry\\)"):
        services.approve_disposal(actor=second_officer, request_pk=request.pk,
                                  expected_version=1)
    assert Case.objects.filter(pk=case.pk).exists()


def test_the_tombstone_and_audit_entry_leave_the_chain_intact(
        users: Any, hub_agency: Agency, officer: User, second_officer: User) -> None:
    case = _closed_case(users, hub_agency, "CASE-DISP-8")
    record_event(event_type=EventType.VIEW, actor=users[Role.SOCIAL_WORKER], record=case)
    seal_events()
    tombstone = _dispose(officer, second_officer, case)
    assert (tombstone.requested_by, tombstone.approved_by) == (officer, second_officer)
    event = AuditEvent.objects.get(event_type=EventType.DISPOSAL_APPROVED)
    assert (event.record_type, event.record_id) == ("cases.case", str(case.pk))
    assert event.detail["reference"] == "CASE-DISP-8" and event.detail["kind"] == "case"
    # The entries naming the case stay as they were (append-only), and the chain verifies.
    assert AuditEvent.objects.filter(record_type="cases.case", record_id=str(case.pk),
                                     event_type=EventType.VIEW).exists()
    seal_events()
    assert verify_chain().intact
    call_command("audit_verify")
