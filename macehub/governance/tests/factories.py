"""A sharing agreement for tests, between the agencies given (in force from a year ago,
due for review in six months unless told otherwise)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.governance.codes import AgreementBasis, DataCategory
from macehub.governance.sharing import SharingAgreement


def make_agreement(*parties: Agency, created_by: User, reference: str = "ISA-TEST-000001",
                   **extra: Any) -> SharingAgreement:
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "title": "MACE hub information-sharing agreement",
        "purpose": "Safeguarding children at risk of exploitation",
        "lawful_basis": AgreementBasis.PUBLIC_TASK_SAFEGUARDING,
        "data_categories": [DataCategory.IDENTITY, DataCategory.SAFEGUARDING],
        "signed_on": today - dt.timedelta(days=365),
        "review_on": today + dt.timedelta(days=180),
        **extra}
    agreement = SharingAgreement.objects.create(
        reference=reference, created_by=created_by, created_at=timezone.now(), **fields)
    agreement.parties.set(parties)
    return agreement
