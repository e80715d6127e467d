"""Following a job asked for from a page, in tests: the page's POST answers with the
job's page (the ImmediateBackend has run it by then, once the request's transaction
commits), whose file is then downloaded."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse

from macehub.governance.models import RequestedJob


def job_asked_for(response: HttpResponse) -> RequestedJob:
    """The job a page's POST started, from the job page it redirected to."""
    assert response.status_code == 302, response.status_code
    match = resolve(response["Location"])
    assert match.view_name == "audit:requested_job", match.view_name
    return RequestedJob.objects.get(pk=match.kwargs["requested_job_pk"])


def post_and_download(client: Client, captured: Any, url: str,
                      data: dict[str, Any] | None = None) -> HttpResponse:
    """POST to a page that draws a file in the background, then download the file from
    the job's page (``captured``: pytest-django's ``django_capture_on_commit_callbacks``)."""
    with captured(execute=True):
        response = client.post(url, data or {})
    job = job_asked_for(response)
    page = client.get(response["Location"])
    assert page.status_code == 200
    file_url = reverse("audit:requested_job_file", kwargs={"requested_job_pk": job.pk})
    assert file_url in page.content.decode(), page.content.decode()
    download: HttpResponse = client.get(file_url)
    return download
