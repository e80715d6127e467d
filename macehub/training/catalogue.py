"""The courses a hub starts with, held as data in ``data/courses.csv``: each course's
code, title, tier, description, validity in months (blank: it never expires), the
evidence expected, the specialist work it qualifies for ('|'-separated allocations) and
who must take it ('|'-separated rules: ``*`` for every role, a role, or ``role@agency
kind``). Anything said of a real national course is marked *check*. A data migration
loads the file; the training lead maintains the courses after that."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from macehub.core.csv_import import csv_records

COURSES_CSV = Path(__file__).resolve().parent / "data" / "courses.csv"
COLUMNS = ["code", "title", "tier", "description", "validity_months", "evidence",
           "qualifies_for", "required_of"]


@dataclass(frozen=True)
class RequirementRule:
    """Who must take a course: a role (empty: every role), and the kind of agency they
    work in (empty: any)."""

    role: str
    agency_kind: str


@dataclass(frozen=True)
class CourseRow:
    code: str
    title: str
    tier: str
    description: str
    validity_months: int | None
    evidence: str
    qualifies_for: str
    required_of: list[RequirementRule]


def _rules(cell: str) -> list[RequirementRule]:
    rules = []
    for term in filter(None, (part.strip() for part in cell.split("|"))):
        role, _, agency_kind = term.partition("@")
        rules.append(RequirementRule(role="" if role == "*" else role, agency_kind=agency_kind))
    return rules


def course_rows() -> list[CourseRow]:
    """The file's courses, in its order."""
    records = csv_records(COURSES_CSV.read_bytes())
    header = next(records).cells
    if header != COLUMNS:
        raise ValueError(f"{COURSES_CSV.name}: expected the columns {', '.join(COLUMNS)}")
    rows = []
    for record in records:
        cells = [cell.strip() for cell in record.cells]
        rows.append(CourseRow(
            code=cells[0], title=cells[1], tier=cells[2], description=cells[3],
            validity_months=int(cells[4]) if cells[4] else None, evidence=cells[5],
            qualifies_for=cells[6], required_of=_rules(cells[7])))
    return rows


def load_courses(course_model: Any, requirement_model: Any) -> None:
    """Put the file's courses and who must take them into the tables of ``course_model``
    and ``requirement_model`` (the models, or the migration's historical ones); courses
    already there, by code, are left as they are."""
    for row in course_rows():
        course, created = course_model.objects.get_or_create(code=row.code, defaults={
            "title": row.title, "tier": row.tier, "description": row.description,
            "validity_months": row.validity_months, "evidence": row.evidence,
            "qualifies_for": row.qualifies_for})
        if created:
            for rule in row.required_of:
                requirement_model.objects.create(course=course, role=rule.role,
                                                 agency_kind=rule.agency_kind)
