"""Historic intelligence graded under the old 5x5x5 system, imported so that it stays
readable. Imported reports are kept exactly as they were graded, shown read-only, and
never re-graded, linked or shared from here.

The file is a CSV with a header row:

=========================  ========  ====================================================
column                     required  content
=========================  ========  ====================================================
reference                  yes       the report's reference in the old system (unique)
received_on                yes       YYYY-MM-DD or DD/MM/YYYY
owning_agency              yes       the owning agency's code, e.g. ``northshire-police``
owning_team                yes       the owning team's name within that agency
source_evaluation          yes       A-E
intelligence_evaluation    yes       1-5
handling_code              yes       1-5
text                       yes       the report as recorded
sanitised_text             no        a sanitised version, if the old system had one
occurred_on                no        YYYY-MM-DD or DD/MM/YYYY
=========================  ========  ====================================================

An old handling code becomes the hub's enforced handling (``LEGACY_HANDLING``): only
code 2 (UK non-prosecuting partners) may be read across the hub; codes 1 and 3 are kept
to police agencies, 4 to the originating agency and 5 to the originating team.

All or nothing: the whole file is checked first, every problem is reported with its row
(the line a record starts on; the header is row 1) and column, and nothing is written
unless the file is valid. The file is read through ``macehub.core.csv_import``, so one
that is not UTF-8, holds a NUL byte or a field too long to read is reported the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from macehub.accounts.models import Agency, Team, User
from macehub.accounts.roles import AgencyKind
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import (
    CsvRecord,
    FileNotImported,
    RowProblem,
    UnreadableCsv,
    csv_records,
    read_import_file,
)
from macehub.intelligence.codes import (
    HandlingCode,
    LegacyHandlingCode,
    LegacyIntelligenceEvaluation,
    LegacySourceEvaluation,
    Priority,
    ReportStatus,
    SecurityMarking,
)
from macehub.intelligence.models import IntelligenceReport

REQUIRED_COLUMNS = (
    "reference", "received_on", "owning_agency", "owning_team", "source_evaluation",
    "intelligence_evaluation", "handling_code", "text",
)
OPTIONAL_COLUMNS = ("sanitised_text", "occurred_on")
MAX_PROBLEMS = 100
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_REFERENCE_LIMIT = IntelligenceReport._meta.get_field("reference").max_length or 20


@dataclass(frozen=True)
class LegacyHandling:
    """What an old handling code allows, in the hub's enforced terms."""

    conditions: str
    # Who the conditions name: "police" (every police agency), "agency" (the owning
    # agency), "team" (the owning team only); "" for handling code P.
    named: str


LEGACY_HANDLING: dict[str, LegacyHandling] = {
    "1": LegacyHandling("Historic 5x5x5 handling code 1: may be disseminated to other law "
                        "enforcement agencies only.", "police"),
    "2": LegacyHandling("", ""),
    "3": LegacyHandling("Historic 5x5x5 handling code 3: may be disseminated to law "
                        "enforcement agencies only (including non-EU).", "police"),
    "4": LegacyHandling("Historic 5x5x5 handling code 4: may be disseminated within the "
                        "originating agency only.", "agency"),
    "5": LegacyHandling("Historic 5x5x5 handling code 5: no further dissemination; refer "
                        "to the originator.", "team"),
}


# A problem with a historic intelligence file: the core's, as every importer reports them.
LegacyProblem = RowProblem


class LegacyImportError(FileNotImported):
    """The file was not imported; ``problems`` says why, row by row. The core's refusal,
    as every importer's is, so whoever imports files handles this one the same way."""


@dataclass
class LegacyRow:
    row: int
    reference: str
    received_on: dt.date
    team: Team
    source_evaluation: str
    intelligence_evaluation: str
    handling_code: str
    text: str
    sanitised_text: str = ""
    occurred_on: dt.date | None = None


