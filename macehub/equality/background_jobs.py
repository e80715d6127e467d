"""Equality's long work, asked for from its pages and run in the background
(``governance.requested_jobs``): drawing the published disproportionality table as a
PDF (small numbers always suppressed), whose download is audited as the export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils import timezone

from macehub.access.actions import Action
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.equality.analysis import disproportionality
from macehub.equality.forms import analysis_form
from macehub.equality.published import (
    PUBLISHED_RECORD_TYPE,
    export_detail,
    publish,
    published_heading,
    published_pdf,
)
from macehub.equality.suppression import threshold_from_settings
from macehub.governance.requested_job_models import RequestedJob
from macehub.governance.requested_jobs import (
    REQUESTED_JOB_KINDS,
    DrawnFile,
    JobResult,
    Progress,
    RequestedJobKind,
)
from macehub.people.populations import population

PUBLISHED_PDF = "equality.published_pdf"


class ChoicesGone(Exception):
    """The choices the PDF was asked for no longer make a table."""


def published_table_pdf(actor: User, arguments: dict[str, Any],
                        progress: Progress) -> JobResult:
    query = QueryDict(mutable=True)
    query.update(arguments["query"])
    form = analysis_form(query)
    if not form.is_valid() or form.cleaned_data["area"] is None:
        raise ChoicesGone("The area or period chosen can no longer be analysed. "
                          "Choose again on the published table's page.")
    data = form.cleaned_data
    progress("Working out the rates and their intervals", 10)
    analysis = disproportionality(
        population=population(data["population"]), start=data["start"], end=data["end"],
        area=data["area"], comparator=data["comparator"], level=data["level"],
        ethnicity=data["ethnicity"])
    table = publish(analysis, threshold_from_settings())
    progress("Drawing the PDF", 50)
    content = published_pdf({
        "table": table, "analysis": analysis, "population": population(data["population"]),
        "heading": published_heading(data["population"], analysis),
        "generated": timezone.localdate()})
    return JobResult(
        file=DrawnFile(content, f"disproportionality-{timezone.localdate().isoformat()}.pdf"),
        drawn=export_detail(data["population"], analysis, table, "pdf"))


def published_table_pdf_downloaded(actor: User, job: RequestedJob,
                                   request: HttpRequest | None) -> None:
    record_event(event_type=EventType.EXPORT, actor=actor, record_type=PUBLISHED_RECORD_TYPE,
                 detail=job.arguments["drawn"], request=request)


REQUESTED_JOB_KINDS.register(PUBLISHED_PDF, RequestedJobKind(
    label="Drawing the published disproportionality table's PDF",
    action=Action.EQUALITY_PUBLISHED_VIEW, run=published_table_pdf, problems=(ChoicesGone,),
    downloaded=published_table_pdf_downloaded))
