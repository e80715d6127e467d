"""The work each capability puts in people's queues: partner checks asked of their
agency, risk reviews due on their cases (and every overdue one for those who oversee the
hub's cases), and return home interviews still to be offered for the children they work
with, whether or not the episode was recorded with a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.cases import services as case_services
from macehub.cases.codes import Brag, InterviewResponse, RiskTier
from macehub.cases.models import Case
from macehub.cases.services import ReturnInterview
from macehub.core.work_queue import work_queue_for
from macehub.people.models import Person
from macehub.referrals import services as referral_services
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db


def kinds(user: User) -> dict[str, list[str]]:
    """Each source's item titles, by source name."""
    queue = work_queue_for(user, timezone.now())
    return {work.source.name: [item.title for item in work.items] for work in queue.lists}


@pytest.fixture
def triage(hub_agency: Agency, hub_team: Team) -> User:
    return make_user("tri.age", Role.TRIAGE, agency=hub_agency, team=hub_team)


@pytest.fixture
def health() -> Agency:
    return make_agency("county-health", AgencyKind.HEALTH, name="County Health")


@pytest.fixture
def health_hub_member(health: Agency) -> User:
    return make_user("nurse.hub", Role.TRIAGE, agency=health,
                     team=make_team(health, "MACE Hub (Health)", is_hub_team=True))


def _child(agency: Agency, given: str) -> Person:
    return make_person(agency, given_name=given, family_name="Example",
                       date_of_birth=dt.date(2011, 3, 4))


# --- Partner checks -----------------------------------------------------------------------


def test_a_partner_agencys_hub_member_sees_the_checks_asked_of_their_agency_red_first(
    triage: User, health: Agency, health_hub_member: User, hub_agency: Agency,
) -> None:
    social_care = make_agency("county-care", AgencyKind.CHILDRENS_SOCIAL_CARE,
                              name="County Children's Services")
    care_member = make_user("sw.hub", Role.TRIAGE, agency=social_care,
                            team=make_team(social_care, "MACE Hub (Care)", is_hub_team=True))
    referrer = make_user("pc.refers", Role.REFERRER, agency=hub_agency,
                         team=make_team(hub_agency, "Neighbourhood", is_hub_team=False))
    now = timezone.now()
    green = make_referral(_child(hub_agency, "Greta"), referrer,
                          received_at=now - dt.timedelta(hours=1), partner_check_brag=Brag.GREEN)
    red = make_referral(_child(hub_agency, "Rosa"), referrer,
                        received_at=now - dt.timedelta(hours=1), partner_check_brag=Brag.RED)
    referral_services.request_partner_checks(actor=triage, referral_pk=green.pk,
                                             agency_ids=[health.pk])
    [red_check] = referral_services.request_partner_checks(
        actor=triage, referral_pk=red.pk, agency_ids=[health.pk], question="Any clinic visits?")
    referral_services.request_partner_checks(actor=triage, referral_pk=red.pk,
                                             agency_ids=[social_care.pk])

    queue = work_queue_for(health_hub_member, now)
    [checks] = [work for work in queue.lists if work.source.name == "partner_checks"]
    assert [item.title for item in checks.items] == [
        f"{red.reference}: Rosa Example", f"{green.reference}: Greta Example"]
    first = checks.items[0]
    assert first.link == reverse("referrals:partner_check", args=[red_check.pk])
    assert (first.tag, first.due_at) == ("Red", red_check.due_at)
    assert "Any clinic visits?" in first.detail
    # Social care's member sees only social care's check; triage, who asked, none.
    assert kinds(care_member)["partner_checks"] == [f"{red.reference}: Rosa Example"]
    assert "partner_checks" not in kinds(triage)

    referral_services.return_partner_check(
        actor=health_hub_member, check_pk=red_check.pk, expected_version=red_check.version,
        result="nothing_held")
    assert kinds(health_hub_member)["partner_checks"] == [f"{green.reference}: Greta Example"]


# --- Risk reviews -------------------------------------------------------------------------


def _open_case(actor: User, person: Person, tier: RiskTier, key_worker: User | None,
               opened_days_ago: int) -> Case:
    case = case_services.open_case(actor=actor, child=person, risk_tier=tier,
                                   lead_agency=actor.agency, reason="Screened at triage",
                                   key_worker=key_worker)
    Case.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=opened_days_ago))
    return case


