"""The one way to change training records. Each service is keyword-only with the acting
user first; in one transaction it checks the actor may keep the person's training (the
access policy's ``TRAINING_RECORD``: a training lead, for the people of their agency),
validates, writes and records the audit event.

A record's expiry comes from the course's validity unless one is given; the same person,
course and completion day are recorded once. A learning system's file is imported all or
nothing for one agency: every row is checked (the person is found by username or e-mail
among the agency's people, the course by code, the dates read) and, if any row is wrong,
the row-by-row report says what and nothing is written.

The training lead keeps the courses (``TRAINING_COURSE_MANAGE``): adds one, changes its
details or takes it out of use (version-checked: a change someone else saved meanwhile
is refused with what they changed), and adds or removes the rules of who must take it,
each raising the course's version; all audited."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind, Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.csv_import import (
    FileNotImported,
    ProblemList,
    csv_records,
    read_import_file,
)
from macehub.core.service_errors import ServiceRefused
from macehub.core.submissions import refuse_if_already_submitted
from macehub.core.versioning import Versioning, plain_words
from macehub.training.codes import Allocation, RecordSource, Tier
from macehub.training.models import Course, CourseRequirement, TrainingImport, TrainingRecord

EVIDENCE_LENGTH = 300
MAX_PROBLEMS = 100
IMPORT_COLUMNS = ["username or e-mail", "course code", "completed on", "expires on",
                  "evidence"]
REQUIRED_COLUMNS = ["username or e-mail", "course code", "completed on"]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def usual_expiry(course: Course, completed_on: dt.date) -> dt.date | None:
    if course.validity_months is None:
        return None
    return add_months(completed_on, course.validity_months)


def _record_errors(person: User, course: Course | None, completed_on: dt.date | None,
                   expires_on: dt.date | None, evidence: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if course is None or not course.is_active:
        errors["course"] = "Select the course"
    if completed_on is None:
        errors["completed_on"] = "Enter the date the course was completed"
    elif completed_on > timezone.localdate():
        errors["completed_on"] = "The date completed must be today or in the past"
    elif expires_on is not None and expires_on <= completed_on:
        errors["expires_on"] = "The expiry date must be after the date completed"
    if len(evidence) > EVIDENCE_LENGTH:
        errors["evidence"] = f"The evidence must be {EVIDENCE_LENGTH} characters or fewer"
    if (not errors and course is not None and completed_on is not None
            and TrainingRecord.objects.filter(person=person, course=course,
                                              completed_on=completed_on).exists()):
        errors["completed_on"] = (f"{person.display_name}'s {course.title} completed on "
                                  f"that day is already recorded")
    return errors


@transaction.atomic
def record_training(*, actor: User, person_pk: int, course_pk: int | None,
                    completed_on: dt.date | None, expires_on: dt.date | None = None,
                    evidence: str = "") -> TrainingRecord:
    """Record that a person of the actor's agency completed a course."""
    person = policy.get_or_404(actor, Action.TRAINING_RECORD,
                               User.objects.select_related("agency"), pk=person_pk)
    course = Course.objects.filter(pk=course_pk).first() if course_pk else None
    evidence = evidence.strip()
    errors = _record_errors(person, course, completed_on, expires_on, evidence)
    if errors or course is None or completed_on is None:
        raise ValidationError(errors)
    record = TrainingRecord.objects.create(
        person=person, course=course, completed_on=completed_on,
        expires_on=expires_on or usual_expiry(course, completed_on), evidence=evidence,
        source=RecordSource.ENTERED, recorded_by=actor, recorded_at=timezone.now())
    record_event(event_type=EventType.CREATE, actor=actor, record=record, detail={
        "person": person.pk, "course": course.code,
        "completed_on": completed_on.isoformat(),
        "expires_on": record.expires_on.isoformat() if record.expires_on else None})
    return record


class TrainingImportRefused(FileNotImported):
    """A learning system's file was not imported: its problems, row by row."""


class _Problems(ProblemList):
    refusal = TrainingImportRefused


