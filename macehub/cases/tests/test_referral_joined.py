"""A new referral joining a child's open case prompts a review of the case's tier: the
triage decision records it on the case in its own transaction; the case page shows
triage's rating against the case's tier, with "Change the tier" and "Reviewed – keep the
tier"; either clears the prompt, audited and on the chronology; the key worker (or a
supervisor, when the case has none) is told on their work queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.models import AuditEvent
from macehub.cases import services
from macehub.cases.codes import Brag, JoinedReferralReview, RiskTier
from macehub.cases.models import Case, ReferralJoined
from macehub.cases.tests.conftest import client_for
from macehub.cases.work_queue import tier_reviews_to_do
from macehub.core.work_queue import HIGH
from macehub.people.chronology import chronology_for
from macehub.referrals.codes import TriageOutcome
from macehub.referrals.services import TriageDecision, record_triage_decision
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_agency, make_person, make_team, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(db: Any) -> Agency:
    return make_agency("joined-school", AgencyKind.EDUCATION, name="Harbour Academy")


@pytest.fixture
def referrer(school: Agency) -> User:
    return make_user("dsl.joined", Role.REFERRER, agency=school,
                     team=make_team(school, "Safeguarding", is_hub_team=False))


@pytest.fixture
def key_worker(hub_agency: Agency, hub_team: Any) -> User:
    return make_user("key.worker", Role.SOCIAL_WORKER, agency=hub_agency, team=hub_team)


def _join(triage: User, case: Case, referrer: User, *, brag: Brag = Brag.RED,
          tier: RiskTier = RiskTier.HIGH) -> ReferralJoined:
    """Triage decides to open a case for a child whose case is open already."""
    referral = make_referral(case.child, referrer, indicator_codes=("HEALTH_STI",))
    result = record_triage_decision(
        actor=triage, referral_pk=referral.pk, expected_version=referral.version,
        decision=TriageDecision(
            brag=brag, risk_tier=tier, override_reason="Triage's own judgement",
            outcome=TriageOutcome.OPEN_MACE_CASE, outcome_reason="Exploited now.",
            decided_at=timezone.now()),
    )
    assert result.case_was_already_open and result.case == case
    return ReferralJoined.objects.get(case=case, referral_reference=referral.reference)


# --- The service, through the triage decision ---------------------------------------------


def test_a_referral_joining_the_open_case_is_recorded_with_triage_s_rating(
    triage: User, case: Case, referrer: User
) -> None:
    joined = _join(triage, case, referrer)
    case.refresh_from_db()
    assert case.risk_tier == RiskTier.MEDIUM  # nothing changes on the case by itself
    assert (joined.brag, joined.risk_tier, joined.case_tier) == (
        Brag.RED, RiskTier.HIGH, RiskTier.MEDIUM)
    assert joined.referring_agency == referrer.agency and joined.recorded_by == triage
    assert not joined.is_acknowledged
    event = AuditEvent.objects.filter(record_type="cases.case", record_id=str(case.pk),
                                      detail__has_key="referral_joined").get()
    assert event.detail["referral_joined"]["referral"] == joined.referral_reference
    assert event.detail["referral_joined"]["case_tier"] == RiskTier.MEDIUM


def test_a_referral_that_opens_a_new_case_records_no_prompt(
    triage: User, child: Any, referrer: User
) -> None:
    referral = make_referral(child, referrer, indicator_codes=("HEALTH_STI",))
    result = record_triage_decision(
        actor=triage, referral_pk=referral.pk, expected_version=referral.version,
        decision=TriageDecision(brag=Brag.RED, risk_tier=RiskTier.HIGH,
                                override_reason="x", outcome=TriageOutcome.OPEN_MACE_CASE,
                                outcome_reason="Open.", decided_at=timezone.now()),
    )
    assert result.case_opened
    assert not ReferralJoined.objects.exists()



def test_the_case_page_names_the_referral_that_opened_it_not_one_that_joined(
    triage: User, case: Case, referrer: User, hub_agency: Agency
) -> None:
    """Only the referral points at its case (``Referral.case``): the case page reads the
    opening referral from the case's referrals, leaving out those that joined later."""
    other_child = make_person(hub_agency, given_name="Nia", family_name="Opened")
    referral = make_referral(other_child, referrer, indicator_codes=("HEALTH_STI",))
    opened = record_triage_decision(
        actor=triage, referral_pk=referral.pk, expected_version=referral.version,
        decision=TriageDecision(brag=Brag.RED, risk_tier=RiskTier.HIGH,
                                override_reason="x", outcome=TriageOutcome.OPEN_MACE_CASE,
                                outcome_reason="Open.", decided_at=timezone.now()),
    ).case
    assert opened is not None
    joined = _join(triage, opened, referrer)
    page = client_for(triage).get(reverse("cases:detail", args=[opened.pk])).content.decode()
    assert f"From referral {referral.reference}." in page
    assert f"From referral {joined.referral_reference}." not in page
    # A case opened without a referral names none, even once a referral has joined it.
    late = _join(triage, case, referrer)
    page = client_for(triage).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "From referral" not in page and late.referral_reference in page

