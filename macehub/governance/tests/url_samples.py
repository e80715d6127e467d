"""Samples for the URL x role test: a sharing agreement between the hub's agency and a
children's services partner, in force; everyone may read it, information governance
may change it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import AgencyKind
from macehub.governance.codes import AgreementBasis, DataCategory
from macehub.governance.sharing import SharingAgreement
from macehub.testing.factories import make_agency


def build(samples: dict[str, Any]) -> None:
    today = timezone.localdate()
    agreement = SharingAgreement.objects.create(
        reference="ISA-SAMPLE-000001", title="Sample MACE hub information-sharing agreement",
        purpose="Safeguarding children at risk of exploitation",
        lawful_basis=AgreementBasis.PUBLIC_TASK_SAFEGUARDING,
        data_categories=[DataCategory.IDENTITY, DataCategory.SAFEGUARDING],
        signed_on=today - dt.timedelta(days=200), review_on=today + dt.timedelta(days=165),
        created_by=samples["user_pk"], created_at=timezone.now())
    agreement.parties.set([samples["hub_agency"],
                           make_agency("sample-csc", AgencyKind.CHILDRENS_SOCIAL_CARE)])
    samples["agreement_pk"] = agreement
