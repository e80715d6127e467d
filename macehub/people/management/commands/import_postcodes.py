"""``manage.py import_postcodes FILE``: load the ONS Postcode Directory (ONSPD) CSV.

The file is checked as a whole first; if anything is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.people.postcodes import PostcodeImportError, import_postcode_directory


class Command(BaseCommand):
    help = (
        "Import the ONS Postcode Directory's CSV (pcds, doterm, oseast1m, osnrth1m, osward, "
        "lsoa21, oslaua): each postcode's grid coordinates and areas. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="ONSPD CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            summary = import_postcode_directory(path, actor=None)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except PostcodeImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
