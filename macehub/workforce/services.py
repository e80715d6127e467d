"""The one way to change the workforce records. Each service is keyword-only with the
acting user first; in one transaction it checks the policy, validates, checks the
version the user saw, writes and records the audit event.

The rules live here: a senior leader records the months of their own agency's teams, an
administrator any active team's; a month is the first day of a month no later than this
one; establishment, posts filled and posts added are full-time equivalents from 0 to
``MAX_FTE``; posts filled may be more than the establishment (the team is over it, and
the pages say so); posts added are part of the establishment and need when and how they
were funded. An import is all or nothing: every row is checked against the same rules
before any is written, and the file's problems are reported row by row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accounts.models import Team, User
from macehub.accounts.roles import Role
from macehub.audit.events import EventType
from macehub.audit.history import saves_after
from macehub.audit.services import changed_values, record_event
from macehub.core.csv_import import (
    FileNotImported,
    ProblemList,
    csv_records,
)
from macehub.core.versioning import Versioning, plain_words
from macehub.workforce.codes import WorkKind
from macehub.workforce.models import CaseloadWeighting, TeamMonth

MAX_FTE = Decimal("9999")
MAX_WEIGHT = Decimal("100")
FUNDING_LENGTH = 300
PROBLEMS_LISTED = 50

TEAM_MONTH_VERSIONING = Versioning(
    history=saves_after,
    labels={"establishment": "Establishment", "filled": "Posts filled",
            "posts_added": "New posts added", "posts_added_funded_on": "When funded",
            "posts_added_funding": "How funded"},
    words=lambda _name, value: plain_words(value))
WEIGHTING_VERSIONING = Versioning(
    history=saves_after, labels={kind.value: str(kind.label) for kind in WorkKind},
    words=lambda _name, value: plain_words(value))


@dataclass(frozen=True)
class MonthStaffing:
    """What is recorded of one team's month (full-time equivalents)."""

    establishment: Decimal | None
    filled: Decimal | None
    posts_added: Decimal | None = None
    posts_added_funded_on: dt.date | None = None
    posts_added_funding: str = ""


def teams_recorded_by(actor: User) -> QuerySet[Team]:
    """The active teams whose months the actor may record: any, for an administrator;
    their own agency's, for a senior leader."""
    if not policy.allows(actor, Action.WORKFORCE_ESTABLISHMENT):
        return Team.objects.none()
    teams = Team.objects.filter(is_active=True).select_related("agency")
    if Role.ADMINISTRATOR not in actor.role_codes:
        teams = teams.filter(agency_id=actor.agency_id) if actor.agency_id else teams.none()
    return teams.order_by("agency__name", "name")


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def staffing_errors(staffing: MonthStaffing, month: dt.date | None) -> dict[str, str]:
    """What is wrong with a month's figures, by field (empty when nothing is)."""
    errors: dict[str, str] = {}
    this_month = first_of_month(timezone.localdate())
    if month is None:
        errors["month"] = "Enter the month"
    elif month.day != 1:
        errors["month"] = "Enter the month as its first day"
    elif month > this_month:
        errors["month"] = "The month must be this month or earlier"
    names = {"establishment": "the establishment", "filled": "the posts filled",
             "posts_added": "the new posts added"}
    for name, words in names.items():
        value = getattr(staffing, name)
        if value is None:
            if name != "posts_added":
                errors[name] = f"Enter {words}, in full-time equivalents"
        elif value < 0 or value > MAX_FTE:
            errors[name] = f"Enter {words} as a number from 0 to {MAX_FTE}"
    added = staffing.posts_added or Decimal(0)
    if (staffing.establishment is not None and "posts_added" not in errors
            and added > staffing.establishment):
        errors["posts_added"] = ("The new posts added are part of the establishment: enter "
                                 "no more than the establishment")
    if added > 0:
        if staffing.posts_added_funded_on is None:
            errors["posts_added_funded_on"] = "Enter when the new posts were funded"
        elif staffing.posts_added_funded_on > timezone.localdate():
            errors["posts_added_funded_on"] = ("The date the posts were funded must be "
                                               "today or in the past")
        if not staffing.posts_added_funding.strip():
            errors["posts_added_funding"] = "Enter how the new posts were funded"
    elif staffing.posts_added_funded_on or staffing.posts_added_funding.strip():
        errors["posts_added"] = "Enter the new posts added, or leave how they were funded empty"
    if len(staffing.posts_added_funding.strip()) > FUNDING_LENGTH:
        errors["posts_added_funding"] = (f"How the posts were funded must be "
                                         f"{FUNDING_LENGTH} characters or fewer")
    return errors


