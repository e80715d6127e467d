"""Samples for the URL-by-role walk: a published report and a metric code; the
report's PDF drawn in the background for its publisher (a job only they may follow),
waiting to be downloaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from macehub.accounts.roles import Role
from macehub.governance.codes import RequestedJobStatus
from macehub.governance.models import RequestedJob
from macehub.governance.requested_jobs import FILE_LIFETIME
from macehub.performance.background_jobs import REPORT_PDF, pdf_file_name
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.testing.factories import make_user


def build(samples: dict[str, Any]) -> None:
    publisher = make_user("sample.publisher", Role.SENIOR_LEADER, agency=samples["hub_agency"],
                          team=samples["hub_team"])
    report = MonthlyReport.objects.create(
        month=dt.date(2024, 1, 1), published_at=timezone.now(), published_by=publisher,
        suppression_threshold=5,
    )
    ReportFigure.objects.create(
        report=report, metric_code="referrals_received", metric_name="Referrals received",
        unit="count", breakdown="total", category="", label="All", numerator=12,
        sort_order=0,
    )
    samples["report_pk"] = report
    samples["metric_code"] = "referrals_received"
    now = timezone.now()
    samples["report_publisher"] = publisher
    samples["requested_job_pk"] = RequestedJob.objects.create(
        kind=REPORT_PDF, title="PDF of the performance report for January 2024",
        arguments={"report_pk": report.pk}, requested_by=publisher, requested_at=now,
        status=RequestedJobStatus.DONE, stage="Done", progress=100, finished_at=now,
        file_name=pdf_file_name(report), content_type="application/pdf",
        content=b"%PDF-1.7 sample", expires_at=now + FILE_LIFETIME)
