"""``manage.py rebuild_search_index``: build the person name index afresh from every
person and alias, after a bulk load that wrote them without the model signals (the
demo data does this as its last step)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from macehub.people.search_index import REBUILD_BATCH, rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the person name index (names and aliases) used by person search."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=REBUILD_BATCH,
                            help="People read and name forms written at a time")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        forms = rebuild_search_index(batch_size=options["batch_size"])
        self.stdout.write(f"Indexed {forms} name forms in {time.monotonic() - started:.1f} s")
