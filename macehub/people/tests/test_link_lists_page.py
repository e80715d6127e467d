"""Linking a partner's list from the analysts' page: a list is checked as it is uploaded
(one that cannot be read is refused with its rows and columns, and no job starts), linked
in the background against the hub's people the analyst may see or another list, its
progress readable while it runs, its pairs downloaded (audited) by the analyst alone,
and the lists deleted once it ends."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.people.codes import LinkJobStatus
from macehub.people.models import LinkJob, Person
from macehub.people.tests.test_link_records import HEADER, roll_of
from macehub.testing.factories import signed_in_client

pytestmark = pytest.mark.django_db

PAGE = reverse("people:link_lists")


def upload(name: str, rows: list[list[str]], header: list[str] = HEADER) -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode(), content_type="text/csv")


@pytest.fixture
def analyst(small_demo_for_module: str) -> User:
    return User.objects.get(username="analyst.police")


def start(client: Client, captured: Any, **fields: Any) -> Any:
    with captured(execute=True):
        return client.post(PAGE, fields)


def test_a_list_linked_against_the_hub_is_followed_and_downloaded(
        analyst: User, django_capture_on_commit_callbacks: Any) -> None:
    people = list(Person.objects.filter(is_restricted=False).order_by("pk")[:60])
    client = signed_in_client(analyst)
    response = start(client, django_capture_on_commit_callbacks,
                     left=upload("school-roll.csv", roll_of(people, "R")), against="hub")
    job = LinkJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:link_job", args=[job.pk])

    assert job.status == LinkJobStatus.DONE and job.progress == 100
    assert job.left_list == "" and job.right_list == "", "the lists are deleted at the end"
    assert job.left_records == 60 and job.pairs_found
    progress = client.get(reverse("people:link_job", args=[job.pk]) + "?progress=1").json()
    assert progress == {"status": "done", "stage": "Done", "progress": 100, "finished": True}
    page = client.get(reverse("people:link_job", args=[job.pk])).content.decode()
    assert f"{job.pairs_found} pair" in page and "Download the pairs (CSV)" in page
    assert job.training_notes == [] and "data-training-notes" not in page

    download = client.get(reverse("people:link_job_pairs", args=[job.pk]))
    assert download["Content-Disposition"] == f'attachment; filename="pairs-{job.pk}.csv"'
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    found = {(row["left_id"], int(row["right_id"])) for row in rows}
    own = {(f"R{number:03d}", person.pk) for number, person in enumerate(people)}
    assert len(own & found) >= len(own) - 2
    export = AuditEvent.objects.get(event_type=EventType.EXPORT, record_id=str(job.pk))
    assert set(export.detail["people"]) == {int(row["right_id"]) for row in rows}
    assert AuditEvent.objects.filter(event_type=EventType.IMPORT, record_id=str(job.pk)).exists()


def test_a_restricted_record_the_analyst_may_not_see_is_never_linked(
        analyst: User, django_capture_on_commit_callbacks: Any) -> None:
    hidden = [person for person in Person.objects.filter(is_restricted=True).order_by("pk")
              if not Person.objects.filter(pk=person.pk, allocations__user=analyst).exists()]
    assert hidden, "the demo restricts some records"
    people = list(Person.objects.filter(is_restricted=False).order_by("pk")[:40])
    start(signed_in_client(analyst), django_capture_on_commit_callbacks,
          left=upload("roll.csv", roll_of(people + hidden, "R")), against="hub")
    job = LinkJob.objects.get()
    named = {int(row["right_id"]) for row in csv.DictReader(io.StringIO(job.pairs))}
    assert named and not named & {person.pk for person in hidden}


def test_two_lists_are_linked_with_each_others_ids(
        analyst: User, django_capture_on_commit_callbacks: Any) -> None:
    people = list(Person.objects.order_by("pk")[:60])
    start(signed_in_client(analyst), django_capture_on_commit_callbacks,
          left=upload("roll.csv", roll_of(people, "R")), against="list",
          right=upload("missing.csv", roll_of(people, "M", mistyped_every=5)),
          threshold="0.9")
    job = LinkJob.objects.get()
    assert job.status == LinkJobStatus.DONE and job.right_records == 60
    assert job.threshold_used == pytest.approx(0.9)
    rows = list(csv.DictReader(io.StringIO(job.pairs)))
    assert rows and all(row["left_id"].startswith("R") and row["right_id"].startswith("M")
                        for row in rows)


def test_an_unreadable_list_is_refused_with_its_rows_and_no_job_starts(analyst: User) -> None:
    client = signed_in_client(analyst)
    bad = upload("roll.csv", [["R1", "Ada", "2011-13-40"]],
                 header=["rec_id", "given_name", "date_of_birth"])
    response = client.post(PAGE, {"left": bad, "against": "hub", "threshold": "0.8"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "no column headed" in page
    assert "family_name" in page
    assert 'value="0.8"' in page, "what was typed is kept"
    missing = client.post(PAGE, {"left": upload("roll.csv", []), "against": "list"})
    assert "Select the other list" in missing.content.decode()
    assert not LinkJob.objects.exists()


def test_a_job_is_its_requesters_alone(analyst: User,
                                       django_capture_on_commit_callbacks: Any) -> None:
    people = list(Person.objects.order_by("pk")[:40])
    start(signed_in_client(analyst), django_capture_on_commit_callbacks,
          left=upload("roll.csv", roll_of(people, "R")), against="hub")
    job = LinkJob.objects.get()
    colleague = User.objects.get(username="supervisor.police")
    other = signed_in_client(colleague)
    assert other.get(reverse("people:link_job", args=[job.pk])).status_code == 404
    assert other.get(reverse("people:link_job_pairs", args=[job.pk])).status_code == 404
    triage = signed_in_client(User.objects.get(username="triage.police"))
    assert triage.get(PAGE).status_code == 403


def test_a_job_whose_model_was_adjusted_says_so_beside_its_pairs(
        analyst: User, django_capture_on_commit_callbacks: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An EM session Splink refuses on the lists (its estimate collapsed) is run again,
    then left out: the job keeps what was done and its page tells the analyst."""
    from splink.internals.linker_components.training import LinkerTraining

    estimate = LinkerTraining.estimate_parameters_using_expectation_maximisation

    def collapses(self: Any, rule: Any, **options: Any) -> Any:
        if "date_of_birth" in str(rule.get_blocking_rule("duckdb").blocking_rule_sql):
            raise ValueError("m_probability value 0.0 is below the minimum allowed value "
                             "of 1e-300.")
        return estimate(self, rule, **options)

    monkeypatch.setattr(LinkerTraining, "estimate_parameters_using_expectation_maximisation",
                        collapses)
    people = list(Person.objects.filter(is_restricted=False).order_by("pk")[:60])
    client = signed_in_client(analyst)
    start(client, django_capture_on_commit_callbacks,
          left=upload("school-roll.csv", roll_of(people, "R")), against="hub")
    job = LinkJob.objects.get()
    assert job.status == LinkJobStatus.DONE
    assert job.training_notes == ["EM on pairs with the same date of birth: left out"]
    page = client.get(reverse("people:link_job", args=[job.pk])).content.decode()
    assert "could not be estimated in full" in page
    assert "EM on pairs with the same date of birth: left out" in page
