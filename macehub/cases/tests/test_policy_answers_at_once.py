"""The policy's answers for many records or many actions at once (``can_each``,
``actions_allowed``) are exactly ``can``'s, asked one by one, for every standard user;
and each costs at most one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from macehub.access import policy
from macehub.access.actions import Action
from macehub.cases import services
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case

pytestmark = pytest.mark.django_db

CASE_ACTIONS = (
    Action.CASE_VIEW, Action.CASE_CHANGE, Action.CASE_RECORD_WORK, Action.CASE_ASSESS_RISK,
    Action.CASE_RESTRICT, Action.CASE_ADVOCACY_END, Action.CASE_ACCESS_LOG,
)
PERSON_ACTIONS = (Action.PERSON_VIEW, Action.PERSON_CHANGE, Action.PERSON_ACCESS_LOG)


@pytest.fixture
def viewers(triage, supervisor, advocate, analyst, governance, partner_worker, outsider):
    return [triage, supervisor, advocate, analyst, governance, partner_worker, outsider]


@pytest.fixture
def some_cases(make_case, triage, supervisor, partner_agency) -> list[Case]:
    """An open case, a restricted one and one shared with the partner agency."""
    plain = make_case("Plain", "Case")
    restricted = make_case("Restricted", "Case", risk_tier=RiskTier.HIGH)
    services.set_restricted(actor=supervisor, case_pk=restricted.pk, expected_version=1,
                            restricted=True, reason="Sensitive")
    shared = make_case("Shared", "Case")
    services.share_case(actor=triage, case_pk=shared.pk, agency=partner_agency,
                        reason="Joint plan")
    return [plain, restricted, shared]


def test_actions_allowed_agrees_with_can_for_every_viewer(viewers, some_cases):
    checked = 0
    for user in viewers:
        for case in some_cases:
            expected = {action for action in CASE_ACTIONS if policy.can(user, action, case)}
            assert policy.actions_allowed(user, CASE_ACTIONS, case) == expected, (
                user.username, case.reference)
            child = case.child
            expected = {action for action in PERSON_ACTIONS
                        if policy.can(user, action, child)}
            assert policy.actions_allowed(user, PERSON_ACTIONS, child) == expected
            checked += 1
    # Guard: the comparison ran, and not only on refusals.
    assert checked == len(viewers) * len(some_cases)
    assert any(policy.actions_allowed(user, CASE_ACTIONS, case)
               for user in viewers for case in some_cases)


def test_can_each_agrees_with_can_for_every_viewer(viewers, some_cases):
    seen_any = False
    for user in viewers:
        for action in CASE_ACTIONS:
            expected = {case.pk for case in some_cases if policy.can(user, action, case)}
            assert policy.can_each(user, action, some_cases) == expected, (user.username, action)
            seen_any = seen_any or bool(expected)
    assert seen_any


def test_each_answers_in_one_query(django_assert_num_queries, triage, some_cases):
    with django_assert_num_queries(1):
        policy.actions_allowed(triage, CASE_ACTIONS, some_cases[0])
    with django_assert_num_queries(1):
        policy.can_each(triage, Action.CASE_VIEW, some_cases)


def test_nothing_to_ask_asks_nothing(django_assert_num_queries, outsider, triage, some_cases):
    with django_assert_num_queries(0):
        assert policy.can_each(triage, Action.CASE_VIEW, []) == set()
        assert policy.actions_allowed(triage, (), some_cases[0]) == frozenset()


@pytest.fixture
def page_reading_only():
    """A page that changes nothing (``policy.reading_only``), as the case overview is."""
    with policy.reading_only():
        yield


def test_a_record_fetched_through_the_policy_answers_its_relation_without_asking(
        django_assert_num_queries, viewers, some_cases, page_reading_only):
    """On a page that changes nothing, ``get_or_404`` keeps on the record the relations it
    met, for that user: the page's
    buttons (``actions_allowed``, ``can``) of the same relation ask nothing more, and give
    ``can``'s answers on a record fetched afresh. Another user asks as before."""
    fetched_any = 0
    for user in viewers:
        for case in some_cases:
            expected = {action for action in CASE_ACTIONS if policy.can(user, action, case)}
            if Action.CASE_VIEW not in expected:
                continue
            record = policy.get_or_404(user, Action.CASE_VIEW, Case.objects.all(), pk=case.pk)
            fetched_any += 1
            with django_assert_num_queries(0):
                assert policy.actions_allowed(user, CASE_ACTIONS, record) == expected
                assert all(policy.can(user, action, record) == (action in expected)
                           for action in CASE_ACTIONS)
            # The child fetched with it meets the person relation too (a case the user
            # may know is of a child they may know); not fetched with it, it is asked.
            assert policy.can(user, Action.PERSON_VIEW, case.child)
            with_child = policy.get_or_404(user, Action.CASE_VIEW,
                                           Case.objects.select_related("child"), pk=case.pk)
            with django_assert_num_queries(0):
                assert policy.can(user, Action.PERSON_VIEW, with_child.child)
            with django_assert_num_queries(1):
                child = record.child  # not fetched with the case: no answer kept on it
            with django_assert_num_queries(1):
                assert policy.can(user, Action.PERSON_VIEW, child)
            for other in viewers:
                if other is user:
                    continue
                theirs = {action for action in CASE_ACTIONS if policy.can(other, action, case)}
                with CaptureQueriesContext(connection) as asked:
                    assert policy.actions_allowed(other, CASE_ACTIONS, record) == theirs
                roles_allow = any(policy.allows(other, action) for action in CASE_ACTIONS)
                assert len(asked) == (1 if roles_allow else 0), other.username
    assert fetched_any >= len(some_cases)


