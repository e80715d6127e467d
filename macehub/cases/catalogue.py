"""The exploitation indicator catalogue, loaded from ``cases/data/indicators.csv``.

Takes the model class so the data migration (historical model) and test set-up share it.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

INDICATORS_CSV = Path(__file__).resolve().parent / "data" / "indicators.csv"


def load_indicators(indicator_model: Any) -> None:
    with open(INDICATORS_CSV, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            indicator_model.objects.update_or_create(
                code=row["code"],
                defaults={
                    "domain": row["domain"],
                    "label": row["label"],
                    "weight": int(row["weight"]),
                    "sort_order": int(row["sort_order"]),
                },
            )
