"""Training records as the services keep them: entered by the training lead of the
person's agency (expiry from the course's validity unless given, once per person, course
and day, audited); imported from a learning system's file all or nothing with a row by
row report, from the upload page and the management command. All names are made up."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404

from macehub.accounts.models import Agency, Team
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.models import AuditEvent
from macehub.testing.factories import make_team, make_user
from macehub.training import services
from macehub.training.codes import RecordSource
from macehub.training.models import Course, TrainingImport, TrainingRecord

pytestmark = pytest.mark.django_db

TUESDAY = dt.datetime(2026, 3, 3, 11, 0, tzinfo=dt.UTC)


@pytest.fixture
def staff(hub_agency: Agency, hub_team: Team, partner_agency: Agency) -> dict[str, Any]:
    lead = make_user("lea.lead", Role.TRAINING_LEAD, agency=hub_agency, team=hub_team)
    officer = make_user("ollie.officer", Role.INVESTIGATOR, agency=hub_agency, team=hub_team)
    officer.email = "ollie.officer@example.org"
    officer.save()
    outsider = make_user("pat.partner", Role.SOCIAL_WORKER, agency=partner_agency,
                         team=make_team(partner_agency, "Children's team"))
    return {"lead": lead, "officer": officer, "outsider": outsider, "agency": hub_agency}


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 11, 15), 36) == dt.date(2029, 11, 15)


@time_machine.travel(TUESDAY, tick=False)
def test_the_training_lead_enters_a_record_expiring_by_the_courses_validity(
        staff: dict[str, Any]) -> None:
    course = Course.objects.get(code="cse_awareness")
    record = services.record_training(actor=staff["lead"], person_pk=staff["officer"].pk,
                                      course_pk=course.pk, completed_on=dt.date(2026, 1, 10),
                                      evidence=" CERT-1 ")
    assert record.expires_on == dt.date(2029, 1, 10)
    assert (record.evidence, record.source, record.recorded_by) == (
        "CERT-1", RecordSource.ENTERED, staff["lead"])
    event = AuditEvent.objects.get(event_type=EventType.CREATE, record_id=str(record.pk))
    assert event.detail["course"] == "cse_awareness"
    given = services.record_training(actor=staff["lead"], person_pk=staff["officer"].pk,
                                     course_pk=course.pk, completed_on=dt.date(2025, 1, 10),
                                     expires_on=dt.date(2026, 1, 10))
    assert given.expires_on == dt.date(2026, 1, 10)
    with pytest.raises(ValidationError) as refused:
        services.record_training(actor=staff["lead"], person_pk=staff["officer"].pk,
                                 course_pk=course.pk, completed_on=dt.date(2026, 1, 10))
    assert "already recorded" in refused.value.message_dict["completed_on"][0]
    with pytest.raises(ValidationError) as refused:
        services.record_training(actor=staff["lead"], person_pk=staff["officer"].pk,
                                 course_pk=None, completed_on=dt.date(2026, 3, 4))
    assert set(refused.value.message_dict) == {"course", "completed_on"}
    assert TrainingRecord.objects.count() == 2


def test_a_person_of_another_agency_is_not_found(staff: dict[str, Any]) -> None:
    with pytest.raises(Http404):
        services.record_training(actor=staff["lead"], person_pk=staff["outsider"].pk,
                                 course_pk=Course.objects.first().pk,  # type: ignore[union-attr]
                                 completed_on=dt.date(2026, 1, 1))


def _csv(*rows: str) -> io.BytesIO:
    text = "username or e-mail,course code,completed on,expires on,evidence\n" + "\n".join(rows)
    upload = io.BytesIO(text.encode())
    upload.name = "learning-system.csv"
    return upload


GOOD = ("ollie.officer,cse_awareness,2026-01-10,,CERT-1",
        "ollie.officer@example.org,abe_interviewing,10/02/2025,10/02/2028,ABE-7",
        "lea.lead,cse_awareness,2025-12-01,,")


@time_machine.travel(TUESDAY, tick=False)
def test_an_import_is_all_or_nothing_with_a_report_row_by_row(staff: dict[str, Any]) -> None:
    with pytest.raises(services.TrainingImportRefused) as refused:
        services.import_training_records(
            _csv(*GOOD, "pat.partner,cse_awareness,2026-01-10,,",
                 "ollie.officer,no_such_course,2026-31-01,,",
                 "ollie.officer,cse_awareness,2026-01-10,,again"),
            actor=staff["lead"], agency=staff["agency"])
    report = [str(problem) for problem in refused.value.problems]
    assert report == [
        'Row 5, column "username or e-mail": No one in County Police has the username or '
        "e-mail “pat.partner”",
        'Row 6, column "course code": There is no course with the code “no_such_course”',
        'Row 6, column "completed on": Enter the date completed as YYYY-MM-DD or DD/MM/YYYY',
        "Row 7: The same person, course and date is on an earlier row",
    ]
    assert not TrainingRecord.objects.exists() and not TrainingImport.objects.exists()

    summary = services.import_training_records(_csv(*GOOD), actor=staff["lead"],
                                               agency=staff["agency"])
    done = summary.training_import
    assert str(summary) == ("Imported 3 training records for County Police from "
                            "learning-system.csv.")
    assert done.training_records.filter(source=RecordSource.IMPORTED).count() == 3
    abe = TrainingRecord.objects.get(course__code="abe_interviewing")
    assert (abe.completed_on, abe.expires_on, abe.evidence) == (
        dt.date(2025, 2, 10), dt.date(2028, 2, 10), "ABE-7")
    assert AuditEvent.objects.get(event_type=EventType.IMPORT).detail["records"] == 3

    # The same rows again are duplicates, refused row by row.
    with pytest.raises(services.TrainingImportRefused) as refused:
        services.import_training_records(_csv(GOOD[0]), actor=staff["lead"],
                                         agency=staff["agency"])
    assert "is already recorded" in str(refused.value.problems[0])


def test_an_import_for_another_agency_is_refused(staff: dict[str, Any],
                                                 partner_agency: Agency) -> None:
    with pytest.raises(ValidationError, match="your own agency"):
        services.import_training_records(_csv(*GOOD), actor=staff["lead"],
                                         agency=partner_agency)


@time_machine.travel(TUESDAY, tick=False)
def test_the_command_imports_a_file_or_lists_its_problems(
        staff: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv("nobody,cse_awareness,2026-01-10,,").getvalue())
    with pytest.raises(CommandError, match=r"bad\.csv was not imported"):
        call_command("import_training_records", str(bad), "--agency", "county-police")
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(*GOOD).getvalue())
    out = io.StringIO()
    call_command("import_training_records", str(good), "--agency", "county-police",
                 stdout=out)
    assert "Imported 3 training records" in out.getvalue()
    assert TrainingImport.objects.get().imported_by is None
