"""``manage.py rebuild_search_index``: build every search index afresh (the person name
index, the intelligence entity index, and any other an app registers in
``people.search_index.SEARCH_INDEXES``), after a bulk load that wrote the records
without the model signals (the demo data does this as its last step)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from macehub.people.search_index import REBUILD_BATCH, SEARCH_INDEXES


class Command(BaseCommand):
    help = ("Rebuild the search indexes: person names and aliases (person search) and "
            "the entities intelligence reports mention (entity search).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH,
                            help="Records read and index rows written at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        for what, rebuild in SEARCH_INDEXES.items():
            started = time.monotonic()
            rows = rebuild(batch_size=options["batch_size"])
            self.stdout.write(f"Indexed {rows} {what} in {time.monotonic() - started:.1f} s")
