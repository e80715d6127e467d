"""What the cases app hands a subject access request: the child's case with its risk
history, plan, contacts, risk assessments, NRM referrals and outcomes, the workers and
advocates allocated to it, the agencies it was shared with, the requests to close it,
lower its tier or lift its restriction, and their missing episodes, for that child and
no other, in a fixed number of queries; a contact a victim advocate recorded is withheld
by default, naming the service, and so is why the case is restricted (on the case and in
the request to lift it). All names are made up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from macehub.accounts.models import Agency, User
from macehub.accounts.roles import Role
from macehub.cases.codes import CaseStatus, ContactKind, RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseOutcome,
    CaseShare,
    Contact,
    NrmReferral,
    RiskAssessment,
    RiskAssessmentRating,
    RiskTierChange,
)
from macehub.cases.subject_access import RESTRICTION_WHY
from macehub.conftest import StandardUsers
from macehub.governance.subject_access import SUBJECT_SOURCES
from macehub.governance.subject_access_codes import RedactionReason
from macehub.people.models import Person
from macehub.testing.factories import make_person

pytestmark = pytest.mark.django_db

NOTE = "She told me she is frightened of going to court"
WHY = ("Confidential to the advocacy service (County Children's Services): ask the "
       "service, and check the child asks or agrees, before disclosing")


def _case(child: Person, number: int, worker: User, advocate: User, hub: Agency,
          charity: Agency) -> Case:
    now = timezone.now()
    case = Case.objects.create(reference=f"CASE-2026-00000{number}", child=child,
                               opened_at=now, opened_by=worker, lead_agency=hub,
                               risk_tier=RiskTier.HIGH, status=CaseStatus.OPEN,
                               is_restricted=True,
                               restriction_reason="Her uncle works in the hub")
    RiskTierChange.objects.create(case=case, to_tier=RiskTier.HIGH, changed_at=now,
                                  changed_by=worker, reason=f"Went missing ({number})")
    Contact.objects.create(case=case, occurred_at=now, kind=ContactKind.PHONE,
                           with_whom=child.given_name, summary=NOTE, child_words="Scared",
                           recorded_by=advocate, advocacy_service=charity)
    Contact.objects.create(case=case, occurred_at=now, kind=ContactKind.HOME_VISIT,
                           with_whom="Her aunt", summary="Home visit", recorded_by=worker)
    assessment = RiskAssessment.objects.create(
        case=case, assessed_on=dt.date(2026, 3, 1), assessed_by=worker,
        judgement=RiskTier.HIGH, case_tier=RiskTier.HIGH, summary=f"Assessed ({number})",
        next_review_on=dt.date(2026, 4, 1))
    RiskAssessmentRating.objects.create(assessment=assessment, domain="online",
                                        rating="high", note="Unknown contacts")
    NrmReferral.objects.create(case=case, referred_on=dt.date(2026, 3, 2),
                               first_responder_organisation="County Council",
                               referred_by="Sam Firstresponder", recorded_by=worker)
    CaseOutcome.objects.create(case=case, kind="disclosure", recorded_on=dt.date(2026, 3, 3),
                               recorded_by=worker)
    for kind, fields in (("close", {"closure_reason": "stepped_down"}),
                         ("lower_tier", {"from_tier": "high", "to_tier": "medium"}),
                         ("lift_restriction", {})):
        CaseDecisionRequest.objects.create(
            case=case, kind=kind, reason=f"Asked ({number})", case_version=1,
            requested_by=worker, requested_at=now, **fields)
    CaseAllocation.objects.create(case=case, user=worker, allocated_by=advocate)
    CaseShare.objects.create(case=case, agency=charity, shared_by=worker,
                             reason=f"Advocacy ({number})")
    AdvocateAllocation.objects.create(case=case, advocate=advocate,
                                      started_on=dt.date(2026, 3, 4))
    return case


def test_the_childs_cases_only_and_the_advocates_contact_withheld(
    users: StandardUsers, hub_agency: Agency, partner_agency: Agency,
    django_assert_num_queries: Any
) -> None:
    worker, advocate = users[Role.TRIAGE], users[Role.VICTIM_ADVOCATE]
    child = make_person(hub_agency, given_name="Poppy", family_name="Testcase")
    other = make_person(hub_agency, given_name="Rosa", family_name="Otherchild")
    _case(child, 1, worker, advocate, hub_agency, partner_agency)
    _case(other, 2, worker, advocate, hub_agency, partner_agency)

    source = SUBJECT_SOURCES.get("cases")
    with django_assert_num_queries(13):  # one per kind of record, however many
        items = source.items(child.pk)
    assert sorted(item.heading for item in items) == [
        "Approval asked to close the case", "Approval asked to lift the case's restriction",
        "Approval asked to lower the risk tier",
        "Case shared with a partner agency", "Home visit",
        "National Referral Mechanism referral", "Outcome", "Phone call", "Risk assessment",
        "Safeguarding case", "Victim advocate", "Worker allocated to the case"]
    assert {item.reference.split()[0] for item in items} == {"CASE-2026-000001"}
    fields = {(item.heading, entry.name): entry.text for item in items
              for entry in item.fields}
    assert fields["Safeguarding case", "risk_history"].endswith(
        "High – being exploited (Went missing (1))")
    assert fields["Risk assessment", "ratings"] == "Online: High (Unknown contacts)"
    assert fields["Approval asked to close the case", "asked_for"] == (
        "Close the case: Stepped down to another service")
    assert fields["Approval asked to lower the risk tier", "reason"] == "Asked (1)"
    assert fields["Approval asked to lower the risk tier", "status"] == (
        "Waiting for a decision")
    assert fields["Case shared with a partner agency", "agency"] == partner_agency.name
    assert fields["Case shared with a partner agency", "reason"] == "Advocacy (1)"
    assert fields["Worker allocated to the case", "worker"] == (
        f"{worker.display_name}, {hub_agency.name}")
    assert fields["Victim advocate", "advocate"] == advocate.display_name
    nrm = next(item for item in items if item.heading.startswith("National"))
    assert nrm.others_named == ["Sam Firstresponder"]

    withheld = {(item.heading, entry.name): (entry.withhold, entry.why)
                for item in items for entry in item.fields if entry.withhold}
    reason = (RedactionReason.SERIOUS_HARM, WHY)
    restriction = (RedactionReason.OTHER, RESTRICTION_WHY)
    assert withheld == {("Phone call", "with_whom"): reason, ("Phone call", "summary"): reason,
                        ("Phone call", "child_words"): reason,
                        ("Safeguarding case", "restriction_reason"): restriction,
                        ("Approval asked to lift the case's restriction", "reason"): restriction}
    assert fields["Safeguarding case", "restricted"] == (
        "Restricted: opening it asks for a reason")
    assert fields["Safeguarding case", "restriction_reason"] == "Her uncle works in the hub"
