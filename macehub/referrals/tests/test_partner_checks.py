"""Partner checks and the two clocks: triage asks partner agencies to check what they
hold about a referred child; the agency's hub members see the request in their queue and
return it against the BRAG rating's clock; the decision page shows which are back. A
change of rating moves the partner-check clock, never the one-working-day decision clock.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.cases.codes import Brag, RiskTier
from macehub.core.service_errors import ServiceRefused
from macehub.referrals.clocks import add_working_days
from macehub.referrals.codes import PartnerCheckResult, TriageOutcome
from macehub.referrals.models import PartnerCheck
from macehub.referrals.selectors import partner_checks_awaiting
from macehub.referrals.services import (
    TriageDecision,
    record_triage_decision,
    request_partner_checks,
    return_partner_check,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db

CONCERN = "Synthetic test concern: seen getting into cars with unknown adults."


@pytest.fixture
def health(db):
    return make_agency("county-health", AgencyKind.HEALTH, name="County Health Trust")


@pytest.fixture
def nurse(health):
    """The health trust's member of the hub team."""
    team = make_team(health, "MACE Hub (Health)", is_hub_team=True)
    return make_user("nurse.hub", Role.TRIAGE, agency=health, team=team)


@pytest.fixture
def child(school):
    return make_person(school, given_name="Maya", family_name="Brook",
                       date_of_birth=dt.date(2012, 5, 17))


@pytest.fixture
def red_referral(child, referrer):
    return make_referral(child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES"),
                         received_at=timezone.now() - dt.timedelta(minutes=30))


def _decide(actor, referral, brag, tier, *, outcome=TriageOutcome.EARLY_HELP):
    return record_triage_decision(
        actor=actor, referral_pk=referral.pk, expected_version=referral.version,
        decision=TriageDecision(brag=brag, risk_tier=tier, outcome=outcome,
                                outcome_reason="Synthetic reason", decided_at=timezone.now(),
                                override_reason="Partner information lowers the risk"),
    )


# --- The clocks ---------------------------------------------------------------------------


def test_a_changed_rating_moves_the_check_clock_and_not_the_decision_clock(
    triage_officer, red_referral, health, nurse
) -> None:
    referral = red_referral
    assert referral.partner_check_brag == Brag.RED
    decision_due = referral.decision_due_at
    assert decision_due == add_working_days(referral.received_at, 1)
    [check] = request_partner_checks(actor=triage_officer, referral_pk=referral.pk,
                                     agency_ids=[health.pk])
    assert check.due_at == check.requested_at + dt.timedelta(hours=2)  # Red
    assert check.brag == Brag.RED

    _decide(triage_officer, referral, Brag.GREEN, RiskTier.LOW)

    referral.refresh_from_db()
    check.refresh_from_db()
    assert referral.partner_check_brag == Brag.GREEN
    assert referral.partner_checks_due_at == referral.received_at + dt.timedelta(hours=24)
    assert check.brag == Brag.GREEN
    assert check.due_at == check.requested_at + dt.timedelta(hours=24)
    assert referral.decision_due_at == decision_due  # one working day, whatever the rating
    moved = AuditEvent.objects.get(event_type=EventType.CHANGE,
                                   record_type="referrals.partnercheck", record_id=str(check.pk))
    assert moved.detail["changes"]["brag"] == {"old": "red", "new": "green"}
    decided = AuditEvent.objects.filter(event_type=EventType.CHANGE,
                                        record_type="referrals.referral").last()
    assert decided is not None
    assert decided.detail["partner_check_clock"]["partner_check_brag"]["new"] == "green"


def test_a_returned_check_keeps_its_due_time_when_the_rating_changes(
    triage_officer, red_referral, health, nurse
) -> None:
    [check] = request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                                     agency_ids=[health.pk])
    return_partner_check(actor=nurse, check_pk=check.pk, expected_version=check.version,
                         result=PartnerCheckResult.NOTHING_HELD)
    _decide(triage_officer, red_referral, Brag.GREEN, RiskTier.LOW)
    check.refresh_from_db()
    assert (check.brag, check.due_at) == (Brag.RED,
                                          check.requested_at + dt.timedelta(hours=2))


