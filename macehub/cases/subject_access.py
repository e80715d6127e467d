"""What the cases app holds about a child for a subject access request: each of their
cases (risk and its history, exploitation, status, closure), its safeguarding plan, its
contacts (the people met are other people named: third-party data for the review), its
risk assessments, its National Referral Mechanism referrals (the person who referred is
named), its outcomes, and the child's missing episodes, with or without a case.

Who has worked on the child's case and who it was shared with are gathered too: the
workers allocated to it, its victim advocates (each change of advocate), the partner
agencies it was shared with and why (the recipients of the child's data, which UK GDPR
Art. 15(1)(c) entitles them to know), and each request to close the case or lower its
risk tier with the supervisor's decision. Staff are named as they act for the hub; the
requester's reasons and the decision's comment are disclosed, as the closure note is.

That access to the case is restricted is the child's own data and is disclosed; why it
is restricted, and the reasons given in a request to lift the restriction and its
decision, are withheld by default (``RESTRICTION_WHY``): they usually concern someone
else (a member of staff who knows the family, a person who must not learn of the case)
or a risk to the child if they were known. The officer reads them and decides.

A contact a victim advocate recorded is the advocacy service's confidential note: who it
was with, what was said and the child's words are withheld by default, as the
investigations app withholds the advocates' notes on the child's journey
(``ADVOCACY_WHY`` says why; the officer decides, with the service)."""

from __future__ import annotations

from macehub.cases.codes import DecisionKind, domain_label
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseOutcome,
    CaseShare,
    Contact,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    RiskAssessment,
)
from macehub.governance.subject_access import (
    SUBJECT_SOURCES,
    HeldField,
    HeldItem,
    SubjectSource,
    local_day,
    recorded,
    staff_member,
)
from macehub.governance.subject_access_codes import RedactionReason
from macehub.ui.formatting import govuk_date, govuk_datetime

# Why an advocate's note is withheld until the officer decides (see the investigations
# app's ``subject_access`` for the reasoning).
ADVOCACY_REASON = RedactionReason.SERIOUS_HARM


def advocacy_why(service: str) -> str:
    return (f"Confidential to the advocacy service ({service}): ask the service, and check "
            "the child asks or agrees, before disclosing")


def _case(case: Case) -> HeldItem:
    return HeldItem(
        record_type="cases.case", record_id=case.pk, reference=case.reference,
        date=local_day(case.opened_at), heading="Safeguarding case",
        fields=recorded(
            HeldField("lead_agency", "Lead agency", case.lead_agency.name),
            HeldField("risk_tier", "Risk", case.get_risk_tier_display()),
            HeldField("risk_history", "How the risk changed", "; ".join(
                f"{govuk_date(change.changed_at)}: {change.get_to_tier_display()} "
                f"({change.reason})" for change in case.tier_history.all())),
            HeldField("exploitation", "Exploitation", "; ".join(
                str(label) for label in case.exploitation_type_labels)),
            HeldField("model", "How the exploitation happens", case.exploitation_model_label),
            HeldField("status", "Status", case.get_status_display()),
            HeldField("closed", "Closed", govuk_datetime(case.closed_at)),
            HeldField("closure_reason", "Why it closed", case.closure_reason_text),
            HeldField("closure_note", "Closure note", case.closure_note),
            HeldField("restricted", "Access to the case",
                      "Restricted: opening it asks for a reason" if case.is_restricted else ""),
            HeldField("restriction_reason", "Why access is restricted (or was lifted)",
                      case.restriction_reason, RedactionReason.OTHER, RESTRICTION_WHY)))


def _plan_item(item: PlanItem) -> HeldItem:
    owner = ((item.partner_owner_name and f"{item.partner_owner_name}, "
             f"{item.partner_owner_role}, {item.partner_owner_agency}".strip(", "))
             or (item.owner_agency.name if item.owner_agency else ""))
    return HeldItem(
        record_type="cases.planitem", record_id=item.pk,
        reference=f"{item.case.reference} plan {item.pk}", date=item.due_on,
        heading="Safeguarding plan action",
        fields=recorded(
            HeldField("action", "Action", item.action),
            HeldField("owner", "Who owns it", owner),
            HeldField("due_on", "Due", govuk_date(item.due_on)),
            HeldField("status", "Status", item.get_status_display()),
            HeldField("completion_note", "What was done", item.completion_note)))