@dataclass(frozen=True)
class TrainingImportSummary:
    training_import: TrainingImport

    def __str__(self) -> str:
        done = self.training_import
        return (f"Imported {done.records} training record{'s' if done.records != 1 else ''} "
                f"for {done.agency.name} from {done.file_name}.")


def _date(text: str) -> dt.date | None:
    """A day written as YYYY-MM-DD or DD/MM/YYYY; None if neither."""
    day, month, year = [*text.split("/"), "", ""][:3] if "/" in text else ("", "", "")
    try:
        if day:
            return dt.date(int(year), int(month), int(day))
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Row:
    person: User
    course: Course
    completed_on: dt.date
    expires_on: dt.date | None
    evidence: str


def _read_rows(data: bytes, agency: Agency, problems: _Problems) -> list[_Row]:
    records = csv_records(data)
    header_record = next(records, None)
    if header_record is None:
        problems.add(None, None, "The file is empty")
        return []
    header = [cell.strip().lower() for cell in header_record.cells]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        problems.add(header_record.row, None,
                     f"The header must name the columns {', '.join(IMPORT_COLUMNS)} "
                     f"(missing: {', '.join(missing)})")
        return []
    at = {column: header.index(column) for column in IMPORT_COLUMNS if column in header}
    staff = list(User.objects.filter(agency=agency))
    by_name = {user.username.lower(): user for user in staff}
    by_email = {user.email.lower(): user for user in staff if user.email}
    courses = {course.code: course for course in Course.objects.filter(is_active=True)}
    today = timezone.localdate()
    rows: list[_Row] = []
    seen: set[tuple[int, int, dt.date]] = set()
    parsed: list[tuple[int, _Row]] = []
    for record in records:
        def cell(column: str, cells: list[str] = record.cells) -> str:
            index = at.get(column)
            return cells[index].strip() if index is not None and index < len(cells) else ""
        row_problems = len(problems.found)
        who = cell("username or e-mail").lower()
        person = by_name.get(who) or by_email.get(who)
        if person is None:
            problems.add(record.row, "username or e-mail",
                         f"No one in {agency.name} has the username or e-mail “{who}”")
        course = courses.get(cell("course code"))
        if course is None:
            problems.add(record.row, "course code",
                         f"There is no course with the code “{cell('course code')}”")
        completed_on = _date(cell("completed on"))
        if completed_on is None:
            problems.add(record.row, "completed on",
                         "Enter the date completed as YYYY-MM-DD or DD/MM/YYYY")
        elif completed_on > today:
            problems.add(record.row, "completed on", "The date completed is in the future")
        expires_text = cell("expires on")
        expires_on = _date(expires_text) if expires_text else None
        if expires_text and expires_on is None:
            problems.add(record.row, "expires on",
                         "Enter the expiry date as YYYY-MM-DD or DD/MM/YYYY, or leave it empty")
        elif expires_on and completed_on and expires_on <= completed_on:
            problems.add(record.row, "expires on", "The expiry date is not after the date "
                                                   "completed")
        evidence = cell("evidence")
        if len(evidence) > EVIDENCE_LENGTH:
            problems.add(record.row, "evidence",
                         f"The evidence must be {EVIDENCE_LENGTH} characters or fewer")
        if (len(problems.found) > row_problems or problems.truncated or person is None
                or course is None or completed_on is None):
            continue
        key = (person.pk, course.pk, completed_on)
        if key in seen:
            problems.add(record.row, None, "The same person, course and date is on an "
                                           "earlier row")
            continue
        seen.add(key)
        parsed.append((record.row, _Row(person, course, completed_on,
                                        expires_on or usual_expiry(course, completed_on),
                                        evidence)))
    if parsed:
        recorded = set(TrainingRecord.objects.filter(
            person__agency=agency, course__in=courses.values()).values_list(
            "person_id", "course_id", "completed_on"))
        for row_number, row in parsed:
            if (row.person.pk, row.course.pk, row.completed_on) in recorded:
                problems.add(row_number, None,
                             f"{row.person.username}'s {row.course.code} completed on "
                             f"{row.completed_on.isoformat()} is already recorded")
            else:
                rows.append(row)
    return rows