def test_keeping_the_rating_leaves_both_clocks_alone(triage_officer, red_referral) -> None:
    before = (red_referral.partner_checks_due_at, red_referral.decision_due_at)
    _decide(triage_officer, red_referral, Brag.RED, RiskTier.HIGH)
    red_referral.refresh_from_db()
    assert (red_referral.partner_checks_due_at, red_referral.decision_due_at) == before


def test_the_queue_shows_both_clocks(triage_officer, client_for, red_referral) -> None:
    page = client_for(triage_officer).get(reverse("referrals:queue")).content.decode()
    assert "Partner information due" in page and "Decision due" in page
    assert "Red: within 2 hours" in page
    assert "Within one working day" in page


# --- Asking and returning -----------------------------------------------------------------


def test_the_partner_check_round_trip(triage_officer, nurse, health, client_for,
                                      red_referral) -> None:
    triage = client_for(triage_officer)
    ask = triage.post(reverse("referrals:request_checks", args=[red_referral.pk]),
                      {"agencies": [str(health.pk)], "question": "Any clinic attendance?"})
    assert ask.status_code == 302
    check = PartnerCheck.objects.get(referral=red_referral)
    assert check.requested_by == triage_officer and check.question == "Any clinic attendance?"
    assert AuditEvent.objects.filter(event_type=EventType.CREATE,
                                     record_type="referrals.partnercheck").count() == 1
    decide_page = triage.get(reverse("referrals:decide", args=[red_referral.pk])).content.decode()
    assert "County Health Trust" in decide_page and "Outstanding" in decide_page

    partner = client_for(nurse)
    queue = partner.get(reverse("referrals:partner_checks")).content.decode()
    assert "Partner checks for County Health Trust" in queue and "Maya Brook" in queue
    page = partner.get(reverse("referrals:partner_check", args=[check.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "17 May 2012" in text and "Any clinic attendance?" in text
    assert CONCERN not in text  # what the check needs, not the whole referral
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     record_type="referrals.partnercheck",
                                     record_id=str(check.pk)).exists()
    returned = partner.post(reverse("referrals:partner_check", args=[check.pk]),
                            {"version": str(check.version), "result": "nothing_held"})
    assert returned.status_code == 302
    check.refresh_from_db()
    assert check.result == PartnerCheckResult.NOTHING_HELD and check.returned_by == nurse
    assert check.returned_in_time
    decide_page = triage.get(reverse("referrals:decide", args=[red_referral.pk])).content.decode()
    assert re.search(r">Back</strong>\s*Nothing held", decide_page)
    assert "Returned late" not in decide_page


def test_information_held_needs_a_summary(triage_officer, nurse, health, client_for,
                                          red_referral) -> None:
    [check] = request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                                     agency_ids=[health.pk])
    response = client_for(nurse).post(reverse("referrals:partner_check", args=[check.pk]),
                                      {"version": str(check.version),
                                       "result": "information_held", "summary": " "})
    assert response.status_code == 200
    assert "Enter a summary of the information your agency holds" in response.content.decode()
    with pytest.raises(ServiceRefused):
        return_partner_check(actor=nurse, check_pk=check.pk, expected_version=check.version,
                             result=PartnerCheckResult.INFORMATION_HELD, summary="")
    check.refresh_from_db()
    assert not check.is_returned


def test_a_check_is_returned_once(triage_officer, nurse, health, red_referral) -> None:
    [check] = request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                                     agency_ids=[health.pk])
    return_partner_check(actor=nurse, check_pk=check.pk, expected_version=check.version,
                         result=PartnerCheckResult.NOTHING_HELD)
    with pytest.raises(ServiceRefused):
        return_partner_check(actor=nurse, check_pk=check.pk, expected_version=check.version,
                             result=PartnerCheckResult.INFORMATION_HELD, summary="Known")


def test_an_agency_is_not_asked_twice_while_its_check_is_out(
    triage_officer, health, nurse, red_referral
) -> None:
    request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                           agency_ids=[health.pk])
    with pytest.raises(ServiceRefused, match="already been asked"):
        request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                               agency_ids=[health.pk])


