"""The crimes an investigation can record: offences from the Home Office crime
classification (Home Office Counting Rules), held as data in
``investigations/data/crime_classifications.csv`` with the codes a child exploitation
hub records. *Check* the codes and wording against the current Counting Rules before
relying on them; a force adds the codes it needs to the file."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from macehub.core.csv_import import csv_records

CLASSIFICATIONS_CSV = Path(__file__).resolve().parent / "data" / "crime_classifications.csv"


@cache
def offences() -> dict[str, str]:
    """Each classification code with its offence, in the file's order."""
    records = csv_records(CLASSIFICATIONS_CSV.read_bytes())
    header = next(records).cells
    if header != ["code", "offence"]:
        raise ValueError(f"{CLASSIFICATIONS_CSV.name}: expected the columns code, offence")
    return {record.cells[0].strip(): record.cells[1].strip() for record in records}


def offence_label(code: str) -> str:
    """"71 Abuse of children through sexual exploitation", or the bare code of one no
    longer on the list (an old record keeps what it was recorded as)."""
    offence = offences().get(code)
    return f"{code} {offence}" if offence else code
