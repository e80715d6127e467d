"""The background jobs page: each job's state, progress and outcome, never its data,
read by information governance and administrators, each reading audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.conftest import StandardUsers
from macehub.people.codes import LinkJobStatus
from macehub.people.models import LinkJob

pytestmark = pytest.mark.django_db

LINK_TASK = "macehub.people.list_linking.run_link_job"
MOMENT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def _job(status: str, args: list[object], *, path: str = LINK_TASK, minutes: int = 0,
         exception: str = "", traceback: str = "") -> DBTaskResult:
    started = MOMENT + dt.timedelta(minutes=minutes)
    result = DBTaskResult.objects.create(
        status=status, args_kwargs={"args": args, "kwargs": {}}, task_path=path,
        backend_name="default", run_after=started,
        started_at=None if status == TaskResultStatus.READY else started,
        finished_at=started + dt.timedelta(minutes=1) if status in (
            TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL) else None,
        exception_class_path=exception, traceback=traceback)
    DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=started)
    return result


def _link_job(users: StandardUsers, stage: str, progress: int) -> LinkJob:
    return LinkJob.objects.create(
        requested_by=users[Role.ANALYST], requested_at=timezone.now(),
        status=LinkJobStatus.RUNNING, stage=stage, progress=progress,
        left_name="Riverside Academy pupils Sasha Secretchild.csv",
        left_list="name\nSasha Secretchild\n")


def test_jobs_show_state_progress_and_outcome_but_never_their_data(
        users: StandardUsers, django_assert_max_num_queries: object) -> None:
    running = _link_job(users, "Comparing the lists", 40)
    _job(TaskResultStatus.RUNNING, [running.pk], minutes=3)
    _job(TaskResultStatus.FAILED, [999_999], minutes=2, exception="builtins.ValueError",
         traceback="ValueError: Sasha Secretchild has no date of birth")
    _job(TaskResultStatus.SUCCESSFUL, [], path="macehub.other.tasks.tidy_up", minutes=1)
    _job(TaskResultStatus.READY, [running.pk])
    client = users.client(Role.INFORMATION_GOVERNANCE)
    with django_assert_max_num_queries(12):  # fixed: one for jobs, one per kind of job
        page = client.get(reverse("audit:jobs")).content.decode()
    rows = page.split("<tbody")[1].split("<tr")[1:]
    assert len(rows) == 4
    assert "Linking a list of people" in rows[0] and "Running" in rows[0]
    assert "40%: Comparing the lists" in rows[0]
    assert "Failed" in rows[1] and "Stopped by ValueError" in rows[1]
    assert "Not recorded" in rows[1]  # its link job is gone
    assert "tidy_up" in rows[2] and "Finished" in rows[2] and "Done" in rows[2]
    assert "Waiting" in rows[3] and "Not yet" in rows[3]
    assert "Sasha" not in page and "Riverside" not in page
    event = AuditEvent.objects.get(event_type=EventType.VIEW,
                                   record_type="django_tasks_db.dbtaskresult")
    assert event.actor_id == users[Role.INFORMATION_GOVERNANCE].pk
    assert event.detail["shown"] == 4


def test_the_query_count_does_not_grow_with_the_jobs(
        users: StandardUsers, django_assert_max_num_queries: object) -> None:
    for index in range(30):
        job = _link_job(users, "Reading the lists", index)
        _job(TaskResultStatus.RUNNING, [job.pk], minutes=index)
    client = users.client(Role.ADMINISTRATOR)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit:jobs"))
    assert response.content.decode().count("Linking a list of people") == 30


def test_with_no_jobs_the_page_says_so(users: StandardUsers) -> None:
    page = users.client(Role.ADMINISTRATOR).get(reverse("audit:jobs")).content.decode()
    assert "No background jobs have been run." in page


@pytest.mark.parametrize("role", [Role.ANALYST, Role.SUPERVISOR, Role.REFERRER])
def test_other_roles_are_refused(users: StandardUsers, role: Role) -> None:
    assert users.client(role).get(reverse("audit:jobs")).status_code == 403