def import_training_records(source: Path | str | IO[bytes], *, actor: User | None,
                            agency: Agency, file_name: str | None = None,
                            max_problems: int = MAX_PROBLEMS) -> TrainingImportSummary:
    """Import a learning system's CSV of training records for ``agency``, all or nothing,
    and audit it. Raises ``TrainingImportRefused`` listing every problem; nothing is
    written then. ``actor`` is the training lead uploading it (checked against the
    policy), or None for the management command."""
    if actor is not None:
        policy.require(actor, Action.TRAINING_IMPORT)
        if actor.agency_id != agency.pk:
            raise ServiceRefused("Import training records for your own agency only",
                                 field="file")
    data, source_name = read_import_file(source)
    file_name = (file_name or source_name)[:200]
    problems = _Problems(max_problems)
    rows = problems.rows_or_refusal(lambda: _read_rows(data, agency, problems),
                                    none="The file holds no training records")
    now = timezone.now()
    with transaction.atomic():
        done = TrainingImport.objects.create(agency=agency, file_name=file_name,
                                             records=len(rows), imported_by=actor,
                                             imported_at=now)
        TrainingRecord.objects.bulk_create(TrainingRecord(
            person=row.person, course=row.course, completed_on=row.completed_on,
            expires_on=row.expires_on, evidence=row.evidence, source=RecordSource.IMPORTED,
            training_import=done, recorded_by=actor, recorded_at=now) for row in rows)
        record_event(event_type=EventType.IMPORT, actor=actor, record=done, detail={
            "agency": agency.code, "file_name": file_name, "records": len(rows)})
    return TrainingImportSummary(done)



# --- The courses, kept by the training lead ----------------------------------------------

COURSE_VERSIONING = Versioning(
    history=saves_after,
    labels={"title": "Title", "tier": "Tier", "description": "What it covers",
            "validity_months": "Holds for (months)", "evidence": "Evidence expected",
            "qualifies_for": "Qualifies for", "is_active": "In use"},
    words=lambda _name, value: plain_words(value))
TITLE_LENGTH = 200
COURSE_EVIDENCE_LENGTH = 200


@dataclass(frozen=True)
class CourseDetails:
    title: str
    tier: str
    description: str = ""
    validity_months: int | None = None
    evidence: str = ""
    qualifies_for: tuple[str, ...] = ()


def _course_values(course: Course) -> dict[str, object]:
    return {"title": course.title, "tier": course.tier, "description": course.description,
            "validity_months": course.validity_months, "evidence": course.evidence,
            "qualifies_for": course.qualifies_for, "is_active": course.is_active}


def _checked(details: CourseDetails, course_pk: int | None) -> CourseDetails:
    errors: dict[str, str] = {}
    title = details.title.strip()
    if not title:
        errors["title"] = "Enter the course's title"
    elif len(title) > TITLE_LENGTH:
        errors["title"] = f"The title must be {TITLE_LENGTH} characters or fewer"
    elif Course.objects.filter(title__iexact=title).exclude(pk=course_pk or 0).exists():
        errors["title"] = "There is a course of that title already"
    if details.tier not in Tier.values:
        errors["tier"] = "Select the tier"
    if details.validity_months is not None and not 1 <= details.validity_months <= 240:
        errors["validity_months"] = ("Enter how many months it holds, from 1 to 240, or "
                                     "leave it empty")
    evidence = details.evidence.strip()
    if len(evidence) > COURSE_EVIDENCE_LENGTH:
        errors["evidence"] = (f"The evidence expected must be {COURSE_EVIDENCE_LENGTH} "
                              "characters or fewer")
    if set(details.qualifies_for) - set(Allocation.values):
        errors["qualifies_for"] = "Select only the work offered"
    if errors:
        raise ValidationError(errors)
    return CourseDetails(title=title, tier=details.tier,
                         description=details.description.strip(),
                         validity_months=details.validity_months, evidence=evidence,
                         qualifies_for=tuple(code for code in Allocation.values
                                             if code in details.qualifies_for))


