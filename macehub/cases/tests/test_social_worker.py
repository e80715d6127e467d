"""The social worker (children's social care) holds cases as the child's lead
professional: they may be a case's key worker, see it and the child through that link,
record the work and change the case as the hub's triage officers do. They do not open
MACE cases (a triage decision) nor restrict them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import Role
from macehub.cases import selectors, services
from macehub.cases.codes import RiskTier
from macehub.cases.models import Case, Contact
from macehub.cases.tests.conftest import client_for
from macehub.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def social_worker(partner_agency: Agency, partner_team: Team) -> User:
    """A district social worker: a partner of the hub, not a member of its team."""
    return make_user("sol.worker", Role.SOCIAL_WORKER, agency=partner_agency, team=partner_team)


def test_a_social_worker_can_be_a_case_key_worker_and_then_sees_the_case(
    case: Case, make_case, triage: User, social_worker: User
) -> None:
    other = make_case(given_name="Other")
    assert social_worker in selectors.users_who_work_on_cases()
    assert not policy.can(social_worker, Action.CASE_VIEW, case)
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                            key_worker=social_worker)
    visible = set(selectors.cases_for(social_worker).values_list("pk", flat=True))
    assert visible == {case.pk}
    assert policy.can(social_worker, Action.PERSON_VIEW, case.child)
    assert not policy.can(social_worker, Action.PERSON_VIEW, other.child)
    client = client_for(social_worker)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("people:detail", args=[case.child.pk])).status_code == 200


def test_the_key_worker_social_worker_records_work_and_changes_the_case(
    case: Case, triage: User, social_worker: User
) -> None:
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                            key_worker=social_worker)
    client = client_for(social_worker)
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    response = client.post(reverse("cases:add_contact", args=[case.pk]), {
        "occurred_on_day": yesterday.day, "occurred_on_month": yesterday.month,
        "occurred_on_year": yesterday.year, "occurred_time": "15:30", "kind": "home_visit",
        "with_whom": "the child", "summary": "Visited at home with the child's carer",
        "child_seen": "yes", "child_seen_alone": "no"})
    assert response.status_code == 302
    contact = Contact.objects.get(case=case)
    assert contact.recorded_by == social_worker
    assert not contact.confidential_to_advocacy  # a social worker's notes are the case's
    response = client.post(reverse("cases:change_tier", args=[case.pk]), {
        "version": "2", "risk_tier": RiskTier.HIGH, "reason": "Disclosure at the home visit"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.HIGH
    assert client.get(reverse("cases:change_key_worker", args=[case.pk])).status_code == 200


def test_a_social_worker_neither_opens_nor_restricts_cases(
    case: Case, triage: User, social_worker: User
) -> None:
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=1,
                            key_worker=social_worker)
    assert not policy.allows(social_worker, Action.CASE_OPEN)
    assert not policy.allows(social_worker, Action.REFERRAL_TRIAGE)
    client = client_for(social_worker)
    assert client.get(reverse("cases:restrict", args=[case.pk])).status_code == 403


def test_a_social_worker_refers_a_child(social_worker: User) -> None:
    assert policy.allows(social_worker, Action.REFERRAL_SUBMIT)
    assert client_for(social_worker).get(reverse("referrals:start")).status_code == 200
