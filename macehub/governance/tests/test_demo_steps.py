"""The demo's retention review, as of the tests' fixed demo day: old reports and
referrals due for review, one kept, one disposal waiting for a second officer, one
legal hold; the same for the same seed; the reset takes the step's records away."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from macehub.accounts.models import User
from macehub.core.service_errors import ServiceRefused
from macehub.governance import retention_services as services
from macehub.governance.demo_steps import HOLD_NAME, delete_demo_retention
from macehub.governance.models import DisposalRequest, LegalHold, RetentionDecision
from macehub.governance.retention import due_for_review

pytestmark = pytest.mark.django_db


def fingerprint() -> list[tuple[object, ...]]:
    return [(item.kind, item.reference, item.next_review_on, tuple(item.holds),
             item.pending_request is not None)
            for item in due_for_review(today=timezone.localdate())]


def test_the_demo_has_records_due_for_retention_review(small_demo: None) -> None:
    today = timezone.localdate()
    due = due_for_review(today=today)
    kinds = {item.kind for item in due}
    assert {"intelligence_report", "referral"} <= kinds
    assert any(item.rule.code == "mopi-group-3" for item in due)
    assert all(item.next_review_on <= today for item in due)
    # Five kept at an earlier review, due again now; one of them kept again yesterday.
    assert RetentionDecision.objects.count() == 6
    assert sum(1 for item in due if item.last_decision is not None) == 4
    request = DisposalRequest.objects.get()
    assert request.requested_by.username == "ig.police"
    assert any(item.pending_request == request for item in due)
    assert any(item.holds == [HOLD_NAME] and item.kind == "referral" for item in due)
    held = [item for item in due if item.holds]
    assert len(held) == 2
    with pytest.raises(ServiceRefused, match=HOLD_NAME):
        services.request_disposal(actor=User.objects.get(username="ig.police"),
                                  kind=held[0].kind, record_id=held[0].pk, reason="Demo")
    before = fingerprint()
    call_command("demo_data", "--scale=small", "--seed=7", "--reset",
                 f"--as-of={today}", stdout=io.StringIO())
    assert fingerprint() == before, "the same seed gives the same retention review"
    delete_demo_retention(progress=None)  # type: ignore[arg-type]
    assert not LegalHold.objects.exists() and not DisposalRequest.objects.exists()
