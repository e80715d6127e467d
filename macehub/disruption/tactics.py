"""The disruption tactics a hub starts with, held as data in ``data/tactics.csv``: each
tactic's legal basis (*check* where the file says so, against current law and local
policy), the kinds of target it applies to ('|'-separated), the kind of agency that
leads it, whether it expires and its usual length in days. A data migration loads the
file; an administrator adds a hub's own tactics on the tactics page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from macehub.core.csv_import import csv_records

TACTICS_CSV = Path(__file__).resolve().parent / "data" / "tactics.csv"
COLUMNS = ["code", "name", "legal_basis", "target_kinds", "lead_agency_kind", "expires",
           "usual_length_days"]


@dataclass(frozen=True)
class TacticRow:
    code: str
    name: str
    legal_basis: str
    target_kinds: str
    lead_agency_kind: str
    expires: bool
    usual_length_days: int | None


def tactic_rows() -> list[TacticRow]:
    """The file's tactics, in its order."""
    records = csv_records(TACTICS_CSV.read_bytes())
    header = next(records).cells
    if header != COLUMNS:
        raise ValueError(f"{TACTICS_CSV.name}: expected the columns {', '.join(COLUMNS)}")
    rows = []
    for record in records:
        cells = [cell.strip() for cell in record.cells]
        length = cells[6]
        rows.append(TacticRow(
            code=cells[0], name=cells[1], legal_basis=cells[2], target_kinds=cells[3],
            lead_agency_kind=cells[4], expires=cells[5] == "yes",
            usual_length_days=int(length) if length else None))
    return rows


def load_tactics(tactic_model: Any) -> None:
    """Put the file's tactics into ``tactic_model``'s table (the model itself, or the
    migration's historical one); those already there, by code, are left as they are."""
    for row in tactic_rows():
        tactic_model.objects.get_or_create(code=row.code, defaults={
            "name": row.name, "legal_basis": row.legal_basis,
            "target_kinds": row.target_kinds, "lead_agency_kind": row.lead_agency_kind,
            "expires": row.expires, "usual_length_days": row.usual_length_days})