@transaction.atomic
def add_course(*, actor: User, details: CourseDetails) -> Course:
    """Add a course to the catalogue (no one must take it until a rule says who)."""
    policy.require(actor, Action.TRAINING_COURSE_MANAGE)
    refuse_if_already_submitted()  # not refused for the title its first sending took
    checked = _checked(details, None)
    code = slugify(checked.title)[:40].replace("-", "_")
    if Course.objects.filter(code=code).exists():
        raise ServiceRefused("There is a course with a title like that already",
                             field="title")
    course = Course.objects.create(
        code=code, title=checked.title, tier=checked.tier, description=checked.description,
        validity_months=checked.validity_months, evidence=checked.evidence,
        qualifies_for="|".join(checked.qualifies_for))
    record_event(event_type=EventType.CREATE, actor=actor, record=course,
                 detail={"code": code, **_course_values(course)})
    return course


def _lock_course(actor: User, course_pk: int) -> Course:
    policy.require(actor, Action.TRAINING_COURSE_MANAGE)
    course = Course.objects.select_for_update().filter(pk=course_pk).first()
    if course is None:
        raise Http404("No such course")
    return course


@transaction.atomic
def change_course(*, actor: User, course_pk: int, expected_version: int,
                  details: CourseDetails, is_active: bool = True) -> Course:
    """Change a course's details, or take it out of use (its records are kept; it is
    then no one's requirement and qualifies no one)."""
    course = _lock_course(actor, course_pk)
    COURSE_VERSIONING.check(course, expected_version)
    checked = _checked(details, course.pk)
    before = _course_values(course)
    course.title, course.tier = checked.title, checked.tier
    course.description, course.evidence = checked.description, checked.evidence
    course.validity_months = checked.validity_months
    course.qualifies_for = "|".join(checked.qualifies_for)
    course.is_active = is_active
    COURSE_VERSIONING.save(course, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=course, detail={
        "changes": changed_values(before, _course_values(course)), "version": course.version})
    return course


@transaction.atomic
def add_requirement(*, actor: User, course_pk: int, expected_version: int, role: str,
                    agency_kind: str = "", team_pk: int | None = None) -> CourseRequirement:
    """Say who must take a course: a role (empty: every role), narrowed to a kind of
    agency or a team when given. Raises the course's version."""
    course = _lock_course(actor, course_pk)
    COURSE_VERSIONING.check(course, expected_version)
    errors: dict[str, str] = {}
    if role and role not in Role.values:
        errors["role"] = "Select a role, or every role"
    if agency_kind and agency_kind not in AgencyKind.values:
        errors["agency_kind"] = "Select a kind of agency, or any"
    team = Team.objects.filter(pk=team_pk, is_active=True).first() if team_pk else None
    if team_pk is not None and team is None:
        errors["team"] = "Select a team, or any"
    if not errors and course.requirements.filter(
            role=role, agency_kind=agency_kind, team=team).exists():
        errors["role"] = "That rule is there already"
    if errors:
        raise ValidationError(errors)
    rule = CourseRequirement.objects.create(course=course, role=role,
                                            agency_kind=agency_kind, team=team)
    _rules_changed(actor, course, expected_version, added=rule.describe())
    return rule


@transaction.atomic
def remove_requirement(*, actor: User, requirement_pk: int) -> Course:
    """Take a rule of who must take a course away."""
    policy.require(actor, Action.TRAINING_COURSE_MANAGE)
    rule = CourseRequirement.objects.select_related("course", "team").filter(
        pk=requirement_pk).first()
    if rule is None:
        raise Http404("No such rule")
    course = _lock_course(actor, rule.course_id)
    described = rule.describe()
    rule.delete()
    _rules_changed(actor, course, course.version, removed=described)
    return course


def _rules_changed(actor: User, course: Course, expected_version: int, **change: str) -> None:
    COURSE_VERSIONING.save(course, expected_version=expected_version,
                           update_fields=["version"])
    record_event(event_type=EventType.CHANGE, actor=actor, record=course,
                 detail={"requirement": change, "version": course.version})