def test_risk_reviews_due_reach_the_key_worker_and_overdue_ones_the_supervisor(
    triage: User, hub_agency: Agency, hub_team: Team,
) -> None:
    supervisor = make_user("sup.ervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team)
    colleague = make_user("other.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    # Never assessed: due from the day each case opened.
    mine = _open_case(triage, _child(hub_agency, "Mina"), RiskTier.HIGH, triage, 10)
    theirs = _open_case(triage, _child(hub_agency, "Theo"), RiskTier.MEDIUM, colleague, 3)
    assessed = _open_case(triage, _child(hub_agency, "Asha"), RiskTier.LOW, triage, 5)
    case_services.record_risk_assessment(
        actor=triage, case_pk=assessed.pk, assessed_on=timezone.localdate(),
        ratings=dict.fromkeys(_domains(), ("none", "")), judgement=RiskTier.LOW,
        summary="No current concerns beyond vulnerability.")

    mine_title, theirs_title = (f"{mine.reference}: Mina Example",
                                f"{theirs.reference}: Theo Example")
    assert kinds(triage)["risk_reviews"] == [mine_title]  # not the assessed case
    assert kinds(colleague)["risk_reviews"] == [theirs_title]
    # The supervisor works on none of them but oversees both overdue reviews.
    assert sorted(kinds(supervisor)["risk_reviews"]) == sorted([mine_title, theirs_title])
    item = next(i for i in work_queue_for(triage, timezone.now()).items
                if i.kind == "Risk review")
    assert item.link == reverse("cases:risk_assessments", args=[mine.pk])
    assert item.is_overdue(timezone.now()) and "Never assessed" in item.detail
    # An analyst records no assessments: nothing of this in their queue.
    analyst = make_user("ana.lyst", Role.ANALYST, agency=hub_agency, team=hub_team)
    assert "risk_reviews" not in kinds(analyst)


def _domains() -> list[str]:
    from macehub.cases.reviews import assessment_domains

    return [code for code, _label in assessment_domains()]


# --- Return home interviews ---------------------------------------------------------------


def test_interviews_to_offer_include_episodes_without_a_case_but_not_declined_ones(
    triage: User, hub_agency: Agency, hub_team: Team,
) -> None:
    now = timezone.now()
    colleague = make_user("other.triage", Role.TRIAGE, agency=hub_agency, team=hub_team)
    no_case = _child(hub_agency, "Nell")
    with_case = _child(hub_agency, "Cody")
    declined = _child(hub_agency, "Dana")
    case = _open_case(triage, with_case, RiskTier.MEDIUM, triage, 20)
    caseless = case_services.record_missing_episode(
        actor=triage, child_pk=no_case.pk, went_missing_at=now - dt.timedelta(hours=30),
        returned_at=now - dt.timedelta(hours=10))
    on_case = case_services.record_missing_episode(
        actor=colleague, case_pk=case.pk, went_missing_at=now - dt.timedelta(hours=90),
        returned_at=now - dt.timedelta(hours=80))
    case_services.record_missing_episode(
        actor=triage, child_pk=declined.pk, went_missing_at=now - dt.timedelta(hours=30),
        returned_at=now - dt.timedelta(hours=20),
        interview=ReturnInterview(offered_at=now - dt.timedelta(hours=5),
                                  offered_by="Sam Offer", offered_by_agency="Safe Return",
                                  offerer="independent", response=InterviewResponse.DECLINED))

    queue = work_queue_for(triage, now)
    [interviews] = [work for work in queue.lists if work.source.name == "return_interviews"]
    # The case's episode is overdue (back 80 hours), so it comes first.
    assert [item.title for item in interviews.items] == [
        f"{case.reference}: Cody Example", "Nell Example"]
    overdue, due = interviews.items
    assert overdue.is_overdue(now) and not due.is_overdue(now)
    assert overdue.link == reverse("cases:edit_missing_episode", args=[case.pk, on_case.pk])
    assert due.link == reverse("cases:child_edit_missing_episode",
                               args=[no_case.pk, caseless.pk])
    assert due.tag == "No MACE case"
    # The colleague recorded the case's episode but does not work on the case, and did
    # not record the caseless one: nothing for them.
    assert "return_interviews" not in kinds(colleague)


def test_an_interview_is_not_listed_once_the_child_is_restricted_from_the_user(
    triage: User, hub_agency: Agency, hub_team: Team,
) -> None:
    """The episodes a user recorded or works with are picked first and their children
    asked of the policy after: a child restricted since, whom the user is not allocated
    to and works no case of, drops out of their queue."""
    now = timezone.now()
    kept, restricted = _child(hub_agency, "Kira"), _child(hub_agency, "Remy")
    for child in (kept, restricted):
        case_services.record_missing_episode(
            actor=triage, child_pk=child.pk, went_missing_at=now - dt.timedelta(hours=30),
            returned_at=now - dt.timedelta(hours=10))
    assert sorted(kinds(triage)["return_interviews"]) == ["Kira Example", "Remy Example"]

    Person.objects.filter(pk=restricted.pk).update(is_restricted=True)
    assert kinds(triage)["return_interviews"] == ["Kira Example"]
