"""Samples for the URL x role test: the sample intelligence report under retention
review, a request to dispose of it made by the sample user (so every information
governance officer may decide it), a legal hold; and a sharing agreement between the
hub's agency and a children's services partner, in force (everyone may read it,
information governance may change it); a subject access request about the sample
person, gathered (one item) and with its bundle produced."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import AgencyKind
from macehub.governance.codes import AgreementBasis, DataCategory
from macehub.governance.models import (
    DisclosureItem,
    DisposalRequest,
    LegalHold,
    RetentionRule,
    SubjectAccessRequest,
)
from macehub.governance.sharing import SharingAgreement
from macehub.testing.factories import make_agency


def build(samples: dict[str, Any]) -> None:
    report = samples["intel_report_pk"]
    samples["record_kind"] = "intelligence_report"
    samples["record_pk"] = report
    samples["disposal_pk"] = DisposalRequest.objects.create(
        record_kind="intelligence_report", record_id=report.pk, reference=report.reference,
        rule=RetentionRule.objects.get(code="mopi-group-3"), reason="Synthetic sample",
        requested_by=samples["user_pk"], requested_at=timezone.now())
    samples["hold_pk"] = LegalHold.objects.create(
        name="Operation Sample", reason="Synthetic sample", placed_by=samples["user_pk"],
        placed_on=timezone.localdate() - dt.timedelta(days=1))
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
    request = SubjectAccessRequest.objects.create(
        reference="SAR-SAMPLE-000001", requester_name="Sample Requester",
        requester_relationship="The person themselves", person_id=samples["person_pk"].pk,
        received_on=today - dt.timedelta(days=10), created_by=samples["user_pk"],
        created_at=timezone.now(), gathered_at=timezone.now(),
        bundle_produced_at=timezone.now(), bundle_pdf=b"%PDF-1.7 sample")
    samples["sar_pk"] = request
    samples["item_pk"] = DisclosureItem.objects.create(
        request=request, position=0, source="people", source_label="Person record",
        record_type="people.person", record_id=samples["person_pk"].pk,
        reference=f"Person {samples['person_pk'].pk}", heading="The person's record",
        fields=[{"name": "name", "label": "Name", "text": "Jordan Sample"}])
