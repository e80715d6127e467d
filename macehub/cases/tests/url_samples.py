"""Records for the URL x role test: a case for the sample person, opened by a triage
officer of the hub, with one of each row the case pages take a keyword for, a current
victim advocate, a request for a decision the opener asked for, and a new referral that
joined the case waiting for its tier to be reviewed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import AgencyKind, Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import (
    AdvocateAllocation,
    Case,
    CaseAllocation,
    CaseDecisionRequest,
    CaseShare,
    MissingEpisode,
    NrmReferral,
    PlanItem,
    ReferralJoined,
)
from macehub.cases.reviews import assessment_domains
from macehub.cases.services import open_case, record_risk_assessment
from macehub.testing.factories import make_agency, make_user


def build(samples: dict[str, Any]) -> None:
    agency, team = samples["hub_agency"], samples["hub_team"]
    opener = make_user("sample.case.opener", Role.TRIAGE, agency=agency, team=team)
    child = samples["person_pk"]
    case = Case.objects.filter(child=child, status="open").first() or open_case(
        actor=opener, child=child, risk_tier=RiskTier.MEDIUM, lead_agency=agency,
        reason="Sample case for the URL test",
    )
    samples["case_pk"] = case
    # A risk assessment, so the case's assessment history shows one.
    record_risk_assessment(
        actor=opener, case_pk=case.pk, assessed_on=timezone.localdate(),
        ratings={code: ("medium", "Sample note") for code, _ in assessment_domains()},
        judgement=RiskTier.MEDIUM, summary="Sample assessment",
    )
    now = timezone.now()
    samples["plan_item_pk"] = PlanItem.objects.create(
        case=case, action="Sample action", owner=opener, owner_agency=agency,
        due_on=timezone.localdate(now) + dt.timedelta(days=7), created_at=now, created_by=opener,
    )
    samples["episode_pk"] = MissingEpisode.objects.create(
        case=case, went_missing_at=now - dt.timedelta(days=2),
        returned_at=now - dt.timedelta(days=1), recorded_by=opener,
    )
    worker = make_user("sample.case.worker", Role.INVESTIGATOR, agency=agency, team=team)
    samples["allocation_pk"] = CaseAllocation.objects.create(
        case=case, user=worker, allocated_by=opener
    )
    partner = make_agency("sample-case-partner", AgencyKind.EDUCATION, name="Sample School")
    samples["share_pk"] = CaseShare.objects.create(
        case=case, agency=partner, shared_by=opener, reason="Sample share"
    )
    advocate = make_user("sample.case.advocate", Role.VICTIM_ADVOCATE, agency=agency, team=team)
    AdvocateAllocation.objects.create(case=case, advocate=advocate, allocated_by=opener,
                                      started_on=timezone.localdate(now) - dt.timedelta(days=30))
    # A request to lower the tier, asked by the opener: anyone else who decides may decide it.
    samples["decision_pk"] = CaseDecisionRequest.objects.create(
        case=case, kind="lower_tier", from_tier=case.risk_tier, to_tier=RiskTier.LOW,
        reason="Sample request", case_version=case.version, requested_by=opener,
        requested_at=now,
    )
    samples["nrm_pk"] = NrmReferral.objects.create(
        case=case, referred_on=timezone.localdate(now) - dt.timedelta(days=20),
        first_responder_organisation="Sample police force", referred_by="Sample officer",
        recorded_by=opener,
    )
    samples["joined_pk"] = ReferralJoined.objects.create(
        case=case, referral_reference="REF-SAMPLE-JOINED", referring_agency=partner,
        joined_at=now, recorded_by=opener, brag="red", risk_tier=RiskTier.HIGH,
        case_tier=case.risk_tier,
    )
