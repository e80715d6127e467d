"""The page of a job a member of staff asked for (its stage while it runs, its result
when done) and the download of the file it drew. Thin: fetch through the policy,
render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.governance import requested_jobs
from macehub.governance.codes import RequestedJobStatus


@requires(Action.REQUESTED_JOB_VIEW)
def requested_job(request: HubRequest, requested_job_pk: int) -> HttpResponse:
    """The job's progress (``?progress``: as JSON, for the page to follow it), and its
    result once done."""
    job = requested_jobs.job_for(request.user, requested_job_pk)
    if "progress" in request.GET:
        return JsonResponse({"status": job.status, "stage": job.stage,
                             "progress": job.progress, "finished": job.is_finished})
    opening.record_viewed(request, job, page="requested job")
    return render(request, "governance/requested_job.html", {
        "job": job, "done": job.status == RequestedJobStatus.DONE,
        "failed": job.status == RequestedJobStatus.FAILED,
        "file_available": requested_jobs.file_available(job),
        "lifetime_hours": int(requested_jobs.FILE_LIFETIME.total_seconds() // 3600),
    })


@requires(Action.REQUESTED_JOB_VIEW)
def requested_job_file(request: HubRequest, requested_job_pk: int) -> HttpResponse:
    """The file the job drew, once: it is deleted from the hub as it is handed over."""
    drawn = requested_jobs.take_file(actor=request.user, job_pk=requested_job_pk,
                                     request=request)
    if drawn is None:
        messages.error(request, "This file is no longer in the hub: it has been downloaded "
                                "or has expired. Ask for it again.")
        return redirect("audit:requested_job", requested_job_pk=requested_job_pk)
    response = HttpResponse(drawn.content, content_type=drawn.content_type)
    response["Content-Disposition"] = f'attachment; filename="{drawn.file_name}"'
    return response
