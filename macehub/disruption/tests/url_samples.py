"""Samples for the URL x role test: a nuisance closure order served on the sample
premises (known through the sample code P report), led by the sample hub agency, so
that hub members who read disruptions may see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.disruption.models import Disruption, Tactic


def build(samples: dict[str, Any]) -> None:
    today = timezone.localdate()
    samples["disruption_pk"] = Disruption.objects.create(
        reference="DIS-SAMPLE-000001", tactic=Tactic.objects.get(code="closure_nuisance"),
        target_kind="premises", target_premises=samples["intel_premises_pk"],
        status="served", started_on=today - dt.timedelta(days=10),
        expires_on=today + dt.timedelta(days=80), lead_officer=samples["user_pk"],
        lead_agency=samples["hub_agency"], created_by=samples["user_pk"],
        created_at=timezone.now())
