"""A partner system refers a child through the API (the intake service's checks,
screening and clocks, audited as the system) and reads the status of its agency's
referrals, never another agency's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.referrals.codes import ReferralStatus
from macehub.referrals.models import Referral
from macehub.referrals.selectors import own_referrals
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_api_client, make_person, make_team, make_user

pytestmark = pytest.mark.django_db

REFERRAL = {
    "concerns": "Seen getting into cars with older men after school; new phone and gifts.",
    "exploitation_types": ["cse"],
    "exploitation_model": "group_based",
    "immediate_risk": None,
    "disclosure": False,
    "missing_episodes": 3,
    "indicator_codes": ["GROOMING_GIFTS"],
    "new_child": {"given_name": "Keira", "family_name": "Holloway", "estimated_age": 14,
                  "sex": "female"},
    "child_identifiers": [{"kind": "upn", "value": "A123456789012"}],
    "consent": "not_sought",
    "consent_not_sought_reason": "Asking the family could put her at risk.",
}


@pytest.fixture
def system(school: Agency) -> tuple[User, str]:
    team = make_team(school, "Safeguarding", is_hub_team=False)
    client, token = make_api_client("school-mis", Role.REFERRER, agency=school, team=team)
    return client.service_account, token


def _post(token: str, body: dict[str, Any]) -> Any:
    return Client().post("/api/referrals/", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_partner_system_refers_a_child_through_the_intake_service(
    system: tuple[User, str]
) -> None:
    account, token = system
    response = _post(token, REFERRAL)
    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get(reference=body["reference"])
    assert body["status"] == ReferralStatus.AWAITING_TRIAGE and body["outcome"] == ""
    assert referral.referrer == account and referral.referrer_agency_id == account.agency_id
    # Screened and clocked as the form's referrals are.
    assert referral.screening_score > 0 and referral.decision_due_at > referral.received_at
    assert [i.code for i in referral.indicators.all()] == ["GROOMING_GIFTS"]
    assert referral.child.identifiers.get().value == "A123456789012"
    created = AuditEvent.objects.get(event_type=EventType.CREATE,
                                     record_type="referrals.referral")
    assert created.actor_username == "api.school-mis"


def test_a_refused_referral_is_400_by_field_and_saves_nothing(system: tuple[User, str]) -> None:
    _account, token = system
    missing = _post(token, {**REFERRAL, "concerns": "", "consent": "maybe"}).json()
    assert set(missing) == {"concerns", "consent"}
    # The service's own checks, keyed by the API's field names.
    unknown = _post(token, {**REFERRAL, "indicator_codes": ["NO_SUCH_CODE"]})
    assert unknown.status_code == 400
    assert "not an indicator" in unknown.json()["indicator_codes"][0]
    both = _post(token, {**REFERRAL, "child_id": 1})
    assert "Choose the child" in both.json()["child_id"][0]
    assert not Referral.objects.exists()


def test_a_system_reads_the_status_of_its_agencys_referrals_only(
    system: tuple[User, str], school: Agency, referrer: User, partner_agency: Agency
) -> None:
    account, token = system
    child = make_person(school)
    own = make_referral(child, account)
    colleague = make_referral(child, referrer)  # made on the referral form, same agency
    elsewhere = make_referral(child, make_user("sw", Role.REFERRER, agency=partner_agency))
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    web = Client()
    listed = web.get("/api/referrals/", **bearer).json()
    assert {row["reference"] for row in listed["results"]} == {own.reference,
                                                               colleague.reference}
    assert web.get(f"/api/referrals/{elsewhere.pk}/", **bearer).status_code == 404
    Referral.objects.filter(pk=own.pk).update(status=ReferralStatus.DECIDED, outcome="advice",
                                              decided_at=own.received_at)
    detail = web.get(f"/api/referrals/{own.pk}/", **bearer).json()
    assert detail["status"] == "decided" and detail["outcome"] == "advice"
    assert detail["outcome_in_plain_words"]
    assert "screening_score" not in detail and "concerns" not in detail
    viewed = AuditEvent.objects.filter(event_type=EventType.VIEW, record_id=str(own.pk))
    assert viewed.get().actor_username == "api.school-mis"
    # A person who refers sees only their own, as before.
    assert [r.pk for r in own_referrals(referrer)] == [colleague.pk]
