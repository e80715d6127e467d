"""Long work asked for from a page, run in the background: publishing a month (all or
nothing, the failure said plainly) and drawing a published report's PDF (downloaded
once, then deleted; deleted unread when it expires), each followed on its own page by
its requester alone, listed on the background jobs page, and run for real by the
database backend's worker."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.core import metrics
from macehub.governance import requested_jobs
from macehub.governance.codes import RequestedJobStatus
from macehub.governance.models import RequestedJob
from macehub.governance.tests.requested_jobs import job_asked_for
from macehub.performance import background_jobs, exports
from macehub.performance.models import MonthlyReport, ReportFigure
from macehub.performance.services import publish_month
from macehub.testing.factories import make_user, verified_login

pytestmark = pytest.mark.django_db

PUBLISH = reverse("performance:publish")
MARCH = {"month": "2024-03", "confirmed": "yes"}
FAKE_PDF = b"%PDF-1.7 drawn for the test"


def job_page(job: RequestedJob) -> str:
    return reverse("audit:requested_job", kwargs={"requested_job_pk": job.pk})


def file_url(job: RequestedJob) -> str:
    return reverse("audit:requested_job_file", kwargs={"requested_job_pk": job.pk})


@pytest.fixture
def fast_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's real PDF is checked in performance's tests; here only its journey."""
    monkeypatch.setattr(exports, "report_pdf", lambda published, summary=None: FAKE_PDF)


