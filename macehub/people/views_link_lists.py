"""Linking a partner's list from a page (analysts and supervisors): upload it, watch the
job's progress, download the pairs. Thin: ``people.list_linking`` reads the lists, runs
the job in the background (``access`` scoping each job to its requester) and audits."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from macehub.access import opening
from macehub.access.actions import Action
from macehub.access.typing import HubRequest
from macehub.access.views import requires
from macehub.core.csv_export import csv_download
from macehub.people import list_linking
from macehub.people.codes import LinkJobStatus
from macehub.people.forms import LinkListsForm
from macehub.people.outside_lists import ListRefused

JOBS_LISTED = 10


@requires(Action.PERSON_LIST_LINK)
def link_lists(request: HubRequest) -> HttpResponse:
    """Upload a list to link; the user's latest jobs below."""
    user = request.user
    form = LinkListsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        against_list = data["against"] == LinkListsForm.LIST
        try:
            job = list_linking.start_link_job(
                actor=user, left_name=data["left"].name, left=data["left"].read(),
                right_name=data["right"].name if against_list else "",
                right=data["right"].read() if against_list else None,
                threshold=data["threshold"])
        except ListRefused as refused:
            field = "right" if against_list and refused.name == data["right"].name else "left"
            for problem in refused.problems[:10]:
                form.add_error(field, f"{refused.name}: {problem}")
            if len(refused.problems) > 10:
                form.add_error(field, f"{refused.name}: and {len(refused.problems) - 10} "
                                      f"more problems")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Linking {job.left_name} has started.")
            return redirect("people:link_job", job_pk=job.pk)
    return render(request, "people/link_lists.html", {
        "form": form, "jobs": list(list_linking.jobs_for(user)[:JOBS_LISTED]),
    }, status=400 if form.errors else 200)


@requires(Action.PERSON_LIST_LINK)
def link_job(request: HubRequest, job_pk: int) -> HttpResponse:
    """A job's progress (``?progress``: as JSON, for the page to follow it), and its
    pairs once done."""
    job = list_linking.job_for(request.user, job_pk)
    if "progress" in request.GET:
        return JsonResponse({"status": job.status, "stage": job.stage,
                             "progress": job.progress, "finished": job.is_finished})
    opening.record_viewed(request, job, page="linking job")
    return render(request, "people/link_job.html", {
        "job": job, "done": job.status == LinkJobStatus.DONE,
        "failed": job.status == LinkJobStatus.FAILED,
    })


@requires(Action.PERSON_LIST_LINK)
def link_job_pairs(request: HubRequest, job_pk: int) -> HttpResponse:
    """The pairs as CSV (an export, audited)."""
    job = list_linking.job_for(request.user, job_pk)
    if job.status != LinkJobStatus.DONE:
        messages.error(request, "The pairs are not ready yet.")
        return redirect("people:link_job", job_pk=job.pk)
    list_linking.pairs_downloaded(user=request.user, job=job, request=request)
    return csv_download(job.pairs, filename=f"pairs-{job.pk}.csv")
