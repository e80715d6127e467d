"""What the referrals app holds about a child for a subject access request: each
referral about them, as the referrer made it and as triage decided it. The parent or
carer's name and contact are another person's data: withheld until the officer decides
(the requester may be that parent, or may not).

With each referral go the indicators the referrer saw, what the referrer added after
sending it, the steps it prompted at once, and each partner agency's check of its own
records. What a partner returned is withheld by default: the police's may rest on
intelligence (the crime exemption), health's and children's social care's are health or
social work data that the agency must be asked about before disclosure (serious harm,
DPA 2018 Sch. 3); the officer asks the agency and decides. What other agencies returned
is disclosed."""

from __future__ import annotations

from macehub.accounts.roles import AgencyKind
from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.referrals.models import PartnerCheck, Referral
from macehub.ui.formatting import govuk_datetime

PARENT = "The parent or carer named is another person"
# What a partner agency's returned check is withheld under by default, by its kind.
PARTNER_CHECK_REASONS: dict[str, tuple[str, str]] = {
    AgencyKind.POLICE: (RedactionReason.CRIME, "Police records may rest on intelligence: "
                        "ask the police before disclosing"),
    AgencyKind.HEALTH: (RedactionReason.SERIOUS_HARM, "Health data: ask the health agency "
                        "whether disclosing it could cause serious harm"),
    AgencyKind.CHILDRENS_SOCIAL_CARE: (RedactionReason.SERIOUS_HARM, "Social work data: ask "
                                       "children's social care whether disclosing it could "
                                       "cause serious harm"),
}


def _check(check: PartnerCheck) -> HeldField:
    reason, why = PARTNER_CHECK_REASONS.get(check.agency.kind, ("", ""))
    answer = check.get_result_display() if check.result else "Not returned yet"
    text = f"{answer}: {check.summary}" if check.summary else answer
    return HeldField(f"partner_check_{check.pk}", f"Partner check: {check.agency.name}",
                     text, withhold=reason if check.summary else "",
                     why=why if check.summary else "")


def _referral(referral: Referral) -> HeldItem:
    return HeldItem(
        record_type="referrals.referral", record_id=referral.pk,
        reference=referral.reference, date=local_day(referral.received_at),
        heading=f"Referral from {referral.referrer_agency.name}",
        fields=recorded(
            HeldField("concerns", "Concerns", referral.concerns),
            HeldField("indicators", "Indicators seen", "; ".join(
                indicator.label for indicator in referral.indicators.all())),
            *[HeldField(f"addition_{addition.pk}",
                        f"Added by the referrer on {govuk_datetime(addition.added_at)}",
                        addition.text) for addition in referral.additions.all()],
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
            HeldField("outcome_reason", "Why", referral.outcome_reason),
            *[HeldField(f"step_{step.kind}", step.get_kind_display(),
                        " – ".join(part for part in (
                            govuk_datetime(step.done_at) if step.done else "Not done",
                            step.note) if part))
              for step in referral.immediate_steps.all()],
            *[_check(check) for check in referral.partner_checks.all()]),
        others_named=[referral.parent_carer_name] if referral.parent_carer_name else [])


def _items(person_pk: int) -> list[HeldItem]:
    return [_referral(referral) for referral in Referral.objects.filter(
        child_id=person_pk).select_related("referrer_agency").prefetch_related(
        "indicators", "additions", "immediate_steps", "partner_checks__agency")]


SUBJECT_SOURCES.register("referrals", SubjectSource(label="Referrals", items=_items))
