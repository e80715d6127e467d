"""Samples for the URL x role test: an open investigation of the hub's agency naming the
sample person as a suspect (on bail), with its allocation review waiting and a line of
enquiry open (so everyone who may see the person and belongs to the agency may see it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.cases.codes import RiskTier
from macehub.cases.models import AdvocateAllocation
from macehub.cases.services import open_case
from macehub.investigations.codes import JourneyStepKind, ReviewPoint
from macehub.investigations.models import (
    Crime,
    Investigation,
    InvestigationSuspect,
    InvestigationVictim,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)
from macehub.testing.factories import make_person, make_user


def build(samples: dict[str, Any]) -> None:
    now = timezone.now()
    investigation = Investigation.objects.create(
        reference="INV-SAMPLE-000001", title="Operation Sample",
        owning_agency=samples["hub_agency"], team=samples["hub_team"],
        reported_on=timezone.localdate() - dt.timedelta(days=3),
        created_by=samples["user_pk"], created_at=now)
    Crime.objects.create(investigation=investigation, offence_code="71",
                         recorded_by=samples["user_pk"], recorded_at=now)
    suspect = InvestigationSuspect.objects.create(investigation=investigation,
                                                  person=samples["person_pk"])
    samples["release_pk"] = SuspectRelease.objects.create(
        suspect=suspect, kind="bail", conditions="Not to contact the children named",
        starts_on=timezone.localdate() - dt.timedelta(days=2),
        expires_on=timezone.localdate() + dt.timedelta(days=60),
        recorded_by=samples["user_pk"], recorded_at=now)
    samples["investigation_pk"] = investigation
    child = make_person(samples["hub_agency"], given_name="Robin", family_name="Sample",
                        date_of_birth=timezone.localdate() - dt.timedelta(days=15 * 365))
    opener = make_user("sample.journey.opener", Role.TRIAGE, agency=samples["hub_agency"],
                       team=samples["hub_team"])
    case = open_case(actor=opener, child=child, risk_tier=RiskTier.HIGH,
                     lead_agency=samples["hub_agency"], reason="Sample case for the URL test")
    # The child's advocate: the one who reads and writes the journey's confidential notes.
    advocate = make_user("sample.journey.advocate", Role.VICTIM_ADVOCATE,
                         agency=samples["hub_agency"], team=samples["hub_team"])
    AdvocateAllocation.objects.create(case=case, advocate=advocate, allocated_by=opener,
                                      started_on=timezone.localdate() - dt.timedelta(days=10))
    samples["journey_advocate"] = advocate
    samples["victim_pk"] = InvestigationVictim.objects.create(investigation=investigation,
                                                              person=child, case=case)
    samples["step_kind"] = JourneyStepKind.ABE_INTERVIEW.value
    samples["review_pk"] = SupervisoryReview.objects.create(
        investigation=investigation, point=ReviewPoint.ALLOCATION,
        due_at=now + dt.timedelta(hours=24))
    samples["enquiry_pk"] = LineOfEnquiry.objects.create(
        investigation=investigation, description="Trace the car seen at the address",
        recorded_by=samples["user_pk"], recorded_at=now)
