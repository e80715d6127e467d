"""``manage.py import_census_by_age FILE``: load Census 2021 ethnic group by age, the
children's (0 to 17) and adults' (18 and over) populations that disproportionality
rates divide by. The format is described in ``macehub.people.census_by_age``.

The file is checked as a whole first; if anything is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.people.census import CensusImportError
from macehub.people.census_by_age import import_census_by_age


class Command(BaseCommand):
    help = (
        "Import a Census 2021 ethnic group by age table (an ONS custom dataset CSV: area, "
        "age band, ethnic group, Observation) for areas already in the hub. The age bands "
        "must split at 18. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (comma or | separated)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            summary = import_census_by_age(path, actor=None)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except CensusImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