def _contact(contact: Contact) -> HeldItem:
    service = contact.advocacy_service
    reason = ADVOCACY_REASON if service is not None else ""
    why = advocacy_why(service.name) if service is not None else ""
    return HeldItem(
        record_type="cases.contact", record_id=contact.pk,
        reference=f"{contact.case.reference} contact {contact.pk}",
        date=local_day(contact.occurred_at), heading=contact.get_kind_display(),
        fields=recorded(
            HeldField("with_whom", "With whom", contact.with_whom, withhold=reason, why=why),
            HeldField("summary", "Summary", contact.summary, withhold=reason, why=why),
            HeldField("child_seen", "Child seen", contact.child_seen_text),
            HeldField("child_words", "What the child said", contact.child_words,
                      withhold=reason, why=why)),
        others_named=[contact.with_whom] if contact.with_whom else [])


def _missing(episode: MissingEpisode) -> HeldItem:
    return HeldItem(
        record_type="cases.missingepisode", record_id=episode.pk,
        reference=episode.police_reference or f"Missing episode {episode.pk}",
        date=local_day(episode.went_missing_at), heading="Missing episode",
        fields=recorded(
            HeldField("went_missing", "Went missing", govuk_datetime(episode.went_missing_at)),
            HeldField("returned", "Returned", govuk_datetime(episode.returned_at)),
            HeldField("interview", "Return interview",
                      episode.get_interview_response_display()),
            HeldField("interview_outcome", "What the interview found",
                      episode.interview_outcome),
            HeldField("notes", "Notes", episode.notes)))


def _assessment(assessment: RiskAssessment) -> HeldItem:
    return HeldItem(
        record_type="cases.riskassessment", record_id=assessment.pk,
        reference=f"{assessment.case.reference} risk assessment {assessment.pk}",
        date=assessment.assessed_on, heading="Risk assessment",
        fields=recorded(
            HeldField("judgement", "Judgement of the risk", assessment.get_judgement_display()),
            HeldField("summary", "Summary", assessment.summary),
            HeldField("ratings", "By domain", "; ".join(
                f"{domain_label(rating.domain)}: {rating.get_rating_display()}"
                + (f" ({rating.note})" if rating.note else "")
                for rating in assessment.ratings.all())),
            HeldField("next_review_on", "Next review", govuk_date(assessment.next_review_on))))


def _nrm(referral: NrmReferral) -> HeldItem:
    return HeldItem(
        record_type="cases.nrmreferral", record_id=referral.pk,
        reference=f"{referral.case.reference} NRM referral {referral.pk}",
        date=referral.referred_on, heading="National Referral Mechanism referral",
        fields=recorded(
            HeldField("referred", "Referred by", ", ".join(part for part in (
                referral.referred_by, referral.first_responder_organisation) if part)),
            HeldField("reasonable_grounds", "Reasonable-grounds decision", " on ".join(
                part for part in (referral.get_reasonable_grounds_display()
                                  if referral.reasonable_grounds else "",
                                  govuk_date(referral.reasonable_grounds_on)) if part)),
            HeldField("conclusive_grounds", "Conclusive-grounds decision", " on ".join(
                part for part in (referral.get_conclusive_grounds_display()
                                  if referral.conclusive_grounds else "",
                                  govuk_date(referral.conclusive_grounds_on)) if part))),
        others_named=[referral.referred_by] if referral.referred_by else [])


def _outcome(outcome: CaseOutcome) -> HeldItem:
    return HeldItem(
        record_type="cases.caseoutcome", record_id=outcome.pk,
        reference=f"{outcome.case.reference} outcome {outcome.pk}",
        date=outcome.recorded_on, heading="Outcome",
        fields=recorded(HeldField("kind", "Outcome", outcome.get_kind_display()),
                        HeldField("note", "Note", outcome.note)))


ASKED = {DecisionKind.CLOSE: "Approval asked to close the case",
         DecisionKind.LOWER_TIER: "Approval asked to lower the risk tier",
         DecisionKind.LIFT_RESTRICTION: "Approval asked to lift the case's restriction"}
RESTRICTION_WHY = ("Why access to a case is restricted usually concerns someone else (a "
                   "member of staff who knows the family, a person who must not learn of "
                   "the case) or a risk to the child if it were known: read it before "
                   "deciding what to disclose")