def test_publishing_runs_in_the_background_and_leads_to_the_published_report(
        users: StandardUsers, django_capture_on_commit_callbacks: Any) -> None:
    leader = users.client(Role.SENIOR_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(leader.post(PUBLISH, MARCH))
    job.refresh_from_db()
    report = MonthlyReport.objects.get(month=dt.date(2024, 3, 1))
    assert job.status == RequestedJobStatus.DONE and job.progress == 100
    assert job.result_url == reverse("performance:report", kwargs={"report_pk": report.pk})
    page = leader.get(job_page(job)).content.decode()
    assert "Read the published report for March 2024" in page and job.result_url in page
    assert "data-link-job" not in page  # finished: the page no longer follows it
    assert AuditEvent.objects.filter(event_type=EventType.CREATE, record_id=str(report.pk),
                                     record_type="performance.monthlyreport").exists()
    # Only the publisher may follow it: to anyone else, even another publisher, a 404.
    other_leader = Client()
    verified_login(other_leader, make_user("second.leader", Role.SENIOR_LEADER,
                                           agency=users[Role.SENIOR_LEADER].agency))
    assert other_leader.get(job_page(job)).status_code == 404
    assert users.client(Role.ANALYST).get(job_page(job)).status_code == 404
    assert users.client(Role.ANALYST).get(
        job_page(job) + "?progress=1").status_code == 404


def test_a_month_that_cannot_be_published_is_refused_before_any_job_starts(
        users: StandardUsers) -> None:
    today = timezone.localdate()
    response = users.client(Role.SENIOR_LEADER).post(
        PUBLISH, {"month": f"{today:%Y-%m}", "confirmed": "yes"})
    assert response.status_code == 200 and "has not ended yet" in response.content.decode()
    assert not RequestedJob.objects.exists()


def test_a_publish_that_fails_says_why_and_freezes_nothing(
        users: StandardUsers, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    leader = users.client(Role.SENIOR_LEADER)
    # Another publisher froze the month while this job waited: the user is told.
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = job_asked_for(leader.post(PUBLISH, MARCH))
    publish_month(actor=users[Role.SENIOR_LEADER], year=2024, month=3)
    figures = ReportFigure.objects.count()
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.status == RequestedJobStatus.FAILED
    assert job.problem.startswith("March 2024 has already been published.")
    page = leader.get(job_page(job)).content.decode()
    assert "This did not finish." in page and "March 2024 has already been published." in page
    assert ReportFigure.objects.count() == figures

    # A measure that breaks half way: nothing is frozen, the job says so, and the error
    # is raised again for the worker's log.
    def broken(metric: metrics.Metric, period: metrics.Period,
               filters: Any = None) -> list[metrics.Figure]:
        raise RuntimeError("Sasha Secretchild has no date of birth")

    monkeypatch.setattr(metrics.Metric, "figures", broken)
    april = requested_jobs.start_requested_job(
        actor=users[Role.SENIOR_LEADER], kind=background_jobs.PUBLISH,
        title="Publishing the report for April 2024", arguments={"year": 2024, "month": 4})
    with pytest.raises(RuntimeError):
        requested_jobs.run_requested_job.call(april.pk)
    april.refresh_from_db()
    assert april.status == RequestedJobStatus.FAILED
    assert april.problem == requested_jobs.FAILED_UNEXPECTEDLY
    assert "Sasha" not in leader.get(job_page(april)).content.decode()
    assert not MonthlyReport.objects.filter(month=dt.date(2024, 4, 1)).exists()


def test_a_pdf_is_downloaded_once_by_its_requester_then_deleted(
        users: StandardUsers, django_capture_on_commit_callbacks: Any,
        fast_pdf: None) -> None:
    report = publish_month(actor=users[Role.SENIOR_LEADER], year=2024, month=3)
    analyst = users.client(Role.ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(analyst.post(
            reverse("performance:report_pdf", kwargs={"report_pk": report.pk})))
    assert analyst.get(reverse("performance:report_pdf", kwargs={
        "report_pk": report.pk})).status_code == 405  # asked for by a form's POST alone
    page = analyst.get(job_page(job)).content.decode()
    assert "mace-hub-performance-2024-03.pdf" in page and file_url(job) in page
    # Someone else cannot see the job or take its file, and the file stays.
    supervisor = users.client(Role.SUPERVISOR)
    assert supervisor.get(job_page(job)).status_code == 404
    assert supervisor.get(file_url(job)).status_code == 404

    download = analyst.get(file_url(job))
    assert download.status_code == 200 and download.content == FAKE_PDF
    assert download["Content-Type"] == "application/pdf"
    assert 'filename="mace-hub-performance-2024-03.pdf"' in download["Content-Disposition"]
    job.refresh_from_db()
    assert job.content is None and job.downloaded_at is not None
    exported = AuditEvent.objects.filter(event_type=EventType.EXPORT,
                                         actor_id=users[Role.ANALYST].pk)
    assert exported.filter(record_type="performance.monthlyreport",
                           record_id=str(report.pk), detail__format="pdf").count() == 1
    assert exported.filter(record_type="governance.requestedjob",
                           record_id=str(job.pk)).count() == 1

    # Once downloaded, it is gone: the job's page says so.
    again = analyst.get(file_url(job), follow=True).content.decode()
    assert "no longer in the hub" in again and "has been downloaded" in again
    assert exported.count() == 2


def test_a_file_not_downloaded_in_time_is_deleted_and_the_job_a_month_after(
        users: StandardUsers, django_capture_on_commit_callbacks: Any,
        fast_pdf: None) -> None:
    report = publish_month(actor=users[Role.SENIOR_LEADER], year=2024, month=3)
    leader = users.client(Role.SENIOR_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(leader.post(
            reverse("performance:report_pdf", kwargs={"report_pk": report.pk})))
    job.refresh_from_db()
    assert job.expires_at is not None and job.finished_at is not None
    assert job.expires_at - job.finished_at == requested_jobs.FILE_LIFETIME
    assert requested_jobs.purge_expired_files(job.expires_at - dt.timedelta(minutes=1)) == 0
    assert requested_jobs.purge_expired_files(job.expires_at) == 1
    output = io.StringIO()
    call_command("purge_job_files", stdout=output)  # the scheduled purge: none left
    assert output.getvalue() == (
        "0 expired files deleted; 0 finished jobs older than 30 days deleted.\n")
    # A day later, as the purge's clock said.
    RequestedJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    job.refresh_from_db()
    assert job.content is None
    page = leader.get(file_url(job), follow=True).content.decode()
    assert "it was not downloaded in time" in page
    assert not AuditEvent.objects.filter(event_type=EventType.EXPORT).exists()
    # The job's record goes 30 days after it finished; one still waiting stays, however old.
    waiting = RequestedJob.objects.create(
        kind=job.kind, title="Waiting", requested_by=job.requested_by,
        requested_at=job.finished_at - dt.timedelta(days=60))
    kept_until = job.finished_at + requested_jobs.JOB_RECORD_LIFETIME
    assert requested_jobs.purge_finished_jobs(kept_until - dt.timedelta(minutes=1)) == 0
    assert requested_jobs.purge_finished_jobs(kept_until) == 1
    assert list(RequestedJob.objects.all()) == [waiting]
    assert leader.get(job_page(job)).status_code == 404


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default"]}}


@override_settings(TASKS=DATABASE_TASKS)
def test_the_database_backend_queues_the_job_and_its_worker_runs_it(
        users: StandardUsers, django_capture_on_commit_callbacks: Any,
        fast_pdf: None) -> None:
    """The path production takes: the page queues the job in the database; the job
    waits, and shows so, until ``manage.py db_worker`` runs it."""
    report = publish_month(actor=users[Role.SENIOR_LEADER], year=2024, month=3)
    leader = users.client(Role.SENIOR_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        job = job_asked_for(leader.post(
            reverse("performance:report_pdf", kwargs={"report_pk": report.pk})))
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == requested_jobs.run_requested_job.module_path
    assert queued.args_kwargs["args"] == [job.pk]
    waiting = leader.get(job_page(job)).content.decode()
    assert "Waiting for the hub&#x27;s worker to start it" in waiting
    assert "data-link-job" in waiting and "Check again" in waiting
    assert leader.get(job_page(job) + "?progress=1").json() == {
        "status": "queued", "stage": "Waiting for the hub's worker to start it",
        "progress": 0, "finished": False}

    jobs = users.client(Role.INFORMATION_GOVERNANCE).get(reverse("audit:jobs")).content
    assert b"Asked for from a page" in jobs
    assert b"Drawing a published report&#x27;s PDF: Waiting" in jobs

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                    startup_delay=False, max_tasks=1, worker_id="test-worker",
                    excluded_queue_names=[])
    claimed = DBTaskResult.objects.ready().get_locked()
    assert claimed is not None
    claimed.claim(worker.worker_id)
    worker.run_task(claimed)

    claimed.refresh_from_db()
    assert claimed.status == TaskResultStatus.SUCCESSFUL
    job.refresh_from_db()
    assert job.status == RequestedJobStatus.DONE and bytes(job.content or b"") == FAKE_PDF
    assert leader.get(job_page(job) + "?progress=1").json()["finished"] is True
    assert leader.get(file_url(job)).content == FAKE_PDF
