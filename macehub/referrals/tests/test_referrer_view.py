"""What a referrer sees: their own referrals, with status and outcome only. Never the
screening, the triage reasons, anyone else's referrals, or more about the child."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.referrals.codes import ReferralStatus, TriageOutcome
from macehub.referrals.tests.factories import make_referral
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db


def main_content(response) -> str:
    """The page's own content, without the header (which names the signed-in user)."""
    return response.content.decode().split('id="main-content"', 1)[1]


@pytest.fixture
def referrals(referrer, other_referrer, school):
    child = make_person(school, given_name="Maya", family_name="Brook",
                        self_defined_ethnicity_id="A2", nationality="GB")
    decided = make_referral(
        child, referrer, indicator_codes=("HEALTH_STI", "GROOMING_VEHICLES", "GROOMING_GIFTS"),
        status=ReferralStatus.DECIDED, outcome=TriageOutcome.EARLY_HELP,
        outcome_reason="TRIAGE-REASON-SECRET: police intelligence on the older male",
        override_reason="OVERRIDE-SECRET", brag="amber", risk_tier="medium",
        decided_at=timezone.now(),
    )
    waiting = make_referral(child, referrer, indicator_codes=("BEHAVIOUR_TRUANCY",))
    theirs = make_referral(make_person(school, given_name="Other", family_name="Child"),
                           other_referrer)
    return decided, waiting, theirs


def test_a_referrer_sees_only_their_own_referrals_with_status_and_outcome(
    referrer, referrals, client_for
) -> None:
    decided, waiting, theirs = referrals
    client = client_for(referrer)
    page = main_content(client.get(reverse("referrals:mine")))
    assert decided.reference in page and waiting.reference in page
    assert theirs.reference not in page and "Other Child" not in page
    assert "Early help" in page and "Awaiting triage" in page and "Decided" in page
    for secret in ("Score", "score", "Suggested", "TRIAGE-REASON-SECRET", "OVERRIDE-SECRET",
                   "Amber", "Medium"):
        assert secret not in page, secret
    assert AuditEvent.objects.filter(event_type=EventType.VIEW,
                                     detail__list="my referrals").exists()


def test_a_referrer_s_own_referral_shows_what_they_sent_status_and_outcome_only(
    referrer, referrals, client_for
) -> None:
    decided, _waiting, _theirs = referrals
    client = client_for(referrer)
    page = main_content(client.get(reverse("referrals:mine_detail", args=[decided.pk])))
    assert decided.reference in page and "Maya Brook" in page
    assert "Seen in vehicles driven by unknown adults" in page  # what they ticked
    assert "Early help" in page and "offered early help" in page
    for secret in ("Screening", "Score", "score", "weight", "Suggested", "Red", "Amber",
                   "High", "Medium", str(decided.screening_score) + " ",
                   "TRIAGE-REASON-SECRET", "OVERRIDE-SECRET", "Pakistani", "United Kingdom",
                   "Ethnicity", "Nationality", "Decision due"):
        assert secret not in page, secret
    event = AuditEvent.objects.get(event_type=EventType.VIEW, record_id=str(decided.pk))
    assert event.actor_username == referrer.username


def test_someone_else_s_referral_is_not_found(referrer, referrals, client_for) -> None:
    _decided, _waiting, theirs = referrals
    client = client_for(referrer)
    assert client.get(reverse("referrals:mine_detail", args=[theirs.pk])).status_code == 404
    # Nor the hub's view of it, nor its decision page.
    assert client.get(reverse("referrals:detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("referrals:decide", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("referrals:queue")).status_code == 403
