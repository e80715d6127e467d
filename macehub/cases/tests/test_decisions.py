"""Closing a case, lowering its risk tier and lifting its restriction: a worker asks, a
supervisor or the MACE chair who did not ask approves or rejects it with a comment.
Approval applies the change; rejection leaves the case as it was. Raising a tier and
restricting a case apply at once."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases import selectors, services
from macehub.cases.codes import CaseStatus, ClosureReason, DecisionKind, DecisionStatus, RiskTier
from macehub.cases.models import Case, CaseDecisionRequest
from macehub.cases.tests.conftest import client_for, days_from_today
from macehub.cases.tests.test_pages import assert_error, check_page
from macehub.core.versioning import EditConflict
from macehub.core.work_queue import work_queue_for
from macehub.people.chronology import chronology_for
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(hub_agency, hub_team):
    return make_user("mace.chair", Role.MEETING_CHAIR, agency=hub_agency, team=hub_team)


def ask_to_close(case, actor, **options):
    case.refresh_from_db()
    return services.request_case_closure(
        actor=actor, case_pk=case.pk, expected_version=case.version,
        closure_reason=options.pop("closure_reason", ClosureReason.RISK_REDUCED), **options)


def decide(asked, actor, *, approve=True, comment="Agreed at supervision", version=None):
    case = Case.objects.get(pk=asked.case_id)
    return services.decide_case_request(
        actor=actor, request_pk=asked.pk, expected_version=version or case.version,
        approve=approve, comment=comment)


def case_events(case):
    return list(AuditEvent.objects.filter(
        record_type="cases.case", record_id=str(case.pk), event_type=EventType.CHANGE,
        detail__has_key="decision_request").order_by("id"))


def snapshot(case):
    case.refresh_from_db()
    return (case.status, case.risk_tier, case.is_restricted, case.version, case.closed_at,
            case.closure_reason, list(case.tier_history.values_list("to_tier", flat=True)))


# --- Closing ---------------------------------------------------------------------------


def test_asking_to_close_leaves_the_case_open_until_a_supervisor_approves(
    case, triage, supervisor
):
    before = snapshot(case)
    asked = ask_to_close(case, triage, note="Safety plan holding for three months")
    assert snapshot(case) == before  # asking changes nothing yet
    assert (asked.kind, asked.status, asked.requested_by) == ("close", "pending", triage)
    [requested] = case_events(case)
    assert requested.actor_username == triage.username
    assert requested.detail["decision_request"]["status"] == "pending"

    decided = decide(asked, supervisor, comment="Agreed: review in supervision was positive")
    case.refresh_from_db()
    assert (decided.status, decided.decided_by) == (DecisionStatus.APPROVED, supervisor)
    assert decided.decision_comment == "Agreed: review in supervision was positive"
    assert case.status == CaseStatus.CLOSED and case.closed_by == supervisor
    assert case.closure_note == "Safety plan holding for three months"
    assert case.version == 2
    approved = case_events(case)[-1]
    assert approved.actor_username == supervisor.username
    assert approved.detail["changes"]["status"] == {"old": "open", "new": "closed"}
    assert approved.detail["decision_request"]["requested_by"] == triage.username
    titles = [entry.title for entry in chronology_for(triage, case.child)]
    asked_for = "Close the case: Risk reduced – no longer needs a MACE response"
    assert f"Approval requested: {asked_for}" in titles
    assert f"Request approved: {asked_for}" in titles


def test_rejecting_leaves_the_case_as_it_was(case, triage, supervisor):
    asked = ask_to_close(case, triage)
    before = snapshot(case)
    decided = decide(asked, supervisor, approve=False,
                     comment="She is still going missing at weekends: keep the case open")
    assert snapshot(case) == before
    assert decided.status == DecisionStatus.REJECTED and decided.decided_by == supervisor
    [_asked, rejected] = case_events(case)
    assert rejected.detail["decision_request"]["status"] == "rejected"
    assert "changes" not in rejected.detail
    [entry] = [e for e in chronology_for(triage, case.child) if e.title.startswith("Request")]
    assert entry.title.startswith("Request rejected") and "weekends" in entry.text
    # Once decided, it cannot be decided again; a new request may be made.
    with pytest.raises(ValidationError, match="already been rejected"):
        decide(decided, supervisor)
    assert ask_to_close(case, triage).is_pending


def test_the_requester_can_never_decide_their_own_request(case, supervisor, chair, triage):
    asked = ask_to_close(case, supervisor)  # a supervisor may ask too
    for approve in (True, False):
        with pytest.raises(PermissionDenied):
            decide(asked, supervisor, approve=approve)
    assert not selectors.decision_requests_awaiting(supervisor).exists()
    assert list(selectors.decision_requests_awaiting(chair)) == [asked]
    assert decide(asked, chair).status == DecisionStatus.APPROVED


def test_the_database_refuses_a_decision_by_the_requester(case, supervisor):
    asked = ask_to_close(case, supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseDecisionRequest.objects.filter(pk=asked.pk).update(
            status="approved", decided_by=supervisor, decided_at=timezone.now(),
            decision_comment="Self-approved")


def test_only_a_supervisor_or_the_chair_decides(case, triage, advocate, outsider, chair):
    asked = ask_to_close(case, triage)
    other_triage = make_user("other.triage", Role.TRIAGE, agency=triage.agency,
                             team=triage.team)
    for user in (other_triage, advocate):  # may see the case, may not decide
        with pytest.raises(PermissionDenied):
            decide(asked, user)
    with pytest.raises(Http404):  # may not know the case exists
        decide(asked, outsider)
    assert snapshot(case)[0] == CaseStatus.OPEN
    assert decide(asked, chair).status == DecisionStatus.APPROVED


def test_a_decision_needs_a_comment(case, triage, supervisor):
    asked = ask_to_close(case, triage)
    with pytest.raises(ValidationError) as excinfo:
        decide(asked, supervisor, comment="   ")
    assert excinfo.value.message_dict["comment"] == ["Enter a comment on your decision"]
    asked.refresh_from_db()
    assert asked.is_pending


def test_a_decision_on_a_case_changed_since_it_was_seen_is_refused(case, triage, supervisor):
    asked = ask_to_close(case, triage)
    seen_version = Case.objects.get(pk=case.pk).version
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=seen_version,
                            key_worker=triage)
    with pytest.raises(EditConflict) as excinfo:
        decide(asked, supervisor, version=seen_version)
    assert "Key worker" in excinfo.value.their_changes
    asked.refresh_from_db()
    assert asked.is_pending and snapshot(case)[0] == CaseStatus.OPEN


def test_one_waiting_request_of_a_kind_per_case(case, triage, supervisor):
    ask_to_close(case, triage)
    with pytest.raises(ValidationError) as excinfo:
        ask_to_close(case, supervisor)
    assert excinfo.value.message_dict[NON_FIELD_ERRORS] == [
        "A request to close the case is already waiting for a decision"]
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseDecisionRequest.objects.create(
            case=case, kind=DecisionKind.CLOSE, closure_reason="other", case_version=1,
            requested_by=supervisor, requested_at=timezone.now())
    # Another kind may wait beside it.
    assert services.request_risk_tier_lowering(
        actor=triage, case_pk=case.pk, expected_version=1, risk_tier=RiskTier.LOW,
        reason="Engaging well").is_pending


def test_approval_checks_the_closure_again(case, triage, supervisor, advocate):
    asked = ask_to_close(case, triage)
    services.add_plan_item(actor=triage, case_pk=case.pk, action="Visit", owner=triage,
                           due_on=days_from_today(3))
    with pytest.raises(ValidationError) as excinfo:
        decide(asked, supervisor)
    assert "open plan item" in excinfo.value.message_dict["cancel_open_plan_items"][0]
    assert snapshot(case)[0] == CaseStatus.OPEN


def test_the_retired_reason_cannot_be_asked_for(case, triage):
    with pytest.raises(ValidationError) as excinfo:
        ask_to_close(case, triage, closure_reason="no_engagement")
    assert excinfo.value.message_dict["closure_reason"] == ["Select why the case is closing"]


# --- Risk tier ----------------------------------------------------------------------


def test_raising_the_tier_is_immediate_and_lowering_it_is_asked_for(case, triage, supervisor):
    services.change_risk_tier(actor=triage, case_pk=case.pk, expected_version=1,
                              risk_tier=RiskTier.HIGH, reason="Found with adults at 2am")
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.HIGH and not case.decision_requests.exists()
    with pytest.raises(ValidationError) as excinfo:
        services.change_risk_tier(actor=triage, case_pk=case.pk, expected_version=2,
                                  risk_tier=RiskTier.MEDIUM, reason="Calmer")
    assert "needs a supervisor's or the MACE chair's approval" in (
        excinfo.value.message_dict["risk_tier"][0])
    asked = services.request_risk_tier_lowering(
        actor=triage, case_pk=case.pk, expected_version=2, risk_tier=RiskTier.LOW,
        reason="No missing episodes for six weeks")
    assert asked.asked_for == "Lower the risk tier from High to Low"
    assert snapshot(case)[1] == RiskTier.HIGH
    decide(asked, supervisor)
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.LOW and case.version == 3
    last = case.tier_history.last()
    assert (last.from_tier, last.to_tier, last.changed_by) == ("high", "low", supervisor)
    assert last.reason == "No missing episodes for six weeks"


def test_lowering_from_low_is_not_a_thing_and_raising_is_not_asked_for(
    make_case, triage
):
    low = make_case("Lia", "Low", risk_tier=RiskTier.LOW)
    for tier in (RiskTier.LOW, RiskTier.MEDIUM):
        with pytest.raises(ValidationError) as excinfo:
            services.request_risk_tier_lowering(
                actor=triage, case_pk=low.pk, expected_version=1, risk_tier=tier, reason="x")
        assert excinfo.value.message_dict["risk_tier"] == [
            "Select a lower risk tier: raising the tier applies at once"]
    assert not low.decision_requests.exists()


def test_a_tier_changed_since_the_request_is_not_lowered(case, triage, supervisor, chair):
    asked = services.request_risk_tier_lowering(
        actor=triage, case_pk=case.pk, expected_version=1, risk_tier=RiskTier.LOW,
        reason="Engaging")
    services.change_risk_tier(actor=supervisor, case_pk=case.pk, expected_version=1,
                              risk_tier=RiskTier.HIGH, reason="New intelligence")
    with pytest.raises(ValidationError, match="risk tier has changed since"):
        decide(asked, chair)
    assert snapshot(case)[1] == RiskTier.HIGH
    assert decide(asked, chair, approve=False).status == DecisionStatus.REJECTED


def test_closing_withdraws_a_waiting_tier_lowering(case, triage, supervisor, chair):
    lowering = services.request_risk_tier_lowering(
        actor=supervisor, case_pk=case.pk, expected_version=1, risk_tier=RiskTier.LOW,
        reason="Engaging")
    decide(ask_to_close(case, triage), supervisor)
    lowering.refresh_from_db()
    assert lowering.status == DecisionStatus.WITHDRAWN and lowering.decided_by is None
    assert not selectors.decision_requests_awaiting(chair).exists()


# --- Restriction ---------------------------------------------------------------------


def test_lifting_a_restriction_is_asked_for_and_approved(case, triage, supervisor, chair):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="A relative works in the hub")
    with pytest.raises(PermissionDenied):  # lifting is asked by those who may restrict
        services.request_restriction_lift(actor=triage, case_pk=case.pk, expected_version=2,
                                          reason="x")
    asked = services.request_restriction_lift(
        actor=supervisor, case_pk=case.pk, expected_version=2,
        reason="The relative has left the hub")
    assert snapshot(case)[2] is True
    decide(asked, chair, comment="Checked with HR")
    case.refresh_from_db()
    assert not case.is_restricted and case.restriction_reason == "The relative has left the hub"


def test_a_closed_case_restriction_can_be_lifted_with_approval(case, triage, supervisor, chair):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="Sensitive")
    decide(ask_to_close(case, triage), supervisor)
    case.refresh_from_db()
    asked = services.request_restriction_lift(actor=supervisor, case_pk=case.pk,
                                              expected_version=case.version, reason="No longer")
    decide(asked, chair)
    assert snapshot(case)[2] is False


# --- Who is waiting for what ---------------------------------------------------------


def test_awaiting_lists_what_the_user_may_decide_in_one_query(
    make_case, triage, supervisor, chair, partner_agency, partner_team,
    django_assert_num_queries,
):
    first, second, third = (make_case(name, "Waiting", risk_tier=RiskTier.HIGH)
                            for name in ("Ann", "Bea", "Col"))
    by_triage = ask_to_close(first, triage)
    by_supervisor = services.request_risk_tier_lowering(
        actor=supervisor, case_pk=second.pk, expected_version=1, risk_tier=RiskTier.MEDIUM,
        reason="Engaging")
    decide(ask_to_close(third, triage), chair)  # decided: no longer waiting
    with django_assert_num_queries(1):
        waiting = [(r.pk, r.case.child.given_name, r.requested_by.username)
                   for r in selectors.decision_requests_awaiting(supervisor)]
    assert waiting == [(by_triage.pk, "Ann", triage.username)]
    assert list(selectors.decision_requests_awaiting(chair)) == [by_triage, by_supervisor]
    assert not selectors.decision_requests_awaiting(triage).exists()  # not a decider
    # A supervisor of a partner agency the cases are not linked to is told nothing.
    partner_supervisor = make_user("partner.super", Role.SUPERVISOR, agency=partner_agency,
                                   team=partner_team)
    assert not selectors.decision_requests_awaiting(partner_supervisor).exists()


# --- Pages -------------------------------------------------------------------------------


def test_the_case_page_shows_the_waiting_request_and_who_may_decide(
    case, triage, supervisor
):
    client = client_for(triage)
    assert client.post(reverse("cases:close", args=[case.pk]), {
        "version": "1", "closure_reason": "stepped_down", "note": "Early help team",
    }).status_code == 302
    asked = case.decision_requests.get()
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    check_page(html)
    assert "Waiting for approval" in html and "Close the case: Stepped down" in html
    assert triage.display_name in html and "Approve or reject" not in html
    # The requester gets 403 on the decision page; the supervisor decides there.
    decide_url = reverse("cases:decide", args=[asked.pk])
    assert client.get(decide_url).status_code == 403
    assert client.post(decide_url, {"version": "1", "decision": "approve",
                                     "comment": "Mine"}).status_code == 403
    boss = client_for(supervisor)
    html = boss.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Approve or reject" in html and decide_url in html
    page = boss.get(decide_url)
    assert page.status_code == 200
    check_page(page.content.decode())
    assert_error(boss.post(decide_url, {"version": "1", "comment": "Fine"}),
                 "Select whether you approve or reject the request")
    assert_error(boss.post(decide_url, {"version": "1", "decision": "reject", "comment": ""}),
                 "Enter a comment on your decision")
    response = boss.post(decide_url, {"version": "1", "decision": "approve",
                                      "comment": "Agreed at supervision"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    html = boss.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Waiting for approval" not in html and "Stepped down to another service" in html
    assert boss.get(decide_url).status_code == 302  # already decided


def test_the_risk_tier_page_raises_at_once_and_asks_to_lower(case, triage):
    client = client_for(triage)
    url = reverse("cases:change_tier", args=[case.pk])
    assert "sent to a supervisor or the MACE chair" in client.get(url).content.decode()
    response = client.post(url, {"version": "1", "risk_tier": "low", "reason": "Engaging"},
                           follow=True)
    assert "sent for approval" in response.content.decode()
    assert snapshot(case)[1] == RiskTier.MEDIUM
    assert case.decision_requests.get().to_tier == RiskTier.LOW
    client.post(url, {"version": "1", "risk_tier": "high", "reason": "Disclosure"})
    assert snapshot(case)[1] == RiskTier.HIGH


def test_the_closure_page_says_not_engaging_keeps_the_case_open(case, triage):
    html = client_for(triage).get(reverse("cases:close", args=[case.pk])).content.decode()
    check_page(html)
    assert "Ask to close the case" in html
    assert "not a reason to close" in html and "re-engage" in html
    assert "Did not engage" not in html and 'value="no_engagement"' not in html


def test_deciding_on_a_restricted_case_asks_why_first(case, supervisor, chair):
    services.set_restricted(actor=supervisor, case_pk=case.pk, expected_version=1,
                            restricted=True, reason="A relative works in the hub")
    asked = services.request_restriction_lift(actor=supervisor, case_pk=case.pk,
                                              expected_version=2, reason="They have left")
    client = client_for(chair)
    url = reverse("cases:decide", args=[asked.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:open_restricted", args=[case.pk]))
    client.post(reverse("cases:open_restricted", args=[case.pk]),
                {"reason": "Deciding the request to lift it", "next": url})
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        event_type=EventType.VIEW, record_type="cases.casedecisionrequest",
        record_id=str(asked.pk), purpose="Deciding the request to lift it").exists()


def test_requests_wait_in_the_deciders_work_queue_not_the_requesters(
    case, triage, supervisor, chair
):
    asked = ask_to_close(case, supervisor)
    assert work_queue_for(supervisor).list_named("case_decisions") is None  # their own
    assert work_queue_for(triage).list_named("case_decisions") is None  # not a decider
    waiting = work_queue_for(chair).list_named("case_decisions")
    assert waiting is not None
    [item] = waiting.items
    assert item.link == reverse("cases:decide", args=[asked.pk])
    assert item.title == f"{case.reference}: {case.child.full_name}"
    assert "Close the case: asked by" in item.detail
    decide(asked, chair)
    assert work_queue_for(chair).list_named("case_decisions") is None
