"""Samples for the URL x role test: a device seized from the sample person (a suspect of
the sample investigation), waiting for triage; everyone who may see the investigation,
and the force's forensics examiners, may see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.forensics.codes import ExhibitPriority
from macehub.forensics.models import Exhibit


def build(samples: dict[str, Any]) -> None:
    now = timezone.now()
    seized = now - dt.timedelta(hours=6)
    samples["exhibit_pk"] = Exhibit.objects.create(
        reference="EXH-SAMPLE-000001", investigation=samples["investigation_pk"],
        device_type="mobile_phone", description="Black Samsung Galaxy A15",
        seized_at=seized, seized_from=samples["person_pk"], owner="suspect",
        priority=ExhibitPriority.IMMEDIATE_RISK, legal_authority="pace_s32",
        triage_due_at=seized + dt.timedelta(hours=48), created_by=samples["user_pk"],
        created_at=now)
