"""The demo's information governance: its retention review and its information-sharing
agreements.

Retention review. The demo's records are at most a few years old (the
historic 5x5x5 reports up to 8), so few would be due under their rules on the demo's
day; and the other steps' records are not moved in time, since their tests hold them
to their year. Instead this step plants the history of earlier reviews: two
intelligence reports of MoPI group 3 and two referrals that led to no case were kept at
an earlier review (months ago, on a trigger) with a next review that fell due in the
last fortnight, so they are in the queue with any historic report past its clear
period. Then one decision to keep (a report, yesterday), one disposal asked for by the
information governance officer and waiting for a second officer's approval, and one
legal hold naming a report and a referral.

The step writes only governance's own rows; its reset deletes them.

Sharing agreements: the demo's information-sharing agreements between Northshire's hub
partners, and the demo's disseminations and shares of records naming them. Known truth
a test checks:

- the MACE hub agreement (police, children's services, health, education) is in force,
  due for review in about eight months;
- the police and Brackenford District Council's disruption agreement is due for review
  within the 30 days (in information governance's work queue);
- the Lantern Project's agreement (police, children's services, the charity) ended
  before the demo's year, and its successor is not yet signed: every dissemination to
  the charity names no agreement and records why it went ahead (to safeguard a child);
- every other dissemination and share names the agreement in force between its two
  agencies, where one is.

The people step (400) and the intelligence step (1300) create the shares and
disseminations before any agreement exists, so this step (9050) runs after them and
names on each the agreement in force on the demo's day between its two agencies.

Subject access: one open request, received twelve days before the demo's day from the
mother of a demo child who has a case and is named in intelligence, her identity
verified, with what the hub holds gathered (source details and handling-coded reports
withheld by default) and one contact's summary marked as third-party data by the
officer: under review, not yet disclosed. It runs after every step that makes records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from macehub.cases.models import Case
from macehub.demo import accounts as demo_accounts
from macehub.demo.progress import Progress
from macehub.demo.registry import DemoContext, demo_step
from macehub.governance import subject_access_services as subject_access
from macehub.governance.codes import AgreementBasis, DataCategory
from macehub.governance.models import (
    DisposalRequest,
    DisposalTombstone,
    HeldRecord,
    LegalHold,
    RetentionDecision,
    SubjectAccessRequest,
)
from macehub.governance.retention import ReviewItem, add_years, review_items
from macehub.governance.sharing import SharingAgreement
from macehub.governance.subject_access_codes import IdentityCheck, RedactionReason, RequestStatus
from macehub.intelligence.models import Dissemination, ReportLink
from macehub.people.models import PersonShare

# After every step that makes records.
RETENTION_ORDER = 9850
OFFICER = "ig.police"
HOLD_NAME = "Operation Harbour inquiry"
MIN_AGE_DAYS = 30
EARLIER_REASONS = (
    "Reviewed early when the source was re-graded: still relevant, look again next year "
    "(synthetic).",
    "Reviewed early after a related arrest: keep until the investigation ends "
    "(synthetic).",
)


def delete_demo_retention(progress: Progress) -> dict[str, int]:
    return {
        "disposal tombstones": DisposalTombstone.objects.all().delete()[0],
        "disposal requests": DisposalRequest.objects.all().delete()[0],
        "retention decisions": RetentionDecision.objects.all().delete()[0],
        "legal holds": LegalHold.objects.all().delete()[0],
    }


def _pick(items: list[ReviewItem], count: int, ctx: DemoContext) -> list[ReviewItem]:
    ordered = sorted(items, key=lambda item: item.reference)
    return sorted(ctx.rng.sample(ordered, min(count, len(ordered))),
                  key=lambda item: item.reference)


@demo_step("retention", order=RETENTION_ORDER, reset=delete_demo_retention,
           description="records due for retention review after earlier reviews, a decision "
                       "to keep one, a disposal waiting for approval and a legal hold")
def demo_retention(ctx: DemoContext) -> None:
    officer = ctx.users.get(OFFICER)
    if officer is None:
        ctx.progress.write("    no demo information governance officer: no retention review")
        return
    rng, now = ctx.rng, timezone.now()
    today = timezone.localdate(now)
    # Records at least a month old: the earlier review came after the record's date.
    items = [item for item in review_items(today=today)
             if (today - item.row.clock_starts_on).days >= MIN_AGE_DAYS]
    reports = _pick([item for item in items if item.kind == "intelligence_report"
                     and item.rule.code == "mopi-group-3" and not item.is_due(today)], 3, ctx)
    referrals = _pick([item for item in items if item.kind == "referral"
                       and not item.is_due(today)], 2, ctx)
    earlier = [*reports, *referrals]
    RetentionDecision.objects.bulk_create(
        RetentionDecision(
            record_kind=item.kind, record_id=item.pk, rule=item.rule,
            reason=EARLIER_REASONS[n % len(EARLIER_REASONS)],
            next_review_on=today - dt.timedelta(days=rng.randint(1, 14)), decided_by=officer,
            decided_at=now - dt.timedelta(days=rng.randint(
                15, min(330, (today - item.row.clock_starts_on).days - 1))))
        for n, item in enumerate(earlier))
    if len(reports) == 3:
        kept, asked, held = reports
        RetentionDecision.objects.create(
            record_kind=kept.kind, record_id=kept.pk, rule=kept.rule,
            reason="The suspect named is still active in the area (synthetic).",
            next_review_on=add_years(today, 2), decided_by=officer,
            decided_at=now - dt.timedelta(days=1))
        DisposalRequest.objects.create(
            record_kind=asked.kind, record_id=asked.pk, reference=asked.reference,
            rule=asked.rule,
            reason="Nothing has linked to it since, and the people it names are not known "
                   "to any agency now (synthetic).",
            requested_by=officer, requested_at=now - dt.timedelta(hours=20))
        hold = LegalHold.objects.create(
            name=HOLD_NAME, reason="The inquiry has asked for every record about "
                                   "exploitation at the bus station (synthetic).",
            placed_by=officer, placed_on=today - dt.timedelta(days=14))
        HeldRecord.objects.bulk_create(
            HeldRecord(hold=hold, record_kind=item.kind, record_id=item.pk)
            for item in [held, *referrals[:1]])
        ctx.count("disposal requests", 1)
        ctx.count("legal holds", 1)
    ctx.count("retention decisions", RetentionDecision.objects.count())
    ctx.results["governance.retention"] = {
        "earlier": [(item.kind, item.pk) for item in earlier]}


SHARING_AGREEMENTS_ORDER = 9050
GOVERNANCE_USER = "ig.police"
# Why a dissemination to the charity went ahead with no agreement in force.
NO_AGREEMENT_REASON = ("To safeguard a child at risk: the Lantern Project agreement has "
                       "ended and its successor is not yet signed")


@dataclass(frozen=True)
class DemoAgreement:
    title: str
    parties: tuple[str, ...]
    purpose: str
    basis: str
    categories: tuple[str, ...]
    signed_days_ago: int
    review_in_days: int
    ended_days_ago: int | None = None


AGREEMENTS = (
    DemoAgreement(
        "Northshire MACE hub information-sharing agreement",
        (demo_accounts.POLICE, demo_accounts.CHILDRENS_SERVICES, demo_accounts.HEALTH,
         demo_accounts.EDUCATION),
        "Sharing what each partner holds about children at risk of exploitation, the "
        "people who exploit them and the places it happens, for the hub's triage, "
        "tactical meetings, safeguarding plans and disruption.",
        AgreementBasis.PUBLIC_TASK_SAFEGUARDING,
        (DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.SAFEGUARDING,
         DataCategory.INTELLIGENCE, DataCategory.HEALTH, DataCategory.EDUCATION,
         DataCategory.CRIMINAL_OFFENCE, DataCategory.SOCIAL_CARE, DataCategory.ETHNICITY),
        signed_days_ago=1000, review_in_days=240),
    DemoAgreement(
        "Police and Brackenford District Council: licensing and housing disruption",
        (demo_accounts.POLICE, demo_accounts.DISTRICT_COUNCIL),
        "Sharing intelligence about premises, vehicles and licence holders so the council "
        "can take licensing and housing action against those who exploit children.",
        AgreementBasis.LAW_ENFORCEMENT,
        (DataCategory.IDENTITY, DataCategory.INTELLIGENCE, DataCategory.CRIMINAL_OFFENCE),
        signed_days_ago=700, review_in_days=20),
    DemoAgreement(
        "Lantern Project advocacy referrals",
        (demo_accounts.POLICE, demo_accounts.CHILDRENS_SERVICES, demo_accounts.CHARITY),
        "Referring children to the Lantern Project's independent advocates and sharing "
        "what the advocates need to support them.",
        AgreementBasis.CHILDREN_ACT,
        (DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.SAFEGUARDING),
        signed_days_ago=1500, review_in_days=-400, ended_days_ago=400),
)


def delete_demo_agreements(progress: Progress) -> dict[str, int]:
    Dissemination.objects.exclude(agreement=None).update(agreement=None)
    PersonShare.objects.exclude(agreement=None).update(agreement=None)
    deleted, _ = SharingAgreement.objects.all().delete()
    return {"sharing agreements": deleted}


@demo_step("sharing_agreements", order=SHARING_AGREEMENTS_ORDER,
           reset=delete_demo_agreements,
           description="information-sharing agreements between the hub's partners (one "
                       "due for review, one ended), named by the disseminations and shares")
def demo_sharing_agreements(ctx: DemoContext) -> None:
    governance = ctx.users.get(GOVERNANCE_USER)
    if governance is None or not all(code in ctx.agencies for spec in AGREEMENTS
                                     for code in spec.parties):
        ctx.progress.write("    no demo agencies or information governance: no agreements")
        return
    today, now = ctx.as_of, timezone.now()
    for number, spec in enumerate(AGREEMENTS, start=1):
        signed = today - dt.timedelta(days=spec.signed_days_ago)
        agreement = SharingAgreement.objects.create(
            reference=f"ISA-{signed.year}-{number:06d}", title=spec.title,
            purpose=spec.purpose, lawful_basis=spec.basis,
            data_categories=[code for code in DataCategory.values
                             if code in spec.categories],
            signed_on=signed, review_on=today + dt.timedelta(days=spec.review_in_days),
            ended_on=(today - dt.timedelta(days=spec.ended_days_ago)
                      if spec.ended_days_ago is not None else None),
            document_reference=f"IG/ISA/{signed.year}/{number:02d}",
            created_by=governance, created_at=min(now, timezone.make_aware(
                dt.datetime.combine(signed, dt.time(10)))))
        agreement.parties.set([ctx.agencies[code] for code in spec.parties])
    named = 0
    pairs = (Dissemination.objects.values_list("report__owning_team__agency_id", "to_agency_id")
             .distinct().order_by("report__owning_team__agency_id", "to_agency_id"))
    for from_pk, to_pk in list(pairs):
        sent = Dissemination.objects.filter(report__owning_team__agency_id=from_pk,
                                            to_agency_id=to_pk)
        covering = SharingAgreement.objects.covering(today, from_pk, to_pk).first()
        if covering is None:
            sent.update(reason_without_agreement=NO_AGREEMENT_REASON)
        else:
            named += sent.update(agreement=covering)
    share_pairs = (PersonShare.objects.values_list("person__owning_agency_id", "agency_id")
                   .distinct().order_by("person__owning_agency_id", "agency_id"))
    for from_pk, to_pk in list(share_pairs):
        covering = SharingAgreement.objects.covering(today, from_pk, to_pk).first()
        if covering is not None:
            named += PersonShare.objects.filter(
                person__owning_agency_id=from_pk, agency_id=to_pk).update(agreement=covering)
    ctx.count("sharing agreements", len(AGREEMENTS))
    ctx.count("shares naming an agreement", named)


SUBJECT_ACCESS_ORDER = 9860
SUBJECT_ACCESS_RECEIVED_DAYS_AGO = 12


def delete_demo_subject_access(progress: Progress) -> dict[str, int]:
    deleted, _ = SubjectAccessRequest.objects.all().delete()
    return {"subject access requests and their items": deleted}


def _demo_subject(ctx: DemoContext) -> int | None:
    """A demo child with a case who is named in intelligence: the fullest example."""
    named = set(ReportLink.objects.filter(person_id__in=ctx.child_ids)
                .values_list("person_id", flat=True))
    with_case = (Case.objects.filter(child_id__in=named).order_by("reference")
                 .values_list("child_id", flat=True).first())
    return with_case or (ctx.child_ids[0] if ctx.child_ids else None)


@demo_step("subject_access", order=SUBJECT_ACCESS_ORDER, reset=delete_demo_subject_access,
           description="one open subject access request about a demo child, gathered and "
                       "under review")
def demo_subject_access(ctx: DemoContext) -> None:
    officer = ctx.users.get(GOVERNANCE_USER)
    person_pk = _demo_subject(ctx)
    if officer is None or person_pk is None:
        ctx.progress.write("    no demo information governance or child: no subject access")
        return
    received = ctx.as_of - dt.timedelta(days=SUBJECT_ACCESS_RECEIVED_DAYS_AGO)
    request = subject_access.log_request(actor=officer, details=subject_access.NewRequest(
        requester_name=ctx.faker.name_female(), requester_relationship="Mother",
        requester_contact=ctx.faker.email(), person_pk=person_pk, received_on=received))
    subject_access.record_progress(
        actor=officer, request_pk=request.pk, expected_version=request.version,
        progress=subject_access.RequestProgress(
            identity_verified_on=received + dt.timedelta(days=2),
            identity_check=IdentityCheck.PARENTAL, identity_note="", extension_months=0,
            extension_reason="", status=RequestStatus.GATHERING, status_reason=""))
    subject_access.gather(actor=officer, request_pk=request.pk)
    contact = request.items.filter(record_type="cases.contact").first()
    if contact is not None:
        subject_access.decide_redactions(
            actor=officer, request_pk=request.pk, item_pk=contact.pk,
            expected_version=contact.version,
            decisions={"summary": (RedactionReason.THIRD_PARTY,
                                   "The account of a relative met at the visit")})
    ctx.count("subject access requests", 1)
    ctx.count("subject access items gathered", request.items.count())
