"""``manage.py import_boundaries FILE.geojson``: load area boundaries published by ONS
Open Geography onto the hub's areas, all or nothing, naming the features that match no
area."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.people.boundaries import BoundaryImportError, import_boundaries


class Command(BaseCommand):
    help = (
        "Import area boundaries from an ONS Open Geography GeoJSON FeatureCollection "
        "(properties <PREFIX><YY>CD, geometry in WGS84) onto existing areas. All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="GeoJSON file")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            summary = import_boundaries(path, actor=None)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except BoundaryImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