@dataclass
class LegacyImportSummary:
    file_name: str
    imported: int
    by_handling_code: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        codes = ", ".join(f"code {code}: {n}" for code, n in sorted(self.by_handling_code.items()))
        return (f"{self.file_name}: {self.imported} historic 5x5x5 report(s) imported"
                + (f" ({codes})" if codes else ""))


def _date(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


class _Checker:
    def __init__(self) -> None:
        self.problems: list[LegacyProblem] = []
        self.truncated = False

    def add(self, row: int | None, column: str | None, message: str) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.problems.append(LegacyProblem(row, column, message))


def _check_rows(records: Iterable[tuple[int, dict[str, str]]], today: dt.date,
                checker: _Checker) -> list[LegacyRow]:
    teams = {
        (team.agency.code, team.name.casefold()): team
        for team in Team.objects.select_related("agency").filter(is_active=True)
    }
    agency_codes = set(Agency.objects.values_list("code", flat=True))
    existing = set(IntelligenceReport.objects.values_list("reference", flat=True))
    seen: dict[str, int] = {}
    rows: list[LegacyRow] = []
    for number, values in records:
        problems_before = len(checker.problems)
        for column in REQUIRED_COLUMNS:
            if not values.get(column):
                checker.add(number, column, "is empty")
        reference = values.get("reference", "")
        if reference:
            if len(reference) > _REFERENCE_LIMIT:
                checker.add(number, "reference",
                            f"is longer than {_REFERENCE_LIMIT} characters")
            elif reference in existing:
                checker.add(number, "reference", f"{reference} is already in the hub")
            elif reference in seen:
                checker.add(number, "reference",
                            f"{reference} is also on row {seen[reference]}")
            seen.setdefault(reference, number)
        received = occurred = None
        for column in ("received_on", "occurred_on"):
            text = values.get(column, "")
            if not text:
                continue
            parsed = _date(text)
            if parsed is None:
                checker.add(number, column, f"'{text}' is not a date (use YYYY-MM-DD)")
            elif parsed > today:
                checker.add(number, column, "is in the future")
            elif column == "received_on":
                received = parsed
            else:
                occurred = parsed
        for column, choices in (
            ("source_evaluation", LegacySourceEvaluation),
            ("intelligence_evaluation", LegacyIntelligenceEvaluation),
            ("handling_code", LegacyHandlingCode),
        ):
            value = values.get(column, "").upper()
            if value and value not in choices.values:
                checker.add(number, column, f"'{values[column]}' is not a 5x5x5 code "
                            f"(use one of {', '.join(choices.values)})")
        agency_code, team_name = values.get("owning_agency", ""), values.get("owning_team", "")
        team = None
        if agency_code and agency_code not in agency_codes:
            checker.add(number, "owning_agency", f"there is no agency with code '{agency_code}'")
        elif agency_code and team_name:
            team = teams.get((agency_code, team_name.casefold()))
            if team is None:
                checker.add(number, "owning_team",
                            f"'{agency_code}' has no active team called '{team_name}'")
        if len(checker.problems) == problems_before and team and received:
            rows.append(LegacyRow(
                row=number, reference=reference, received_on=received, team=team,
                source_evaluation=values["source_evaluation"].upper(),
                intelligence_evaluation=values["intelligence_evaluation"],
                handling_code=values["handling_code"],
                text=values["text"], sanitised_text=values.get("sanitised_text", ""),
                occurred_on=occurred,
            ))
    return rows


def _rows_by_heading(records: Iterator[CsvRecord], header: list[str]
                     ) -> Iterator[tuple[int, dict[str, str]]]:
    """Each record as its row and its values by heading, trimmed; cells beyond the
    header are ignored and missing ones are empty."""
    for record in records:
        cells = record.cells
        yield record.row, {name: (cells[index] if index < len(cells) else "").strip()
                           for index, name in enumerate(header) if name}


def _read_records(records: Iterator[CsvRecord], today: dt.date, checker: _Checker
                  ) -> list[LegacyRow]:
    first = next(records, None)
    header = [name.strip() for name in first.cells] if first else []
    header_row = first.row if first else 1
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        checker.add(header_row, None,
                    "the header is missing the column(s) " + ", ".join(missing))
        return []
    unknown = [c for c in header if c and c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        checker.add(header_row, None, "unknown column(s) " + ", ".join(unknown))
    return _check_rows(_rows_by_heading(records, header), today, checker)


def read_legacy_file(data: bytes, *, today: dt.date | None = None) -> list[LegacyRow]:
    """Every row of the file (its bytes, UTF-8) checked; raises ``LegacyImportError``
    with all problems, a file that cannot be read as CSV text among them."""
    checker = _Checker()
    try:
        rows = _read_records(csv_records(data), today or timezone.localdate(), checker)
    except UnreadableCsv as unreadable:
        # Reported beside what the rows before it showed; the rest cannot be read.
        checker.add(unreadable.row, unreadable.column, unreadable.message)
        rows = []
    if not rows and not checker.problems:
        checker.add(None, None, "the file has no rows to import")
    if checker.problems:
        raise LegacyImportError(checker.problems, truncated=checker.truncated)
    return rows


def _received_at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def import_legacy_rows(*, actor: User, rows: list[LegacyRow], file_name: str
                       ) -> LegacyImportSummary:
    police_agencies = list(
        Agency.objects.filter(kind=AgencyKind.POLICE, is_active=True).values_list("pk", flat=True)
    )
    summary = LegacyImportSummary(file_name=file_name, imported=0)
    references = []
    for row in rows:
        handling = LEGACY_HANDLING[row.handling_code]
        report = IntelligenceReport.objects.create(
            reference=row.reference,
            owning_team=row.team,
            created_by=actor,
            received_at=_received_at(row.received_on),
            occurred_on=row.occurred_on,
            source_text=row.text,
            sanitised_text=row.sanitised_text,
            handling_code=HandlingCode.CONDITIONS if handling.named else HandlingCode.PERMITTED,
            handling_conditions=handling.conditions,
            security_marking=SecurityMarking.OFFICIAL_SENSITIVE,
            priority=Priority.LOW,
            is_legacy_5x5x5=True,
            legacy_source_evaluation=row.source_evaluation,
            legacy_intelligence_evaluation=row.intelligence_evaluation,
            legacy_handling_code=row.handling_code,
            status=ReportStatus.HISTORIC,
        )
        if handling.named == "police":
            report.permitted_agencies.set(police_agencies or [row.team.agency_id])
        elif handling.named == "agency":
            report.permitted_agencies.set([row.team.agency_id])
        elif handling.named == "team":
            report.permitted_teams.set([row.team.pk])
        summary.imported += 1
        summary.by_handling_code[row.handling_code] = (
            summary.by_handling_code.get(row.handling_code, 0) + 1
        )
        references.append(report.pk)
    record_event(
        event_type=EventType.IMPORT, actor=actor, record_type="intelligence.intelligencereport",
        detail={"file": file_name, "format": "5x5x5 legacy CSV", "imported": summary.imported,
                "report_ids": references, "by_handling_code": summary.by_handling_code},
    )
    return summary


def import_legacy_file(path: Path, *, actor: User) -> LegacyImportSummary:
    """Check the whole file, then import it in one transaction (or not at all)."""
    data, file_name = read_import_file(path)
    rows = read_legacy_file(data)
    return import_legacy_rows(actor=actor, rows=rows, file_name=file_name)


def import_legacy_text(text: str, *, actor: User, file_name: str = "upload.csv"
                       ) -> LegacyImportSummary:
    rows = read_legacy_file(text.encode("utf-8"))
    return import_legacy_rows(actor=actor, rows=rows, file_name=file_name)
