"""Samples for the URL x role test: an open investigation of the hub's agency naming the
sample person as a suspect (on bail), with its allocation review waiting and a line of
enquiry open (so everyone who may see the person and belongs to the agency may see it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.investigations.codes import ReviewPoint
from macehub.investigations.models import (
    Crime,
    Investigation,
    InvestigationSuspect,
    LineOfEnquiry,
    SupervisoryReview,
    SuspectRelease,
)


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
    samples["review_pk"] = SupervisoryReview.objects.create(
        investigation=investigation, point=ReviewPoint.ALLOCATION,
        due_at=now + dt.timedelta(hours=24))
    samples["enquiry_pk"] = LineOfEnquiry.objects.create(
        investigation=investigation, description="Trace the car seen at the address",
        recorded_by=samples["user_pk"], recorded_at=now)