def _figure(value: Decimal) -> str:
    """A stored figure (two decimal places) as the audit log keeps it."""
    return f"{Decimal(value):.2f}"


def _values(record: TeamMonth) -> dict[str, str]:
    return {"establishment": _figure(record.establishment), "filled": _figure(record.filled),
            "posts_added": _figure(record.posts_added),
            "posts_added_funded_on": str(record.posts_added_funded_on or ""),
            "posts_added_funding": record.posts_added_funding}


def _write(record: TeamMonth, staffing: MonthStaffing, actor: User, now: dt.datetime) -> None:
    added = staffing.posts_added or Decimal(0)
    record.establishment = staffing.establishment or Decimal(0)
    record.filled = staffing.filled or Decimal(0)
    record.posts_added = added
    record.posts_added_funded_on = staffing.posts_added_funded_on if added else None
    record.posts_added_funding = staffing.posts_added_funding.strip() if added else ""
    record.recorded_by = actor
    record.recorded_at = now


@transaction.atomic
def record_month(*, actor: User, team_pk: int | None, month: dt.date | None,
                 staffing: MonthStaffing, expected_version: int) -> TeamMonth:
    """Record a team's month (``expected_version`` 0 for a month not recorded yet), or
    correct one already recorded from the version the user saw."""
    policy.require(actor, Action.WORKFORCE_ESTABLISHMENT)
    team = teams_recorded_by(actor).filter(pk=team_pk).first() if team_pk else None
    errors = staffing_errors(staffing, month)
    if team is None:
        errors["team"] = "Select a team of your agency"
    if errors or team is None or month is None:
        raise ValidationError(errors)
    now = timezone.now()
    record = (TeamMonth.objects.select_for_update(of=("self",))
              .filter(team=team, month=month).first())
    if record is None:
        if expected_version != 0:
            raise ValidationError({"month": "This month's record has been removed: start "
                                            "again"})
        record = TeamMonth(team=team, month=month)
        _write(record, staffing, actor, now)
        record.save()
        record_event(event_type=EventType.CREATE, actor=actor, record=record, detail={
            "team": team.pk, "month": month.isoformat(), **_values(record)})
        return record
    TEAM_MONTH_VERSIONING.check(record, expected_version, message=(
        "Someone else recorded this month while you were entering it"
        if expected_version == 0 else ""))
    before = _values(record)
    _write(record, staffing, actor, now)
    TEAM_MONTH_VERSIONING.save(record, expected_version=expected_version)
    record_event(event_type=EventType.CHANGE, actor=actor, record=record, detail={
        "changes": changed_values(before, _values(record)), "team": team.pk,
        "month": month.isoformat(), "version": record.version})
    return record


def current_weighting() -> CaseloadWeighting:
    """The hub's weighting (made at its defaults if the row has gone)."""
    weighting = CaseloadWeighting.objects.order_by("pk").first()
    return weighting if weighting is not None else CaseloadWeighting.objects.create()


@transaction.atomic
def change_weighting(*, actor: User, expected_version: int,
                     weights: dict[str, Decimal | None]) -> CaseloadWeighting:
    """Change the weight of each kind of work, from the version the user saw."""
    policy.require(actor, Action.WORKFORCE_WEIGHTING_CHANGE)
    weighting = CaseloadWeighting.objects.select_for_update().get(pk=current_weighting().pk)
    WEIGHTING_VERSIONING.check(weighting, expected_version)
    errors: dict[str, str] = {}
    for kind in WorkKind:
        value = weights.get(kind.value)
        if value is None:
            errors[kind.value] = f"Enter the weight of a {str(kind.label)[0].lower()}" \
                                 f"{str(kind.label)[1:]}"
        elif value < 0 or value > MAX_WEIGHT:
            errors[kind.value] = f"Enter a weight from 0 to {MAX_WEIGHT}"
    if errors:
        raise ValidationError(errors)
    before = {kind: _figure(value) for kind, value in weighting.weights().items()}
    for value_name in WorkKind.values:
        setattr(weighting, value_name, weights[value_name])
    weighting.changed_by = actor
    weighting.changed_at = timezone.now()
    WEIGHTING_VERSIONING.save(weighting, expected_version=expected_version)
    after = {kind: _figure(value) for kind, value in weighting.weights().items()}
    record_event(event_type=EventType.CHANGE, actor=actor, record=weighting, detail={
        "changes": changed_values(before, after), "version": weighting.version})
    return weighting


# --- Importing establishment from a CSV file ---------------------------------------