def _decision(request: CaseDecisionRequest) -> HeldItem:
    lifting = request.kind == DecisionKind.LIFT_RESTRICTION
    withhold, why = (RedactionReason.OTHER, RESTRICTION_WHY) if lifting else ("", "")
    return HeldItem(
        record_type="cases.casedecisionrequest", record_id=request.pk,
        reference=f"{request.case.reference} decision request {request.pk}",
        date=local_day(request.requested_at), heading=ASKED[DecisionKind(request.kind)],
        fields=recorded(
            HeldField("asked_for", "Asked for", request.asked_for),
            HeldField("reason", "Why", request.reason, withhold, why),
            HeldField("requested", "Asked by", f"{request.requested_by.display_name}, "
                      f"{govuk_datetime(request.requested_at)}"),
            HeldField("status", "Decision", request.get_status_display()),
            HeldField("decided", "Decided by", ", ".join(part for part in (
                request.decided_by.display_name if request.decided_by else "",
                govuk_datetime(request.decided_at)) if part)),
            HeldField("comment", "Decision comment", request.decision_comment,
                      withhold, why)))


def _allocation(allocation: CaseAllocation) -> HeldItem:
    user = allocation.user
    return HeldItem(
        record_type="cases.caseallocation", record_id=allocation.pk,
        reference=f"{allocation.case.reference} allocation {allocation.pk}",
        date=local_day(allocation.allocated_at), heading="Worker allocated to the case",
        fields=recorded(
            HeldField("worker", "Worker", staff_member(user)),
            HeldField("allocated_at", "Allocated", govuk_datetime(allocation.allocated_at)),
            HeldField("allocated_by", "Allocated by", allocation.allocated_by.display_name
                      if allocation.allocated_by else "")))


def _share(share: CaseShare) -> HeldItem:
    return HeldItem(
        record_type="cases.caseshare", record_id=share.pk,
        reference=f"{share.case.reference} share {share.pk}",
        date=local_day(share.shared_at), heading="Case shared with a partner agency",
        fields=recorded(
            HeldField("agency", "Shared with", share.agency.name),
            HeldField("shared_at", "Shared", govuk_datetime(share.shared_at)),
            HeldField("shared_by", "Shared by",
                      share.shared_by.display_name if share.shared_by else ""),
            HeldField("reason", "Why", share.reason)))


def _advocate(allocation: AdvocateAllocation) -> HeldItem:
    return HeldItem(
        record_type="cases.advocateallocation", record_id=allocation.pk,
        reference=f"{allocation.case.reference} advocate {allocation.pk}",
        date=allocation.started_on, heading="Victim advocate",
        fields=recorded(
            HeldField("advocate", "Advocate", allocation.advocate.display_name),
            HeldField("started_on", "From", govuk_date(allocation.started_on)),
            HeldField("ended_on", "Until", govuk_date(allocation.ended_on)),
            HeldField("end_reason", "Why it ended", allocation.end_reason)))


def _items(person_pk: int) -> list[HeldItem]:
    cases = list(Case.objects.filter(child_id=person_pk).select_related(
        "lead_agency").prefetch_related("tier_history"))
    items = [_case(case) for case in cases]
    items += [_plan_item(item) for item in PlanItem.objects.filter(
        case__in=cases).select_related("case", "owner_agency")]
    items += [_contact(contact) for contact in Contact.objects.filter(case__in=cases)
              .select_related("case", "advocacy_service")]
    items += [_assessment(assessment) for assessment in RiskAssessment.objects.filter(
        case__in=cases).select_related("case").prefetch_related("ratings")]
    items += [_nrm(referral) for referral in NrmReferral.objects.filter(
        case__in=cases).select_related("case")]
    items += [_outcome(outcome) for outcome in CaseOutcome.objects.filter(
        case__in=cases).select_related("case")]
    items += [_decision(request) for request in CaseDecisionRequest.objects.filter(
        case__in=cases, kind__in=ASKED).select_related("case", "requested_by", "decided_by")]
    items += [_allocation(allocation) for allocation in CaseAllocation.objects.filter(
        case__in=cases).select_related("case", "user__agency", "allocated_by")]
    items += [_share(share) for share in CaseShare.objects.filter(
        case__in=cases).select_related("case", "agency", "shared_by")]
    items += [_advocate(allocation) for allocation in AdvocateAllocation.objects.filter(
        case__in=cases).select_related("case", "advocate")]
    items += [_missing(episode) for episode in MissingEpisode.objects.filter(
        child_id=person_pk)]
    return items


SUBJECT_SOURCES.register("cases", SubjectSource(label="Cases", items=_items))
