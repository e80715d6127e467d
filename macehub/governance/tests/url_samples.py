"""Samples for the URL x role test: the sample intelligence report under retention
review, a request to dispose of it made by the sample user (so every information
governance officer may decide it), and a legal hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.governance.models import DisposalRequest, LegalHold, RetentionRule


def build(samples: dict[str, Any]) -> None:
    report = samples["intel_report_pk"]
    samples["record_kind"] = "intelligence_report"
    samples["record_pk"] = report
    samples["disposal_pk"] = DisposalRequest.objects.create(
        record_kind="intelligence_report", record_id=report.pk, reference=report.reference,
        rule=RetentionRule.objects.get(code="mopi-group-3"), reason="Synthetic sample",
        requested_by=samples["user_pk"], requested_at=timezone.now())
    samples["hold_pk"] = LegalHold.objects.create(
        name="Operation Sample", reason="Synthetic sample", placed_by=samples["user_pk"],
        placed_on=timezone.localdate() - dt.timedelta(days=1))