def test_only_agencies_with_hub_members_can_be_asked(triage_officer, school,
                                                     red_referral) -> None:
    with pytest.raises(ServiceRefused):
        request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                               agency_ids=[school.pk])


def test_a_check_returned_after_it_was_due_is_shown_late(
    triage_officer, nurse, health, client_for, red_referral
) -> None:
    [check] = request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                                     agency_ids=[health.pk])
    PartnerCheck.objects.filter(pk=check.pk).update(
        requested_at=timezone.now() - dt.timedelta(hours=3),
        due_at=timezone.now() - dt.timedelta(hours=1))
    decide_page = client_for(triage_officer).get(
        reverse("referrals:decide", args=[red_referral.pk])).content.decode()
    assert "Overdue" in decide_page
    awaiting = partner_checks_awaiting(nurse, timezone.now())
    assert [a.check.pk for a in awaiting] == [check.pk] and awaiting[0].is_overdue
    return_partner_check(actor=nurse, check_pk=check.pk, expected_version=check.version,
                         result=PartnerCheckResult.INFORMATION_HELD,
                         summary="Seen at the clinic in March")
    check.refresh_from_db()
    assert check.returned_in_time is False
    decide_page = client_for(triage_officer).get(
        reverse("referrals:decide", args=[red_referral.pk])).content.decode()
    assert "Returned late" in decide_page and "Seen at the clinic in March" in decide_page
    assert partner_checks_awaiting(nurse, timezone.now()) == []


# --- Who sees what ------------------------------------------------------------------------


def test_a_partner_from_another_agency_gets_404_on_a_check_not_addressed_to_them(
    triage_officer, nurse, health, client_for, red_referral, referrer
) -> None:
    [check] = request_partner_checks(actor=triage_officer, referral_pk=red_referral.pk,
                                     agency_ids=[health.pk])
    url = reverse("referrals:partner_check", args=[check.pk])
    # The police hub's own triage officer: the check is health's, not theirs to return.
    assert client_for(triage_officer).get(url).status_code == 404
    assert client_for(triage_officer).post(
        url, {"version": "1", "result": "nothing_held"}).status_code == 404
    # Health staff outside the hub team are not the agency's hub members.
    clinic = make_team(health, "Sexual Health Service", is_hub_team=False)
    clinician = make_user("clinic.nurse", Role.TRIAGE, agency=health, team=clinic)
    assert client_for(clinician).get(url).status_code == 404
    assert client_for(referrer).get(url).status_code == 404
    check.refresh_from_db()
    assert not check.is_returned
    assert partner_checks_awaiting(triage_officer, timezone.now()) == []


def test_the_policy_shows_returns_to_referral_readers_and_each_agency_its_own_checks(
    triage_officer, nurse, health, hub_agency, red_referral, hub_user_factory
) -> None:
    police_check, health_check = request_partner_checks(
        actor=triage_officer, referral_pk=red_referral.pk,
        agency_ids=[hub_agency.pk, health.pk])
    all_checks = PartnerCheck.objects.all()
    mine = policy.scope(nurse, Action.PARTNER_CHECK_RETURN, all_checks)
    assert list(mine) == [health_check]
    # Triage read every check on a referral they may read, whoever was asked.
    assert set(policy.scope(triage_officer, Action.PARTNER_CHECK_VIEW, all_checks)) == {
        police_check, health_check}
    # A victim advocate does not read referrals, and returns no checks.
    advocate = hub_user_factory("advo.cate", Role.VICTIM_ADVOCATE)
    assert not policy.scope(advocate, Action.PARTNER_CHECK_VIEW, all_checks).exists()
    assert not policy.allows(advocate, Action.PARTNER_CHECK_REQUEST)
    # Only triage ask for checks.
    analyst = hub_user_factory("an.alyst", Role.ANALYST)
    assert not policy.can(analyst, Action.PARTNER_CHECK_REQUEST, red_referral)
    assert policy.can(analyst, Action.PARTNER_CHECK_RETURN, police_check)
