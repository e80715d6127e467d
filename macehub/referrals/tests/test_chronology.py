"""Referrals in a child's chronology: received and decided, only what the viewer may see."""

from __future__ import annotations

import pytest
from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.people.chronology import chronology_for, registered_sources
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


# --- Referrals the viewer may not read: that one was made, and by which agency -------


def _case(child, opened_by, agency, reference, **fields):
    from macehub.cases.models import Case

    return Case.objects.create(child=child, reference=reference, opened_at=timezone.now(),
                               opened_by=opened_by, lead_agency=agency, risk_tier="medium",
                               **fields)


def test_an_advocate_on_the_case_sees_that_each_referral_was_made_and_by_whom(
        hub_user_factory, triage_officer, history, hub_agency) -> None:
    child, decided, others = history
    advocate = hub_user_factory("vic.adv", Role.VICTIM_ADVOCATE)
    _case(child, triage_officer, hub_agency, "CASE-2026-000001")
    entries = referral_entries(advocate, child)
    assert [e.title for e in entries] == ["Referral received from Northtown Academy"] * 2
    for entry in entries:
        assert entry.url == "" and entry.byline == "" and entry.byline_text == ""
        assert decided.reference not in entry.title and others.reference not in entry.title
        assert entry.text == "You may not read this referral."
        assert "PRIVATE" not in entry.text and "score" not in entry.text.lower()


def test_the_redacted_entry_on_the_chronology_page_has_no_link(
        hub_user_factory, triage_officer, history, hub_agency) -> None:
    from django.urls import reverse

    from macehub.testing.factories import signed_in_client

    child, decided, _others = history
    advocate = hub_user_factory("vic.adv", Role.VICTIM_ADVOCATE)
    case = _case(child, triage_officer, hub_agency, "CASE-2026-000001")
    html = signed_in_client(advocate).get(reverse("cases:chronology", args=[case.pk])
                                          ).content.decode()
    assert "Referral received from Northtown Academy" in html
    assert f"/referrals/{decided.pk}/" not in html and decided.reference not in html
    assert "Maya" in html  # the page is the child's, shown in full otherwise


def test_a_referral_behind_a_case_the_viewer_may_not_see_is_left_out(
        triage_officer, history, hub_agency, partner_agency) -> None:
    from macehub.accounts.models import Team
    from macehub.referrals.models import Referral
    from macehub.testing.factories import make_team, make_user

    child, decided, others = history
    team: Team = make_team(partner_agency, "District social work", is_hub_team=False)
    partner = make_user("part.ner", Role.INVESTIGATOR, agency=partner_agency, team=team)
    # An old case led by the hub, which the partner agency is not linked to, that the
    # decided referral opened; and the partner's own case now.
    old = _case(child, triage_officer, hub_agency, "CASE-2025-000001", status="closed",
                closed_at=timezone.now(), closure_reason="risk_reduced")
    Referral.objects.filter(pk=decided.pk).update(case=old)
    _case(child, triage_officer, partner_agency, "CASE-2026-000001")
    entries = referral_entries(partner, child)
    assert len(entries) == 1 and entries[0].title == "Referral received from Northtown Academy"
    assert entries[0].occurred_at == others.received_at


def test_those_who_read_referrals_get_no_redacted_duplicates(triage_officer, history,
                                                             hub_agency) -> None:
    child, _decided, _others = history
    _case(child, triage_officer, hub_agency, "CASE-2026-000001")
    entries = referral_entries(triage_officer, child)
    assert len(entries) == 3
    assert all(e.url for e in entries)
    received = [e for e in entries if "received" in e.title]
    assert all(e.byline_text.startswith("Referred by ") for e in received)
