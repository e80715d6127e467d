"""The triage decision's rules, which live once, in the service: every broken rule is
given at once, keyed by the argument at fault, in the words the decision page shows; and
a partner check whose due time moved while the agency replied is refused as a conflict,
not as "already returned"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.cases.codes import Brag
from macehub.core.service_errors import ServiceRefused
from macehub.core.versioning import EditConflict
from macehub.referrals.codes import PartnerCheckResult, TriageOutcome
from macehub.referrals.models import Referral
from macehub.referrals.services import (
    TriageDecision,
    record_triage_decision,
    request_partner_checks,
    return_partner_check,
)
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(school: Agency, referrer: User) -> Referral:
    child = make_person(school, given_name="Ada", family_name="Quill",
                        date_of_birth=dt.date(2011, 5, 6))
    return make_referral(child, referrer, indicator_codes=("GROOMING_GIFTS",),
                         received_at=timezone.now() - dt.timedelta(hours=3))


def test_every_broken_rule_is_given_at_once_with_the_pages_wording(
    triage_officer: User, referral: Referral
) -> None:
    other_brag = next(value for value in Brag.values if value != referral.suggested_brag)
    received = timezone.localtime(referral.received_at)
    with pytest.raises(ServiceRefused) as refused:
        record_triage_decision(
            actor=triage_officer, referral_pk=referral.pk, expected_version=1,
            decision=TriageDecision(
                brag=other_brag, risk_tier="", outcome=TriageOutcome.OPEN_MACE_CASE,
                outcome_reason=" ", decided_at=referral.received_at - dt.timedelta(hours=1),
                exploitation_types=(),
            ),
        )
    assert refused.value.message_dict == {
        "override_reason": [
            "Enter why you changed the suggestion (rating Green, tier Low)"],
        "risk_tier": ["Select the risk tier the MACE case opens with"],
        "outcome_reason": ["Enter the reason for the outcome"],
        "exploitation_types": ["Select the type of exploitation"],
        "decided_at": ["The decision must be after the referral was received, on "
                       f"{received.day} {received:%B %Y} at {received:%H:%M}"],
    }
    referral.refresh_from_db()
    assert not referral.is_decided and referral.version == 1


def test_the_decision_page_shows_the_services_errors_beside_its_fields(
    triage_officer: User, referral: Referral, client_for: Any
) -> None:
    now = timezone.localtime()
    page = client_for(triage_officer).post(f"/referrals/{referral.pk}/decide/", {
        "version": "1", "exploitation_types": list(referral.exploitation_types),
        "brag": "amber", "risk_tier": "none", "outcome": TriageOutcome.OPEN_MACE_CASE,
        "outcome_reason": "Seen with older adults.", "decided_on_day": str(now.day),
        "decided_on_month": str(now.month), "decided_on_year": str(now.year),
        "decided_time": f"{now:%H:%M}",
    }).content.decode()
    errors = dict(re.findall(r'<a href="#([^"]+)">([^<]+)</a>', page))
    # Each error in the summary links to the field it is about.
    assert errors["id_override_reason"] == (
        "Enter why you changed the suggestion (rating Green, tier Low)")
    assert errors[next(key for key in errors if key.startswith("id_risk_tier"))] == (
        "Select the risk tier the MACE case opens with")


def test_a_check_whose_due_time_moved_while_replying_is_a_conflict(
    triage_officer: User, referral: Referral
) -> None:
    health = make_agency("county-health", name="County Health Trust")
    nurse = make_user("nurse.hub", Role.TRIAGE, agency=health,
                      team=make_team(health, "MACE Hub (Health)", is_hub_team=True))
    [check] = request_partner_checks(actor=triage_officer, referral_pk=referral.pk,
                                     agency_ids=[health.pk])
    # Triage rates the referral differently: the outstanding check's due time follows.
    record_triage_decision(
        actor=triage_officer, referral_pk=referral.pk, expected_version=1,
        decision=TriageDecision(
            brag=Brag.RED, risk_tier=referral.suggested_tier, override_reason="Disclosure",
            outcome=TriageOutcome.EARLY_HELP, outcome_reason="Early help.",
            decided_at=timezone.now()),
    )
    with pytest.raises(EditConflict) as refused:
        return_partner_check(actor=nurse, check_pk=check.pk, expected_version=1,
                             result=PartnerCheckResult.NOTHING_HELD)
    assert set(refused.value.their_changes) == {"Due", "Rating"}
    assert refused.value.their_changes["Rating"]["by"] == triage_officer.username
    check.refresh_from_db()
    assert not check.is_returned and check.version == 2
