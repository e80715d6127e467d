"""Reading the code lists shipped in ``people/data`` (the ethnic groups, the forms of
names), and loading the ethnic group lists into their tables.

Takes the model classes as arguments so the same loader serves the data migration
(historical models) and anything that needs to restore the lists (tests that flush).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def read_code_list(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_ethnic_groups(family_model: Any, group_model: Any) -> None:
    for row in read_code_list("ethnic_high_level_groups.csv"):
        family_model.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "census_heading": row["census_heading"]},
        )
    for row in read_code_list("ethnic_groups.csv"):
        group_model.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "family_id": row["high_level"] or None,
                "census_heading": row["census_heading"],
                "sort_order": int(row["sort_order"]),
            },
        )