def test_the_requests_on_a_fetched_case_are_those_scope_gives(
        django_assert_num_queries, viewers, some_cases, triage, page_reading_only):
    """``scope_of``: the decision requests of a case are ``scope``'s, whether the case was
    fetched through the policy for this user (nothing more asked of the relation) or
    not (asked as ``scope`` asks)."""
    from macehub.cases.models import CaseDecisionRequest
    from macehub.cases.tests.test_decisions import ask_to_close

    for case in some_cases:
        ask_to_close(Case.objects.get(pk=case.pk), triage)
    compared = 0
    for user in viewers:
        seen = set(policy.scope(user, Action.CASE_DECISION_VIEW,
                                CaseDecisionRequest.objects.all()).values_list("pk", flat=True))
        for case in some_cases:
            expected = {pk for pk in seen
                        if CaseDecisionRequest.objects.get(pk=pk).case_id == case.pk}
            asked = policy.scope_of(user, Action.CASE_DECISION_VIEW,
                                    CaseDecisionRequest.objects.all(), path="case", record=case)
            assert set(asked.values_list("pk", flat=True)) == expected, user.username
            assert str(asked.query) == str(policy.scope(
                user, Action.CASE_DECISION_VIEW,
                CaseDecisionRequest.objects.filter(case=case)).query)
            if not policy.can(user, Action.CASE_VIEW, case):
                continue
            fetched = policy.get_or_404(user, Action.CASE_VIEW, Case.objects.all(), pk=case.pk)
            answered = policy.scope_of(user, Action.CASE_DECISION_VIEW,
                                       CaseDecisionRequest.objects.all(), path="case",
                                       record=fetched)
            assert "people_person" not in str(answered.query)
            assert set(answered.values_list("pk", flat=True)) == expected != set()
            compared += 1
    assert compared >= len(some_cases)


def test_a_page_that_changes_the_record_asks_again(
        django_assert_num_queries, make_case, analyst):
    """Outside a page that changes nothing, a fetched record keeps no answers: once the
    analyst's allocation to the restricted child has been taken away, whether they may
    still see the child's case is asked afresh."""
    from macehub.people.models import Person, PersonAllocation

    case = make_case("Hidden", "Child")
    Person.objects.filter(pk=case.child_id).update(is_restricted=True)
    assert not policy.can(analyst, Action.CASE_VIEW, case)
    allocation = PersonAllocation.objects.create(person_id=case.child_id, user=analyst)
    fetched = policy.get_or_404(analyst, Action.CASE_VIEW, Case.objects.all(), pk=case.pk)
    with django_assert_num_queries(1):
        assert policy.can(analyst, Action.CASE_VIEW, fetched)
    allocation.delete()
    assert not policy.can(analyst, Action.CASE_VIEW, fetched)
    # Kept only for what was fetched on such a page: this record was not.
    with policy.reading_only(), django_assert_num_queries(1):
        assert not policy.can(analyst, Action.CASE_VIEW, fetched)
    # Fetched on one, it is kept: the reason such a page must change nothing.
    PersonAllocation.objects.create(person_id=case.child_id, user=analyst)
    with policy.reading_only():
        kept = policy.get_or_404(analyst, Action.CASE_VIEW, Case.objects.all(), pk=case.pk)
        with django_assert_num_queries(0):
            assert policy.can(analyst, Action.CASE_VIEW, kept)
