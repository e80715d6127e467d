"""The retention rules a hub starts with, read from ``governance/data/retention_rules.csv``.
A rule is changed by a data migration that edits the table, never on a page: the rules
are the hub's record of what national practice and each agency's schedule say."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from macehub.core.csv_import import csv_records

RULES_FILE = Path(__file__).resolve().parent / "data" / "retention_rules.csv"
COLUMNS = ["code", "record_kind", "category", "label", "clock_starts", "review_years",
           "keep_until_age", "source", "check"]


@dataclass(frozen=True)
class RuleRow:
    code: str
    record_kind: str
    category: str
    label: str
    clock_starts: str
    review_years: int
    keep_until_age: int | None
    source: str
    check: bool


def rule_rows(path: Path = RULES_FILE) -> list[RuleRow]:
    """The file's rules, in its order."""
    records = csv_records(path.read_bytes())
    header = next(records).cells
    if header != COLUMNS:
        raise ValueError(f"{path.name}: expected the columns {', '.join(COLUMNS)}")
    rows = []
    for record in records:
        cells = dict(zip(COLUMNS, (cell.strip() for cell in record.cells), strict=True))
        rows.append(RuleRow(
            code=cells["code"], record_kind=cells["record_kind"], category=cells["category"],
            label=cells["label"], clock_starts=cells["clock_starts"],
            review_years=int(cells["review_years"]),
            keep_until_age=int(cells["keep_until_age"]) if cells["keep_until_age"] else None,
            source=cells["source"], check=cells["check"].lower() == "yes"))
    return rows


def load_retention_rules(rule_model: Any) -> None:
    """Put the file's rules into ``rule_model``'s table (the model or the migration's
    historical one); rules already there, by code, are left as they are."""
    for row in rule_rows():
        rule_model.objects.get_or_create(code=row.code, defaults={
            "record_kind": row.record_kind, "category": row.category, "label": row.label,
            "clock_starts": row.clock_starts, "review_years": row.review_years,
            "keep_until_age": row.keep_until_age, "source": row.source, "to_check": row.check})