IMPORT_COLUMNS = ["agency", "team", "month", "establishment", "filled", "posts_added",
                  "posts_added_funded_on", "posts_added_funding"]
OPTIONAL_COLUMNS = frozenset({"posts_added", "posts_added_funded_on", "posts_added_funding"})


class EstablishmentImportError(FileNotImported):
    """An establishment file was not imported: nothing was written."""


class _Problems(ProblemList):
    refusal = EstablishmentImportError


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", "")) if text else None
    except InvalidOperation:
        return None
    return value if value is None or value.is_finite() else None


def _month(text: str) -> dt.date | None:
    for pattern in ("%Y-%m", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Row:
    row: int
    team: Team
    month: dt.date
    staffing: MonthStaffing


def _read_rows(actor: User, data: bytes, problems: _Problems) -> list[_Row]:
    teams = {(team.agency.code.lower(), team.name.strip().lower()): team
             for team in teams_recorded_by(actor)}
    rows: list[_Row] = []
    seen: dict[tuple[int, dt.date], int] = {}
    records = csv_records(data)
    header_record = next(records, None)
    if header_record is None:
        problems.add(None, None, "The file is empty")
        return rows
    header = [cell.strip().lower() for cell in header_record.cells]
    missing = [name for name in IMPORT_COLUMNS
               if name not in header and name not in OPTIONAL_COLUMNS]
    if missing:
        problems.add(header_record.row, None, "The header must name the columns "
                     f"{', '.join(IMPORT_COLUMNS)}; missing: {', '.join(missing)}")
        return rows
    for record in records:
        cells = dict(zip(header, (cell.strip() for cell in record.cells), strict=False))
        team = teams.get((cells.get("agency", "").lower(), cells.get("team", "").lower()))
        if team is None:
            problems.add(record.row, "team", "No team of that name in that agency (by its "
                         "code) that you may record")
        month = _month(cells.get("month", ""))
        staffing = MonthStaffing(
            establishment=_number(cells.get("establishment", "")),
            filled=_number(cells.get("filled", "")),
            posts_added=_number(cells.get("posts_added", "")),
            posts_added_funded_on=_date(cells.get("posts_added_funded_on", "")),
            posts_added_funding=cells.get("posts_added_funding", ""))
        if cells.get("posts_added_funded_on") and staffing.posts_added_funded_on is None:
            problems.add(record.row, "posts_added_funded_on",
                         "Enter the date as year-month-day, like 2026-04-01")
        if cells.get("posts_added") and staffing.posts_added is None:
            problems.add(record.row, "posts_added", "Enter a number")
        errors = staffing_errors(staffing, month)
        if cells.get("month") and month is None:
            errors["month"] = "Enter the month as year-month, like 2026-04"
        for name, message in errors.items():
            problems.add(record.row, name, message)
        if team is None or month is None or errors:
            continue
        earlier = seen.setdefault((team.pk, month), record.row)
        if earlier != record.row:
            problems.add(record.row, "month", f"This team's month is also on row {earlier}")
            continue
        rows.append(_Row(record.row, team, month, staffing))
    return rows


@transaction.atomic
def import_establishment(*, actor: User, data: bytes, name: str) -> list[TeamMonth]:
    """Record every month in the file, or none: ``EstablishmentImportError`` lists
    the problems row by row. A month already recorded is replaced by the file's."""
    policy.require(actor, Action.WORKFORCE_ESTABLISHMENT)
    problems = _Problems(PROBLEMS_LISTED)
    rows = problems.rows_or_refusal(lambda: _read_rows(actor, data, problems),
                                    none="The file has no months to import")
    now = timezone.now()
    existing = {(record.team_id, record.month): record for record in
                TeamMonth.objects.select_for_update(of=("self",)).filter(
                    team_id__in={row.team.pk for row in rows},
                    month__in={row.month for row in rows})}
    written: list[TeamMonth] = []
    changed: dict[int, dict[str, dict[str, str]]] = {}
    for row in rows:
        record = existing.get((row.team.pk, row.month))
        if record is None:
            record = TeamMonth(team=row.team, month=row.month)
            _write(record, row.staffing, actor, now)
            record.save()
        else:
            before = _values(record)
            _write(record, row.staffing, actor, now)
            record.version += 1
            record.save()
            changed[record.pk] = changed_values(before, _values(record))
        written.append(record)
    record_event(event_type=EventType.IMPORT, actor=actor, record_type="workforce.teammonth",
                 detail={"file": name[:200], "months": [r.pk for r in written],
                         "replaced": changed})
    return written