def test_keeping_the_tier_needs_a_reason_is_audited_and_is_once_only(
    triage: User, case: Case, referrer: User, analyst: User
) -> None:
    joined = _join(triage, case, referrer)
    with pytest.raises(ValidationError) as missing:
        services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                          expected_version=joined.version, reason="  ")
    assert "reason" in missing.value.message_dict
    with pytest.raises(PermissionDenied):
        services.keep_tier_after_referral(actor=analyst, joined_pk=joined.pk,
                                          expected_version=joined.version, reason="No")
    kept = services.keep_tier_after_referral(
        actor=triage, joined_pk=joined.pk, expected_version=joined.version,
        reason="Already treated as at significant risk; plan covers the new concern.")
    assert kept.is_acknowledged and kept.acknowledged_by == triage
    assert kept.outcome == JoinedReferralReview.TIER_KEPT
    event = AuditEvent.objects.filter(record_id=str(case.pk),
                                      detail__has_key="referral_joined_reviewed").get()
    assert event.actor_id == triage.pk
    assert event.detail["referral_joined_reviewed"]["outcome"] == "tier_kept"
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                          expected_version=kept.version, reason="Again")


def test_raising_the_tier_resolves_the_prompt(triage: User, case: Case, referrer: User) -> None:
    joined = _join(triage, case, referrer)
    case.refresh_from_db()
    services.change_risk_tier(actor=triage, case_pk=case.pk, expected_version=case.version,
                              risk_tier=RiskTier.HIGH, reason="New referral: exploited now")
    joined.refresh_from_db()
    assert joined.outcome == JoinedReferralReview.TIER_RAISED
    assert joined.acknowledged_by == triage
    assert "Medium to High" in joined.outcome_note


def test_asking_to_lower_the_tier_resolves_the_prompt(
    triage: User, case: Case, referrer: User
) -> None:
    joined = _join(triage, case, referrer, brag=Brag.GREEN, tier=RiskTier.LOW)
    case.refresh_from_db()
    services.request_risk_tier_lowering(actor=triage, case_pk=case.pk,
                                        expected_version=case.version, risk_tier=RiskTier.LOW,
                                        reason="Triage found low risk")
    joined.refresh_from_db()
    assert joined.outcome == JoinedReferralReview.LOWERING_ASKED


def test_the_prompt_is_on_the_chronology(triage: User, case: Case, referrer: User) -> None:
    joined = _join(triage, case, referrer)
    services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                      expected_version=joined.version, reason="Plan covers it")
    titles = [entry.title for entry in chronology_for(triage, case.child)]
    assert f"New referral joined the case: {joined.referral_reference}" in titles
    assert (f"Risk tier reviewed after referral {joined.referral_reference}: "
            "reviewed – tier kept") in titles
    entry = next(e for e in chronology_for(triage, case.child)
                 if e.title.startswith("New referral joined"))
    assert "Triage rated it Red, High risk; the case was Medium risk." in entry.text


# --- The pages ----------------------------------------------------------------------------


def test_the_case_page_shows_the_prompt_and_keeping_the_tier_clears_it(
    triage: User, case: Case, referrer: User
) -> None:
    joined = _join(triage, case, referrer)
    client = client_for(triage)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "New referral joined" in page
    assert f"Referral {joined.referral_reference} from Harbour Academy" in page
    assert "Triage rated it Red, high risk. The case is medium risk." in page
    assert f'href="{reverse("cases:change_tier", args=[case.pk])}"' in page
    assert "Reviewed – keep the tier" in page

    url = reverse("cases:keep_tier", args=[case.pk, joined.pk])
    refused = client.post(url, {"version": str(joined.version), "reason": ""})
    assert refused.status_code == 200
    assert "Enter why the risk tier stays as it is" in refused.content.decode()
    done = client.post(url, {"version": str(joined.version), "reason": "Plan covers it"})
    assert done.status_code == 302 and done["Location"] == reverse("cases:detail",
                                                                   args=[case.pk])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "New referral joined" not in page
    assert "it stays medium" in page


def test_someone_who_may_only_read_the_case_sees_the_prompt_without_its_buttons(
    triage: User, case: Case, referrer: User, analyst: User
) -> None:
    joined = _join(triage, case, referrer)
    page = client_for(analyst).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "New referral joined" in page and "Reviewed – keep the tier" not in page
    response = client_for(analyst).post(reverse("cases:keep_tier", args=[case.pk, joined.pk]),
                                        {"version": "1", "reason": "No"})
    assert response.status_code == 403


def test_a_prompt_of_another_case_is_not_found_through_this_one(
    triage: User, case: Case, referrer: User, make_case: Any
) -> None:
    joined = _join(triage, case, referrer)
    other = make_case("Other")
    response = client_for(triage).get(reverse("cases:keep_tier", args=[other.pk, joined.pk]))
    assert response.status_code == 404


# --- The work queue -----------------------------------------------------------------------


def test_the_key_worker_is_asked_to_review_the_tier_and_a_supervisor_when_there_is_none(
    triage: User, case: Case, referrer: User, key_worker: User, supervisor: User
) -> None:
    joined = _join(triage, case, referrer)
    now = timezone.now()
    # No key worker yet: the supervisor is asked.
    assert [item.action for item in tier_reviews_to_do(supervisor, now)] == [
        "Review the tier: a new referral joined"]
    assert tier_reviews_to_do(key_worker, now) == []
    assert tier_reviews_to_do(triage, now) == []

    case.refresh_from_db()
    services.set_key_worker(actor=triage, case_pk=case.pk, expected_version=case.version,
                            key_worker=key_worker)
    items = tier_reviews_to_do(key_worker, now)
    assert len(items) == 1
    item = items[0]
    assert item.title == f"{case.reference}: {case.child.full_name}"
    assert item.link == reverse("cases:detail", args=[case.pk])
    assert item.urgency == HIGH and item.tag == "Red"
    assert joined.referral_reference in item.detail
    assert tier_reviews_to_do(supervisor, now) == []

    services.keep_tier_after_referral(actor=key_worker, joined_pk=joined.pk,
                                      expected_version=joined.version, reason="Plan covers it")
    assert tier_reviews_to_do(key_worker, now) == []
