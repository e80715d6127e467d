"""Referrals in a child's chronology: received and decided, only what the viewer may see."""

from __future__ import annotations

import pytest
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.cases.chronology import chronology_for, registered_sources
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(school, referrer, other_referrer, triage_officer):
    child = make_person(school, given_name="Maya", family_name="Brook")
    decided = make_referral(
        child, referrer, indicator_codes=("HEALTH_STI",), status=ReferralStatus.DECIDED,
        outcome=TriageOutcome.EARLY_HELP, outcome_reason="PRIVATE triage reasoning",
        brag="green", risk_tier="low", decided_at=timezone.now(), decided_by=triage_officer,
    )
    others = make_referral(child, other_referrer)
    return child, decided, others


def referral_entries(user, child):
    return [e for e in chronology_for(user, child) if e.category == "Referral"]


def test_the_referrals_source_is_registered() -> None:
    assert "referrals" in registered_sources()


def test_hub_staff_see_every_referral_received_and_decided(triage_officer, history) -> None:
    child, decided, others = history
    entries = referral_entries(triage_officer, child)
    titles = [e.title for e in entries]
    assert f"Triage decision on {decided.reference}: Early help" in titles
    assert any(others.reference in t for t in titles)
    assert len(entries) == 3
    decision = next(e for e in entries if e.title.startswith("Triage decision"))
    assert "PRIVATE triage reasoning" in decision.text and "Rating Green" in decision.text
    assert decision.byline == triage_officer.display_name
    assert decision.url.endswith(f"/referrals/{decided.pk}/")


def test_a_referrer_sees_only_their_own_and_only_the_outcome(referrer, history) -> None:
    child, decided, others = history
    entries = referral_entries(referrer, child)
    assert len(entries) == 2
    assert not any(others.reference in e.title for e in entries)
    for entry in entries:
        assert "PRIVATE" not in entry.text and "score" not in entry.text
        assert "Rating" not in entry.text
        assert entry.url.endswith(f"/referrals/mine/{decided.pk}/")


def test_staff_who_may_not_read_referrals_see_none(hub_user_factory, history) -> None:
    child, _decided, _others = history
    assert referral_entries(hub_user_factory("vic.adv", Role.VICTIM_ADVOCATE), child) == []
