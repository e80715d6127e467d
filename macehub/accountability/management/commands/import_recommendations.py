"""``manage.py import_recommendations FILE --inspection PK``: add an inspection's
recommendations and areas for improvement from a CSV file.

The file is checked as a whole first; if anything is wrong, every problem is listed with
its row and column, the command exits non-zero and nothing is imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from macehub.accountability.imports import RecommendationImportError, import_recommendations
from macehub.accountability.models import Inspection


class Command(BaseCommand):
    help = ("Import an inspection's recommendations and areas for improvement from a CSV "
            "file (kind, number, text, addressed_to, theme). All or nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV file")
        parser.add_argument("--inspection", type=int, required=True,
                            help="The inspection's number (its page's address)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        inspection = Inspection.objects.filter(pk=options["inspection"]).first()
        if inspection is None:
            raise CommandError(f"No inspection {options['inspection']}")
        try:
            summary = import_recommendations(path, actor=None, inspection=inspection)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
        except RecommendationImportError as error:
            raise CommandError(f"{path.name} was not imported.\n{error.report()}") from error
        self.stdout.write(self.style.SUCCESS(str(summary)))
