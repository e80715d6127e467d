"""Importing an inspection's recommendations and areas for improvement from a CSV file,
all or nothing, with a row-by-row report of what is wrong (``core.csv_import``).

The file has a header row with the columns ``kind`` (recommendation or area for
improvement: the code or its words), ``number``, ``text``, ``addressed_to`` and
``theme`` (the code or its words); other columns are ignored. Every row is checked, as
the page's form checks one, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone

from macehub.access import policy
from macehub.access.actions import Action
from macehub.accountability.codes import FindingKind, Theme
from macehub.accountability.models import Inspection, Recommendation
from macehub.accountability.services import finding_errors
from macehub.accounts.models import User
from macehub.audit.events import EventType
from macehub.audit.services import record_event
from macehub.core.csv_import import (
    FileNotImported,
    ProblemList,
    UnreadableCsv,
    csv_records,
    read_import_file,
)

COLUMNS = ("kind", "number", "text", "addressed_to", "theme")
MAX_PROBLEMS = 100


class RecommendationImportError(FileNotImported):
    """The recommendations were not imported: ``problems`` lists what was wrong."""


class _Problems(ProblemList):
    refusal = RecommendationImportError


@dataclass(frozen=True)
class ImportSummary:
    file_name: str
    recommendations: int
    areas_for_improvement: int

    def __str__(self) -> str:
        return (f"{self.file_name}: {self.recommendations} recommendation(s) and "
                f"{self.areas_for_improvement} area(s) for improvement imported")


def _code(value: str, choices: list[tuple[str, str]]) -> str:
    """The code of a value given as its code or its words (any case)."""
    wanted = value.strip().lower()
    for code, label in choices:
        if wanted in (code, str(label).lower()):
            return code
    return wanted


def import_recommendations(source: Path | str | IO[bytes], *, actor: User | None,
                           inspection: Inspection, file_name: str | None = None
                           ) -> ImportSummary:
    """Add every row of the file to the inspection, or none (raises
    ``RecommendationImportError`` listing every problem). ``actor`` None: the command
    line, whose operator is the server's. Audited as an import."""
    if actor is not None:
        policy.get_or_404(actor, Action.INSPECTION_MANAGE, Inspection.objects.all(),
                          pk=inspection.pk)
    data, source_name = read_import_file(source)
    file_name = file_name or source_name
    problems = _Problems(MAX_PROBLEMS)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, int], int] = {}
    try:
        records = csv_records(data)
        first = next(records, None)
        if first is None:
            problems.add(1, None, "The file is empty")
        else:
            header = [cell.strip().lower() for cell in first.cells]
            missing = [name for name in COLUMNS if name not in header]
            if missing:
                problems.add(1, None, f"Columns missing: {', '.join(missing)}")
            else:
                where = {name: header.index(name) for name in COLUMNS}
                for record in records:
                    cells = {name: (record.cells[i] if i < len(record.cells) else "")
                             for name, i in where.items()}
                    kind = _code(cells["kind"], FindingKind.choices)
                    theme = _code(cells["theme"], Theme.choices)
                    number = int(cells["number"]) if cells["number"].strip().isdigit() \
                        else None
                    errors = finding_errors(inspection, kind=kind, number=number,
                                            text=cells["text"],
                                            addressed_to=cells["addressed_to"], theme=theme)
                    if number is not None and (kind, number) in seen and "number" not in errors:
                        errors["number"] = f"The same number as row {seen[(kind, number)]}"
                    for column, message in errors.items():
                        problems.add(record.row, column, message)
                    if number is not None:
                        seen.setdefault((kind, number), record.row)
                    rows.append({"kind": kind, "number": number, "text": cells["text"].strip(),
                                 "addressed_to": cells["addressed_to"].strip(),
                                 "theme": theme})
            if not rows and not problems.found:
                problems.add(None, None, "The file has no rows below its header")
    except UnreadableCsv as unreadable:
        problems.add(unreadable.row, unreadable.column, unreadable.message)
    problems.raise_if_any()
    now = timezone.now()
    with transaction.atomic():
        Inspection.objects.select_for_update().get(pk=inspection.pk)
        created = Recommendation.objects.bulk_create(
            Recommendation(inspection=inspection, created_at=now, **row)
            for row in rows)
        summary = ImportSummary(
            file_name=file_name,
            recommendations=sum(r.kind == FindingKind.RECOMMENDATION for r in created),
            areas_for_improvement=sum(r.kind == FindingKind.AREA_FOR_IMPROVEMENT
                                      for r in created))
        record_event(event_type=EventType.IMPORT, actor=actor, record=inspection,
                     detail={"file": file_name, "recommendations": summary.recommendations,
                             "areas_for_improvement": summary.areas_for_improvement})
    return summary
