"""The access policy itself: which roles may do what, and how the relation to a record
(own agency, shared, allocated, restricted) narrows it. Each rule has a test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.people.models import Person, PersonAllocation, PersonShare
from macehub.testing.factories import make_agency, make_person, make_team, make_user

# Victim advocates (independent of the police) read no intelligence, and digital
# forensics examiners no person, case or intelligence page.
INTELLIGENCE_READERS = {
    Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR,
    Role.SOCIAL_WORKER,
}
PEOPLE_READERS = {
    Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
    Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR, Role.INFORMATION_GOVERNANCE,
}
REFERRERS = {
    Role.REFERRER, Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
    Role.VICTIM_ADVOCATE,
}
# The policy as the hub's information governance lead would write it down. Changing the
# policy means changing this table on purpose.
EXPECTED_ROLES = {
    Action.PERSON_SEARCH: PEOPLE_READERS,
    Action.PERSON_CREATE: {
        Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
    },
    Action.PERSON_CHANGE: {
        Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
    },
    Action.PERSON_SHARE: {
        Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
    },
    Action.PERSON_ACCESS_LOG: {Role.INFORMATION_GOVERNANCE},
    Action.PERSON_MATCH_REVIEW: {Role.TRIAGE, Role.ANALYST, Role.SUPERVISOR},
    Action.PERSON_MERGE: {Role.TRIAGE, Role.ANALYST, Role.SUPERVISOR},
    Action.PERSON_LIST_LINK: {Role.ANALYST, Role.SUPERVISOR},
    Action.PARTNER_MAPPING_MANAGE: {Role.TRIAGE, Role.ADMINISTRATOR},
    Action.PARTNER_IMPORT: {Role.TRIAGE},
    Action.AUDIT_LOG_VIEW: {Role.INFORMATION_GOVERNANCE},
    Action.BACKGROUND_JOBS_VIEW: {Role.INFORMATION_GOVERNANCE, Role.ADMINISTRATOR},
    Action.REQUESTED_JOB_VIEW: set(Role),
    Action.RETENTION_RULES_VIEW: {Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE},
    Action.RETENTION_REVIEW: {Role.INFORMATION_GOVERNANCE},
    Action.DISPOSAL_DECIDE: {Role.INFORMATION_GOVERNANCE},
    Action.LEGAL_HOLD_MANAGE: {Role.INFORMATION_GOVERNANCE},
    Action.SHARING_AGREEMENT_VIEW: set(Role),
    Action.SHARING_AGREEMENT_MANAGE: {Role.INFORMATION_GOVERNANCE},
    Action.SUBJECT_ACCESS_MANAGE: {Role.INFORMATION_GOVERNANCE},
    Action.ACCOUNTS_MANAGE: {Role.ADMINISTRATOR},
    Action.ROLE_CHANGE_VIEW: {Role.ADMINISTRATOR, Role.INFORMATION_GOVERNANCE},
    Action.ROLE_CHANGE_DECIDE: {Role.ADMINISTRATOR},
    Action.AREA_VIEW: {
        Role.ANALYST, Role.SENIOR_LEADER, Role.SCRUTINY, Role.INFORMATION_GOVERNANCE,
    },
    Action.USE_HUB: set(Role),
    Action.REFERRAL_SUBMIT: REFERRERS,
    Action.REFERRAL_VIEW_OWN: REFERRERS,
    Action.REFERRAL_ADD_INFORMATION: REFERRERS,
    Action.REFERRAL_VIEW: {
        Role.TRIAGE, Role.SUPERVISOR, Role.ANALYST, Role.MEETING_CHAIR, Role.INVESTIGATOR,
        Role.SOCIAL_WORKER, Role.INFORMATION_GOVERNANCE,
    },
    Action.REFERRAL_TRIAGE: {Role.TRIAGE, Role.SUPERVISOR},
    Action.PARTNER_CHECK_REQUEST: {Role.TRIAGE, Role.SUPERVISOR},
    Action.REFERRAL_STATUTORY_OUTCOME: {Role.TRIAGE, Role.SUPERVISOR},
    Action.PARTNER_CHECK_VIEW: {
        Role.TRIAGE, Role.SUPERVISOR, Role.ANALYST, Role.MEETING_CHAIR, Role.INVESTIGATOR,
        Role.SOCIAL_WORKER, Role.INFORMATION_GOVERNANCE,
    },
    Action.PARTNER_CHECK_RETURN: {
        Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR, Role.MEETING_CHAIR,
        Role.SOCIAL_WORKER,
    },
    Action.CASE_LIST: PEOPLE_READERS,
    Action.CASE_VIEW: PEOPLE_READERS,
    Action.CASE_OPEN: {Role.TRIAGE, Role.SUPERVISOR},
    Action.CASE_RECORD_WORK: {
        Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
        Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR,
    },
    # A professional judgement of the child's risk: not the independent advocate's.
    Action.CASE_ASSESS_RISK: {
        Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.MEETING_CHAIR,
    },
    Action.CASE_CHANGE: {Role.TRIAGE, Role.SUPERVISOR, Role.SOCIAL_WORKER, Role.MEETING_CHAIR},
    Action.MISSING_EPISODE_RECORD: {
        Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR, Role.SOCIAL_WORKER,
        Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR,
    },
    Action.MISSING_EPISODE_LIST: PEOPLE_READERS,
    Action.CASE_RESTRICT: {Role.SUPERVISOR, Role.INFORMATION_GOVERNANCE},
    Action.CASE_ACCESS_LOG: {Role.INFORMATION_GOVERNANCE},
    Action.CASE_DECISION_VIEW: PEOPLE_READERS,
    Action.CASE_DECIDE: {Role.SUPERVISOR, Role.MEETING_CHAIR},
    Action.CASE_ADVOCACY_END: {
        Role.TRIAGE, Role.SUPERVISOR, Role.MEETING_CHAIR, Role.VICTIM_ADVOCATE,
    },
    # Narrowed to the advocacy service that recorded them (``advocacy_notes_relation``).
    Action.CASE_READ_ADVOCACY_NOTES: {Role.VICTIM_ADVOCATE, Role.INFORMATION_GOVERNANCE},
    Action.PERFORMANCE_VIEW: {Role.SENIOR_LEADER, Role.ANALYST, Role.SUPERVISOR},
    Action.PERFORMANCE_PUBLISH: {Role.SENIOR_LEADER},
    Action.PERFORMANCE_PUBLISHED_VIEW: {
        Role.SENIOR_LEADER, Role.ANALYST, Role.SUPERVISOR, Role.SCRUTINY,
    },
    Action.EQUALITY_VIEW: {Role.ANALYST, Role.SENIOR_LEADER, Role.INFORMATION_GOVERNANCE},
    Action.PROFILE_VIEW: {
        Role.ANALYST, Role.SENIOR_LEADER, Role.SUPERVISOR, Role.MEETING_CHAIR,
    },
    Action.PROFILE_DRAFT: {Role.ANALYST},
    Action.PROFILE_PUBLISH: {Role.SENIOR_LEADER},
    Action.PROFILE_RESTRICTED_VIEW: {
        Role.ANALYST, Role.SENIOR_LEADER, Role.SUPERVISOR, Role.MEETING_CHAIR,
        Role.INVESTIGATOR, Role.SOCIAL_WORKER, Role.TRIAGE,
    },
    Action.PROFILE_PARTNERSHIP_VIEW: {
        Role.ANALYST, Role.SENIOR_LEADER, Role.SUPERVISOR, Role.MEETING_CHAIR,
        Role.INVESTIGATOR, Role.SOCIAL_WORKER, Role.TRIAGE, Role.SCRUTINY,
        Role.INFORMATION_GOVERNANCE,
    },
    Action.EQUALITY_PUBLISHED_VIEW: {
        Role.ANALYST, Role.SENIOR_LEADER, Role.INFORMATION_GOVERNANCE, Role.SCRUTINY,
    },
    Action.INTELLIGENCE_SUBMIT: set(Role) - {Role.SCRUTINY},
    Action.INTELLIGENCE_SUBMISSION_VIEW_OWN: set(Role) - {Role.SCRUTINY},
    Action.INTELLIGENCE_RECORD: {Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR},
    Action.INTELLIGENCE_REVIEW: {Role.ANALYST, Role.SUPERVISOR},
    Action.INTELLIGENCE_LINK: {Role.ANALYST, Role.SUPERVISOR},
    Action.INTELLIGENCE_VIEW: INTELLIGENCE_READERS,
    Action.INTELLIGENCE_VIEW_SOURCE: INTELLIGENCE_READERS,
    Action.INTELLIGENCE_DISSEMINATE: {Role.ANALYST, Role.SUPERVISOR},
    Action.INTELLIGENCE_EXPORT: {Role.ANALYST, Role.SUPERVISOR},
    Action.ENTITY_VIEW: INTELLIGENCE_READERS,
    Action.NETWORK_VIEW: INTELLIGENCE_READERS,
    Action.NETWORK_EXPORT: {Role.ANALYST, Role.SUPERVISOR},
    Action.GROUP_VIEW: INTELLIGENCE_READERS,
    Action.GROUP_PROPOSE: {Role.ANALYST, Role.SUPERVISOR},
    Action.GROUP_DECIDE: {Role.SUPERVISOR},
    Action.GROUP_MODEL_CHANGE: {Role.ANALYST, Role.SUPERVISOR},
    Action.ENTITY_SEARCH: INTELLIGENCE_READERS,
    # Investigations are the force's: police investigators and supervisors work them.
    Action.INVESTIGATION_VIEW: {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST,
                                Role.INFORMATION_GOVERNANCE},
    Action.INVESTIGATION_RECORD: {Role.INVESTIGATOR, Role.SUPERVISOR},
    Action.INVESTIGATION_CHANGE: {Role.INVESTIGATOR, Role.SUPERVISOR},
    Action.INVESTIGATION_ALLOCATE: {Role.SUPERVISOR},
    Action.INVESTIGATION_REVIEW: {Role.SUPERVISOR},
    Action.VICTIM_JOURNEY_VIEW: {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST,
                                 Role.INFORMATION_GOVERNANCE, Role.VICTIM_ADVOCATE},
    Action.VICTIM_JOURNEY_RECORD: {Role.INVESTIGATOR, Role.SUPERVISOR, Role.VICTIM_ADVOCATE},
    Action.VICTIM_JOURNEY_NOTES: {Role.VICTIM_ADVOCATE, Role.INFORMATION_GOVERNANCE},
    Action.VICTIM_JOURNEY_WRITE_NOTE: {Role.VICTIM_ADVOCATE},
    # Exhibits: read with the investigation, and by the force's forensics examiners,
    # who alone record what examining them found.
    Action.EXHIBIT_VIEW: {Role.INVESTIGATOR, Role.SUPERVISOR, Role.ANALYST,
                          Role.INFORMATION_GOVERNANCE, Role.FORENSICS},
    Action.EXHIBIT_RECORD: {Role.INVESTIGATOR, Role.SUPERVISOR},
    Action.EXHIBIT_EXAMINE: {Role.FORENSICS},
    # Meetings: hub business read by the hub's casework roles, run by the chair; anyone
    # who may be given an action (not scrutiny) sees and closes their own.
    Action.MEETING_VIEW: {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR,
                          Role.SOCIAL_WORKER, Role.VICTIM_ADVOCATE, Role.MEETING_CHAIR,
                          Role.INFORMATION_GOVERNANCE},
    Action.MEETING_RUN: {Role.MEETING_CHAIR},
    Action.MEETING_ACTION_VIEW: set(Role) - {Role.SCRUTINY},
    Action.MEETING_ACTION_UPDATE: set(Role) - {Role.SCRUTINY},
    # Disruptions: not victim advocates nor forensics examiners; recorded by caseworkers;
    # whether they work, as counts, by those who read intelligence.
    Action.DISRUPTION_VIEW: {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR, Role.SUPERVISOR,
                             Role.SOCIAL_WORKER, Role.MEETING_CHAIR,
                             Role.INFORMATION_GOVERNANCE},
    Action.DISRUPTION_RECORD: {Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR,
                               Role.SOCIAL_WORKER, Role.MEETING_CHAIR},
    Action.DISRUPTION_CHANGE: {Role.TRIAGE, Role.INVESTIGATOR, Role.SUPERVISOR,
                               Role.SOCIAL_WORKER, Role.MEETING_CHAIR},
    Action.DISRUPTION_EFFECTIVENESS_VIEW: {Role.TRIAGE, Role.ANALYST, Role.INVESTIGATOR,
                                           Role.SUPERVISOR, Role.MEETING_CHAIR,
                                           Role.SOCIAL_WORKER},
    Action.DISRUPTION_TACTIC_ADD: {Role.ADMINISTRATOR},
    Action.INSPECTION_VIEW: {Role.SENIOR_LEADER, Role.SCRUTINY,
                             Role.INFORMATION_GOVERNANCE, Role.MEETING_CHAIR},
    Action.INSPECTION_MANAGE: {Role.SENIOR_LEADER},
    Action.RECOMMENDATION_ASSESS: {Role.SCRUTINY},
    Action.PROGRESS_STATEMENT_PUBLISH: {Role.SCRUTINY},
    Action.PROGRESS_STATEMENT_VIEW: set(Role),
    Action.IMPROVEMENT_ACTION_VIEW: set(Role),
    Action.IMPROVEMENT_ACTION_UPDATE: set(Role),
    Action.WORKFORCE_ESTABLISHMENT: {Role.SENIOR_LEADER, Role.ADMINISTRATOR},
    Action.WORKFORCE_WEIGHTING_CHANGE: {Role.SENIOR_LEADER},
    Action.WORKFORCE_CASELOAD_VIEW: {Role.SENIOR_LEADER, Role.SUPERVISOR},
    Action.WORKFORCE_REPORT_VIEW: {Role.SENIOR_LEADER, Role.SCRUTINY},
    Action.TRAINING_COURSE_VIEW: set(Role),
    Action.TRAINING_PERSON_VIEW: set(Role),
    Action.TRAINING_RECORD: {Role.TRAINING_LEAD},
    Action.TRAINING_IMPORT: {Role.TRAINING_LEAD},
    Action.TRAINING_COURSE_MANAGE: {Role.TRAINING_LEAD},
    Action.TRAINING_COMPLIANCE_VIEW: {Role.TRAINING_LEAD, Role.SUPERVISOR, Role.SENIOR_LEADER},
}


@pytest.mark.parametrize("action", list(EXPECTED_ROLES), ids=str)
def test_roles_allowed_each_action(action: Action) -> None:
    assert set(policy.RULES[action].roles) == EXPECTED_ROLES[action]


def test_every_action_has_a_rule_and_an_expectation() -> None:
    assert set(policy.RULES) == set(Action)
    assert set(EXPECTED_ROLES) | {Action.PERSON_VIEW} == set(Action)


def test_aggregate_only_roles_never_see_people() -> None:
    for role in (Role.SCRUTINY, Role.SENIOR_LEADER, Role.TRAINING_LEAD, Role.REFERRER,
                 Role.ADMINISTRATOR):
        assert role not in policy.RULES[Action.PERSON_VIEW].roles
        assert role not in policy.RULES[Action.PERSON_SEARCH].roles


INTELLIGENCE_ACTIONS = (
    Action.INTELLIGENCE_VIEW, Action.INTELLIGENCE_VIEW_SOURCE, Action.INTELLIGENCE_RECORD,
    Action.INTELLIGENCE_REVIEW, Action.INTELLIGENCE_LINK, Action.INTELLIGENCE_DISSEMINATE,
    Action.INTELLIGENCE_EXPORT,
    Action.ENTITY_VIEW, Action.ENTITY_SEARCH,
    # The link graph and groups are intelligence too.
    Action.NETWORK_VIEW, Action.NETWORK_EXPORT, Action.GROUP_VIEW, Action.GROUP_PROPOSE,
    Action.GROUP_DECIDE, Action.GROUP_MODEL_CHANGE,
)


def test_victim_advocates_read_no_intelligence_but_may_tell_the_hub() -> None:
    for action in INTELLIGENCE_ACTIONS:
        assert Role.VICTIM_ADVOCATE not in policy.RULES[action].roles, action
    assert Role.VICTIM_ADVOCATE in policy.RULES[Action.INTELLIGENCE_SUBMIT].roles
    assert Role.VICTIM_ADVOCATE in policy.RULES[Action.INTELLIGENCE_SUBMISSION_VIEW_OWN].roles


def test_forensics_examiners_see_no_person_case_or_intelligence() -> None:
    record_actions = [action for action, rule in policy.RULES.items()
                      if action.value.split(".")[0] in
                      {"person", "case", "referral", "intelligence", "entity"}
                      and action not in (Action.INTELLIGENCE_SUBMIT,
                                         Action.INTELLIGENCE_SUBMISSION_VIEW_OWN)]
    assert len(record_actions) > 20
    for action in record_actions:
        assert Role.FORENSICS not in policy.RULES[action].roles, action
    assert Role.FORENSICS in policy.RULES[Action.USE_HUB].roles


def test_granting_a_social_worker_advocate_or_forensics_examiner_needs_approval() -> None:
    for role in (Role.SOCIAL_WORKER, Role.VICTIM_ADVOCATE, Role.FORENSICS):
        assert role in policy.ROLES_GRANTED_WITH_APPROVAL


@pytest.fixture
def partner_team(partner_agency: Agency) -> Team:
    return make_team(partner_agency, "District Social Work", is_hub_team=False)


@pytest.mark.django_db
class TestPersonRelations:
    def visible(self, user: object) -> set[int]:
        return set(
            policy.scope(user, Action.PERSON_VIEW, Person.objects.all()).values_list(
                "pk", flat=True
            )
        )

    def test_hub_member_sees_every_unrestricted_record(
        self, hub_agency: Agency, hub_team: Team, partner_agency: Agency
    ) -> None:
        analyst = make_user("ana", Role.ANALYST, agency=hub_agency, team=hub_team)
        held_by_hub = make_person(hub_agency)
        held_by_partner = make_person(partner_agency)
        restricted = make_person(hub_agency, is_restricted=True)
        assert self.visible(analyst) == {held_by_hub.pk, held_by_partner.pk}
        assert not policy.can(analyst, Action.PERSON_VIEW, restricted)

    def test_partner_sees_own_agency_shared_and_allocated_only(
        self, hub_agency: Agency, partner_agency: Agency, partner_team: Team
    ) -> None:
        worker = make_user("sw", Role.VICTIM_ADVOCATE, agency=partner_agency, team=partner_team)
        own = make_person(partner_agency)
        police_only = make_person(hub_agency)
        shared = make_person(hub_agency)
        PersonShare.objects.create(person=shared, agency=partner_agency)
        allocated = make_person(hub_agency)
        PersonAllocation.objects.create(person=allocated, user=worker)
        assert self.visible(worker) == {own.pk, shared.pk, allocated.pk}
        with pytest.raises(Http404):
            policy.get_or_404(worker, Action.PERSON_VIEW, Person.objects.all(), pk=police_only.pk)

    def test_restricted_record_is_seen_only_by_allocated_users_and_governance(
        self, hub_agency: Agency, hub_team: Team
    ) -> None:
        restricted = make_person(hub_agency, is_restricted=True)
        allocated = make_user("inv", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
        colleague = make_user("inv2", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
        governance = make_user("ig", Role.INFORMATION_GOVERNANCE, agency=hub_agency)
        PersonAllocation.objects.create(person=restricted, user=allocated)
        assert policy.can(allocated, Action.PERSON_VIEW, restricted)
        assert not policy.can(colleague, Action.PERSON_VIEW, restricted)
        assert policy.can(governance, Action.PERSON_VIEW, restricted)

    def test_restricted_shared_record_stays_hidden_from_the_agency(
        self, hub_agency: Agency, partner_agency: Agency, partner_team: Team
    ) -> None:
        worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=partner_team)
        restricted = make_person(hub_agency, is_restricted=True)
        PersonShare.objects.create(person=restricted, agency=partner_agency)
        assert self.visible(worker) == set()

    def test_outsider_sees_nothing(
        self, hub_agency: Agency, partner_agency: Agency, outsider_agency: Agency
    ) -> None:
        make_person(hub_agency)
        make_person(partner_agency)
        outsider = make_user("out", Role.ANALYST, agency=outsider_agency)
        assert self.visible(outsider) == set()

    def test_seeing_but_not_changing_is_forbidden_not_hidden(
        self, hub_agency: Agency, hub_team: Team
    ) -> None:
        advocate = make_user("adv", Role.VICTIM_ADVOCATE, agency=hub_agency, team=hub_team)
        person = make_person(hub_agency)
        with pytest.raises(PermissionDenied):
            policy.get_or_404(advocate, Action.PERSON_CHANGE, Person.objects.all(), pk=person.pk)

    def test_role_without_view_gets_not_found_for_change(
        self, hub_agency: Agency, hub_team: Team
    ) -> None:
        leader = make_user("lead", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team)
        person = make_person(hub_agency)
        with pytest.raises(Http404):
            policy.get_or_404(leader, Action.PERSON_CHANGE, Person.objects.all(), pk=person.pk)

    def test_inactive_user_may_do_nothing(self, hub_agency: Agency, hub_team: Team) -> None:
        analyst = make_user("gone", Role.ANALYST, agency=hub_agency, team=hub_team)
        analyst.is_active = False
        make_person(hub_agency)
        assert not policy.allows(analyst, Action.PERSON_SEARCH)
        assert self.visible(analyst) == set()

    def test_a_person_shared_twice_is_listed_once(
        self, hub_agency: Agency, partner_agency: Agency, partner_team: Team
    ) -> None:
        worker = make_user("sw", Role.TRIAGE, agency=partner_agency, team=partner_team)
        person = make_person(partner_agency)
        PersonShare.objects.create(person=person, agency=partner_agency)
        PersonAllocation.objects.create(person=person, user=worker)
        listed = policy.scope(worker, Action.PERSON_VIEW, Person.objects.all())
        assert list(listed.values_list("pk", flat=True)) == [person.pk]


# --- A user without an agency holds nothing through an agency term -----------------------


@pytest.mark.django_db
def test_a_partner_without_an_agency_sees_no_records_held_by_agencies(
    hub_agency: Agency, partner_agency: Agency
) -> None:
    """``shares__agency_id=None`` would match every record shared with nobody."""
    from macehub.cases.codes import RiskTier
    from macehub.cases.models import Case
    from macehub.cases.services import open_case

    opener = make_user("case.opener", Role.TRIAGE, agency=hub_agency,
                       team=make_team(hub_agency))
    held = [make_person(hub_agency, given_name=f"Held{i}", family_name="Child")
            for i in range(3)]
    for person in held:
        open_case(actor=opener, child=person, risk_tier=RiskTier.LOW,
                  lead_agency=partner_agency, reason="Test")
    nobody = make_user("no.agency", Role.INVESTIGATOR)
    assert nobody.agency_id is None and not nobody.is_hub_member
    assert policy.scope(nobody, Action.PERSON_VIEW, Person.objects.all()).count() == 0
    assert policy.scope(nobody, Action.CASE_VIEW, Case.objects.all()).count() == 0
    # The same role with an agency still sees what that agency leads.
    partner = make_user("with.agency", Role.INVESTIGATOR, agency=partner_agency)
    assert policy.scope(partner, Action.CASE_VIEW, Case.objects.all()).count() == 3


# --- Relations are terms on the record itself --------------------------------------------


@pytest.mark.django_db
def test_scope_filters_the_records_themselves_without_fanning_out(
    hub_agency: Agency, hub_team: Team, partner_agency: Agency, partner_team: Team
) -> None:
    """Every relation reaches its many-valued relations (allocations, shares, cases,
    advocacy, handling conditions, disseminations, report links) through EXISTS terms,
    so ``scope`` filters the records directly: no join repeats a record and no subquery
    over the whole table is needed to take the repeats out again."""
    from macehub.cases.models import Case, CaseDecisionRequest
    from macehub.intelligence.models import IntelligenceReport, Location
    from macehub.referrals.models import PartnerCheck, Referral

    users = [
        make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team),
        make_user("hub.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team),
        make_user("partner.triage", Role.TRIAGE, agency=partner_agency, team=partner_team),
        make_user("partner.social", Role.SOCIAL_WORKER, agency=partner_agency),
        make_user("no.agency", Role.INVESTIGATOR),
    ]
    scoped = [
        (Action.PERSON_VIEW, Person), (Action.CASE_VIEW, Case),
        (Action.CASE_DECIDE, CaseDecisionRequest), (Action.REFERRAL_VIEW, Referral),
        (Action.PARTNER_CHECK_VIEW, PartnerCheck), (Action.INTELLIGENCE_VIEW, IntelligenceReport),
        (Action.ENTITY_VIEW, Location),
    ]
    for user in users:
        for action, model in scoped:
            relation = policy.RULES[action].relation
            assert relation is not None
            assert not policy._fans_out(model.objects.filter(relation(user)).query), (
                user.username, action)
            listed = list(policy.scope(user, action, model.objects.all())
                          .values_list("pk", flat=True))
            assert len(listed) == len(set(listed)), (user.username, action)


@pytest.mark.django_db
def test_an_advocate_works_on_a_case_only_through_their_own_current_allocation(
    hub_agency: Agency, hub_team: Team, partner_agency: Agency, partner_team: Team
) -> None:
    """An ended allocation of one advocate and a current allocation of another do not
    add up to a current allocation of the first: one term, one record."""
    import datetime as dt

    from macehub.cases.codes import RiskTier
    from macehub.cases.models import AdvocateAllocation, Case
    from macehub.cases.services import open_case

    opener = make_user("case.opener", Role.TRIAGE, agency=hub_agency, team=hub_team)
    child = make_person(hub_agency, is_restricted=True)
    case = open_case(actor=opener, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=hub_agency, reason="Test")
    Case.objects.filter(pk=case.pk).update(is_restricted=True)
    former = make_user("former.adv", Role.VICTIM_ADVOCATE, agency=partner_agency,
                       team=partner_team)
    current = make_user("current.adv", Role.VICTIM_ADVOCATE, agency=partner_agency,
                        team=partner_team)
    started = dt.date(2026, 1, 5)
    AdvocateAllocation.objects.create(case=case, advocate=former, started_on=started,
                                      ended_on=dt.date(2026, 3, 1))
    AdvocateAllocation.objects.create(case=case, advocate=current,
                                      started_on=dt.date(2026, 3, 1))
    case.refresh_from_db()
    assert policy.can(current, Action.CASE_VIEW, case)
    assert policy.can(current, Action.PERSON_VIEW, child)
    assert not policy.can(former, Action.CASE_VIEW, case)
    assert not policy.can(former, Action.PERSON_VIEW, child)
    asked = set(Case.objects.filter(policy.reason_required(former)).values_list("pk", flat=True))
    assert asked == {case.pk}
    assert not Case.objects.filter(policy.reason_required(current)).exists()


def _case_workers(hub_agency: Agency, hub_team: Team, partner_agency: Agency,
                  partner_team: Team) -> tuple[User, User, User]:
    """Who opens the cases of the tests below, and the partner triage officer and
    victim advocate some of them are allocated to."""
    opener = make_user("case.opener", Role.TRIAGE, agency=hub_agency, team=hub_team)
    partner_worker = make_user("partner.triage", Role.TRIAGE, agency=partner_agency,
                               team=partner_team)
    advocate = make_user("partner.adv", Role.VICTIM_ADVOCATE, agency=partner_agency,
                         team=partner_team)
    return opener, partner_worker, advocate


def _cases_held_led_and_shared(opener: User, hub_agency: Agency, partner_agency: Agency
                               ) -> Callable[..., Any]:
    """Open a case of a child each agency holds, one the partner leads and one of a
    child shared with the partner; returns how to open more (``case_of(person)``)."""
    from macehub.cases.codes import RiskTier
    from macehub.cases.services import open_case

    def case_of(person: Person, *, lead: Agency = hub_agency) -> Any:
        return open_case(actor=opener, child=person, risk_tier=RiskTier.LOW,
                         lead_agency=lead, reason="Test")

    case_of(make_person(hub_agency))
    case_of(make_person(partner_agency))
    case_of(make_person(hub_agency), lead=partner_agency)
    shared = make_person(hub_agency)
    PersonShare.objects.create(person=shared, agency=partner_agency)
    case_of(shared)
    return case_of


@pytest.mark.django_db
def test_people_named_is_the_person_scope_asked_of_the_record_that_names_them(
    hub_agency: Agency, hub_team: Team, partner_agency: Agency, partner_team: Team,
    outsider_agency: Agency,
) -> None:
    """``people_named(user, "child")`` picks the same cases as ``child__in=`` the people
    ``scope`` lets the user see, for every kind of user and every kind of child."""
    from macehub.cases.models import AdvocateAllocation, Case, CaseAllocation, CaseShare

    opener, partner_worker, advocate = _case_workers(hub_agency, hub_team, partner_agency,
                                                     partner_team)
    users = [
        make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team),
        partner_worker, advocate,
        make_user("partner.social", Role.SOCIAL_WORKER, agency=partner_agency),
        make_user("outsider", Role.ANALYST, agency=outsider_agency),
        make_user("ig", Role.INFORMATION_GOVERNANCE, agency=hub_agency),
        make_user("senior", Role.SENIOR_LEADER, agency=hub_agency, team=hub_team),
        make_user("no.agency", Role.INVESTIGATOR),
    ]
    case_of = _cases_held_led_and_shared(opener, hub_agency, partner_agency)
    case_shared = case_of(make_person(hub_agency))
    CaseShare.objects.create(case=case_shared, agency=partner_agency, shared_by=opener)
    allocated = make_person(hub_agency, is_restricted=True)
    PersonAllocation.objects.create(person=allocated, user=partner_worker)
    case_of(allocated)
    worked = case_of(make_person(hub_agency, is_restricted=True))
    CaseAllocation.objects.create(case=worked, user=partner_worker, allocated_by=opener)
    advocated = case_of(make_person(partner_agency, is_restricted=True))
    AdvocateAllocation.objects.create(case=advocated, advocate=advocate,
                                      started_on=advocated.opened_at.date())
    case_of(make_person(hub_agency, is_restricted=True))

    for user in users:
        people = policy.scope(user, Action.PERSON_VIEW, Person.objects.all())
        expected = set(Case.objects.filter(child__in=people).values_list("pk", flat=True))
        named = set(Case.objects.filter(policy.people_named(user, "child"))
                    .values_list("pk", flat=True))
        assert named == expected, user.username
    assert len({frozenset(Case.objects.filter(policy.people_named(user, "child"))
                          .values_list("pk", flat=True)) for user in users}) >= 5
    # Asked of one record, the restriction is that record's own question (correlated);
    # of a list, one set looked up: the same answer either way, for every user and case.
    cases = list(Case.objects.all())
    for user in users:
        listed = set(policy.scope(user, Action.CASE_VIEW, Case.objects.all())
                     .values_list("pk", flat=True))
        assert {case.pk for case in cases if policy.can(user, Action.CASE_VIEW, case)} == listed
        with policy.asked_of_few_records():
            assert set(policy.scope(user, Action.CASE_VIEW, Case.objects.all())
                       .values_list("pk", flat=True)) == listed
        for case in cases:
            allowed = policy.actions_allowed(user, [Action.CASE_VIEW], case)
            assert (Action.CASE_VIEW in allowed) == (case.pk in listed), user.username
            if case.pk in listed:
                assert policy.get_or_404(user, Action.CASE_VIEW, Case.objects.all(),
                                         pk=case.pk) == case
            else:
                with pytest.raises(Http404):
                    policy.get_or_404(user, Action.CASE_VIEW, Case.objects.all(), pk=case.pk)
    hub_analyst = users[0]
    with CaptureQueriesContext(connection) as one:
        policy.can(hub_analyst, Action.CASE_VIEW, worked)
    with CaptureQueriesContext(connection) as many:
        list(policy.scope(hub_analyst, Action.CASE_VIEW, Case.objects.all()))
    assert "NOT (EXISTS(" in one[0]["sql"]
    assert "EXISTS" not in many[0]["sql"]


@pytest.mark.django_db
def test_every_relation_gives_the_same_records_asked_of_a_list_or_of_each_record(
    hub_agency: Agency, hub_team: Team, partner_agency: Agency, partner_team: Team,
    outsider_agency: Agency,
) -> None:
    """Asked of a few records, the restriction (``asked_of_few_records``) and the links
    too (``links_too``: allocations, shares, cases, advocacy, handling conditions,
    disseminations, report links, each the record's own EXISTS) are the very sets the
    list looks up: every relation gives the same records to every user, either way."""
    import datetime as dt

    from django.utils import timezone

    from macehub.cases.models import AdvocateAllocation, Case, CaseAllocation, CaseShare
    from macehub.intelligence.models import Dissemination, IntelligenceReport, Location
    from macehub.intelligence.tests.factories import link, make_report

    opener, partner_worker, advocate = _case_workers(hub_agency, hub_team, partner_agency,
                                                     partner_team)
    users = [
        make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team),
        make_user("hub.supervisor", Role.SUPERVISOR, agency=hub_agency, team=hub_team),
        partner_worker, advocate,
        make_user("partner.social", Role.SOCIAL_WORKER, agency=partner_agency),
        make_user("partner.analyst", Role.ANALYST, agency=partner_agency),
        make_user("outsider", Role.ANALYST, agency=outsider_agency),
        make_user("ig", Role.INFORMATION_GOVERNANCE, agency=hub_agency),
        make_user("no.agency", Role.INVESTIGATOR),
    ]
    case_of = _cases_held_led_and_shared(opener, hub_agency, partner_agency)
    CaseShare.objects.create(case=case_of(make_person(hub_agency, is_restricted=True)),
                             agency=partner_agency, shared_by=opener)
    allocated = make_person(hub_agency, is_restricted=True)
    PersonAllocation.objects.create(person=allocated, user=partner_worker)
    case_of(allocated)
    worked = case_of(make_person(hub_agency, is_restricted=True))
    Case.objects.filter(pk=worked.pk).update(is_restricted=True)
    CaseAllocation.objects.create(case=worked, user=partner_worker, allocated_by=opener)
    advocated = case_of(make_person(partner_agency, is_restricted=True))
    AdvocateAllocation.objects.create(case=advocated, advocate=advocate,
                                      started_on=advocated.opened_at.date())
    ended = case_of(make_person(partner_agency, is_restricted=True))
    AdvocateAllocation.objects.create(case=ended, advocate=advocate,
                                      started_on=dt.date(2026, 1, 5),
                                      ended_on=dt.date(2026, 2, 5))
    make_person(hub_agency, is_restricted=True)
    make_report(hub_team, opener)
    make_report(hub_team, opener, handling_code="C", agencies=[partner_agency])
    make_report(partner_team, opener, handling_code="C", teams=[hub_team])
    make_report(hub_team, opener, handling_code="C", teams=[partner_team])
    disseminated = make_report(hub_team, opener)
    Dissemination.objects.create(report=disseminated, to_agency=partner_agency,
                                 shared_text="Shared", handling_code="P",
                                 lawful_basis="dpa_s35", shared_by=opener,
                                 shared_at=timezone.now())
    place = Location.objects.create(description="Car park")
    link(disseminated, place)
    link(make_report(hub_team, opener, handling_code="C", agencies=[hub_agency]),
         Location.objects.create(description="Flat"))
    asked_of = {
        Action.PERSON_VIEW: Person, Action.PERSON_CHANGE: Person,
        Action.CASE_VIEW: Case, Action.CASE_RECORD_WORK: Case, Action.CASE_RESTRICT: Case,
        Action.INTELLIGENCE_VIEW: IntelligenceReport,
        Action.INTELLIGENCE_VIEW_SOURCE: IntelligenceReport,
        Action.ENTITY_VIEW: Location,
    }

    def answers(user: User) -> dict[Action, set[int]]:
        return {action: set(policy.scope(user, action, model._default_manager.all())
                            .values_list("pk", flat=True))
                for action, model in asked_of.items()}

    differing = set()
    for user in users:
        listed = answers(user)
        with policy.asked_of_few_records():
            assert answers(user) == listed, user.username
        with policy.asked_of_few_records(links_too=True):
            assert answers(user) == listed, user.username
        differing.add(tuple(sorted((action, frozenset(pks)) for action, pks in listed.items())))
    # A case the user may know is of a child they may know (what lets ``get_or_404``
    # answer the case page's "may they open the child's record" without asking).
    implied = 0
    for user in users:
        for case in policy.scope(user, Action.CASE_VIEW, Case.objects.all()):
            assert policy.can(user, Action.PERSON_VIEW, Person.objects.get(pk=case.child_id)), (
                user.username, case.reference)
            implied += 1
    assert implied >= len(users)
    # The users see different things, and each kind of record was seen by someone:
    # the comparison ran on something.
    assert len(differing) >= 6
    for action in asked_of:
        assert any(dict(seen)[action] for seen in differing), action
    # Each way is the SQL it says: the set, the restriction asked of each record, and
    # the links asked of each record too.
    with CaptureQueriesContext(connection) as each, policy.asked_of_few_records(links_too=True):
        list(policy.scope(partner_worker, Action.CASE_VIEW, Case.objects.all()))
    with CaptureQueriesContext(connection) as few, policy.asked_of_few_records():
        list(policy.scope(partner_worker, Action.CASE_VIEW, Case.objects.all()))
    assert '"person_id" = (' in each[0]["sql"]
    assert "NOT (EXISTS(" in few[0]["sql"] and '"person_id" = (' not in few[0]["sql"]


@pytest.mark.django_db
def test_a_relation_kept_from_an_earlier_request_is_the_one_built_afresh(
    hub_agency: Agency, hub_team: Team, partner_agency: Agency, partner_team: Team
) -> None:
    """The subqueries relations stand for are kept by the values they name: another
    user, or the same one in another agency, never gets someone else's."""
    from macehub.cases.models import Case
    from macehub.intelligence.models import IntelligenceReport

    users = [
        make_user("hub.analyst", Role.ANALYST, agency=hub_agency, team=hub_team),
        make_user("partner.triage", Role.TRIAGE, agency=partner_agency, team=partner_team),
        make_user("partner.social", Role.SOCIAL_WORKER, agency=partner_agency),
    ]
    scoped = [(Action.PERSON_VIEW, Person), (Action.CASE_VIEW, Case),
              (Action.INTELLIGENCE_VIEW, IntelligenceReport)]

    def sql_of_each() -> list[str]:
        return [str(policy.scope(user, action, model.objects.all()).query)
                for user in users for action, model in scoped]

    policy._term_from.cache_clear()
    afresh = sql_of_each()
    assert len(set(afresh)) == len(afresh), "two users were given the same relation"
    kept = sql_of_each()
    assert policy._term_from.cache_info().hits > 0
    assert kept == afresh
    # The partner moves agency: their relations name the new one.
    users[1].agency = hub_agency
    users[1].save()
    moved = sql_of_each()
    assert moved[3:6] != afresh[3:6]
    policy._term_from.cache_clear()
    assert sql_of_each() == moved


@pytest.mark.django_db
def test_information_governance_reads_every_record_a_relation_of_several_ways_governs(
        hub_agency: Agency, hub_team: Team) -> None:
    """Where a relation ORs one way per role (partner checks, exhibits, a child victim's
    journey), information governance's "every record" stays every record: Django drops
    an empty Q from an OR, which once left them nothing."""
    from macehub.access.tests.routes import build_samples

    samples = build_samples(hub_agency, hub_team)
    governance = make_user("iggy.governance", Role.INFORMATION_GOVERNANCE,
                           agency=make_agency("elsewhere", AgencyKind.LOCAL_AUTHORITY))
    for action, sample in ((Action.PARTNER_CHECK_VIEW, "check_pk"),
                           (Action.EXHIBIT_VIEW, "exhibit_pk"),
                           (Action.VICTIM_JOURNEY_VIEW, "victim_pk")):
        record = samples[sample]
        assert policy.scope(governance, action, type(record).objects.all()).filter(
            pk=record.pk).exists(), action


@pytest.mark.django_db
def test_the_force_manages_the_inspection_tracker_and_the_pcc_office_scrutinises_it() -> None:
    police = make_agency("tracker-police", AgencyKind.POLICE)
    pcc = make_agency("tracker-pcc", AgencyKind.PCC_OFFICE)
    leader = make_user("tracker.leader", Role.SENIOR_LEADER, agency=police)
    pcc_leader = make_user("tracker.pcc.leader", Role.SENIOR_LEADER, agency=pcc)
    scrutiny = make_user("tracker.scrutiny", Role.SCRUTINY, agency=pcc)
    assert policy.allows(leader, Action.INSPECTION_MANAGE)
    assert not policy.allows(pcc_leader, Action.INSPECTION_MANAGE)
    assert not policy.allows(scrutiny, Action.INSPECTION_MANAGE)
    for action in (Action.RECOMMENDATION_ASSESS, Action.PROGRESS_STATEMENT_PUBLISH):
        assert policy.allows(scrutiny, action)
        assert not policy.allows(leader, action)
    for user in (leader, scrutiny):
        assert policy.allows(user, Action.INSPECTION_VIEW)
