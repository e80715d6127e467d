"""Keeping the tier after a new referral joined the case is checked against the version
the key worker started from with the one mechanism every record uses
(``core.versioning``): a review from an older version is refused, and two reviews from
the same version cannot both be saved."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.audit.models import AuditEvent
from macehub.cases import services
from macehub.cases.codes import Brag, RiskTier
from macehub.cases.models import Case, ReferralJoined
from macehub.core.versioning import EditConflict

pytestmark = pytest.mark.django_db


def _joined(triage: User, case: Case, agency: Agency) -> ReferralJoined:
    return services.record_referral_joined(
        actor=triage, case=case, referral_reference="REF-2026-000777",
        referring_agency=agency, joined_at=timezone.now(), brag=Brag.RED,
        risk_tier=RiskTier.HIGH,
    )


def _reviews(case: Case) -> int:
    return AuditEvent.objects.filter(record_id=str(case.pk),
                                     detail__has_key="referral_joined_reviewed").count()


def test_a_review_from_an_older_version_is_an_edit_conflict(
    triage: User, case: Case, hub_agency: Agency
) -> None:
    joined = _joined(triage, case, hub_agency)
    started_from = joined.version
    # Someone else's save moved the row on while it still waits for its review.
    ReferralJoined.objects.filter(pk=joined.pk).update(version=F("version") + 1)
    with pytest.raises(EditConflict) as refused:
        services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                          expected_version=started_from, reason="Plan covers it")
    assert "already been reviewed after referral REF-2026-000777" in str(refused.value)
    assert refused.value.current_version == started_from + 1
    joined.refresh_from_db()
    assert not joined.is_acknowledged and _reviews(case) == 0


def test_keeping_the_tier_raises_the_version_once(
    triage: User, case: Case, hub_agency: Agency
) -> None:
    joined = _joined(triage, case, hub_agency)
    kept = services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                             expected_version=joined.version,
                                             reason="Plan covers it")
    assert kept.version == joined.version + 1
    kept.refresh_from_db()
    assert kept.version == joined.version + 1 and kept.is_acknowledged
    # A second review from the version the first started from is refused, unsaved.
    with pytest.raises(ValidationError, match="already been reviewed"):
        services.keep_tier_after_referral(actor=triage, joined_pk=joined.pk,
                                          expected_version=joined.version, reason="Again")
    assert _reviews(case) == 1
