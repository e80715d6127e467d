"""What the referrals app holds about a child for a subject access request: each
referral about them, as the referrer made it and as triage decided it. The parent or
carer's name and contact are another person's data: withheld until the officer decides
(the requester may be that parent, or may not)."""

from __future__ import annotations

from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.referrals.models import Referral

PARENT = "The parent or carer named is another person"


def _referral(referral: Referral) -> HeldItem:
    return HeldItem(
        record_type="referrals.referral", record_id=referral.pk,
        reference=referral.reference, date=local_day(referral.received_at),
        heading=f"Referral from {referral.referrer_agency.name}",
        fields=recorded(
            HeldField("concerns", "Concerns", referral.concerns),
            HeldField("source", "Referred by", referral.get_source_display()),
            HeldField("model", "How the exploitation happens",
                      referral.get_exploitation_model_display()),
            HeldField("school", "School", referral.school),
            HeldField("address", "Address given", ", ".join(part for part in (
                referral.child_address_line_1, referral.child_address_line_2,
                referral.child_town, referral.child_postcode) if part)),
            HeldField("parent_carer", "Parent or carer",
                      " – ".join(part for part in (referral.parent_carer_name,
                                                   referral.parent_carer_relationship)
                                 if part),
                      withhold=RedactionReason.THIRD_PARTY, why=PARENT),
            HeldField("parent_carer_contact", "Parent or carer's contact",
                      referral.parent_carer_contact, withhold=RedactionReason.THIRD_PARTY,
                      why=PARENT),
            HeldField("status", "Status", referral.get_status_display()),
            HeldField("outcome", "Triage outcome", referral.get_outcome_display()),
            HeldField("outcome_reason", "Why", referral.outcome_reason)),
        others_named=[referral.parent_carer_name] if referral.parent_carer_name else [])


def _items(person_pk: int) -> list[HeldItem]:
    return [_referral(referral) for referral in Referral.objects.filter(
        child_id=person_pk).select_related("referrer_agency")]


SUBJECT_SOURCES.register("referrals", SubjectSource(label="Referrals", items=_items))
